"""The files `msame` (Ascend's tool that runs an .om model) reads and writes, for the frozen generator.

msame takes one raw binary file per model input (`--input x.bin,c.bin`, in the order of ATC's --input_shape) and
writes one file per output under `<--output>/<date_time>/`, named `<model>_output_0.bin` (`--outfmt BIN`) or
`..._output_0.txt` (`--outfmt TXT`, numbers as text). The .om compiled by freeze.atc_command takes x_real as
float32 NHWC (batch, size, size, 3) in [-1, 1] and c_trg as float32 (batch, label columns), and gives x_fake
as float32 NHWC in [-1, 1]: raw little-endian float32 in C order, no header, exactly that many values.
"""
import glob
import json
import os

import numpy as np

from .freeze import sidecar_path


class MsameFileError(ValueError):
    """An msame input or output that does not match the frozen model; the message names the file and the fix."""


def model_shapes(pb_path, batch_size=1):
    """{x_real: (batch, s, s, 3), c_trg: (batch, c_dim), x_fake: (batch, s, s, 3)} from the .pb's sidecar, as the
    .om compiled with --input_shape for `batch_size` expects them."""
    with open(sidecar_path(pb_path)) as f:
        info = json.load(f)
    s, c_dim = info["image_size"], info["c_dim"]
    return {"x_real": (batch_size, s, s, 3), "c_trg": (batch_size, c_dim), "x_fake": (batch_size, s, s, 3)}


def write_inputs(folder, pb_path, x_real, c_trg, batch_size=1):
    """Write x.bin and c.bin for `msame --input x.bin,c.bin`; returns their paths. x_real as the .pb takes it
    (N, H, W, 3 in [-1, 1]), c_trg (N, label columns); N must be the batch size the .om was compiled for."""
    shapes = model_shapes(pb_path, batch_size)
    paths = []
    for name, value, filename in (("x_real", x_real, "x.bin"), ("c_trg", c_trg, "c.bin")):
        value = np.asarray(value, dtype="<f4")
        if value.shape != shapes[name]:
            raise MsameFileError("{} has shape {}, but the .om compiled from {} with batch size {} takes {} {}: "
                                 "pass batch_size= as in the ATC command's --input_shape, or that many rows".format(
                                     name, value.shape, pb_path, batch_size, name, shapes[name]))
        if name == "x_real" and (value.min() < -1.001 or value.max() > 1.001):
            raise MsameFileError("x_real holds values outside [-1, 1] ({:.2f} to {:.2f}): normalise pixels as "
                                 "pixel / 127.5 - 1 (the .pb's sidecar says so)".format(value.min(), value.max()))
        path = os.path.join(str(folder), filename)
        value.tofile(path)  # C order, no header: what msame copies to the device
        paths.append(path)
    return paths


def find_output(output_dir):
    """The newest `*_output_0.bin` or `.txt` msame wrote under output_dir (it adds a <date_time> folder)."""
    found = glob.glob(os.path.join(str(output_dir), "**", "*_output_0.*"), recursive=True)
    found = [f for f in found if f.endswith((".bin", ".txt"))]
    if not found:
        raise MsameFileError("{}: no *_output_0.bin or .txt below it; run msame with --output {}".format(
            output_dir, output_dir))
    return max(found, key=os.path.getmtime)


def read_output(path, pb_path, batch_size=1):
    """msame's x_fake output as (batch, H, W, 3) float32 in [-1, 1], from its .bin (raw float32) or its .txt."""
    shape = model_shapes(pb_path, batch_size)["x_fake"]
    path = str(path)
    values = np.loadtxt(path, dtype=np.float32, ndmin=1).ravel() if path.endswith(".txt") \
        else np.fromfile(path, dtype="<f4")
    if values.size != int(np.prod(shape)):
        hint = " (an fp16 output is half the size: compile without --output_type=FP16)" \
            if values.size * 2 == np.prod(shape) else ""
        raise MsameFileError("{} holds {} values, but x_fake of batch size {} has {} {}{}".format(
            path, values.size, batch_size, int(np.prod(shape)), shape, hint))
    return values.reshape(shape)


def to_pixels(images):
    """[-1, 1] images as uint8 pixels, as the sidecar says: clip((x + 1) / 2, 0, 1) * 255."""
    return np.round(np.clip((np.asarray(images, np.float32) + 1) / 2, 0, 1) * 255).astype(np.uint8)


def pixel_difference(a, b):
    """(max, mean) absolute difference of two [-1, 1] image batches, in pixel levels (0-255)."""
    d = np.abs((np.asarray(a, np.float64) - np.asarray(b, np.float64)) * 127.5)
    return float(d.max()), float(d.mean())
