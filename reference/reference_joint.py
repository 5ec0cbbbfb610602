"""The reference's own joint training (yunjey/stargan's solver.py, train_multi, unchanged) on the workbook's toy
CelebA + toy RaFD, judged by the workbook's toy oracles: does the paper's method give toy CelebA faces the toy
expressions (Figure 1)? Three steps, in two environments:

    .venv/bin/python reference/reference_joint.py prepare outputs/reference_joint
        the toy data as the workbook's pipeline hands it to the model (32 px, crop 178), its split, and the
        create_labels targets of the first --n-eval CelebA test faces, in DIR/toy_joint.npz
    .venv-torch/bin/python reference/reference_joint.py train outputs/reference_joint --solver-dir DIR
        train_multi from a checkout of github.com/yunjey/stargan (its solver.py and model.py), with the toy_both
        preset's settings (32 px, 32 channels, 2 / 4 blocks, batch 8, lr 2e-4, 5 D steps per G step, the decay
        over the last 3/4; no identity term: the paper has none); each checkpoint's translations in DIR/fakes_STEP.npz
    .venv/bin/python reference/reference_joint.py judge outputs/reference_joint
        one JSON line per checkpoint: target and kept accuracy per label, as `python -m stargan_nb accuracy` reports
"""
import argparse
import glob
import json
import os
import sys
import time
import types

import numpy as np


def _u8(x):
    return np.clip(np.round((np.asarray(x) + 1) * 127.5), 0, 255).astype(np.uint8)


def prepare(out, n_eval):
    from stargan_nb import data
    from stargan_nb.config import Config
    from stargan_nb.data.dataset import ensure_toy_data, preview
    from stargan_nb.model.labels import create_labels, space
    config = Config.preset("toy_both")
    ensure_toy_data(config)
    arrays = {}
    for name, ds in (("celeba", data.load_dataset(config)), ("rafd", data.load_second_dataset(config))):
        for which in ("train", "test"):
            _, images, labels = preview(config, ds, n=len(ds.paths(which)), which=which)
            arrays["%s_%s" % (name, which)], arrays["%s_%s_labels" % (name, which)] = _u8(images), labels
    targets = create_labels(arrays["celeba_test_labels"][:n_eval], space(config))
    arrays["eval_targets"] = np.stack(targets).astype(np.float32)  # (targets, n_eval, label_dim)
    os.makedirs(out, exist_ok=True)
    np.savez_compressed(os.path.join(out, "toy_joint.npz"), **arrays)
    print(json.dumps({k: list(v.shape) for k, v in arrays.items()}))


def train(out, solver_dir, iterations, save_step):
    import torch
    sys.path.insert(0, os.path.abspath(solver_dir))
    try:
        import torchvision  # noqa: F401  (solver.py saves its sample grids with it)
    except ImportError:
        tv, tvu = types.ModuleType("torchvision"), types.ModuleType("torchvision.utils")
        tvu.save_image, tv.utils = (lambda *a, **k: None), tvu
        sys.modules.update({"torchvision": tv, "torchvision.utils": tvu})
    from solver import Solver
    torch.manual_seed(0)
    d = np.load(os.path.join(out, "toy_joint.npz"))

    def images(u8):
        return (torch.from_numpy(u8).permute(0, 3, 1, 2).float() / 127.5 - 1).contiguous()

    class Batches:
        """Shuffled batches with random horizontal flips, what the reference's DataLoader gives."""
        def __init__(self, x, labels):
            self.x, self.labels = x, labels

        def __iter__(self):
            order = torch.randperm(len(self.x))
            for i in range(0, len(order) - 7, 8):
                idx = order[i:i + 8]
                x, flip = self.x[idx], torch.rand(8) < 0.5
                x[flip] = x[flip].flip(3)
                yield x.contiguous(), self.labels[idx]

    celeba = Batches(images(d["celeba_train"]), torch.from_numpy(d["celeba_train_labels"][:, :5]))
    rafd = Batches(images(d["rafd_train"]), torch.from_numpy(d["rafd_train_labels"][:, 5:13].argmax(1)).long())
    ckpt = os.path.join(out, "checkpoints")
    os.makedirs(ckpt, exist_ok=True)
    cfg = types.SimpleNamespace(
        c_dim=5, c2_dim=8, image_size=32, g_conv_dim=32, d_conv_dim=32, g_repeat_num=2, d_repeat_num=4,
        lambda_cls=1.0, lambda_rec=10.0, lambda_gp=10.0, dataset="Both", batch_size=8, num_iters=iterations,
        num_iters_decay=iterations * 3 // 4, g_lr=2e-4, d_lr=2e-4, n_critic=5, beta1=0.5, beta2=0.999,
        resume_iters=None, selected_attrs=["Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young"],
        test_iters=iterations, use_tensorboard=False, log_dir=ckpt, sample_dir=ckpt, model_save_dir=ckpt,
        result_dir=ckpt, log_step=1000, sample_step=10 ** 9, model_save_step=save_step, lr_update_step=100)
    solver = Solver(celeba, rafd, cfg)
    t0 = time.time()
    solver.train_multi()
    print("train_multi: {} iterations in {:.1f} s".format(iterations, time.time() - t0), flush=True)
    x = images(d["celeba_test"][:d["eval_targets"].shape[1]]).to(solver.device)
    for step in range(save_step, iterations + 1, save_step):
        state = torch.load(os.path.join(ckpt, "%d-G.ckpt" % step), map_location=solver.device)
        solver.G.load_state_dict(state)
        with torch.no_grad():
            fakes = [solver.G(x, torch.from_numpy(c).to(solver.device)).permute(0, 2, 3, 1).cpu().numpy()
                     for c in d["eval_targets"]]
        np.savez_compressed(os.path.join(out, "fakes_%d.npz" % step), fakes=_u8(np.stack(fakes)))


def judge(out):
    from stargan_nb.config import Config
    from stargan_nb.data.dataset import toy_reader
    from stargan_nb.evaluation.accuracy import transfer_accuracy
    from stargan_nb.model.labels import space
    config = Config.preset("toy_both")
    d = np.load(os.path.join(out, "toy_joint.npz"))
    n = d["eval_targets"].shape[1]
    faces = d["celeba_test"][:n].astype(np.float32) / 127.5 - 1
    paths = sorted(glob.glob(os.path.join(out, "fakes_*.npz")), key=lambda p: int(p.split("_")[-1][:-4]))
    if not paths:
        sys.exit("error: no fakes_STEP.npz in {}: run the train step first".format(out))
    for path in paths:
        fakes = list(np.load(path)["fakes"].astype(np.float32) / 127.5 - 1)
        result = transfer_accuracy(toy_reader(config)[0], None, faces, d["celeba_test_labels"][:n], space(config), fakes)
        print(json.dumps({"step": int(path.split("_")[-1][:-4]), "n_images": n,
                          "target": {k: round(v, 3) for k, v in result["target"].items()},
                          "kept": {k: round(v, 3) for k, v in result["kept"].items()}}), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("step", choices=["prepare", "train", "judge"])
    p.add_argument("out", help="folder for the data, the reference's checkpoints and its translations")
    p.add_argument("--n-eval", type=int, default=300, help="CelebA test faces to translate (prepare)")
    p.add_argument("--solver-dir", help="a checkout of github.com/yunjey/stargan (train)")
    p.add_argument("--iterations", type=int, default=6000)
    p.add_argument("--save-step", type=int, default=3000)
    a = p.parse_args()
    if a.step == "prepare":
        prepare(a.out, a.n_eval)
    elif a.step == "train":
        if not a.solver_dir or not os.path.isfile(os.path.join(a.solver_dir, "solver.py")):
            sys.exit("error: --solver-dir must name a checkout of github.com/yunjey/stargan (with solver.py); got {!r}"
                     .format(a.solver_dir))
        train(a.out, a.solver_dir, a.iterations, a.save_step)
    else:
        judge(a.out)


if __name__ == "__main__":
    main()
