"""scripts/ascend/: ModelZoo's 1p scripts over the workbook's command line, run on the CPU with the toy preset at
tiny size; their summary lines and ModelZoo's <CaseName>.log are parsed. TensorFlow 1.15 suite only: the scripts
are for Ascend's TensorFlow 1.15, and the command line they wrap is tested on both versions elsewhere."""
import os
import re
import subprocess
import sys

import pytest

from tiny_runs import TINY
from repo_paths import REPO

SCRIPTS = REPO / "scripts" / "ascend"

pytestmark = pytest.mark.skipif(not sys.version_info[:2] == (3, 7), reason="Ascend's stack is TensorFlow 1.15")

SIZE = ["--set={}={}".format(k, v) for k, v in TINY.items()
        if k in ("image_size", "g_conv_dim", "d_conv_dim", "g_repeat_num", "d_repeat_num", "n_test",
                 "num_step_decay")] + ["--set=checkpoint_steps=3", "--set=save_steps=3", "--batch_size=4"]


def script(name, args, out, **env):
    full = dict(os.environ, PYTHON=sys.executable, STARGAN_ASCEND_OUTPUT=str(out), ASCEND_DEVICE_ID="3", **env)
    return subprocess.run(["bash", str(SCRIPTS / name), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, env=full, timeout=600)


def fields(path):
    return dict(line.split(" = ", 1) for line in path.read_text().splitlines())


def test_full_and_performance_scripts_log_where_modelzoo_does_and_end_with_its_summary(toy_root, tmp_path):
    out = tmp_path / "output"
    r = script("train_full_1p.sh", ["--data_path=" + str(toy_root), "--preset=toy", "--train_steps=6",
                                    "--set=summary_steps=2", *SIZE], out)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (out / "3" / "train_3.log").is_file() and (out / "3" / "ckpt" / "config.json").is_file()
    fps = float(re.search(r"Final Performance images/sec : ([0-9.]+)", r.stdout).group(1))
    case = fields(out / "3" / "StarGAN_workbook_for_TensorFlow_bs4_1p_acc.log")
    assert fps > 0 and float(case["ActualFPS"]) == fps and case["Steps"] == "6" and case["RankSize"] == "1"
    assert abs(float(case["TrainingTime"]) - 4 * 1000 / fps) < 0.02 * float(case["TrainingTime"])
    losses = (out / "3" / "train_StarGAN_workbook_for_TensorFlow_bs4_1p_acc_loss.txt").read_text().split()
    assert len(losses) == 3 and float(case["ActualLoss"]) == pytest.approx(float(losses[-1]), abs=1e-4)

    r = script("train_performance_1p.sh", ["--data_path=" + str(toy_root), "--preset=toy", "--train_steps=4",
                                           "--precision_mode=must_keep_origin_dtype", *SIZE], out)
    assert r.returncode == 0, r.stdout + r.stderr
    perf = fields(out / "3" / "StarGAN_workbook_for_TensorFlow_bs4_1p_perf.log")
    assert perf["Steps"] == "4" and perf["PrecisionMode"] == "must_keep_origin_dtype" and float(perf["ActualFPS"]) > 0
    assert (out / "3" / "ckpt" / "config.json").is_file()  # the full run's directory is left as it was

    pb = tmp_path / "stargan_model.pb"
    r = script("frozen_graph_1p.sh", ["--input_checkpoint", str(out / "3" / "ckpt"), "--out_pb_path", str(pb)], out)
    assert r.returncode == 0 and pb.is_file() and "atc --model=" in r.stdout, r.stdout + r.stderr


def test_a_mistyped_argument_or_a_missing_run_is_named(tmp_path):
    r = script("train_full_1p.sh", ["--data_pth=/data"], tmp_path)
    assert r.returncode == 2 and "unknown argument '--data_pth=/data'" in r.stderr and "usage:" in r.stderr
    r = script("train_full_1p.sh", ["--precision_mode=force_fp16"], tmp_path)
    assert r.returncode == 2 and "--data_path=<folder> is required" in r.stderr
    r = script("test_1p.sh", [], tmp_path, output_dir=str(tmp_path / "nothing"))
    assert r.returncode == 2 and "is not a run directory" in r.stderr
