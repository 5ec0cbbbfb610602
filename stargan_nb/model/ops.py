"""Layers of the reference StarGAN in tf.compat.v1 graph code (NHWC, tf.get_variable, tf.nn).

PyTorch pads symmetrically; TF's SAME padding with stride 2 pads more on the bottom/right.
So strided convolutions pad explicitly and then run VALID; stride-1 odd kernels use SAME, which
is symmetric there. The transposed 4x4 stride-2
convolution with TF's SAME padding crops one pixel on each side, which is exactly PyTorch's
padding=1. Initialisers match PyTorch's defaults (uniform in +-1/sqrt(fan_in)), so training starts
where the reference starts.
"""
import math

from ..runtime.tfcompat import tf


def _uniform(fan_in):
    bound = 1.0 / math.sqrt(fan_in)
    return tf.random_uniform_initializer(-bound, bound)


# Convolutions with at most this many output positions run as one matrix product over explicit
# patches (see conv2d): D's 2x2-output layer is faster so, its 4x4-output layer slower, hence 4 (README,
# "Speed on a CPU").
MATMUL_MAX_POSITIONS = 4


def conv2d(x, out_channels, kernel, stride, pad, use_bias, name, as_matmul=False, pixel_blocks=False):
    """PyTorch's Conv2d(padding=pad) on NHWC.

    as_matmul: when the output is small (the discriminator's last layers: 2x2 or smaller maps with 1024-2048
    channels), build the im2col patches from slices and multiply once. Same sums, same weights, but
    oneDNN's convolution kernels are slow for such shapes, a matrix product less so. Slices, reshapes
    and MatMul also have the second derivatives the gradient penalty needs.
    pixel_blocks: run a thin stride-1 convolution on 2x2 blocks of pixels (_conv_space_to_depth), a CPU
    (oneDNN) measure: only the CPU's training graph asks for it (training_graph.build_training_graph). GPUs,
    NPUs and every frozen .pb keep the plain convolutions they were checked with; the weights are the same
    variables either way, so checkpoints move freely between them.
    """
    in_channels = int(x.shape[-1])
    fan_in = in_channels * kernel * kernel
    with tf.variable_scope(name):
        w = tf.get_variable("weight", [kernel, kernel, in_channels, out_channels], initializer=_uniform(fan_in))
        if stride == 1 and kernel % 2 == 1 and pad == kernel // 2 and not as_matmul:
            if pixel_blocks and _thin_and_wide(x, kernel, in_channels, out_channels):
                y = _conv_space_to_depth(x, w)
            else:
                # TF's SAME pads exactly (k-1)/2 on each side here, as PyTorch does: no Pad op to run
                # and no Slice in the backward pass.
                y = tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME")
        else:
            if pad:
                x = tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]])
            h, wd = x.shape[1].value, x.shape[2].value
            out_h = None if h is None else (h - kernel) // stride + 1
            out_w = None if wd is None else (wd - kernel) // stride + 1
            if as_matmul and out_h and out_w and out_h * out_w <= MATMUL_MAX_POSITIONS:
                y = _conv_as_matmul(x, w, kernel, stride, out_h, out_w)
            else:
                y = tf.nn.conv2d(x, w, [1, stride, stride, 1], "VALID")
        if use_bias:
            b = tf.get_variable("bias", [out_channels], initializer=_uniform(fan_in))
            y = tf.nn.bias_add(y, b)
    return y


# With pixel_blocks, stride-1 convolutions with a kernel at least this big and at most this many channels
# on one side run on 2x2 blocks of pixels (see _conv_space_to_depth): G's first and last 7x7 layers
# (3 + c_dim in, 3 out).
SPACE_TO_DEPTH_MIN_KERNEL = 5
SPACE_TO_DEPTH_MAX_THIN = 15


def _thin_and_wide(x, kernel, in_channels, out_channels):
    h, w = x.shape[1].value, x.shape[2].value
    return (kernel >= SPACE_TO_DEPTH_MIN_KERNEL
            and min(in_channels, out_channels) <= SPACE_TO_DEPTH_MAX_THIN
            and h is not None and w is not None and h % 2 == 0 and w % 2 == 0)


def _conv_space_to_depth(x, w):
    """A stride-1 SAME convolution (odd kernel k) computed on 2x2 pixel blocks.

    oneDNN computes output channels in blocks of 16, so G's last layer (64 -> 3 channels) does the work of
    64 -> 16 and its first (8 -> 64) reads 8 of 16 input channels. Here the input is folded to half the height
    and width and 4x the channels (space_to_depth), one (k+1)/2 x (k+1)/2 convolution makes all four output
    pixels of each block at once (4x the output channels), and depth_to_space unfolds them. The kernel is
    the same weights, placed four times with a one-pixel shift: ((k+1)/k)^2 more multiply-adds, in shapes
    oneDNN runs at full width. Same sums up to rounding; the gradients flow through pad, concat and
    reshape back to the one weight variable. README, "Speed on a CPU", has what it saves.
    """
    k, ci, co = int(w.shape[0]), int(w.shape[2]), int(w.shape[3])
    p, blocks = k // 2, (k + 1) // 2
    # Output pixel (2P + a, 2Q + b) reads padded input rows 2P + a + i: tap u = a + i of a (k+1)-wide kernel
    # whose phase (a, b) copy is w shifted by (a, b), zero elsewhere.
    phases = [tf.pad(w, [[a, 1 - a], [b, 1 - b], [0, 0], [0, 0]]) for a in (0, 1) for b in (0, 1)]
    wide = tf.concat(phases, axis=3)  # [k+1, k+1, ci, (a, b, co)], depth_to_space's channel order
    # Split each kernel axis into (block, offset) and move the offsets next to the input channels, in
    # space_to_depth's channel order (row offset, column offset, channel).
    wide = tf.reshape(wide, [blocks, 2, blocks, 2, ci, 4 * co])
    wide = tf.reshape(tf.transpose(wide, [0, 2, 1, 3, 4, 5]), [blocks, blocks, 4 * ci, 4 * co])
    folded = tf.nn.space_to_depth(tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]), 2)
    return tf.nn.depth_to_space(tf.nn.conv2d(folded, wide, [1, 1, 1, 1], "VALID"), 2)


def _conv_as_matmul(x, w, kernel, stride, out_h, out_w):
    """A VALID convolution as patches (N*out_h*out_w, k*k*C) times weights (k*k*C, out)."""
    k_flat = kernel * kernel * int(x.shape[-1])
    out_channels = int(w.shape[-1])
    patches = [tf.reshape(x[:, i * stride:i * stride + kernel, j * stride:j * stride + kernel, :], [-1, 1, k_flat])
               for i in range(out_h) for j in range(out_w)]
    patches = patches[0] if len(patches) == 1 else tf.concat(patches, axis=1)
    y = tf.matmul(tf.reshape(patches, [-1, k_flat]), tf.reshape(w, [k_flat, out_channels]))
    return tf.reshape(y, [-1, out_h, out_w, out_channels])


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
        return _normalize(x, gamma, beta, eps)


def _normalize(x, gamma, beta, eps):
    """Instance norm's arithmetic, with its gradient written out.

    One scale and one shift per image and channel, so the full-size tensor is touched by a single multiply-add
    instead of a subtract, two multiplies and an add. The gradient TensorFlow derives through tf.nn.moments
    tiles, subtracts and multiplies full-size tensors a dozen times; the closed form needs two sums over the
    image (of dy and of dy * x) and one multiply-add per input: dx = scale * (dy - mean(dy) - xhat * mean(dy * xhat)).
    Not differentiable twice, which
    nothing asks of G (the gradient penalty differentiates D twice, and D has no norms).
    """
    @tf.custom_gradient
    def normalize(x, gamma, beta):
        mean, var = tf.nn.moments(x, axes=[1, 2], keep_dims=True)
        rstd = tf.rsqrt(var + eps)
        scale = gamma * rstd
        y = x * scale + (beta - mean * scale)

        def grad(dy):
            pixels = tf.cast(tf.reduce_prod(tf.shape(x)[1:3]), x.dtype)
            sum_dy = tf.reduce_sum(dy, axis=[1, 2], keepdims=True)
            # sum(dy * xhat) over the image, with xhat = (x - mean) * rstd never built full size
            sum_dy_xhat = rstd * (tf.reduce_sum(dy * x, axis=[1, 2], keepdims=True) - mean * sum_dy)
            x_coef = -scale * rstd * sum_dy_xhat / pixels
            shift = -scale * sum_dy / pixels - x_coef * mean
            dx = dy * scale + (x * x_coef + shift)
            return dx, tf.reduce_sum(sum_dy_xhat, axis=[0, 1, 2]), tf.reduce_sum(sum_dy, axis=[0, 1, 2])

        return y, grad

    return normalize(x, gamma, beta)


def lrelu(x, slope=0.01):
    return tf.nn.leaky_relu(x, alpha=slope)  # one op (and one gradient op) instead of max(x, a*x)
