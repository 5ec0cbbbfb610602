"""The reference StarGAN's Generator and PatchGAN Discriminator (yunjey/stargan model.py), and the optional
attention head of GANimation (Config.attention, not in the paper)."""
from .ops import conv2d, deconv4x4_s2, instance_norm, lrelu
from ..runtime.tfcompat import tf

G_SCOPE, D_SCOPE = "generator", "discriminator"
# The generator's graph interface: the names the frozen .pb, ATC and the inference graph share.
INPUT_IMAGE, INPUT_LABEL, OUTPUT = "x_real", "c_trg", "x_fake"
# With Config.attention, the frozen .pb's second output: where G changed the image (N, H, W, 1) in [0, 1].
ATTENTION = "attention"


def tile_labels(x, c):
    """Concatenate the target label to the image as constant feature maps (3 + label_dim channels)."""
    c = tf.cast(c, x.dtype)[:, None, None, :]
    c = tf.tile(c, tf.stack([1, tf.shape(x)[1], tf.shape(x)[2], 1]))
    return tf.concat([x, c], axis=3)


def _noop(name, tensor):
    return tensor


def generator(x, c, config, reuse=tf.AUTO_REUSE, trace=_noop, pixel_blocks=False):
    """x: (N, H, W, 3) in [-1, 1]; c: (N, label_dim) target labels -> (N, H, W, 3) in [-1, 1].

    trace(name, tensor) sees each block's output (02_model_building prints them as a table).
    pixel_blocks: the CPU training graph's form of the thin 7x7 layers (ops.conv2d); same weights.
    """
    return generator_parts(x, c, config, reuse, trace, pixel_blocks)[0]


def generator_parts(x, c, config, reuse=tf.AUTO_REUSE, trace=_noop, pixel_blocks=False):
    """(the translation, its attention mask A (N, H, W, 1) in [0, 1], or None for the paper's G).

    With Config.attention the last block has two heads, a colour image C (tanh) and A (sigmoid), and G
    returns A*C + (1 - A)*x: where A is 0 the input passes through untouched, so G has to say where it
    changes the image and the losses can ask that place to be small and smooth.
    """
    dim = config.g_conv_dim
    with tf.variable_scope(G_SCOPE, reuse=reuse):
        h = tile_labels(x, c)
        h.set_shape([None, None, None, 3 + config.label_dim])
        h = trace("input + tiled labels", h)
        h = conv2d(h, dim, 7, 1, 3, False, "conv_in", pixel_blocks=pixel_blocks)
        h = trace("conv_in 7x7 + IN + ReLU", tf.nn.relu(instance_norm(h, "in_in")))
        for i in range(2):
            dim *= 2
            h = tf.nn.relu(instance_norm(conv2d(h, dim, 4, 2, 1, False, "down%d" % i), "in_down%d" % i))
            h = trace("down%d 4x4/2 + IN + ReLU" % i, h)
        for i in range(config.g_repeat_num):
            with tf.variable_scope("res%d" % i):
                r = tf.nn.relu(instance_norm(conv2d(h, dim, 3, 1, 1, False, "conv1"), "in1"))
                r = instance_norm(conv2d(r, dim, 3, 1, 1, False, "conv2"), "in2")
                h = trace("res%d (2x conv 3x3 + IN) + skip" % i, h + r)
        for i in range(2):
            dim //= 2
            h = tf.nn.relu(instance_norm(deconv4x4_s2(h, dim, "up%d" % i), "in_up%d" % i))
            h = trace("up%d transposed 4x4/2 + IN + ReLU" % i, h)
        colour = tf.tanh(conv2d(h, 3, 7, 1, 3, False, "conv_out", pixel_blocks=pixel_blocks))
        if not config.attention:
            return trace("conv_out 7x7 + tanh", colour), None
        colour = trace("conv_out 7x7 + tanh (colour C)", colour)
        mask = tf.sigmoid(conv2d(h, 1, 7, 1, 3, False, "attention", pixel_blocks=pixel_blocks))
        mask = trace("attention 7x7 + sigmoid (mask A)", mask)
        blend = trace("A*C + (1-A)*x (output)", mask * colour + (1.0 - mask) * tf.cast(x, colour.dtype))
        return blend, mask


def discriminator(x, config, reuse=tf.AUTO_REUSE, trace=_noop):
    """x: (N, H, W, 3) -> (src: (N, H/2^k, W/2^k, 1) real/fake patches, cls: (N, cls_dim) label logits)."""
    dim = config.d_conv_dim
    with tf.variable_scope(D_SCOPE, reuse=reuse):
        h = trace("conv0 4x4/2 + LeakyReLU", lrelu(conv2d(x, dim, 4, 2, 1, True, "conv0", True)))
        for i in range(1, config.d_repeat_num):
            dim *= 2
            h = trace("conv%d 4x4/2 + LeakyReLU" % i, lrelu(conv2d(h, dim, 4, 2, 1, True, "conv%d" % i, True)))
        src = trace("src head 3x3 (real/fake per patch)", conv2d(h, 1, 3, 1, 1, False, "src", True))
        kernel = config.image_size // 2 ** config.d_repeat_num
        cls = conv2d(h, config.cls_dim, kernel, 1, 0, False, "cls", True)
        return src, trace("cls head %dx%d (label logits)" % (kernel, kernel), tf.reshape(cls, [-1, config.cls_dim]))


def variables(scope):
    return tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope=scope + "/")


def generator_inputs(config, batch=None, names=(INPUT_IMAGE, INPUT_LABEL)):
    """Placeholders for an image batch (batch, S, S, 3) in [-1, 1] and its labels (batch, label_dim)."""
    s = config.image_size
    return (tf.placeholder(tf.float32, [batch, s, s, 3], name=names[0]),
            tf.placeholder(tf.float32, [batch, config.label_dim], name=names[1]))


def generator_on_placeholders(config, names=(INPUT_IMAGE, INPUT_LABEL, OUTPUT), batch=None, attention_name=ATTENTION):
    """G fed by placeholders, any batch size (or `batch`): (x, c, out), with `out` named names[2]; with
    Config.attention, its mask is named `attention_name` too (attention_of reads it back).

    The one graph behind inference, freezing, conversion and training's sample grids, so the
    frozen .pb and the notebooks' generator cannot differ.
    """
    x, c = generator_inputs(config, batch=batch, names=names[:2])
    out, mask = generator_parts(x, c, config)
    if mask is not None:
        tf.identity(mask, name=attention_name)
    return x, c, tf.identity(out, name=names[2])


def attention_of(graph, name=ATTENTION):
    """The attention mask tensor generator_on_placeholders named, or None when the model has none."""
    try:
        return graph.get_tensor_by_name(name + ":0")
    except KeyError:
        return None


def count_parameters(config) -> dict:
    """Trainable parameters of G and D for a config, from a throwaway graph."""
    with tf.Graph().as_default():
        x, c = generator_inputs(config, batch=1)
        generator(x, c, config)
        discriminator(x, config)

        def total(scope):
            return int(sum(v.shape.num_elements() for v in variables(scope)))
        return {"generator": total(G_SCOPE), "discriminator": total(D_SCOPE)}


def layer_table(config):
    """Rows of (network, block, output shape, parameters added by the block) at batch size 1."""
    rows = []
    with tf.Graph().as_default():
        x, c = generator_inputs(config, batch=1)
        for net, build, scope in (("G", lambda t: generator(x, c, config, trace=t), G_SCOPE),
                                  ("D", lambda t: discriminator(x, config, trace=t), D_SCOPE)):
            seen = set()

            def trace(name, tensor, net=net, scope=scope, seen=seen):
                new = [v for v in variables(scope) if v.name not in seen]
                seen.update(v.name for v in new)
                rows.append((net, name, tuple(tensor.shape.as_list()[1:]),
                             int(sum(v.shape.num_elements() for v in new))))
                return tensor
            build(trace)
    return rows
