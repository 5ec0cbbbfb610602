"""The reference's bench_peer.py with every training step under torch.autocast("cpu", dtype=torch.bfloat16):
PyTorch's own mixed precision on CPUs, the counterpart of the workbook's bf16 mode.

Usage: .venv-torch/bin/python reference/peer_autocast.py DIR/bench_peer.py --image-size 128 --batch-size 16
"""
import runpy
import sys

import torch

if __name__ == "__main__":
    peer = sys.argv[1]
    sys.argv = [peer] + sys.argv[2:]
    with torch.autocast("cpu", dtype=torch.bfloat16):
        runpy.run_path(peer, run_name="__main__")
