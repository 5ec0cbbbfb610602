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
the shared read breaks (tests/test_training_order.py shows both). Checkpoint names are the same
for both kinds of variable, so runs of either kind load into the other.

The iteration count is the global step, incremented by the D step itself, never by an optimizer:
a loss-scaling optimizer that skips an update on overflow would otherwise hold the step back,
and with it the learning-rate schedule, checkpoint names and metrics.
"""
from collections import namedtuple

from ..runtime import device as devices
from ..runtime.tfcompat import tf
from .labels import permuted_targets
from .losses import discriminator_losses, generator_losses
from .networks import D_SCOPE, G_SCOPE, generator, generator_on_placeholders, variables
from .schedule import learning_rate_tensor

# False builds TF1's ref variables instead: only for showing what goes wrong with them under a rewrite.
RESOURCE_VARIABLES = True

TrainingGraph = namedtuple("TrainingGraph", [
    "d_iteration", "g_iteration", "d_loss", "g_loss",
    "global_step", "learning_rate", "x_sample", "c_sample", "fake_sample", "fused"])


def build_training_graph(images, labels, config, device="cpu", c_trg=None, gp_alpha=None, fused=True,
                         sample_batch=None):
    """`images`, `labels`: a batch from the input pipeline (static batch size).

    d_iteration and g_iteration are fetch dicts for sess.run: one training iteration each, without
    and with the G update; both return "lr" and the loss parts ("d", and "g" for g_iteration), and
    "scaling" (loss scale and whether the update was skipped, per network) when the device's
    precision mode wraps the optimizers in loss scaling.
    c_trg, gp_alpha: the targets and the gradient penalty's mixing weights (random when None).
    fused=False: g_iteration is the G step alone, with its own G forward pass, to be run after
    d_iteration in a second session call, as the reference does (for comparisons).
    sample_batch: the sample head's batch size, so that it too has static shapes (any when None).
    """
    with tf.variable_scope(tf.get_variable_scope(), use_resource=RESOURCE_VARIABLES):
        return _build(images, labels, config, device, c_trg, gp_alpha, fused, sample_batch)


def _build(x_real, c_org, config, device, c_trg, gp_alpha, fused, sample_batch):
    c_trg = permuted_targets(c_org) if c_trg is None else c_trg
    global_step = tf.train.get_or_create_global_step()
    lr = learning_rate_tensor(global_step, config)

    x_fake = generator(x_real, c_trg, config)
    d_loss, d_parts = discriminator_losses(x_real, x_fake, c_org, config, gp_alpha)
    d_parts["D/loss"] = d_loss  # the total, logged and checked for NaN too
    d_update, d_scaling = _update("d_adam", d_loss, D_SCOPE, lr, config, device)
    with tf.control_dependencies([d_update]):
        d_step = tf.group(d_update, global_step.assign_add(1), name="d_step")
    if fused:
        with tf.control_dependencies([d_step]):  # G's losses read D after its update, as the reference
            g_loss, g_parts = generator_losses(x_real, x_fake, c_org, c_trg, config)
    else:
        g_loss, g_parts = generator_losses(x_real, generator(x_real, c_trg, config), c_org, c_trg, config)
    g_parts["G/loss"] = g_loss
    g_update, g_scaling = _update("g_adam", g_loss, G_SCOPE, lr, config, device)

    d_iteration = {"step": d_step, "lr": lr, "d": d_parts}
    g_iteration = {"step": tf.group(d_step, g_update) if fused else g_update, "lr": lr, "g": g_parts}
    if fused:
        g_iteration["d"] = d_parts
    if d_scaling:
        d_iteration["scaling"] = d_scaling
        g_iteration["scaling"] = dict(g_scaling, **d_scaling) if fused else g_scaling

    x_sample, c_sample, fake_sample = generator_on_placeholders(config, ("x_sample", "c_sample", "fake_sample"),
                                                                sample_batch)
    return TrainingGraph(d_iteration, g_iteration, d_loss, g_loss, global_step, lr,
                         x_sample, c_sample, fake_sample, fused)


def _update(name, loss, scope, lr, config, device):
    """Adam on the scope's variables, wrapped for the device's precision mode; (op, scaling fetches).

    scaling is {} without loss scaling, else {"loss_scale/<net>": scale, "skipped/<net>": 1.0 when
    this update was skipped for an overflow}: the wrapper skips exactly when a gradient is not finite.
    """
    opt = tf.train.AdamOptimizer(lr, beta1=config.beta1, beta2=config.beta2, epsilon=1e-8, name=name)
    wrapped = devices.wrap_optimizer(opt, device, config.precision_mode, config.initial_loss_scale)
    grads_and_vars = wrapped.compute_gradients(loss, var_list=variables(scope))
    update = wrapped.apply_gradients(grads_and_vars)
    scale = devices.loss_scale(wrapped)
    if scale is None:
        return update, {}
    finite = tf.reduce_all([tf.reduce_all(tf.is_finite(g)) for g, _ in grads_and_vars if g is not None])
    net = "D" if scope == D_SCOPE else "G"
    return update, {"loss_scale/" + net: scale, "skipped/" + net: 1.0 - tf.cast(finite, tf.float32)}


def run_iteration(sess, graph, step, config):
    """One training iteration at `step` (0-based): returns (lr, d_parts, g_parts or None, scaling).

    scaling: the loss scales and skipped-update flags of this iteration ({} without loss scaling).
    """
    if (step + 1) % config.d_train_repeat:
        out = sess.run(graph.d_iteration)
        return out["lr"], out["d"], None, out.get("scaling", {})
    if graph.fused:
        out = sess.run(graph.g_iteration)
        return out["lr"], out["d"], out["g"], out.get("scaling", {})
    d_out = sess.run(graph.d_iteration)
    g_out = sess.run(graph.g_iteration)
    return d_out["lr"], d_out["d"], g_out["g"], dict(d_out.get("scaling", {}), **g_out.get("scaling", {}))
