"""bf16 training on the CPU: precision_mode allow_mix_precision on the cpu device.

Where this TensorFlow (2.x) and this CPU (AVX512_BF16 or AMX) can, the tests train through train() and check
that the convolutions really ran in bf16 and that the loss-scaling wrapper (the GPU's) skipped the updates an
absurd scale overflowed. Where they cannot, they check that train() refuses with the reason before it writes
anything. Both branches run on every machine that has one or the other; the CI machines so far (AMD EPYC with
AVX512_BF16) run the training branch under TF 2.x and the refusal branch under TF 1.15.
"""
import pytest
from tensorflow.core.framework import types_pb2

from stargan_nb import runs
from stargan_nb.model.training_graph import build_training_graph, run_iteration
from stargan_nb.runtime import cpu, device
from stargan_nb.runtime.tfcompat import IS_TF2, tf
from stargan_nb.training.loop import train
from tiny_runs import tiny_config

CPUINFO = """processor\t: 0
model name\t: Example CPU 9000
flags\t\t: fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni
processor\t: 1
model name\t: Example CPU 9000
flags\t\t: fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni
"""
ABSURD = 1e38


def test_cpu_model_and_bf16_flags_are_read_from_cpuinfo():
    assert cpu.cpu_model(CPUINFO) == "Example CPU 9000"
    assert cpu.bf16_flags(CPUINFO) == ["avx512_bf16"]
    assert cpu.bf16_flags(CPUINFO.replace(" avx512_bf16", "")) == []
    assert cpu.bf16_flags(CPUINFO.replace("avx512_vnni", "avx512_vnni amx_bf16 amx_tile")) == ["avx512_bf16", "amx_bf16"]


def test_only_allow_mix_precision_is_bf16_on_the_cpu():
    assert device.compute_dtype("cpu", "allow_mix_precision") == "bf16"
    assert device.compute_dtype("gpu", "allow_mix_precision") == "fp16"
    assert [m for m in device.PRECISION_MODES if device.compute_dtype("cpu", m) != "fp32"] == ["allow_mix_precision"]


def test_a_cpu_without_bf16_is_refused_with_the_reason(monkeypatch):
    monkeypatch.setattr(cpu, "bf16_flags", lambda cpuinfo=None: [])
    with pytest.raises(ValueError) as err:
        device.session_config("cpu", "allow_mix_precision")
    # TF 1.15 has no bf16 rewrite at all, whatever the CPU; TF 2.x names the missing instructions.
    want = "no bf16 instructions" if IS_TF2 else "has no bf16 rewrite for CPUs"
    assert want in str(err.value) and "must_keep_origin_dtype" in str(err.value)


def _bf16_ops(toy_root):
    """Op types that ran in bf16 in one iteration of a tiny bf16 training graph."""
    config = tiny_config(toy_root, precision_mode="allow_mix_precision", device="cpu")
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        images = tf.random.uniform([config.batch_size, config.image_size, config.image_size, 3], -1, 1)
        labels = tf.cast(tf.random.uniform([config.batch_size, config.c_dim]) > 0.5, tf.float32)
        g = build_training_graph(images, labels, config, "cpu")
        with tf.Session(config=device.session_config("cpu", config.precision_mode)) as sess:
            sess.run(tf.global_variables_initializer())
            metadata = tf.RunMetadata()
            sess.run(g.g_iteration, options=tf.RunOptions(output_partition_graphs=True), run_metadata=metadata)
    found = set()
    for graph_def in metadata.partition_graphs:
        for node in graph_def.node:
            if node.attr["T"].type == types_pb2.DT_BFLOAT16:
                found.add(node.op.lstrip("_").replace("Mkl", "").replace("Native", ""))
    return found


def test_bf16_training_on_this_machine(toy_root, tmp_path):
    run = tmp_path / "run"
    config = tiny_config(toy_root, precision_mode="allow_mix_precision", device="cpu", initial_loss_scale=ABSURD,
                         training_iterations=6, summary_steps=3, checkpoint_steps=6, save_steps=6)
    problem = device.cpu_bf16_problem()
    if problem:
        with pytest.raises(ValueError, match="trains in bf16, but"):
            train(config, str(run), progress=False)
        assert not run.exists(), "refused before anything was written"
        return
    # The convolutions and their gradients run in bf16: the rewrite did its work.
    ops = _bf16_ops(toy_root)
    assert {"Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"} <= {o.replace("Fused", "") for o in ops}, ops
    result = train(config, str(run), progress=False)
    assert result["step"] == 6 and runs.latest_checkpoint(str(run)).endswith("model-6")
    rows = runs.read_metrics(str(run))
    assert rows[0]["skipped_updates/D"] >= 1, "the GPU's loss-scale wrapper skipped the overflowed updates"
    assert rows[-1]["loss_scale/D"] < ABSURD
