"""Evaluate a run: attribute-transfer accuracy, reconstruction error and FID, written to eval.json.

FID protocols (activations from TTUR's Inception graph, images fed as 0..255 floats):
- model_card: the model card's single FID. Real set: each test input repeated once per
  create_labels target (n_images x c_dim images). Fake set: the n_images x c_dim translations.
  With 2000 test images and 5 attributes that is 10,000 against 10,000 images.
- per_attribute: for attribute a, the translations whose target has a switched on, against the
  real test images that have a; `per_attribute_mean` averages them.
"""
import os
import time

import numpy as np

from .. import runs
from ..data import dataset as data
from ..deploy.inference import open_run
from ..model.labels import create_labels
from ..viz import to_uint8
from .accuracy import transfer_accuracy


def reconstruction_error(gen, images, labels, fakes):
    """mean |x - G(G(x, c_trg), c_org)| over every create_labels target, in the [-1, 1] scale."""
    return float(np.mean([np.abs(images - gen(f, labels)).mean() for f in fakes]))


def fid_protocols(features, images, labels, fakes, selected_attrs, progress=True):
    from .fid import frechet_distance, statistics
    real_acts = features(to_uint8(images).astype(np.float32), progress=progress)
    fake_acts = [features(to_uint8(f).astype(np.float32), progress=progress) for f in fakes]
    k = len(fakes)
    out = {"model_card": frechet_distance(*statistics(np.tile(real_acts, (k, 1))),
                                          *statistics(np.concatenate(fake_acts)))}
    targets = create_labels(labels, selected_attrs)
    per = {}
    for i, attr in enumerate(selected_attrs):
        fake_on = np.concatenate([acts[t[:, i] == 1] for acts, t in zip(fake_acts, targets)])
        real_on = real_acts[labels[:, i] == 1]
        if len(fake_on) > 1 and len(real_on) > 1:
            per[attr] = frechet_distance(*statistics(real_on), *statistics(fake_on))
    out["per_attribute"] = per
    out["per_attribute_mean"] = float(np.mean(list(per.values()))) if per else None
    out["n_real"], out["n_fake"] = int(len(real_acts) * k), int(sum(len(a) for a in fake_acts))
    return out


def choose_judge(config, dataset, run_dir, judge="auto", judge_iterations=2000, progress=True):
    """The toy oracle for toy faces, else an attribute classifier trained on the training split."""
    from ..data.toy_oracle import toy_oracle
    if judge == "auto":
        judge = "oracle" if data.oracle_can_judge(config) else "classifier"
    if judge == "oracle":
        return "toy oracle", (lambda x: toy_oracle(x, config.selected_attrs)), None
    if judge != "classifier":
        raise ValueError("judge must be 'auto', 'oracle' or 'classifier', got {!r}".format(judge))
    from .classifier import AttributeJudge
    folder = runs.run_path(run_dir, runs.JUDGE)
    try:
        clf = AttributeJudge(folder, config)
    except FileNotFoundError:
        clf = AttributeJudge.train(config, dataset, folder, iterations=judge_iterations, progress=progress)
    return "attribute classifier", clf, clf


def evaluate_run(run_dir, n_images=2000, checkpoint=None, inception_pb=None, judge="auto",
                 judge_iterations=2000, progress=True):
    """Everything 06_fid_evaluation reports; also written to <run_dir>/eval.json."""
    t0 = time.time()
    gen, config, dataset, images, labels = open_run(run_dir, checkpoint, n_images)
    n = len(images)
    fakes = [gen(images, c) for c in create_labels(labels, config.selected_attrs)]
    judge_name, judge_fn, clf = choose_judge(config, dataset, run_dir, judge, judge_iterations, progress)
    result = {
        "run_dir": runs.run_path(run_dir), "checkpoint": gen.checkpoint, "step": gen.step, "n_images": int(n),
        "judge": judge_name,
        "judge_accuracy_on_real_test_images": dict(zip(config.selected_attrs,
                                                       (judge_fn(images) == labels).mean(axis=0).tolist())),
        "transfer": transfer_accuracy(judge_fn, gen, images, labels, config.selected_attrs, fakes=fakes),
        "reconstruction_l1": reconstruction_error(gen, images, labels, fakes),
    }
    if clf is not None:
        clf.close()
    if inception_pb and os.path.isfile(str(inception_pb)):
        from .fid import InceptionFeatures
        features = InceptionFeatures(inception_pb)
        result["fid"] = fid_protocols(features, images, labels, fakes, config.selected_attrs, progress)
        features.close()
    else:
        result["fid"] = None
    gen.close()
    result["seconds"] = round(time.time() - t0, 1)
    runs.write_json(run_dir, runs.EVAL, result)
    return result
