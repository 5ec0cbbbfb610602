"""The StarGAN training graph: a D step, a fused D-then-G step, and a sampling head.

The reference runs G(x_real, c_trg) twice in an iteration that updates G: once for the D step
and again for the G step, with the same weights, images and targets. Here both steps of such an
iteration run in one session call: x_fake is computed once, D is updated, and only then is the
G loss evaluated (through a control dependency), so G sees the updated D exactly as in the
reference. It saves one generator forward pass (the most expensive part of the network) per
G update and the copy of the batch into variables that two separate calls would need.

Why the ordering holds on every device: the networks' variables are resource variables, whose
every read is an op of its own, made where the weight is used. The G pass's reads of D are made
inside the D step's control dependency, so they run after D's update, and so does anything a
graph rewrite puts after them (the casts of automatic mixed precision on GPUs, the NPU's fp32 to
fp16 conversion). TF1's default ref variables share one `read` op per variable between both
passes: the order then rests on both passes aliasing the variable's storage, which a cast after
the shared read breaks (tests/training/test_training_order.py shows both). Checkpoint names are the same
for both kinds of variable, so runs of either kind load into the other.

The iteration count is the global step, incremented by the D step itself, never by an optimizer:
a loss-scaling optimizer that skips an update on overflow would otherwise hold the step back,
and with it the learning-rate schedule, checkpoint names and metrics.
"""
from collections import namedtuple

from ..kinds import kind_of
from ..runtime import device as devices
from ..runtime.tfcompat import tf
from .labels import cross_dataset_targets, permuted_targets
from .losses import discriminator_losses, generator_losses
from .networks import D_SCOPE, G_SCOPE, generator_on_placeholders, generator_parts, variables
from .schedule import attention_weight_tensor, learning_rate_tensor

TrainingGraph = namedtuple("TrainingGraph", [
    "d_iteration", "g_iteration", "d_loss", "g_loss",
    "global_step", "learning_rate", "x_sample", "c_sample", "fake_sample", "fused"])


def build_training_graph(images, labels, config, device="cpu", c_trg=None, gp_alpha=None, fused=True,
                         sample_batch=None, second=None, resource_variables=True, gradient_reducer=None):
    """`images`, `labels`: a batch from the input pipeline (static batch size).

    d_iteration and g_iteration are fetch dicts for sess.run: one training iteration each, without
    and with the G update; both return "lr" and the loss parts ("d", and "g" for g_iteration), and
    "scaling" (loss scale and whether the update was skipped, per network) when the device's
    precision mode wraps the optimizers in loss scaling.
    c_trg, gp_alpha: the targets and the gradient penalty's mixing weights (random when None).
    fused=False: g_iteration is the G step alone, with its own G forward pass, to be run after
    d_iteration in a second session call, as the reference does (for comparisons).
    sample_batch: the sample head's batch size, so that it too has static shapes (any when None).
    second: joint training (dataset "both"): the folder dataset's batch (images, labels[, c_trg, gp_alpha]).
    One iteration is then a step on the CelebA batch and a step on this one, as the reference's train_multi,
    through the same two optimizers; d_iteration and g_iteration are lists of fetch dicts, one per step.
    resource_variables=False builds TF1's ref variables instead: only for showing what goes wrong with them
    under a rewrite (tests/training/test_training_order.py, bench/bench_variable_kinds.py).
    gradient_reducer(grads_and_vars, net): more than one device (`distribute`): the gradients of "D" and "G"
    averaged over the ranks before the update, so D's update that G's step reads is the same on every rank.
    """
    blocks = device == "cpu"  # G's thin 7x7 layers on pixel blocks: a oneDNN measure (ops.conv2d)
    with tf.variable_scope(tf.get_variable_scope(), use_resource=resource_variables):
        global_step = tf.train.get_or_create_global_step()
        lr = learning_rate_tensor(global_step, config)
        d_opt = _optimizer("d_adam", lr, config, device)
        g_opt = _optimizer("g_adam", lr, config, device)
        if second is None:
            d_it, g_it = _step(images, labels, c_trg, gp_alpha, config, d_opt, g_opt, global_step, lr, fused,
                               reducer=gradient_reducer, pixel_blocks=blocks)
        else:
            if not kind_of(config).joint:
                raise ValueError("a second batch is for joint training (dataset 'both'), not {!r}".format(config.dataset))
            rest = tuple(second[2:]) + (None,) * (4 - len(second))
            if config.cross_dataset_targets > 0:
                c_trg = cross_dataset_targets(labels, second[1], config.cross_dataset_targets) if c_trg is None else c_trg
                if rest[0] is None:
                    rest = (cross_dataset_targets(second[1], labels, config.cross_dataset_targets),) + rest[1:]
            d_it, g_it = zip(
                _step(images, labels, c_trg, gp_alpha, config, d_opt, g_opt, global_step, lr, fused, "celeba",
                      gradient_reducer, blocks),
                _step(second[0], second[1], rest[0], rest[1], config, d_opt, g_opt, global_step, lr, fused, "rafd",
                      gradient_reducer, blocks))
            d_it, g_it = list(d_it), list(g_it)
        x_sample, c_sample, fake_sample = generator_on_placeholders(config, ("x_sample", "c_sample", "fake_sample"),
                                                                    sample_batch)
    first = d_it[0] if isinstance(d_it, list) else d_it
    return TrainingGraph(d_it, g_it, first["d"]["D/loss"], (g_it[0] if isinstance(g_it, list) else g_it)["g"]["G/loss"],
                         global_step, lr, x_sample, c_sample, fake_sample, fused)


def _step(x_real, c_org, c_trg, gp_alpha, config, d_opt, g_opt, global_step, lr, fused, part=None, reducer=None,
          pixel_blocks=False):
    """The fetch dicts (d_iteration, g_iteration) of one step on one batch; `part` names its dataset in joint
    training, whose last step ("rafd") alone counts the iteration."""
    c_trg = permuted_targets(c_org) if c_trg is None else c_trg
    # attention: None without Config.attention
    x_fake, attention = generator_parts(x_real, c_trg, config, pixel_blocks=pixel_blocks)
    d_loss, d_parts = discriminator_losses(x_real, x_fake, c_org, config, gp_alpha, part)
    d_parts["D/loss"] = d_loss  # the total, logged and checked for NaN too
    d_update, d_scaling = _apply(d_opt, d_loss, D_SCOPE, reducer, part)
    with tf.control_dependencies([d_update]):
        counted = [global_step.assign_add(1)] if part in (None, "rafd") else []
        d_step = tf.group(d_update, *counted, name="d_step" if part is None else "d_step_" + part)

    def mask_weight():  # the warm-up's share, read after this step's D update (and its count of the iteration)
        return attention_weight_tensor(global_step, config) if config.attention else 1.0
    if fused:
        with tf.control_dependencies([d_step]):  # G's losses read D after its update, as the reference
            g_loss, g_parts = generator_losses(x_real, x_fake, c_org, c_trg, config, part, attention, pixel_blocks,
                                               mask_weight())
    else:
        x_again, attention_again = generator_parts(x_real, c_trg, config, pixel_blocks=pixel_blocks)
        g_loss, g_parts = generator_losses(x_real, x_again, c_org, c_trg, config, part, attention_again,
                                           pixel_blocks, mask_weight())
    g_parts["G/loss"] = g_loss
    g_update, g_scaling = _apply(g_opt, g_loss, G_SCOPE, reducer, part)

    d_iteration = {"step": d_step, "lr": lr, "d": d_parts}
    g_iteration = {"step": tf.group(d_step, g_update) if fused else g_update, "lr": lr, "g": g_parts}
    if fused:
        g_iteration["d"] = d_parts
    if d_scaling:
        d_iteration["scaling"] = d_scaling
        g_iteration["scaling"] = dict(g_scaling, **d_scaling) if fused else g_scaling
    return d_iteration, g_iteration


def _optimizer(name, lr, config, device):
    """Adam, wrapped for the device's precision mode; joint training's two steps share it, as the reference's."""
    opt = tf.train.AdamOptimizer(lr, beta1=config.beta1, beta2=config.beta2, epsilon=1e-8, name=name)
    return devices.wrap_optimizer(opt, device, config.precision_mode, config.initial_loss_scale)


def _apply(wrapped, loss, scope, reducer=None, part=None):
    """The update of the scope's variables; (op, scaling fetches).

    scaling is {} without loss scaling, else {"loss_scale/<net>": scale, "skipped/<net>": 1.0 when
    this update was skipped for an overflow}: the wrapper skips exactly when a gradient is not finite.
    """
    grads_and_vars = wrapped.compute_gradients(loss, var_list=variables(scope))
    net = "D" if scope == D_SCOPE else "G"
    if reducer is not None:
        grads_and_vars = reducer(grads_and_vars, net if part in (None, "celeba") else net + "@" + part)
    update = wrapped.apply_gradients(grads_and_vars)
    scale = devices.loss_scale(wrapped)
    if scale is None:
        return update, {}
    finite = tf.reduce_all([tf.reduce_all(tf.is_finite(g)) for g, _ in grads_and_vars if g is not None])
    return update, {"loss_scale/" + net: scale, "skipped/" + net: 1.0 - tf.cast(finite, tf.float32)}


def run_iteration(sess, graph, step, config):
    """One training iteration at `step` (0-based): returns (lr, d_parts, g_parts or None, scaling).

    scaling: the loss scales and skipped-update flags of this iteration ({} without loss scaling).
    Joint training runs its steps in order and reports their mean, and each step's classification
    terms as "D/loss_cls@celeba", "D/loss_cls@rafd" (and G's).
    """
    if isinstance(graph.d_iteration, list):
        outs = [_run_step(sess, d_it, g_it, graph.fused, step, config)
                for d_it, g_it in zip(graph.d_iteration, graph.g_iteration)]
        lr = outs[-1][0]
        scaling = {}
        for o in outs:  # the last step's loss scales; updates skipped in either step
            for key, value in o[3].items():
                scaling[key] = scaling.get(key, 0) + value if key.startswith("skipped/") else value
        return lr, _merge([o[1] for o in outs]), _merge([o[2] for o in outs]) if outs[0][2] else None, scaling
    return _run_step(sess, graph.d_iteration, graph.g_iteration, graph.fused, step, config)


def _run_step(sess, d_iteration, g_iteration, fused, step, config):
    if (step + 1) % config.d_train_repeat:
        out = sess.run(d_iteration)
        return out["lr"], out["d"], None, out.get("scaling", {})
    if fused:
        out = sess.run(g_iteration)
        return out["lr"], out["d"], out["g"], out.get("scaling", {})
    d_out = sess.run(d_iteration)
    g_out = sess.run(g_iteration)
    return d_out["lr"], d_out["d"], g_out["g"], dict(d_out.get("scaling", {}), **g_out.get("scaling", {}))


JOINT_PARTS = ("celeba", "rafd")


def _merge(parts):
    """The mean of each loss over joint training's steps, and each step's classification term by name."""
    merged = {key: float(sum(p[key] for p in parts) / len(parts)) for key in parts[0]}
    for name, p in zip(JOINT_PARTS, parts):
        for key in p:
            if key.endswith("/loss_cls"):
                merged["{}@{}".format(key, name)] = float(p[key])
    return merged
