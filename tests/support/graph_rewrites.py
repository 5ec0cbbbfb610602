"""Graph rewrites that accelerators apply, run on the CPU: the casts that automatic mixed precision puts after
weight reads, as TensorFlow's grappler does it (TF 2.x) or as an explicit GraphDef transform (any version).
"""
from tensorflow.core.framework import attr_value_pb2, types_pb2

from stargan_nb.model.networks import D_SCOPE, G_SCOPE
from stargan_nb.runtime import cpu
from stargan_nb.runtime.tfcompat import tf

WEIGHT_SCOPES = (G_SCOPE + "/", D_SCOPE + "/")


def _is_weight(name):
    return name.startswith(WEIGHT_SCOPES) and "adam" not in name.lower()


def insert_casts_after_weight_reads(graph_def, keep_prefix="readout/"):
    """A copy of graph_def where every read of a network weight goes through fp16 and back.

    One Cast pair per read op, shared by all its consumers and without control inputs: what TensorFlow's
    automatic mixed precision and the NPU's fp32-to-fp16 conversion insert. With ref variables there is one
    read op (`<weight>/read`) per weight for the whole graph; with resource variables one per use. Reads
    under keep_prefix (the test's weight read-outs) are left alone.
    """
    out = tf.GraphDef()
    out.CopyFrom(graph_def)
    kinds = {n.name: n.op for n in out.node}
    rerouted = {}
    new_nodes = []
    for node in out.node:
        if node.name.startswith(keep_prefix) or not node.input:
            continue
        source = node.input[0].split(":")[0]
        is_ref_read = node.op == "Identity" and kinds.get(source) in ("VariableV2", "Variable")
        is_resource_read = node.op == "ReadVariableOp" and node.attr["dtype"].type == types_pb2.DT_FLOAT
        if not (is_ref_read or is_resource_read) or not _is_weight(source):
            continue
        half, back = node.name + "/to_fp16", node.name + "/to_fp32"
        for name, src, dst, inp in ((half, types_pb2.DT_FLOAT, types_pb2.DT_HALF, node.name),
                                    (back, types_pb2.DT_HALF, types_pb2.DT_FLOAT, half)):
            cast = tf.NodeDef(name=name, op="Cast", input=[inp])
            cast.attr["SrcT"].CopyFrom(attr_value_pb2.AttrValue(type=src))
            cast.attr["DstT"].CopyFrom(attr_value_pb2.AttrValue(type=dst))
            if node.device:
                cast.device = node.device
            new_nodes.append(cast)
        rerouted[node.name] = back
    for node in out.node:
        for i, inp in enumerate(node.input):
            name = inp[:-2] if inp.endswith(":0") else inp
            if name in rerouted and not node.name.startswith(name + "/to_fp"):
                node.input[i] = rerouted[name]
    out.node.extend(new_nodes)
    return out, len(rerouted)


def session_config(rewrite):
    """The session config of a rewrite that grappler does itself: amp_cpu (fp16 emulated on CPUs, TF >= 2.9),
    onednn_bf16 (bfloat16 through oneDNN, CPUs with AVX512_BF16 or AMX); anything else: no rewrite."""
    from tensorflow.core.protobuf.rewriter_config_pb2 import RewriterConfig
    config = tf.ConfigProto(intra_op_parallelism_threads=2, inter_op_parallelism_threads=1)
    options = config.graph_options.rewrite_options
    if rewrite == "amp_cpu":
        options.auto_mixed_precision_cpu = RewriterConfig.ON
    elif rewrite == "onednn_bf16":
        options.auto_mixed_precision_onednn_bfloat16 = RewriterConfig.ON
    return config


def cpu_has_bf16():
    return bool(cpu.bf16_flags())
