"""`python -m stargan_nb doctor` against STAND-IN device tools (tests/support/smi_stand_ins.py: `npu-smi` and `nvidia-smi`
replaying the real tools' tables) and the STAND-IN npu_bridge (tests/support/npu_stand_in.py); CANN's shared libraries are
empty stand-in files of the real names. The checks, the parsing and the exit status are the real ones."""
import os
import subprocess
import sys

import pytest

import npu_stand_in
import smi_stand_ins as stand_ins
from stargan_nb import doctor
from stargan_nb.runtime import smi
from repo_paths import REPO


@pytest.fixture
def ascend_host(tmp_path, monkeypatch):
    """An Ascend host as the doctor sees it: CANN's variables, its libraries and the driver's, the stand-in
    npu_bridge, writable log and cache folders, and a healthy stand-in `npu-smi` with two free chips."""
    (tmp_path / "site").mkdir()
    npu_stand_in.install(tmp_path / "site", monkeypatch)
    for name in ("opp", "aicpu", "fwkacllib/lib64", "driver/lib64", "tools"):
        (tmp_path / name).mkdir(parents=True)
    (tmp_path / "fwkacllib/lib64/libge_runner.so").write_bytes(b"")
    (tmp_path / "driver/lib64/libascend_hal.so").write_bytes(b"")
    monkeypatch.setenv("ASCEND_OPP_PATH", str(tmp_path / "opp"))
    monkeypatch.setenv("ASCEND_AICPU_PATH", str(tmp_path / "aicpu"))
    monkeypatch.setenv("LD_LIBRARY_PATH", "{}:{}".format(tmp_path / "fwkacllib/lib64", tmp_path / "driver/lib64"))
    monkeypatch.setenv("ASCEND_PROCESS_LOG_PATH", str(tmp_path / "log"))
    monkeypatch.setenv("ASCEND_CACHE_PATH", str(tmp_path / "cache"))
    monkeypatch.setenv("ASCEND_DEVICE_ID", "0")
    monkeypatch.setenv("PATH", stand_ins.path_with(tmp_path / "tools"))
    monkeypatch.chdir(tmp_path)
    stand_ins.install_tool(tmp_path / "tools", "npu-smi", stand_ins.npu_smi_info())
    yield tmp_path
    npu_stand_in.forget()


def lines_named(lines, prefix):
    return [line for line in lines if line.check.startswith(prefix)]


def diagnose_npu(tmp_path):
    return doctor.diagnose("npu", "toy", run_dir=str(tmp_path / "run"))


def test_a_healthy_free_chip_lets_training_start(ascend_host):
    from stargan_nb.runtime.tfcompat import tf
    lines = diagnose_npu(ascend_host)
    failed = [line for line in lines if line.status == "FAIL"]
    if tf.__version__.startswith("1.15"):
        assert failed == [] and doctor.can_train(lines)
    else:  # CANN's TF Adapter pairs with TensorFlow 1.15 only, and the doctor says so on 2.x
        assert [line.check for line in failed] == ["npu_bridge"] and "1.15" in failed[0].detail
    for check in ("ASCEND_OPP_PATH", "LD_LIBRARY_PATH: libge_runner.so", "LD_LIBRARY_PATH: libascend_hal.so",
                  "npu-smi: health", "npu-smi: free", "log folder", "kernel cache"):
        assert lines_named(lines, check)[0].status == "ok", check
    assert "910B4" in lines_named(lines, "npu-smi: health")[0].detail


def test_a_busy_chip_is_named_with_its_process_and_a_free_one(ascend_host):
    stand_ins.install_tool(ascend_host / "tools", "npu-smi", stand_ins.npu_smi_info(busy=(0,)))
    line = lines_named(diagnose_npu(ascend_host), "npu-smi: free")[0]
    assert line.status == "FAIL" and "pid 40000" in line.detail and "ASCEND_DEVICE_ID=<a free chip: 1>" in line.fix


def test_an_unhealthy_chip_fails_and_a_warning_does_not(ascend_host):
    stand_ins.install_tool(ascend_host / "tools", "npu-smi", stand_ins.npu_smi_info(health=("Alarm", "Warning")))
    line = lines_named(diagnose_npu(ascend_host), "npu-smi: health")[0]
    assert line.status == "FAIL" and "Alarm" in line.detail and "npu-smi info -t health -i 0" in line.fix
    os.environ["ASCEND_DEVICE_ID"] = "1"  # monkeypatched by the fixture, so restored after the test
    assert lines_named(diagnose_npu(ascend_host), "npu-smi: health")[0].status == "warn"


def test_missing_npu_smi_and_an_unlisted_chip_fail_with_their_fix(ascend_host):
    os.environ["ASCEND_DEVICE_ID"] = "5"
    line = lines_named(diagnose_npu(ascend_host), "npu-smi")[0]
    assert line.status == "FAIL" and "not among the chips listed (0, 1)" in line.detail
    (ascend_host / "tools" / "npu-smi").unlink()
    line = lines_named(diagnose_npu(ascend_host), "npu-smi")[0]
    assert line.status == "FAIL" and "not on PATH" in line.detail and "driver" in line.fix


def test_cann_not_sourced_names_each_missing_piece(ascend_host, monkeypatch):
    monkeypatch.delenv("ASCEND_OPP_PATH")
    monkeypatch.setenv("LD_LIBRARY_PATH", str(ascend_host / "fwkacllib/lib64"))
    lines = diagnose_npu(ascend_host)
    assert lines_named(lines, "ASCEND_OPP_PATH")[0].fix.startswith("source /usr/local/Ascend")
    hal = lines_named(lines, "LD_LIBRARY_PATH: libascend_hal.so")[0]
    assert hal.status == "FAIL" and "driver/lib64" in hal.fix
    assert not doctor.can_train(lines)


def test_gpu_driver_cuda_is_compared_with_the_build(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", stand_ins.path_with(tmp_path))
    stand_ins.install_tool(tmp_path, "nvidia-smi", stand_ins.nvidia_smi(cuda="9.0", driver="384.81"))
    old = {line.check: line for line in doctor.gpu_checks("1.15.5", True, "10.0")}
    assert old["driver's CUDA"].status == "FAIL" and "up to 9.0, this TensorFlow needs 10.0" in old["driver's CUDA"].detail
    stand_ins.install_tool(tmp_path, "nvidia-smi", stand_ins.nvidia_smi(cuda="11.7"))
    new = {line.check: line for line in doctor.gpu_checks("1.15.5", True, "10.0")}
    assert new["driver's CUDA"].status == "ok" and "NVIDIA A100" in new["nvidia-smi"].detail
    cpu_build = {line.check: line for line in doctor.gpu_checks("1.15.2", False, "")}
    assert cpu_build["TensorFlow sees a GPU"].status == "FAIL" and "CPU-only" in cpu_build["driver's CUDA"].detail
    (tmp_path / "nvidia-smi").unlink()
    missing = {line.check: line for line in doctor.gpu_checks("1.15.5", True, "10.0")}
    assert missing["nvidia-smi"].status == "FAIL" and "not on PATH" in missing["nvidia-smi"].detail


def test_a_two_chip_npu_table_gives_each_chip_its_logical_id():
    # Layout of an Atlas 800T A2-style host with two chips per NPU (vllm-project/vllm-ascend issue #2534).
    text = "\n".join([
        "| NPU   Name                | Health        | Power(W)    Temp(C)           Hugepages-Usage(page)|",
        "| Chip  Phy-ID              | Bus-Id        | AICore(%)   Memory-Usage(MB)  HBM-Usage(MB)        |",
        "| 0     Ascend910           | OK            | 178.5       36                0    / 0             |",
        "| 0     0                   | 0000:9D:00.0  | 0           0    / 0          3416 / 65536         |",
        "| 0     Ascend910           | Critical      | -           36                0    / 0             |",
        "| 1     1                   | 0000:9F:00.0  | 0           0    / 0          3195 / 65536         |",
        "| NPU     Chip              | Process id    | Process name       | Process memory(MB)    |",
        "| 0       1                 | 632268        | python3.1          | 197                   |"])
    chips = smi.parse_npu_smi(text)
    assert [(c["device_id"], c["npu"], c["chip"], c["health"]) for c in chips] == [(0, 0, 0, "OK"), (1, 0, 1, "Critical")]
    assert chips[0]["processes"] == [] and chips[1]["processes"][0]["pid"] == "632268"


def test_dataset_paths_of_the_config_are_checked(tmp_path):
    lines = doctor.data_checks(doctor.Config.preset("celeba", image_root=str(tmp_path)), "celeba")
    by = {line.check: line for line in lines}
    assert by["data: image_root"].status == "ok"
    assert by["data: metadata_path"].status == "FAIL" and "--set metadata_path=" in by["data: metadata_path"].fix
    folders = {line.check for line in doctor.data_checks(doctor.Config.preset("rafd"), "rafd")}
    assert folders == {"data: image_root"}


def test_the_command_exits_non_zero_when_training_cannot_start(tmp_path):
    env = dict(os.environ, PATH=stand_ins.path_with(tmp_path), PYTHONPATH=str(REPO))
    for name in ("ASCEND_OPP_PATH", "LD_LIBRARY_PATH"):
        env.pop(name, None)
    r = subprocess.run([sys.executable, "-m", "stargan_nb", "doctor", "--device", "npu", "--run-dir",
                        str(tmp_path / "run")], cwd=str(tmp_path), env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "FAIL  npu-smi info" in r.stdout and "fix: " in r.stdout and "training cannot start" in r.stdout
