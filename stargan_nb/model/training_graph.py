"""The StarGAN training graph: a D step, a fused D-then-G step, and a sampling head.

The reference runs G(x_real, c_trg) twice in an iteration that updates G: once for the D step
and again for the G step, with the same weights, images and targets. Here both steps of such an
iteration run in one session call: x_fake is computed once, D is updated, and only then is the
G loss evaluated (through a control dependency), so G sees the updated D exactly as in the
reference. It saves one generator forward pass (the most expensive part of the network) per
G update and the copy of the batch into variables that two separate calls would need.
"""
from collections import namedtuple

from ..runtime import device as devices
from .labels import permuted_targets
from .losses import discriminator_losses, generator_losses
from .networks import D_SCOPE, G_SCOPE, generator, generator_on_placeholders, variables
from .schedule import learning_rate_tensor
from ..runtime.tfcompat import tf

TrainingGraph = namedtuple("TrainingGraph", [
    "d_iteration", "g_iteration", "d_loss", "g_loss",
    "global_step", "learning_rate", "x_sample", "c_sample", "fake_sample"])


def build_training_graph(images, labels, config, device="cpu"):
    """`images`, `labels`: a batch from the input pipeline (static batch size).

    d_iteration and g_iteration are fetch dicts for sess.run: one training iteration each, without
    and with the G update; both return "lr" and the loss parts ("d", and "g" for g_iteration).
    """
    x_real, c_org = images, labels
    c_trg = permuted_targets(c_org)

    global_step = tf.train.get_or_create_global_step()
    lr = learning_rate_tensor(global_step, config)

    def adam(name):
        opt = tf.train.AdamOptimizer(lr, beta1=config.beta1, beta2=config.beta2, epsilon=1e-8, name=name)
        return devices.wrap_optimizer(opt, device, config.precision_mode)

    x_fake = generator(x_real, c_trg, config)
    d_loss, d_parts = discriminator_losses(x_real, x_fake, c_org, config)
    d_parts["D/loss"] = d_loss  # the total, logged and checked for NaN too
    d_step = adam("d_adam").minimize(d_loss, var_list=variables(D_SCOPE), global_step=global_step)
    with tf.control_dependencies([d_step]):  # G's losses read D after its update, as the reference
        g_loss, g_parts = generator_losses(x_real, x_fake, c_org, c_trg, config)
    g_parts["G/loss"] = g_loss
    g_step = adam("g_adam").minimize(g_loss, var_list=variables(G_SCOPE))

    d_iteration = {"step": d_step, "lr": lr, "d": d_parts}
    g_iteration = {"step": tf.group(d_step, g_step), "lr": lr, "d": d_parts, "g": g_parts}

    x_sample, c_sample, fake_sample = generator_on_placeholders(config, ("x_sample", "c_sample", "fake_sample"))
    return TrainingGraph(d_iteration, g_iteration, d_loss, g_loss, global_step, lr,
                         x_sample, c_sample, fake_sample)


def run_iteration(sess, graph, step, config):
    """One training iteration at `step` (0-based): returns (lr, d_parts, g_parts or None)."""
    if (step + 1) % config.d_train_repeat == 0:
        out = sess.run(graph.g_iteration)
        return out["lr"], out["d"], out["g"]
    out = sess.run(graph.d_iteration)
    return out["lr"], out["d"], None
