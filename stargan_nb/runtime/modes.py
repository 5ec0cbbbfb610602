"""The devices and precision modes a run may ask for: plain names, so that config can check them without TensorFlow."""

DEVICES = ("auto", "npu", "gpu", "cpu")
# As the Ascend NpuOptimizer names them; runtime.device says what each computes in on each device.
PRECISION_MODES = ("allow_fp32_to_fp16", "allow_mix_precision", "force_fp16", "force_fp32", "must_keep_origin_dtype")
