"""Export a PyTorch state_dict file (the reference's 200000-G.ckpt / -D.ckpt) to a plain .npz.

This is the only step that needs torch, and it runs in a Python >= 3.9 environment of its own
(TensorFlow 1.15 stays on 3.7): `stargan_nb.deploy.convert` calls it as a script with that Python.
It deliberately imports nothing from stargan_nb, so it works without TensorFlow.

Usage: python stargan_nb/torch_export.py IN.ckpt OUT.npz
"""
import sys


def export(ckpt_path, npz_path):
    import numpy as np
    import torch
    state = torch.load(ckpt_path, map_location="cpu")
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not state:
        raise SystemExit("error: {} holds a {}, not a state_dict (a dict of tensors), so it is not a "
                         "StarGAN -G.ckpt/-D.ckpt file".format(ckpt_path, type(state).__name__))
    arrays = {}
    for name, value in state.items():
        if hasattr(value, "detach"):
            arrays[name] = value.detach().cpu().numpy()
    np.savez(npz_path, **arrays)
    return len(arrays)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    n = export(sys.argv[1], sys.argv[2])
    print("exported {} tensors from {} to {}".format(n, sys.argv[1], sys.argv[2]))
