"""StarGAN's losses: WGAN-GP adversarial, attribute classification, cycle reconstruction.

Scales follow the reference solver: classification is the sigmoid cross-entropy summed over
attributes and averaged over the batch (CelebA), or the softmax cross-entropy averaged over the batch
(one domain of a folder dataset, as the reference's RaFD); reconstruction feeds the ORIGINAL label back.
In joint training each step classifies only its own dataset's slice of D's outputs. Which of these a run's
labels take, and which slice, is its dataset kind's (stargan_nb.kinds); the terms themselves live here.
"""
from collections import OrderedDict

from ..kinds import kind_of
from .networks import discriminator, generator_parts
from ..runtime.tfcompat import tf


def classification_loss(logits, labels):
    ce = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    batch = logits.shape[0].value  # static when known, so graph compilers see no shape computed at run time
    if batch:
        return tf.reduce_sum(ce) * (1.0 / batch)
    return tf.reduce_sum(ce) / tf.cast(tf.shape(logits)[0], logits.dtype)


def domain_loss(logits, one_hot):
    """Softmax cross-entropy of one-hot labels, averaged over the batch (the reference's F.cross_entropy)."""
    ce = tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.stop_gradient(one_hot), logits=logits)
    batch = logits.shape[0].value
    if batch:
        return tf.reduce_sum(ce) * (1.0 / batch)
    return tf.reduce_mean(ce)


def label_loss(logits, labels, config, part=None):
    """The classification term for D's logits (N, cls_dim) and the full label rows (N, label_dim), as the
    Config's dataset kind classifies (stargan_nb.kinds): sigmoid for attributes, softmax for domains.

    part: in joint training, "celeba" or "rafd", the dataset of this batch; its slice alone is read.
    "rows": each row's own mask says which slice is read (targets mixed across datasets,
    Config.cross_dataset_targets); a batch of one dataset's rows gives that dataset's term.
    """
    return kind_of(config).label_loss(logits, labels, config, part)


def gradient_penalty(critic, x_real, x_fake, alpha=None):
    """mean((||d critic(x_hat) / d x_hat||_2 - 1)^2), one alpha per sample, norm over all pixels.

    `critic` maps images to the PatchGAN src map; summing the map before differentiating is
    the reference's grad_outputs=ones.
    """
    if alpha is None:
        alpha = tf.random.uniform(tf.stack([tf.shape(x_real)[0], 1, 1, 1]))
    x_hat = alpha * x_real + (1 - alpha) * x_fake
    grad = tf.gradients(tf.reduce_sum(critic(x_hat)), [x_hat])[0]
    norm = tf.sqrt(tf.reduce_sum(tf.square(grad), axis=[1, 2, 3]) + 1e-12)
    return tf.reduce_mean(tf.square(norm - 1.0))


def discriminator_losses(x_real, x_fake, c_org, config, alpha=None, part=None):
    """The D step's total loss and its parts. x_fake = G(x_real, c_trg) is held constant here
    (no gradient into G), so the G step of the same iteration can reuse that forward pass.
    alpha: the gradient penalty's mixing weights (N, 1, 1, 1); random when None. part: see label_loss."""
    x_fake = tf.stop_gradient(x_fake)
    # D has no batch statistics, so real and fake can go through it as one batch: the same numbers,
    # but each weight is read once per pass instead of twice (its last layers are mostly weights).
    both_src, both_cls = discriminator(tf.concat([x_real, x_fake], axis=0), config)
    real_src, fake_src = tf.split(both_src, 2, axis=0)
    real_cls, _ = tf.split(both_cls, 2, axis=0)
    parts = OrderedDict()
    parts["D/loss_real"] = -tf.reduce_mean(real_src)
    parts["D/loss_fake"] = tf.reduce_mean(fake_src)
    parts["D/loss_cls"] = label_loss(real_cls, c_org, config, part)
    parts["D/loss_gp"] = gradient_penalty(lambda x: discriminator(x, config)[0], x_real, x_fake, alpha)
    total = (parts["D/loss_real"] + parts["D/loss_fake"] + config.lambda_cls * parts["D/loss_cls"]
             + config.lambda_gp * parts["D/loss_gp"])
    return total, parts


def attention_penalties(mask):
    """(mean of A, total variation of A) for masks (N, H, W, 1): how much of the image G changes, and how
    ragged that region is. The variation is each mask's sum of |differences| between neighbouring pixels,
    averaged over the batch, as GANimation sums it (it sums over its batch of 25 as well)."""
    tv = (tf.reduce_sum(tf.abs(mask[:, 1:, :, :] - mask[:, :-1, :, :]))
          + tf.reduce_sum(tf.abs(mask[:, :, 1:, :] - mask[:, :, :-1, :])))
    batch = mask.shape[0].value
    return tf.reduce_mean(mask), tv * (1.0 / batch) if batch else tv / tf.cast(tf.shape(mask)[0], mask.dtype)


def generator_losses(x_real, x_fake, c_org, c_trg, config, part=None, attention=None, pixel_blocks=False,
                     attention_weight=1.0):
    """The G step's total loss and its parts, for x_fake = G(x_real, c_trg).

    attention: x_fake's mask with Config.attention (generator_parts); its penalties, and the reconstruction's
    mask's, join the loss as GANimation's do. pixel_blocks: G's form for the reconstruction (ops.conv2d).

    Reconstruction translates back with c_org. With lambda_id > 0, the identity translation
    G(x, c_org) of the batch's first id_batch_size images (all when 0) goes through G in the same call
    as the reconstruction (both take c_org, and instance norm keeps samples independent): one pass over
    a larger batch, not a second pass.
    """
    fake_src, fake_cls = discriminator(x_fake, config)
    if config.lambda_id > 0:
        k = config.id_batch_size or None
        x_same, c_same = x_real[:k], c_org[:k]
        n = x_fake.shape[0].value
        both, both_mask = generator_parts(tf.concat([x_fake, x_same], 0), tf.concat([c_org, c_same], 0), config,
                                           pixel_blocks=pixel_blocks)
        if n:  # static sizes, so the NPU's graph compiler sees no shape computed at run time
            x_rec, x_id = tf.split(both, [n, x_same.shape[0].value], axis=0)
            rec_mask = None if both_mask is None else tf.split(both_mask, [n, x_same.shape[0].value], axis=0)[0]
        else:
            n = tf.shape(x_fake)[0]
            x_rec, x_id = both[:n], both[n:]
            rec_mask = None if both_mask is None else both_mask[:n]
    else:
        x_rec, rec_mask = generator_parts(x_fake, c_org, config, pixel_blocks=pixel_blocks)
    parts = OrderedDict()
    parts["G/loss_fake"] = -tf.reduce_mean(fake_src)
    parts["G/loss_rec"] = tf.reduce_mean(tf.abs(x_real - x_rec))
    # Targets mixed across datasets carry their dataset in each row's mask.
    mixed = part is not None and config.cross_dataset_targets > 0
    parts["G/loss_cls"] = label_loss(fake_cls, c_trg, config, "rows" if mixed else part)
    total = (parts["G/loss_fake"] + config.lambda_rec * parts["G/loss_rec"]
             + config.lambda_cls * parts["G/loss_cls"])
    if config.lambda_id > 0:
        parts["G/loss_id"] = tf.reduce_mean(tf.abs(x_same - x_id))
        total += config.lambda_id * parts["G/loss_id"]
    if config.attention:
        if attention is None:
            raise ValueError("Config.attention is on: pass x_fake's mask (generator_parts) as attention")
        fake_mean, fake_tv = attention_penalties(attention)
        rec_mean, rec_tv = attention_penalties(rec_mask)
        parts["G/loss_att_mean"] = fake_mean + rec_mean
        parts["G/loss_att_tv"] = fake_tv + rec_tv
        total += attention_weight * (config.lambda_att_mean * parts["G/loss_att_mean"]
                                     + config.lambda_att_tv * parts["G/loss_att_tv"])
    return total, parts
