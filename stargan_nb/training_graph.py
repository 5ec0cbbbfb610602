"""The StarGAN training graph: a batch held in variables, a D step, a G step, and a sampling head.

The batch is copied into variables first, so the G step (every d_train_repeat-th iteration)
trains on the same images and targets as that iteration's D step, as the reference does.
"""
from collections import namedtuple

from . import device as devices
from .losses import discriminator_losses, generator_losses
from .networks import D_SCOPE, G_SCOPE, generator, variables
from .schedule import learning_rate_tensor
from .tfcompat import tf

TrainingGraph = namedtuple("TrainingGraph", [
    "load_batch", "d_step", "g_step", "d_parts", "g_parts", "d_loss", "g_loss",
    "global_step", "learning_rate", "x_sample", "c_sample", "fake_sample"])


def build_training_graph(images, labels, config, device="cpu"):
    """`images`, `labels`: a batch from the input pipeline (static batch size)."""
    b, s, c_dim = config.batch_size, config.image_size, config.c_dim
    with tf.variable_scope("batch"):
        x_var = tf.get_variable("x_real", [b, s, s, 3], trainable=False, initializer=tf.zeros_initializer())
        c_org_var = tf.get_variable("c_org", [b, c_dim], trainable=False, initializer=tf.zeros_initializer())
        c_trg_var = tf.get_variable("c_trg", [b, c_dim], trainable=False, initializer=tf.zeros_initializer())
    load_batch = tf.group(x_var.assign(images), c_org_var.assign(labels),
                          c_trg_var.assign(tf.random.shuffle(labels)), name="load_batch")
    x_real, c_org, c_trg = x_var.read_value(), c_org_var.read_value(), c_trg_var.read_value()

    global_step = tf.train.get_or_create_global_step()
    lr = learning_rate_tensor(global_step, config)

    def adam(name):
        opt = tf.train.AdamOptimizer(lr, beta1=config.beta1, beta2=config.beta2, epsilon=1e-8, name=name)
        return devices.wrap_optimizer(opt, device, config.precision_mode)

    d_loss, d_parts = discriminator_losses(x_real, c_org, c_trg, config)
    g_loss, g_parts = generator_losses(x_real, c_org, c_trg, config)
    d_parts["D/loss"], g_parts["G/loss"] = d_loss, g_loss  # totals, logged and checked for NaN too
    d_step = adam("d_adam").minimize(d_loss, var_list=variables(D_SCOPE), global_step=global_step)
    g_step = adam("g_adam").minimize(g_loss, var_list=variables(G_SCOPE))

    x_sample = tf.placeholder(tf.float32, [None, s, s, 3], name="x_sample")
    c_sample = tf.placeholder(tf.float32, [None, c_dim], name="c_sample")
    fake_sample = generator(x_sample, c_sample, config)
    return TrainingGraph(load_batch, d_step, g_step, d_parts, g_parts, d_loss, g_loss,
                         global_step, lr, x_sample, c_sample, fake_sample)
