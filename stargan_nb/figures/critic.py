"""A run's discriminator, restored for looking at what it computes: the gradient-penalty norm at interpolates
x_hat and its classifier's probability of each label. Training restores D inside its own graph; this one takes
any batch and only reads the checkpoint."""
import numpy as np

from .. import runs
from ..model.labels import space
from ..model.networks import D_SCOPE, discriminator, variables
from ..runtime.sessions import OwnsSession
from ..runtime.tfcompat import tf


class Critic(OwnsSession):
    """D of a run at a checkpoint (None: the latest usable)."""

    def __init__(self, run_dir, checkpoint=None):
        run = runs.Run.of(run_dir)
        self.config = run.load_config()
        self.checkpoint = run.find_checkpoint(checkpoint)
        self.step = runs.checkpoint_step(self.checkpoint)
        self.graph = tf.Graph()
        with self.graph.as_default():
            s = self.config.image_size
            self.x = tf.placeholder(tf.float32, [None, s, s, 3])
            self.src, self.cls = discriminator(self.x, self.config)
            # The penalty's gradient: of the src map summed over its patches (the reference's grad_outputs=ones).
            grad = tf.gradients(tf.reduce_sum(self.src), [self.x])[0]
            self.grad_map = tf.sqrt(tf.reduce_sum(tf.square(grad), axis=3))
            self.grad_norm = tf.sqrt(tf.reduce_sum(tf.square(grad), axis=[1, 2, 3]) + 1e-12)
            saver = tf.train.Saver(var_list=variables(D_SCOPE))
        self.session = tf.Session(graph=self.graph)
        saver.restore(self.session, self.checkpoint)

    def gradient(self, x_hat):
        """(||grad D_src(x_hat)|| per image, the per-pixel gradient magnitude maps)."""
        norm, maps = self.session.run([self.grad_norm, self.grad_map], {self.x: np.asarray(x_hat, np.float32)})
        return norm, maps

    def probabilities(self, x):
        """D's classifier output per label column: softmax over the domains when every label is one group of
        one-hot columns (a folder dataset, trained with softmax), else a sigmoid per attribute (CelebA's)."""
        logits = self.session.run(self.cls, {self.x: np.asarray(x, np.float32)})
        groups = space(self.config).groups
        if len(groups) == 1 and len(groups[0]) == logits.shape[1]:
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)
        return 1.0 / (1.0 + np.exp(-logits))


def interpolates(x, fake, alpha):
    """x_hat = alpha x + (1 - alpha) G(x, c), one alpha per image, as the penalty draws them."""
    a = np.asarray(alpha, np.float32).reshape(-1, 1, 1, 1)
    return a * np.asarray(x, np.float32) + (1 - a) * np.asarray(fake, np.float32)


def gradient_penalty_figure(x, fake, alpha, norms, maps, scale=1.7):
    """Per image: x, G(x, c_trg), x_hat between them (its alpha), and where D's score is most sensitive at x_hat
    (the gradient's magnitude per pixel), titled with ||grad D(x_hat)||, which the penalty pulls towards 1."""
    from ..viz import _plt, to_uint8
    plt = _plt()
    x_hat = interpolates(x, fake, alpha)
    fig, axes = plt.subplots(len(x), 4, figsize=(4 * scale, scale * len(x) + 0.5), squeeze=False)
    for i in range(len(x)):
        panels = [(to_uint8(x[i]), None, "x (real)"), (to_uint8(fake[i]), None, "G(x, c_trg) (fake)"),
                  (to_uint8(x_hat[i]), None, "x_hat, alpha = {:.2f}".format(float(alpha[i]))),
                  (maps[i], "viridis", "|grad D(x_hat)| per pixel\nnorm {:.3f}".format(norms[i]))]
        for ax, (img, cmap, title) in zip(axes[i], panels):
            ax.imshow(img, cmap=cmap, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(title, fontsize=8)
    fig.tight_layout()
    return fig


def classifier_verdicts(critic, gen, x, c_org, oracle, names):
    """For each input and each create_labels target: D's probability of the value asked for (the attribute
    switched on: p; switched off: 1 - p) and whether the oracle reads that value in the translation.
    Returns (fakes per target, probability array (targets, images), oracle array (targets, images), titles)."""
    from ..model.labels import create_labels, target_titles
    labels = space(critic.config)
    cols = labels.targets
    fakes, probs, verdicts = [], [], []
    for col, c_trg in zip(cols, create_labels(c_org, labels)):
        fake = gen(x, c_trg)
        p = critic.probabilities(fake)[:, col]
        asked = c_trg[:, col]
        fakes.append(fake)
        probs.append(np.where(asked > 0.5, p, 1 - p))
        verdicts.append(oracle(fake)[:, col] == asked)
    return fakes, np.array(probs), np.array(verdicts), target_titles(labels)


def classifier_figure(x, fakes, probs, verdicts, titles, scale=1.6):
    """Each translation titled with D's probability of the asked value and the oracle's verdict (yes / no):
    where they disagree, D is fooled or too strict."""
    from ..viz import _plt, to_uint8
    plt = _plt()
    n, k = len(x), len(fakes)
    fig, axes = plt.subplots(n, k + 1, figsize=(scale * (k + 1), scale * n + 0.9), squeeze=False)
    for i in range(n):
        axes[i][0].imshow(to_uint8(x[i]))
        axes[i][0].set_title("input", fontsize=8)
        for j in range(k):
            ax = axes[i][j + 1]
            ax.imshow(to_uint8(fakes[j][i]))
            agree = (probs[j, i] > 0.5) == bool(verdicts[j, i])
            ax.set_title("{}\nD {:.2f} · oracle {}".format(titles[j] if i == 0 else "", probs[j, i],
                                                           "yes" if verdicts[j, i] else "no"),
                         fontsize=7, color="black" if agree else "red")
        for ax in axes[i]:
            ax.set_xticks([])
            ax.set_yticks([])
    fig.suptitle("D: probability of the asked value; oracle: does it read it? (red: they disagree)", fontsize=9)
    fig.tight_layout()
    return fig
