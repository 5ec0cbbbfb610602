"""Evaluate a run: attribute-transfer accuracy, reconstruction error, FID and KID, written to eval.json.

FID protocols (activations from TTUR's Inception graph, images fed as 0..255 floats):
- model_card: the model card's single FID. Real set: each test input repeated once per create_labels
  target (n x c_dim images); fake set: the n x c_dim translations. With 2000 test images and 5 attributes
  that is 10,000 against 10,000 images, as the card's 15.3 was computed. The repeats keep the two sets the
  same size, as the card did, but add nothing: the real covariance has rank at most n - 1, which the
  output states (`covariance_rank_real_at_most`).
- per_attribute: for attribute a, the translations whose target has a switched on, against the real test
  images that have a; `per_attribute_mean` averages them.
- reference points, same protocol and sizes, so that the number can be read: `floor`, real training
  images (n x c_dim, distinct) in place of the translations, what a perfect generator would score against
  the same reals; `ceiling`, the untrained generator's translations.
- KID beside each FID (unbiased, mean and standard deviation over subsets of the distinct images):
  FID is biased upwards by few images, KID is not, so KID is the figure to trust on small test sets.
"""
import os
import time

import numpy as np

from .. import runs
from ..data import dataset as data
from ..kinds import kind_of
from ..training.trained import open_run, reference_grid
from ..model.labels import create_labels, label_space, space
from ..viz import to_uint8
from .accuracy import check_oracle_can_judge, identity_figures, transfer_accuracy


def reconstruction_error(gen, images, labels, fakes):
    """mean |x - G(G(x, c_trg), c_org)| over every create_labels target, in the [-1, 1] scale."""
    return float(np.mean([np.abs(images - gen(f, labels)).mean() for f in fakes]))


def _compare(real_tiled, real, fake):
    """FID of the model card's protocol (real_tiled vs fake) and KID of the distinct reals vs fake."""
    from .fid import activation_distance, covariance_rank_bound, kernel_inception_distance
    value = activation_distance(real_tiled, fake)
    kid, kid_std = kernel_inception_distance(real, fake)
    return {"fid": value, "kid": kid, "kid_std": kid_std,
            "covariance_rank_fake_at_most": covariance_rank_bound(fake)[0]}


def fid_protocols(features, images, labels, fakes, space, progress=True, references=None):
    """FID / KID of the translations `fakes` (one array per create_labels target) against `images`.

    references: {name: images} compared with the same reals in the same way (the floor and the ceiling).
    """
    from .fid import activation_distance, covariance_rank_bound

    def acts(x):
        return features(to_uint8(x).astype(np.float32), progress=progress)

    real_acts = acts(images)
    fake_acts = [acts(f) for f in fakes]
    k = len(fakes)
    real_tiled = np.tile(real_acts, (k, 1))
    model = _compare(real_tiled, real_acts, np.concatenate(fake_acts))
    out = {"model_card": model.pop("fid"), "model_card_kid": model.pop("kid"),
           "model_card_kid_std": model.pop("kid_std"), "covariance_rank_fake_at_most": model.pop(
               "covariance_rank_fake_at_most")}
    for name, (what, other) in (references or {}).items():
        out[name] = dict(_compare(real_tiled, real_acts, acts(other)), what=what)
    space = label_space(space)
    targets = create_labels(labels, space)
    per = {}
    for i in space.targets:  # label columns (joint rows also hold the mask vector)
        attr = space[i]
        fake_on = np.concatenate([a[t[:, i] == 1] for a, t in zip(fake_acts, targets)])
        real_on = real_acts[labels[:, i] == 1]
        if len(fake_on) > 1 and len(real_on) > 1:
            per[attr] = activation_distance(real_on, fake_on)
    out["per_attribute"] = per
    out["per_attribute_mean"] = float(np.mean(list(per.values()))) if per else None
    out["n_images"] = int(len(real_acts))
    out["n_real"], out["n_fake"] = int(len(real_tiled)), int(sum(len(a) for a in fake_acts))
    out["covariance_rank_real_at_most"] = covariance_rank_bound(real_tiled)[0]
    return out


def untrained_baseline(config, images, labels, colours):
    """The untrained generator's translations of `images`, and its reconstruction and identity figures:
    what the trained run's figures should be far below (and what FID's ceiling is made of)."""
    from ..training.trained import Generator
    with Generator.untrained(config, seed=0) as untrained:
        fakes = reference_grid(untrained, images, labels)
        figures = dict(what="the untrained generator (seed 0)",
                       reconstruction_l1=reconstruction_error(untrained, images, labels, fakes),
                       **identity_figures(untrained, images, labels, space(config), fakes, colours))
    return fakes, figures


def reference_sets(config, dataset, images, untrained_fakes):
    """The floor's and the ceiling's image sets for n test images and the untrained generator's translations."""
    n, k = len(images), len(untrained_fakes)
    _, train_images, _ = data.preview(config, dataset, n=min(k * n, len(dataset.split.train_files)), which="train")
    return {"floor": ("real training images in place of the translations", train_images),
            "ceiling": ("the untrained generator's translations", np.concatenate(untrained_fakes))}


def choose_judge(config, dataset, run_dir, judge="auto", judge_iterations=2000, progress=True):
    """The toy oracle for toy faces, else an attribute classifier trained on the training split."""
    if judge == "auto":
        judge = "oracle" if data.oracle_can_judge(config) else "classifier"
    if judge == "oracle":
        check_oracle_can_judge(config, runs.run_path(run_dir))  # else its scores would mean nothing
        return "toy oracle", data.toy_reader(config)[0], None
    if judge != "classifier":
        raise ValueError("judge must be 'auto', 'oracle' or 'classifier', got {!r}".format(judge))
    problem = kind_of(config).classifier_problem(config)  # a joint run's CelebA faces have no expression labels
    if problem:
        raise ValueError(problem)
    from .classifier import AttributeJudge
    folder = runs.run_path(run_dir, runs.JUDGE)
    try:
        clf = AttributeJudge(folder, config)
    except FileNotFoundError:
        clf = AttributeJudge.train(config, dataset, folder, iterations=judge_iterations, progress=progress)
    return "attribute classifier", clf, clf


def judge_accuracy(judge, images, labels, space):
    """How often the judge reads the real test images' own labels, per label (space: the run's LabelSpace). A
    joint run's test faces are CelebA's: only their own dataset's columns are labels (the expression columns say
    nothing)."""
    cols = list(space.parts[0][0]) if space.parts else space.targets
    read = judge(images)[:, [space.targets.index(j) for j in cols]]
    return dict(zip([space[j] for j in cols], (read == labels[:, cols]).mean(axis=0).tolist()))


def evaluate_run(run_dir, n_images=None, checkpoint=None, inception_pb=None, judge="auto",
                 judge_iterations=2000, progress=True, fid_images=None, fid_references=True):
    """Everything 06_fid_evaluation reports; also written to <run_dir>/eval.json.

    n_images: the first n test images (None: the whole test split, which is 2000 on CelebA, the model card's
    count, and the same images 03's check reads on toy data).
    fid_images: FID and KID on the first fid_images test images (all n_images when None): Inception is the
    slow part (about 18 images/s on 2 cores). fid_references: also the floor and the ceiling.
    """
    t0 = time.time()
    if judge == "oracle":  # refused before the translations, not after
        check_oracle_can_judge(runs.load_run_config(run_dir), runs.run_path(run_dir))
    gen, config, dataset, images, labels = open_run(run_dir, checkpoint, n_images)
    n = len(images)
    fakes = reference_grid(gen, images, labels)
    judge_name, judge_fn, clf = choose_judge(config, dataset, run_dir, judge, judge_iterations, progress)
    colours = judge_name == "toy oracle"  # only the toy oracle knows where background and skin are
    untrained_fakes, baseline = untrained_baseline(config, images, labels, colours)
    result = {
        "run_dir": runs.run_path(run_dir), "checkpoint": gen.checkpoint, "step": gen.step, "n_images": int(n),
        "judge": judge_name,
        "judge_accuracy_on_real_test_images": judge_accuracy(judge_fn, images, labels, space(config)),
        "transfer": transfer_accuracy(judge_fn, gen, images, labels, space(config), fakes=fakes),
        "reconstruction_l1": reconstruction_error(gen, images, labels, fakes),
        "baseline": baseline,
    }
    result["transfer"].update(identity_figures(gen, images, labels, space(config), fakes, colours))
    if clf is not None:
        clf.close()
    if inception_pb and os.path.isfile(str(inception_pb)):
        from .fid import InceptionFeatures, describe
        m = min(int(fid_images or n), n)
        references = reference_sets(config, dataset, images[:m], [f[:m] for f in untrained_fakes]) \
            if fid_references else None
        features = InceptionFeatures(inception_pb)
        result["fid"] = fid_protocols(features, images[:m], labels[:m], [f[:m] for f in fakes],
                                      space(config), progress, references)
        result["fid"]["inception"] = describe(inception_pb)
        features.close()
    else:
        result["fid"] = None
    gen.close()
    result["seconds"] = round(time.time() - t0, 1)
    runs.write_json(run_dir, runs.EVAL, result)
    return result
