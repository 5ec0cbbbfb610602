"""Session configs for every device and precision mode.

npu_bridge ships with Huawei CANN and cannot be installed here: the NPU wiring is tested
against a STAND-IN package written by the fixture below, which records what it is given.
The real NpuOptimizer and loss-scale classes are not exercised on these machines.
"""
import pytest
from tensorflow.core.protobuf.rewriter_config_pb2 import RewriterConfig

from stargan_nb.runtime import device
from stargan_nb.config import PRECISION_MODES, ConfigError
from stargan_nb.runtime.tfcompat import tf
import npu_stand_in


@pytest.fixture
def npu_bridge_stand_in(tmp_path, monkeypatch):
    npu_stand_in.install(tmp_path, monkeypatch)
    yield
    npu_stand_in.forget()


def test_this_machine_is_a_cpu():
    assert device.detect_device() == "cpu"
    assert device.resolve_device("auto") == "cpu" and device.resolve_device("cpu") == "cpu"
    with pytest.raises(ConfigError, match='device is "gpu" but'):  # a device asked for must be here
        device.resolve_device("gpu")


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


@pytest.mark.parametrize("mode", [m for m in PRECISION_MODES if device.compute_dtype("cpu", m) == "fp32"])
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
    with tf.Graph().as_default():
        opt = tf.train.AdamOptimizer(1e-4)
        for mode in PRECISION_MODES:
            wrapped = device.wrap_optimizer(opt, "npu", mode)
            if mode == "must_keep_origin_dtype":  # the one mode that keeps fp32: nothing to scale
                assert wrapped is opt and device.loss_scale(wrapped) is None
                continue
            assert type(wrapped).__name__ == "NPULossScaleOptimizer" and wrapped.opt is opt
            assert wrapped.loss_scale_manager.kwargs == dict(
                init_loss_scale=2 ** 16, incr_every_n_steps=1000, decr_every_n_nan_or_inf=2, decr_ratio=0.5)
            assert device.loss_scale(wrapped) is not None
    assert device.environment_report()["npu_bridge"] is True


def test_gpu_mixed_precision_scales_the_loss_and_leaves_other_sessions_alone():
    with tf.Graph().as_default():
        opt = tf.train.AdamOptimizer(1e-4)
        wrapped = device.wrap_optimizer(opt, "gpu", "allow_mix_precision", initial_loss_scale=1024)
        assert wrapped is not opt and "LossScale" in type(wrapped).__name__
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            assert s.run(device.loss_scale(wrapped)) == 1024
    for mode in PRECISION_MODES:
        if mode != "allow_mix_precision":
            assert device.wrap_optimizer(opt, "gpu", mode) is opt
        # The CPU's bf16 (test_cpu_bf16.py) goes through the GPU's wrapper; every fp32 mode is left alone.
        assert (device.wrap_optimizer(opt, "cpu", mode) is opt) == (mode != "allow_mix_precision")
    from tensorflow.python.training.experimental import mixed_precision_global_state as state
    enabled = getattr(state, "is_mixed_precision_graph_rewrite_enabled",  # TF 2.x; TF 1.15 has the flag only
                      lambda: state.mixed_precision_graph_rewrite_is_enabled)()
    assert not enabled, "the rewrite is per session (session_config), not switched on for the whole process"


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
    text = device.format_report(dict(report, npu_bridge=True))  # as on an Ascend host
    assert "JOB_ID" in text and "(not set)" in text and "missing: " in text
    here = device.format_report(dict(report, npu_bridge=False))  # anywhere else: needed there, not missing here
    assert "needed on an Ascend host" in here and "missing" not in here and "(not set: not needed here)" in here


def test_a_gpu_the_cpu_build_cannot_use_is_explained():
    report = dict(device="cpu", gpu_hardware=True, build={"distribution": "intel-tensorflow==1.15.2"})
    note = device.gpu_note(report)
    assert "intel-tensorflow is a CPU-only build" in note and "TF_BUILD=stock" in note
    assert "CUDA 10.0" in device.gpu_note(dict(report, build={"distribution": "tensorflow==1.15.5"}))
    assert device.gpu_note(dict(report, gpu_hardware=False)) == "" and device.gpu_note(dict(report, device="gpu")) == ""


def test_report_names_the_tensorflow_build():
    build = device.tensorflow_build()
    assert build["tensorflow"] == tf.__version__
    assert build["distribution"].split("==")[0] in ("intel-tensorflow", "tensorflow", "tensorflow-cpu", "tensorflow-intel")
    assert build["distribution"].endswith("==" + tf.__version__)
    assert build["distribution"] in device.format_report(device.environment_report())
