"""The frozen generator computed in fp16: what an .om compiled with ATC's fp16 precision modes will differ by.

An Ascend 310's matrix units compute in fp16 (ATC's default precision_mode, force_fp16), so the .om's output
cannot match the fp32 .pb to 07's 1e-5. This copy of the frozen graph stores every weight in fp16 and computes
every operation in fp16 on this machine, to estimate in pixel levels how far such an .om will be from the .pb
before one is built. It is an estimate: Ascend's kernels accumulate some sums in fp32, so the device is expected
to be at least this close.
"""
import numpy as np

from ..runtime.tfcompat import tf
from .freeze import imported_generator, read_graph_def


def to_fp16(graph_def):
    """A copy of graph_def with every float32 constant, attribute and placeholder in float16."""
    from tensorflow.core.framework import types_pb2
    from tensorflow.python.framework import tensor_util
    half = graph_def.__class__()
    half.CopyFrom(graph_def)
    for node in half.node:
        for key in node.attr:
            attr = node.attr[key]
            if attr.type == types_pb2.DT_FLOAT:
                attr.type = types_pb2.DT_HALF
            if attr.HasField("tensor") and attr.tensor.dtype == types_pb2.DT_FLOAT:
                value = tensor_util.MakeNdarray(attr.tensor).astype(np.float16)
                attr.tensor.CopyFrom(tensor_util.make_tensor_proto(value, dtype=tf.float16, shape=value.shape))
            if attr.list.type:
                types = [types_pb2.DT_HALF if t == types_pb2.DT_FLOAT else t for t in attr.list.type]
                del attr.list.type[:]
                attr.list.type.extend(types)
    return half


def load_fp16(pb_path):
    """f(x_real, c_trg) -> float32 images, computed entirely in fp16 from the frozen .pb."""
    return _translator(to_fp16(read_graph_def(pb_path)), np.float16)


def _translator(graph_def, input_dtype):
    """f(x_real, c_trg) -> float32 images from a rewritten generator graph fed in input_dtype, its output stored
    in fp16 as an fp16 .om's is; f.session is the open session."""
    graph, x, c, out = imported_generator(graph_def)
    sess = tf.Session(graph=graph)

    def translate(x_real, c_trg):
        images = sess.run(out, {x: np.asarray(x_real, input_dtype), c: np.asarray(c_trg, input_dtype)})
        return images.astype(np.float16).astype(np.float32)

    translate.session = sess
    return translate


def rounded_to_fp16(graph_def):
    """A copy of graph_def in which every float32 weight and every float32 tensor an operation reads is rounded
    to fp16 (a Cast to fp16 and back) while each operation still sums in fp32: fp16 storage with fp32
    accumulation, as Ascend's matrix units compute. Far faster on a CPU than to_fp16, whose fp16 kernels are
    emulated."""
    from tensorflow.core.framework import types_pb2
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(graph_def, name="")
    rounded = graph_def.__class__()
    made = {}

    def round_of(tensor_name):
        if tensor_name not in made:
            op_name, _, index = tensor_name.partition(":")
            if graph.get_operation_by_name(op_name).outputs[int(index or 0)].dtype != tf.float32:
                made[tensor_name] = tensor_name
            else:
                base = "fp16_round/{}_{}".format(op_name, index or 0)
                for suffix, src, dst, inp in (("/half", types_pb2.DT_FLOAT, types_pb2.DT_HALF, tensor_name),
                                              ("/back", types_pb2.DT_HALF, types_pb2.DT_FLOAT, base + "/half")):
                    cast = rounded.node.add(name=base + suffix, op="Cast", input=[inp])
                    cast.attr["SrcT"].type, cast.attr["DstT"].type = src, dst
                made[tensor_name] = base + "/back"
        return made[tensor_name]

    for node in graph_def.node:
        copy = rounded.node.add()
        copy.CopyFrom(node)
        del copy.input[:]
        copy.input.extend(i if i.startswith("^") else round_of(i) for i in node.input)
    return rounded


def load_rounded_fp16(pb_path):
    """f(x_real, c_trg) -> float32 images from the frozen .pb with weights and activations rounded to fp16."""
    return _translator(rounded_to_fp16(read_graph_def(pb_path)), np.float32)
