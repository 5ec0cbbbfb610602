"""STAND-INS for `npu-smi` and `nvidia-smi`, which cannot run here (no Ascend driver, no NVIDIA driver).

Each stand-in is an executable put first on PATH that prints what the real tool prints, in the real tool's table
layout. Where the layouts come from (public output pasted into GitHub issues):
  npu-smi info, one chip per NPU (Ascend 910B4, npu-smi 24.1.1): 1Panel-dev/1Panel issue #9472;
  its process table ("NPU Chip | Process id | Process name | Process memory(MB)", and "No running processes
  found in NPU n"): vllm-project/vllm-ascend issue #12980;
  nvidia-smi's default table (header "NVIDIA-SMI ... Driver Version: ... CUDA Version: ...", one row pair per
  GPU): mrnorman/miniWeather issue #12 (driver 515.65.01) and tensorflow/tensorflow issue #8877.
The Health column's values (OK, Warning, Alarm, Critical) are those of Huawei's npu-smi documentation.
The real tools were not run: only these replays were.
"""
import os
import stat

NPU_ROW = """\
| {npu:<5} {name:<19} | {health:<13} | 88.2        30                0    / 0             |
| 0                         | 0000:C{npu}:00.0  | 0           0    / 0          {hbm:<5}/ 32768         |
+===========================+===============+====================================================+"""

NPU_PROCESS = "| {npu:<7} 0                 | {pid:<13} | python3            | 12417                 |"
NPU_NO_PROCESS = "| No running processes found in NPU {npu:<60}|"

NPU_HEAD = """\
+------------------------------------------------------------------------------------------------+
| npu-smi 24.1.1                   Version: 24.1.1                                               |
+---------------------------+---------------+----------------------------------------------------+
| NPU   Name                | Health        | Power(W)    Temp(C)           Hugepages-Usage(page)|
| Chip                      | Bus-Id        | AICore(%)   Memory-Usage(MB)  HBM-Usage(MB)        |
+===========================+===============+====================================================+"""

NPU_PROCESS_HEAD = """\
+---------------------------+---------------+----------------------------------------------------+
| NPU     Chip              | Process id    | Process name       | Process memory(MB)    |
+===========================+===============+====================================================+"""


def npu_smi_info(health=("OK", "OK"), busy=(), name="910B4"):
    """The text of `npu-smi info` for len(health) one-chip NPUs; `busy`: the NPUs a python3 process holds."""
    rows = [NPU_HEAD]
    for npu, h in enumerate(health):
        rows.append(NPU_ROW.format(npu=npu, name=name, health=h, hbm=26838 if npu in busy else 3131))
    rows.append(NPU_PROCESS_HEAD)
    for npu in range(len(health)):
        rows.append(NPU_PROCESS.format(npu=npu, pid=40000 + npu) if npu in busy else NPU_NO_PROCESS.format(npu=npu))
        rows.append("+===========================+===============+====================================================+")
    return "\n".join(rows) + "\n"


def nvidia_smi(cuda="11.7", driver="515.65.01", gpu="NVIDIA A100-SXM..."):
    return """\
Mon Mar 20 07:45:10 2023
+-----------------------------------------------------------------------------+
| NVIDIA-SMI {driver:<12} Driver Version: {driver:<12} CUDA Version: {cuda:<9}|
|-------------------------------+----------------------+----------------------+
| GPU  Name        Persistence-M| Bus-Id        Disp.A | Volatile Uncorr. ECC |
| Fan  Temp  Perf  Pwr:Usage/Cap|         Memory-Usage | GPU-Util  Compute M. |
|                               |                      |               MIG M. |
|===============================+======================+======================|
|   0  {gpu:<19} On   | 00000000:03:00.0 Off |                    0 |
| N/A   28C    P0    52W / 400W |      0MiB / 40960MiB |      0%      Default |
|                               |                      |             Disabled |
+-------------------------------+----------------------+----------------------+

+-----------------------------------------------------------------------------+
| Processes:                                                                  |
|  GPU   GI   CI        PID   Type   Process name                  GPU Memory |
|        ID   ID                                                   Usage      |
|=============================================================================|
|  No running processes found                                                 |
+-----------------------------------------------------------------------------+
""".format(driver=driver, cuda=cuda, gpu=gpu)


def install_tool(folder, name, output, status=0):
    """An executable `name` in folder that prints `output` (from a file beside it) and exits with `status`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / (name + ".out")).write_text(output)
    tool = folder / name
    tool.write_text("#!/bin/sh\ncat '{}'\nexit {}\n".format(folder / (name + ".out"), status))
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return tool


def path_with(folder):
    """PATH with folder first and nothing else that could hold a real npu-smi or nvidia-smi."""
    return os.pathsep.join([str(folder), "/usr/bin", "/bin"])
