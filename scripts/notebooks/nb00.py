import sys; sys.path.insert(0, "scripts")
import nbwrite
nbwrite.write("notebooks/00_npu_session.ipynb", [
("md", """
# 00 · Device and session set-up

The same notebooks run on a Huawei Ascend NPU, a GPU or a plain CPU. This notebook finds out which one
you have, shows the `tf.ConfigProto` every later notebook will use, checks the Ascend environment, and runs
one small operation on the device to prove the set-up works.
"""),
("md", """
## Parameters

`device = "auto"` picks the NPU when `npu_bridge` imports, else a GPU when TensorFlow sees one, else the
CPU. `precision_mode` is the Ascend NpuOptimizer's setting (`allow_fp32_to_fp16` is the default on
training chips; `allow_mix_precision` adds dynamic loss scaling to both optimizers; on a GPU it turns on
TensorFlow's automatic mixed precision).
"""),
("params", """
device = "auto"                       # "auto", "npu", "gpu" or "cpu"
precision_mode = "allow_fp32_to_fp16"  # allow_fp32_to_fp16, allow_mix_precision, force_fp16, force_fp32
"""),
("md", """
## 1. Which device?

Look at the first line: `device` is what training will use. On an Ascend server `npu_bridge importable`
must be `True`; if it is `False` there, CANN's `set_env.sh` has not been sourced in the shell that started
Jupyter (see step 3).
"""),
("code", """
from stargan_nb import device as devices

chosen = devices.resolve_device(device)
report = devices.environment_report()
print(devices.format_report(report))
print("\\nchosen device:", chosen)
"""),
("md", """
## 2. The session configuration

The protobuf below is passed to every `tf.Session`. For the NPU it holds the `NpuOptimizer` custom
optimizer with `use_off_line: true` (run the graph on the Ascend device) and your `precision_mode`, with
TensorFlow's `remapping` and `memory_optimization` rewrites turned OFF, as Ascend requires. For a GPU,
`allow_growth`; for the CPU, one thread per core.
"""),
("code", """
session_config = devices.session_config(chosen, precision_mode)
print(session_config)
"""),
("md", """
## 3. Ascend environment (only needed on an NPU server)

Before starting Jupyter on an Ascend server, source CANN's environment script, which sets the variables
below, then choose the device:

```bash
source /usr/local/Ascend/ascend-toolkit/set_env.sh    # or <CANN>/set_env.sh of your install
export ASCEND_DEVICE_ID=0 RANK_SIZE=1 RANK_ID=0 JOB_ID=10087 ASCEND_GLOBAL_LOG_LEVEL=3
make lab
```

`LD_LIBRARY_PATH` must include `fwkacllib/lib64`, `PYTHONPATH` the tfplugin's `site-packages` (where
`npu_bridge` lives), and `ASCEND_OPP_PATH` the operator package. The table in step 1 shows what is set.
On a CPU or GPU machine all of these are simply unused.
"""),
("md", """
## 4. Prove it works: one op on the device

A matrix product in a session built with the configuration above. The result must be exactly 3 × 4 = 12
in every cell; the device list shows where TensorFlow placed it.
"""),
("code", """
import numpy as np
from stargan_nb.tfcompat import tf

with tf.Graph().as_default():
    a = tf.ones([3, 4]) * 3.0
    b = tf.ones([4, 2])
    product = tf.matmul(a, b)
    with tf.Session(config=session_config) as sess:
        result = sess.run(product)
        names = [d.name for d in sess.list_devices()]
print(result)
assert np.allclose(result, 12.0)
print("devices seen by the session:", names)
"""),
])
