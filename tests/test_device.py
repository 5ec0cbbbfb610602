"""Session configs for every device and precision mode.

npu_bridge ships with Huawei CANN and cannot be installed here: the NPU wiring is tested
against a STAND-IN package written by the fixture below, which records what it is given.
The real NpuOptimizer and loss-scale classes are not exercised on these machines.
"""
import sys
import textwrap

import pytest
from tensorflow.core.protobuf.rewriter_config_pb2 import RewriterConfig

from stargan_nb.runtime import device
from stargan_nb.config import PRECISION_MODES
from stargan_nb.runtime.tfcompat import tf


@pytest.fixture
def npu_bridge_stand_in(tmp_path, monkeypatch):
    pkg = tmp_path / "npu_bridge"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("STAND_IN = True\n")
    (pkg / "npu_init.py").write_text(textwrap.dedent("""
        # Stand-in for CANN's npu_bridge.npu_init: records the arguments it is given.
        class ExponentialUpdateLossScaleManager:
            def __init__(self, **kwargs):
                self.kwargs = kwargs

        class NPULossScaleOptimizer:
            def __init__(self, opt, loss_scale_manager):
                self.opt, self.loss_scale_manager = opt, loss_scale_manager
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ["npu_bridge", "npu_bridge.npu_init"]:
        sys.modules.pop(name, None)
    yield
    for name in ["npu_bridge", "npu_bridge.npu_init"]:
        sys.modules.pop(name, None)


def test_this_machine_is_a_cpu():
    assert device.detect_device() == "cpu"
    assert device.resolve_device("auto") == "cpu" and device.resolve_device("gpu") == "gpu"


@pytest.mark.parametrize("mode", PRECISION_MODES)
def test_npu_session_config_is_the_ascend_recipe(mode):
    cfg = device.session_config("npu", mode)
    rw = cfg.graph_options.rewrite_options
    (op,) = rw.custom_optimizers
    assert op.name == "NpuOptimizer"
    assert op.parameter_map["use_off_line"].b is True
    assert op.parameter_map["precision_mode"].s == mode.encode()
    assert rw.remapping == RewriterConfig.OFF and rw.memory_optimization == RewriterConfig.OFF


@pytest.mark.parametrize("mode", PRECISION_MODES)
def test_gpu_session_config(mode):
    cfg = device.session_config("gpu", mode)
    assert cfg.gpu_options.allow_growth is True
    assert not cfg.graph_options.rewrite_options.custom_optimizers
    amp = cfg.graph_options.rewrite_options.auto_mixed_precision
    assert amp == (RewriterConfig.ON if mode == "allow_mix_precision" else RewriterConfig.DEFAULT)


@pytest.mark.parametrize("mode", PRECISION_MODES)
def test_cpu_session_config_uses_the_cores(mode):
    import os
    cfg = device.session_config("cpu", mode)
    assert cfg.intra_op_parallelism_threads == len(os.sched_getaffinity(0))
    assert 1 <= cfg.inter_op_parallelism_threads <= 2
    assert not cfg.graph_options.rewrite_options.custom_optimizers
    # The config is usable: a session runs an op with it.
    with tf.Graph().as_default(), tf.Session(config=cfg) as s:
        assert s.run(tf.constant(2.0) * 3) == 6.0


def test_bad_device_or_mode_is_named():
    with pytest.raises(ValueError, match="device must be npu, gpu or cpu"):
        device.session_config("tpu")
    with pytest.raises(ValueError, match="precision_mode must be one of"):
        device.session_config("npu", "fp4")


def test_npu_detected_and_optimizer_wrapped_with_the_stand_in(npu_bridge_stand_in):
    assert device.detect_device() == "npu"
    opt = tf.train.AdamOptimizer(1e-4)
    wrapped = device.wrap_optimizer(opt, "npu", "allow_mix_precision")
    assert type(wrapped).__name__ == "NPULossScaleOptimizer" and wrapped.opt is opt
    assert wrapped.loss_scale_manager.kwargs == dict(
        init_loss_scale=2 ** 16, incr_every_n_steps=1000, decr_every_n_nan_or_inf=2, decr_ratio=0.5)
    assert device.wrap_optimizer(opt, "npu", "allow_fp32_to_fp16") is opt  # no loss scale needed
    assert device.environment_report()["npu_bridge"] is True


def test_gpu_mixed_precision_uses_tensorflows_rewrite():
    with tf.Graph().as_default():
        opt = tf.train.AdamOptimizer(1e-4)
        try:
            wrapped = device.wrap_optimizer(opt, "gpu", "allow_mix_precision")
        finally:  # the rewrite is a process-wide switch: turn it off for the tests that follow
            tf.train.experimental.disable_mixed_precision_graph_rewrite()
        assert wrapped is not opt and "LossScale" in type(wrapped).__name__
    assert device.wrap_optimizer(opt, "cpu", "allow_mix_precision") is opt


def test_environment_report_lists_what_is_missing(monkeypatch):
    for name, _ in device.ASCEND_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DEVICE_ID", "3")
    monkeypatch.setenv("RANK_SIZE", "1")
    monkeypatch.setenv("PYTHONPATH", "/opt/x:/usr/local/Ascend/tfplugin/latest/python/site-packages")
    report = device.environment_report()
    values = {r["variable"]: r["value"] for r in report["variables"]}
    assert values["ASCEND_DEVICE_ID"] == "3 (from DEVICE_ID)" and values["RANK_SIZE"] == "1"
    assert values["PYTHONPATH (tfplugin)"].endswith("tfplugin/latest/python/site-packages")
    assert "JOB_ID" in report["missing"] and "ASCEND_OPP_PATH" in report["missing"]
    assert "RANK_SIZE" not in report["missing"]
    text = device.format_report(report)
    assert "JOB_ID" in text and "(not set)" in text


def test_report_names_the_tensorflow_build():
    build = device.tensorflow_build()
    assert build["tensorflow"] == tf.__version__
    assert build["distribution"].split("==")[0] in ("intel-tensorflow", "tensorflow", "tensorflow-cpu", "tensorflow-intel")
    assert build["distribution"].endswith("==" + tf.__version__)
    assert build["distribution"] in device.format_report(device.environment_report())
