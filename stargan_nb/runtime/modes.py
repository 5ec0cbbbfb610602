"""The devices, precision modes and ways to join devices a run may ask for: plain names, so that config can check
them without TensorFlow."""

DEVICES = ("auto", "npu", "gpu", "cpu")
# As the Ascend NpuOptimizer names them; runtime.device says what each computes in on each device.
PRECISION_MODES = ("allow_fp32_to_fp16", "allow_mix_precision", "force_fp16", "force_fp32", "must_keep_origin_dtype")
# How more than one device joins (stargan_nb.distribute): "auto" lets the environment decide.
DISTRIBUTIONS = ("auto", "none", "tensorflow", "horovod", "hccl")
