"""Freeze a trained generator to a .pb for deployment, load it back, and build the ATC command.

The frozen graph has two named inputs, `x_real` (N, H, W, 3 float32 in [-1, 1]) and `c_trg` (N, label_dim
float32: the run's label columns, the mask vector's included in joint training), and one output, `x_fake`;
any batch size. A generator with an attention head (Config.attention) has a second output, `attention`
(N, H, W, 1 in [0, 1]: where G changed the image). A JSON sidecar beside the .pb records names, shapes, attributes and normalisation, so nobody
has to guess them later.

    python -m stargan_nb freeze --input_checkpoint outputs/toy/checkpoints/model-2000 --out_pb_path stargan_model.pb
"""
import json
import os
import shlex

import numpy as np

from .. import runs
from ..model.networks import ATTENTION, INPUT_IMAGE, INPUT_LABEL, OUTPUT, attention_of
from ..runtime.atomic import write_bytes_atomic, write_text_atomic
from ..runtime.tfcompat import tf
from ..training.trained import Generator


class FrozenGraphError(RuntimeError):
    """A .pb that cannot be used; the message names the file and what to do."""


def sidecar_path(pb_path):
    return os.path.splitext(str(pb_path))[0] + ".json"


def freeze_generator(run_dir, pb_path, checkpoint=None):
    """Write the generator of run_dir (latest checkpoint, or `checkpoint`) as a frozen .pb; return the sidecar dict."""
    with Generator(run_dir, checkpoint) as gen:
        outputs = [OUTPUT] + ([ATTENTION] if gen.attention is not None else [])
        frozen = tf.graph_util.convert_variables_to_constants(gen.session, gen.graph.as_graph_def(), outputs)
        config, prefix = gen.config, gen.checkpoint
    frozen = tf.graph_util.remove_training_nodes(frozen, protected_nodes=[INPUT_IMAGE, INPUT_LABEL] + outputs)
    write_bytes_atomic(pb_path, frozen.SerializeToString())
    from ..kinds import kind_of
    from ..model.labels import space
    s, c_dim = config.image_size, config.label_dim  # the label input's columns (the mask vector's too)
    meaning = kind_of(config).label_meaning
    info = {
        "inputs": {INPUT_IMAGE: {"shape": [-1, s, s, 3], "dtype": "float32",
                                 "normalisation": "RGB, NHWC, pixel / 127.5 - 1 (range [-1, 1])"},
                   INPUT_LABEL: {"shape": [-1, c_dim], "dtype": "float32",
                                 "meaning": meaning}},
        "output": {OUTPUT: {"shape": [-1, s, s, 3], "dtype": "float32",
                            "normalisation": "range [-1, 1]; to pixels: clip((x + 1) / 2, 0, 1) * 255"}},
        "attention": len(outputs) > 1,
        "selected_attrs": list(space(config)),
        "dataset": config.dataset,
        "image_size": s,
        "c_dim": c_dim,
        "checkpoint": prefix,
        "step": runs.checkpoint_step(prefix),
        "tensorflow": tf.__version__,
        "nodes": len(frozen.node),
    }
    if info["attention"]:
        info["output"][ATTENTION] = {"shape": [-1, s, s, 1], "dtype": "float32",
                                     "meaning": "where G changed the image: x_fake = A*C + (1-A)*x_real, range [0, 1]"}
    write_text_atomic(sidecar_path(pb_path), json.dumps(info, indent=2) + "\n")
    return info


def read_graph_def(pb_path):
    path = str(pb_path)
    if not os.path.isfile(path):
        raise FrozenGraphError("{}: no such .pb file; freeze a run first (freeze_generator or "
                               "python -m stargan_nb freeze)".format(path))
    graph_def = tf.GraphDef()
    try:
        with open(path, "rb") as f:
            graph_def.ParseFromString(f.read())
    except Exception as err:  # protobuf raises DecodeError and friends
        raise FrozenGraphError("{}: not a TensorFlow GraphDef ({}); re-create it with freeze_generator"
                               .format(path, type(err).__name__)) from None
    if not graph_def.node:
        raise FrozenGraphError("{}: not a TensorFlow GraphDef (no nodes in it); re-create it with "
                               "freeze_generator".format(path))
    names = {n.name for n in graph_def.node}
    missing = [n for n in (INPUT_IMAGE, INPUT_LABEL, OUTPUT) if n not in names]
    if missing:
        raise FrozenGraphError("{}: the graph has no node named {}; it was not written by freeze_generator"
                               .format(path, ", ".join(missing)))
    return graph_def


def imported_generator(graph_def):
    """(graph, x_real, c_trg, x_fake) of a frozen generator's GraphDef imported into a graph of its own: the one
    place that knows the .pb's tensor names, for load_frozen and half_precision's rewritten copies."""
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(graph_def, name="")
    return (graph, graph.get_tensor_by_name(INPUT_IMAGE + ":0"), graph.get_tensor_by_name(INPUT_LABEL + ":0"),
            graph.get_tensor_by_name(OUTPUT + ":0"))


def load_frozen(pb_path):
    """f(x_real, c_trg) -> images, numpy in and out, any batch size, from a frozen .pb."""
    graph, x, c, out = imported_generator(read_graph_def(pb_path))
    mask = attention_of(graph)
    sess = tf.Session(graph=graph)

    def translate(x_real, c_trg):
        x_real = np.asarray(x_real, np.float32)
        c_trg = np.asarray(c_trg, np.float32)
        if x_real.ndim == 3:
            x_real, c_trg = x_real[None], c_trg.reshape(1, -1)
        return sess.run(out, {x: x_real, c: c_trg})

    def attention(x_real, c_trg):
        """The masks (N, H, W, 1) of the same translations."""
        if mask is None:
            raise FrozenGraphError("{}: this generator has no attention mask (it was trained without "
                                   "attention=true)".format(pb_path))
        x_real = np.asarray(x_real, np.float32)
        c_trg = np.asarray(c_trg, np.float32)
        if x_real.ndim == 3:
            x_real, c_trg = x_real[None], c_trg.reshape(1, -1)
        return sess.run(mask, {x: x_real, c: c_trg})

    translate.session = sess
    translate.graph = graph
    translate.attention = attention
    translate.has_attention = mask is not None
    return translate


# ATC's --soc_version is "Ascend" followed by the Name column of `npu-smi info` on the target machine.
SOC_VERSIONS = {"Ascend310": "Atlas 200/300 inference (Ascend 310)",
                "Ascend310P3": "Atlas 300I Pro / 300V Pro inference (Ascend 310P)",
                "Ascend910": "Atlas 800 9000 training (Ascend 910; Ascend910A or Ascend910B<n> as npu-smi names "
                             "newer chips)"}
# ATC's --precision_mode: force_fp16 is its default (everything fp16 that can be); must_keep_origin_dtype keeps
# the .pb's fp32 (an operator without an fp32 kernel on the chip's AI Core falls back to the slower AI CPU).
ATC_PRECISION_MODES = ("force_fp16", "allow_fp32_to_fp16", "allow_mix_precision", "force_fp32",
                       "must_keep_origin_dtype")


def atc_command(pb_path, soc_version="Ascend310", batch_size=1, output=None, precision_mode="force_fp16"):
    """The ATC command that compiles the .pb to an .om for Ascend inference, from the sidecar.

    --framework=3 says the model is a TensorFlow .pb (ATC's numbering: 0 Caffe, 1 MindSpore, 3 TensorFlow,
    5 ONNX). precision_mode: force_fp16 (ATC's default, the fastest) or must_keep_origin_dtype (the .pb's fp32).
    """
    if precision_mode not in ATC_PRECISION_MODES:
        raise ValueError("precision_mode must be one of {} for ATC, got {!r}".format(
            ", ".join(ATC_PRECISION_MODES), precision_mode))
    if not str(soc_version).startswith("Ascend"):
        raise ValueError("soc_version must be 'Ascend' followed by the Name column of `npu-smi info` (e.g. {}), "
                         "got {!r}".format(", ".join(SOC_VERSIONS), soc_version))
    with open(sidecar_path(pb_path)) as f:
        info = json.load(f)
    s, c_dim = info["image_size"], info["c_dim"]
    shapes = "{}:{},{},{},3;{}:{},{}".format(INPUT_IMAGE, batch_size, s, s, INPUT_LABEL, batch_size, c_dim)
    output = output or os.path.splitext(str(pb_path))[0]
    args = ["atc", "--model=" + str(pb_path), "--framework=3", "--soc_version=" + soc_version,
            "--input_format=NHWC", "--input_shape=" + shapes,
            "--out_nodes=" + ";".join(n + ":0" for n in [OUTPUT] + ([ATTENTION] if info.get("attention") else [])),
            "--precision_mode=" + precision_mode, "--output=" + output]
    return " ".join(shlex.quote(a) for a in args)


def main(argv=None):
    import argparse
    p = argparse.ArgumentParser(prog="python -m stargan_nb freeze",
                                description="Freeze a StarGAN generator checkpoint to a .pb (and a .json sidecar).")
    p.add_argument("--input_checkpoint", required=True,
                   help="<run_dir>/checkpoints/model-<step> (or a run directory for its latest checkpoint)")
    p.add_argument("--out_pb_path", required=True)
    a = p.parse_args(argv)
    ckpt = a.input_checkpoint
    if os.path.isdir(ckpt) and os.path.exists(runs.config_path(ckpt)):
        run_dir, checkpoint = ckpt, None
    else:
        run_dir, checkpoint = runs.run_dir_of_checkpoint(ckpt), ckpt
    info = freeze_generator(run_dir, a.out_pb_path, checkpoint)
    print("wrote {} ({} nodes) and {}".format(a.out_pb_path, info["nodes"], sidecar_path(a.out_pb_path)))
    print(atc_command(a.out_pb_path))
