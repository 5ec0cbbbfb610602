"""Does a translation really change the attribute it was asked to, and only that one, and keep the person?

On the toy faces the pixel oracle is the judge: for every test image and every
create_labels target, the oracle reads the translated image. Attributes are not the whole
person: `identity_figures` measures what no label names (background and skin colour on toy
faces, and on any data how far G(x, c_org) is from x).
"""
import numpy as np

from ..data.dataset import oracle_problem, toy_reader
from ..data.toy_oracle import colour_moves
from ..kinds import kind_of
from ..model.labels import create_labels, label_space, target_names, target_titles


def transfer_accuracy(judge, generate, images, labels, space, fakes=None):
    """Per-attribute target accuracy of translations, and how often the rest was kept.

    judge(images) -> (N, c_dim) of 0/1; generate(x, c) -> images (or pass the create_labels
    translations as `fakes`). target[a]: the judge reads attribute a as the target asked for it.
    kept[a]: over the other attributes, the judge reads what the target left unchanged.
    space: the run's LabelSpace (for a folder dataset's one-hot rule and titles); a list of names: CelebA's rules.
    """
    space = label_space(space)
    targets = create_labels(labels, space)
    names = target_names(space)
    target_acc, kept_acc = {}, {}
    for k, (attr, c_trg) in enumerate(zip(names, targets)):
        i = space.targets[k]  # judge columns are the target columns; label rows also hold the mask vector
        fake = generate(images, c_trg) if fakes is None else fakes[k]
        read = judge(fake)
        target_acc[attr] = float((read[:, k] == c_trg[:, i]).mean())
        others, expected = space.kept(i, labels, c_trg)
        kept_acc[attr] = float((read[:, [space.targets.index(j) for j in others]] == expected[:, others]).mean())
    return {
        "target": target_acc,
        "kept": kept_acc,
        "mean_target": float(np.mean(list(target_acc.values()))),
        "min_target": float(min(target_acc.values())),
        "mean_kept": float(np.mean(list(kept_acc.values()))),
        "n_images": int(len(images)),
        "titles": dict(zip(names, target_titles(space))),
    }


def identity_figures(generate, images, labels, space, fakes, colours=True):
    """What a translation should leave alone, next to the target / kept accuracies.

    identity_l1: mean |G(x, c_org) - x| in the [-1, 1] scale (the identity translation: asked to change
    nothing, G should return x). With `colours` (toy faces, whose oracle knows where background and skin
    are): per target attribute, the mean colour move of the background and the skin (levels 0..255, see
    toy_oracle.colour_moves), for the create_labels translations `fakes`, and the same for G(x, c_org).
    """
    same = generate(images, labels)
    out = {"identity_l1": float(np.abs(same - images).mean())}
    if colours:
        moves = [colour_moves(images, f) for f in fakes]
        for kind in ("background", "skin"):
            per = {a: float(m[kind].mean()) for a, m in zip(target_names(space), moves)}
            out[kind + "_move"] = per
            out["max_{}_move".format(kind)] = max(per.values())
        ident = colour_moves(images, same)
        out["identity_background_move"] = float(ident["background"].mean())
        out["identity_skin_move"] = float(ident["skin"].mean())
    return out


def evaluate_toy_run(run_dir, n_images=None, checkpoint=None, second=False):
    """Target / kept accuracy and the identity figures of a run's generator on its first n toy test images
    (None: the whole test split, as 06 and the README report them). second: a joint run on its second
    dataset's test faces (the toy expressions) instead of the CelebA ones.

    A run on other data is refused (check_oracle_can_judge): the oracle would read pixels where it
    expects toy hair and expressions, and print scores that look like results and mean nothing."""
    from .. import runs
    from ..training.trained import open_run
    from ..training.trained import reference_grid
    from ..model.labels import space
    check_oracle_can_judge(runs.load_run_config(run_dir), runs.run_path(run_dir))
    run = open_run(run_dir, checkpoint, n_images, second)
    with run.gen:
        attrs = space(run.config)
        fakes = reference_grid(run.gen, run.images, run.labels)
        result = transfer_accuracy(toy_reader(run.config)[0], run.gen, run.images, run.labels, attrs, fakes)
        result.update(identity_figures(run.gen, run.images, run.labels, attrs, fakes))
    result["step"] = run.gen.step
    return result


def check_oracle_can_judge(config, run_dir) -> None:
    """Raise RunError when the toy oracle cannot read this run's data, saying what judges it instead."""
    from ..runs import RunError
    problem = oracle_problem(config)
    if problem:
        raise RunError("{}: the toy pixel oracle cannot judge this run: {}. {}".format(
            run_dir, problem, what_judges_instead(config)))


def what_judges_instead(config) -> str:
    """Where a run the toy oracle cannot judge gets its accuracy: the attribute classifier of notebook 06."""
    return kind_of(config).what_judges_instead(config)


def main(argv=None):
    """Judge a toy run's checkpoints from the command line: one JSON line each, for comparing seeds."""
    import argparse
    import json
    parser = argparse.ArgumentParser(prog="python -m stargan_nb accuracy",
                                     description="Toy-oracle target/kept accuracy of a run's checkpoints.")
    parser.add_argument("run_dir")
    parser.add_argument("--checkpoints", type=int, nargs="*", default=None, metavar="STEP",
                        help="steps to judge (default: the latest checkpoint)")
    parser.add_argument("--n-images", type=int, default=None,
                        help="test images to translate (default: the whole test split)")
    parser.add_argument("--second", action="store_true",
                        help="a joint run: judge it on the second dataset's (the expressions') test faces")
    args = parser.parse_args(argv)
    if args.n_images is not None and args.n_images < 1:
        parser.error("--n-images must be at least 1, got {}".format(args.n_images))
    # A RunError (no such run, a run the oracle cannot judge) is no usage error: __main__ prints it, status 1.
    for step in args.checkpoints or [None]:
        result = evaluate_toy_run(args.run_dir, n_images=args.n_images, checkpoint=step, second=args.second)
        print(json.dumps(result, sort_keys=True), flush=True)
    return 0
