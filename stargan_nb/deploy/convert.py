"""Import the PyTorch reference's weights (yunjey/stargan `200000-G.ckpt`, `-D.ckpt`) as a run directory.

Two steps, because torch and TensorFlow 1.15 do not share a Python: the state_dict is exported to
an .npz by `torch_export.py` in a Python >= 3.9 with torch (run here as a subprocess, or done by
hand), then mapped onto the workbook's variables and saved as `checkpoints/model-<step>` with a
config.json, which 05_translate, 06_evaluate and 07_freeze accept like any trained run.

The files' InstanceNorm running_mean / running_var are not used: the reference never switches
to eval mode, so its generator always normalises with each image's own statistics, as this one does.

Usage:
    python -m stargan_nb convert --generator 200000-G.ckpt [--discriminator 200000-D.ckpt] --out outputs/celeba_pretrained
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

from .. import runs
from ..runtime.atomic import write_text_atomic
from ..config import DEFAULT_ATTRS, RAFD_EXPRESSIONS, Config, ConfigError, parse_overrides
from ..kinds import kind_of
from ..model.networks import discriminator as build_discriminator, generator_on_placeholders
from ..runtime.paths import resolve, workbook_root
from ..runtime.tfcompat import tf

IGNORED_SUFFIXES = ("running_mean", "running_var", "num_batches_tracked")
# The reference's --dataset -> (the preset of its settings, the default names of its labels, what they are).
# The preset's dataset kind (stargan_nb.kinds) says how the labels are laid out: a joint kind's G reads the
# second dataset's domains and the mask vector too.
REFERENCE_DATASETS = {"celeba": ("celeba", DEFAULT_ATTRS, "attribute"),
                      "rafd": ("rafd", RAFD_EXPRESSIONS, "domain"),
                      "both": ("both", DEFAULT_ATTRS, "attribute")}


class ConversionError(ValueError):
    """A weight file that does not fit the StarGAN architecture; the message names the file and key."""


def torch_python(explicit=None):
    """The interpreter that can import torch: --torch-python, $STARGAN_TORCH_PYTHON, or .venv-torch."""
    for candidate in (explicit, os.environ.get("STARGAN_TORCH_PYTHON"),
                      str(workbook_root() / ".venv-torch" / "bin" / "python")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def read_state(path, torch_python_path=None) -> dict:
    """name -> numpy array from a .npz, or from a PyTorch file through torch_export.py."""
    path = str(resolve(path))
    if not os.path.isfile(path):
        raise ConversionError("{}: no such weight file".format(path))
    if path.endswith(".npz"):
        return _load_npz(path)
    exe = torch_python(torch_python_path)
    if exe is None:
        raise ConversionError(
            "reading {} needs PyTorch, which lives in a Python >= 3.9 environment: run scripts/setup-torch "
            "(it builds .venv-torch), pass --torch-python /path/to/python-with-torch, or export it yourself "
            "with `python stargan_nb/deploy/torch_export.py {} weights.npz` and convert the .npz".format(path, path))
    with tempfile.TemporaryDirectory() as tmp:
        npz = os.path.join(tmp, "state.npz")
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_export.py")
        out = subprocess.run([exe, script, path, npz], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             universal_newlines=True)
        if out.returncode != 0:
            tail = (out.stderr.strip() or out.stdout.strip()).splitlines()[-3:]
            raise ConversionError("{}: could not be read with torch ({}): {}".format(path, exe, " | ".join(tail)))
        return _load_npz(npz)


def _load_npz(path):
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def _kernel(w):
    """PyTorch kernel layout -> TensorFlow's, one transpose for both kinds of convolution:
    Conv2d (out, in, kh, kw) -> tf.nn.conv2d (kh, kw, in, out), and
    ConvTranspose2d (in, out, kh, kw) -> tf.nn.conv2d_transpose (kh, kw, out, in)."""
    return np.transpose(w, (2, 3, 1, 0))


def _take(state, key, source):
    if key not in state:
        raise ConversionError("{}: missing {!r}; is this a StarGAN file of the reference model?".format(source, key))
    return state[key]


def _check_all_used(state, used, source):
    left = sorted(k for k in state if k not in used and not k.endswith(IGNORED_SUFFIXES))
    if left:
        raise ConversionError("{}: {} entries do not belong to the StarGAN architecture, e.g. {}".format(
            source, len(left), ", ".join(left[:4])))


def generator_variables(state, source="generator file"):
    """(TF variable name -> array, {g_conv_dim, c_dim, g_repeat_num}) from the reference's G state_dict."""
    first = _take(state, "main.0.weight", source)
    conv_dim, c_dim = int(first.shape[0]), int(first.shape[1]) - 3
    blocks = sorted({int(m.group(1)) for k in state for m in [re.match(r"main\.(\d+)\.main\.", k)] if m})
    if blocks != list(range(9, 9 + len(blocks))):
        raise ConversionError("{}: residual blocks at positions {} of main, expected 9, 10, ...".format(source, blocks))
    repeat = len(blocks)
    out, used = {}, set()

    def put(tf_name, key, convert=None):
        value = _take(state, key, source)
        out["generator/" + tf_name] = convert(value) if convert else value
        used.add(key)

    def norm(tf_scope, index):
        put(tf_scope + "/gamma", index + ".weight")
        put(tf_scope + "/beta", index + ".bias")

    put("conv_in/weight", "main.0.weight", _kernel)
    norm("in_in", "main.1")
    for i, (conv, inorm) in enumerate(((3, 4), (6, 7))):
        put("down%d/weight" % i, "main.%d.weight" % conv, _kernel)
        norm("in_down%d" % i, "main.%d" % inorm)
    for i, b in enumerate(blocks):
        put("res%d/conv1/weight" % i, "main.%d.main.0.weight" % b, _kernel)
        norm("res%d/in1" % i, "main.%d.main.1" % b)
        put("res%d/conv2/weight" % i, "main.%d.main.3.weight" % b, _kernel)
        norm("res%d/in2" % i, "main.%d.main.4" % b)
    j = 9 + repeat
    for i in range(2):
        put("up%d/weight" % i, "main.%d.weight" % (j + 3 * i), _kernel)
        norm("in_up%d" % i, "main.%d" % (j + 3 * i + 1))
    put("conv_out/weight", "main.%d.weight" % (j + 6), _kernel)
    _check_all_used(state, used, source)
    return out, {"g_conv_dim": conv_dim, "c_dim": c_dim, "g_repeat_num": repeat}


def discriminator_variables(state, source="discriminator file"):
    """(TF variable name -> array, {d_conv_dim, d_repeat_num, c_dim, image_size}) from the reference's D."""
    convs = sorted(int(m.group(1)) for k in state for m in [re.match(r"main\.(\d+)\.weight$", k)] if m)
    if not convs or convs != list(range(0, 2 * len(convs), 2)):
        raise ConversionError("{}: expected convolutions at main.0, main.2, ... got {}".format(source, convs))
    out, used = {}, set()
    for i, idx in enumerate(convs):
        for part, convert in (("weight", _kernel), ("bias", None)):
            key = "main.%d.%s" % (idx, part)
            value = _take(state, key, source)
            out["discriminator/conv%d/%s" % (i, part)] = convert(value) if convert else value
            used.add(key)
    src, cls = _take(state, "conv1.weight", source), _take(state, "conv2.weight", source)
    out["discriminator/src/weight"], out["discriminator/cls/weight"] = _kernel(src), _kernel(cls)
    used.update(["conv1.weight", "conv2.weight"])
    _check_all_used(state, used, source)
    repeat = len(convs)
    return out, {"d_conv_dim": int(state["main.0.weight"].shape[0]), "d_repeat_num": repeat,
                 "c_dim": int(cls.shape[0]), "image_size": int(cls.shape[2]) * 2 ** repeat}


def _step_from_name(path):
    m = re.match(r"(\d+)-[GD]\.(ckpt|pth|npz)$", os.path.basename(str(path)))
    return int(m.group(1)) if m else 0


def convert(generator, out, discriminator=None, image_size=None, selected_attrs=None, step=None,
            image_root=None, metadata_path=None, torch_python_path=None, overrides=None, dataset="celeba",
            rafd_domains=None) -> dict:
    """Write run directory `out` from the reference's weight files; returns a summary dict.

    overrides: other Config fields for the run's config.json (n_test, crop_size, ...); the
    architecture comes from the files. dataset: the reference's --dataset the files were trained with,
    "celeba", "rafd" (selected_attrs are then the domains) or "both" (selected_attrs the CelebA
    attributes, rafd_domains the expressions; G reads both label sets and the mask vector).
    """
    if dataset not in REFERENCE_DATASETS:
        raise ConversionError("--dataset must be celeba, rafd or both (the reference's CelebA, RaFD, Both), "
                              "got {!r}".format(dataset))
    preset, default, what = REFERENCE_DATASETS[dataset]
    kind = kind_of(Config.preset(preset))
    run = runs.Run(out)
    out_dir = run.path
    if (overrides or {}).get("attention", False) in (True, 1, "true", "True"):
        raise ConversionError("attention=true cannot be converted: the reference's generator has no attention head "
                              "(Config.attention, not in the paper), so its weights make the paper's model only. "
                              "Convert without attention, or train a run with attention=true")
    fixed = sorted(set(overrides or {}) & set(runs.ARCHITECTURE_FIELDS))
    if fixed:
        raise ConversionError("{} cannot be set: the architecture is read from the weight files (use "
                              "--image-size / --selected-attrs where they cannot be)".format(", ".join(fixed)))
    if run.checkpoints() or run.has_config():
        raise runs.RunError("{} already holds a run; converting into it would mix two models. Choose a new "
                            "--out directory".format(out_dir))
    g_vars, arch = generator_variables(read_state(generator, torch_python_path), str(generator))
    d_vars = {}
    if discriminator:
        d_vars, d_arch = discriminator_variables(read_state(discriminator, torch_python_path), str(discriminator))
        mask = kind.mask_columns  # G reads the mask vector too, D does not classify it
        if d_arch["c_dim"] + mask != arch["c_dim"]:
            raise ConversionError("{} reads {} label columns but {} classifies {}: they are not one model{}".format(
                generator, arch["c_dim"], discriminator, d_arch["c_dim"],
                "" if mask else " (a --dataset Both model's G reads two more, the mask vector: pass --dataset both)"))
        d_arch = {k: v for k, v in d_arch.items() if k != "c_dim"}
        if image_size and image_size != d_arch["image_size"]:
            raise ConversionError("--image-size {} disagrees with {}, whose classification head implies {}".format(
                image_size, discriminator, d_arch["image_size"]))
        arch.update(d_arch)
    labels = arch["c_dim"]
    attrs = list(selected_attrs) if selected_attrs else (
        list(default) if kind.joint or labels == len(default) else None)
    wanted = labels - kind.mask_columns - len(attrs or ()) if kind.joint else labels
    if attrs is None or (not kind.joint and len(attrs) != labels):
        raise ConversionError("the generator has c_dim={}: pass --selected-attrs with that many {} names, "
                              "in the order the model was trained with".format(labels, what))
    values = dict(overrides or {}, **arch)
    values.update(selected_attrs=attrs, c_dim=len(attrs), output_dir=out_dir)
    if kind.joint:
        domains = list(rafd_domains) if rafd_domains else (list(RAFD_EXPRESSIONS) if wanted == 8 else None)
        if domains is None or len(domains) != wanted or wanted < 1:
            raise ConversionError("the generator reads {} label columns: {} CelebA attributes, {} mask columns and "
                                  "{} more; pass --rafd-domains with that many names, sorted as the folders "
                                  "were".format(labels, len(attrs), kind.mask_columns, wanted))
        values.update(rafd_domains=domains, c2_dim=len(domains))
    values.setdefault("image_size", image_size or 128)
    if "d_repeat_num" not in values:  # no D file: the reference's 6 layers where the size allows it
        values["d_repeat_num"] = next(k for k in range(6, -1, -1) if values["image_size"] % 2 ** k == 0)
    for name, value in (("image_root", image_root), ("metadata_path", metadata_path)):
        if value:
            values[name] = value
    config = Config.preset(preset, **values).validate()
    step = _step_from_name(generator) if step is None else int(step)

    run.check_writable()
    with tf.Graph().as_default() as graph:
        x, _, _ = generator_on_placeholders(config)
        if d_vars:
            build_discriminator(x, config)
        global_step = tf.train.get_or_create_global_step()
        wanted = {v.op.name: v for v in tf.global_variables() if v is not global_step}
        arrays = dict(g_vars, **d_vars)
        missing = sorted(set(wanted) - set(arrays))
        if missing:
            raise ConversionError("no weights for {} variables, e.g. {}".format(len(missing), missing[:3]))
        with tf.Session(graph=graph) as sess:
            for name, var in wanted.items():
                if tuple(var.shape.as_list()) != arrays[name].shape:
                    raise ConversionError("{}: shape {} in the file, {} in the network".format(
                        name, arrays[name].shape, tuple(var.shape.as_list())))
                var.load(arrays[name].astype(np.float32), sess)
            global_step.load(step, sess)
            os.makedirs(run.checkpoint_dir, exist_ok=True)
            prefix = tf.train.Saver(save_relative_paths=True).save(sess, run.checkpoint_prefix, global_step=step,
                                                                   write_meta_graph=False)
    run.save_config(config)
    summary = {"generator": str(generator), "discriminator": str(discriminator) if discriminator else None,
               "checkpoint": prefix, "step": step, "architecture": arch, "selected_attrs": attrs,
               "dataset": dataset,
               "note": "InstanceNorm running statistics in the source files are not used (the reference "
                       "never runs in eval mode); optimizer state is not part of the files, so this run can "
                       "be translated, evaluated and frozen but not resumed."}
    write_text_atomic(run.file(runs.CONVERTED_FROM), json.dumps(summary, indent=2) + "\n")
    return summary


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m stargan_nb convert", description=__doc__.split("\n\n")[0])
    p.add_argument("--generator", required=True, help="the reference's N-G.ckpt (or an .npz export of it)")
    p.add_argument("--discriminator", help="the reference's N-D.ckpt (optional; needed only to keep D)")
    p.add_argument("--out", required=True, help="a new run directory")
    p.add_argument("--image-size", type=int, help="the image size the model was trained at (read from D when given; "
                                                  "else 128)")
    p.add_argument("--selected-attrs", nargs="+", help="attribute names in training order (default: the "
                                                        "reference's five when c_dim is 5)")
    p.add_argument("--dataset", default="celeba", choices=list(REFERENCE_DATASETS),
                   help="the reference's --dataset of the files (CelebA, RaFD or Both)")
    p.add_argument("--rafd-domains", nargs="+", help="with --dataset both: the second dataset's domains, sorted "
                                                      "(default: RaFD's eight expressions)")
    p.add_argument("--step", type=int, help="iteration to record (default: the number in the file name)")
    p.add_argument("--image-root", help="CelebA images for 05/06 (default data/celeba/images)")
    p.add_argument("--metadata-path", help="CelebA's list_attr_celeba.txt (default data/celeba/list_attr_celeba.txt)")
    p.add_argument("--torch-python", help="a Python with torch for reading .ckpt files (default .venv-torch)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="another Config field for config.json (JSON value), e.g. --set n_test=1000")
    a = p.parse_args(argv)
    try:
        summary = convert(a.generator, a.out, a.discriminator, a.image_size, a.selected_attrs, a.step,
                          a.image_root, a.metadata_path, a.torch_python, parse_overrides(a.set), a.dataset,
                          a.rafd_domains)
    except (ConversionError, ConfigError, runs.RunError) as err:
        sys.exit("error: {}".format(err))
    print(json.dumps(summary, indent=2))
