"""Layers of the reference StarGAN in tf.compat.v1 graph code (NHWC, tf.get_variable, tf.nn).

PyTorch pads symmetrically; TF's SAME padding with stride 2 pads more on the bottom/right.
So every forward convolution pads explicitly and then runs VALID. The transposed 4x4 stride-2
convolution with TF's SAME padding crops one pixel on each side, which is exactly PyTorch's
padding=1. Initialisers match PyTorch's defaults (uniform in +-1/sqrt(fan_in)), so training starts
where the reference starts.
"""
import math

from .tfcompat import tf


def _uniform(fan_in):
    bound = 1.0 / math.sqrt(fan_in)
    return tf.random_uniform_initializer(-bound, bound)


def conv2d(x, out_channels, kernel, stride, pad, use_bias, name):
    in_channels = int(x.shape[-1])
    fan_in = in_channels * kernel * kernel
    with tf.variable_scope(name):
        w = tf.get_variable("weight", [kernel, kernel, in_channels, out_channels], initializer=_uniform(fan_in))
        if pad:
            x = tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]])
        y = tf.nn.conv2d(x, w, [1, stride, stride, 1], "VALID")
        if use_bias:
            b = tf.get_variable("bias", [out_channels], initializer=_uniform(fan_in))
            y = tf.nn.bias_add(y, b)
    return y


def deconv4x4_s2(x, out_channels, name):
    """PyTorch's ConvTranspose2d(kernel 4, stride 2, padding 1, bias=False): doubles H and W."""
    in_channels = int(x.shape[-1])
    fan_in = out_channels * 16  # PyTorch computes the fan of a transposed conv from its output channels
    with tf.variable_scope(name):
        w = tf.get_variable("weight", [4, 4, out_channels, in_channels], initializer=_uniform(fan_in))
        shape = tf.shape(x)
        out_shape = tf.stack([shape[0], shape[1] * 2, shape[2] * 2, out_channels])
        y = tf.nn.conv2d_transpose(x, w, out_shape, [1, 2, 2, 1], "SAME")
        h = None if x.shape[1].value is None else x.shape[1].value * 2
        wd = None if x.shape[2].value is None else x.shape[2].value * 2
        y.set_shape([x.shape[0], h, wd, out_channels])
    return y


def instance_norm(x, name, eps=1e-5):
    """Affine instance norm with per-image statistics, at training and at test time alike.

    The reference never switches to running statistics (it never calls eval()), and doing so
    wrecks the translations, so there are none here.
    """
    channels = int(x.shape[-1])
    with tf.variable_scope(name):
        gamma = tf.get_variable("gamma", [channels], initializer=tf.ones_initializer())
        beta = tf.get_variable("beta", [channels], initializer=tf.zeros_initializer())
        mean, var = tf.nn.moments(x, axes=[1, 2], keep_dims=True)
        return (x - mean) * tf.rsqrt(var + eps) * gamma + beta


def lrelu(x, slope=0.01):
    return tf.maximum(x, slope * x)
