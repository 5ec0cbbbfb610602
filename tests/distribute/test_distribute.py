"""More than one device (stargan_nb.distribute): 2 processes on 127.0.0.1 against 1.

The equality test trains the tiny networks for 10 iterations (d_train_repeat 5, Adam: 10 D steps, 2 G steps)
on the same fixed images, targets and gradient-penalty weights: 1 rank x batch 4, and 2 ranks x batch 2 with
TensorFlow's collectives, then again through the HCCL path, whose npu_bridge.hccl.hccl_ops is the STAND-IN of
tests/support/npu_stand_in.py (on the same TensorFlow collectives; CANN's HCCL cannot run here).
"""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import npu_stand_in
from processes import wait_for
from stargan_nb import distribute, runs
from stargan_nb.data import dataset as datasets
from stargan_nb.distribute.launcher import worker_environments
from stargan_nb.distribute.watchdog import EXIT_LOST_RANK
from stargan_nb.runtime.tfcompat import tf
from tiny_runs import TINY, tiny_config
from repo_paths import REPO, SUPPORT

ITERATIONS, PER_RANK = 10, 2
GRADIENT_FLOOR = 1e-6   # |Adam's first moment| below this: a direction whose gradient is zero but for rounding
TOLERANCE = 1e-5        # on every weight with a gradient above the floor (an Adam step here is up to 2e-4)


def env_with_path(env):
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(SUPPORT)] + [p for p in [env.get("PYTHONPATH")] if p])
    return env


def run_ranks(args, envs, timeout=600):
    procs = [subprocess.Popen([sys.executable] + args(rank), env=env_with_path(env), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT) for rank, env in enumerate(envs)]
    outs = [p.communicate(timeout=timeout)[0].decode() for p in procs]
    for p, out in zip(procs, outs):
        assert p.returncode == 0, out[-3000:]
    return outs


def rank_table(path, size):
    table = {"version": "1.0", "status": "completed", "server_count": "1",
             "server_list": [{"server_id": "127.0.0.1", "device": [
                 {"device_id": str(i), "device_ip": "192.168.100.{}".format(101 + i), "rank_id": str(i)}
                 for i in range(size)]}]}
    path.write_text(json.dumps(table))
    return str(path)


def hccl_environments(tmp_path):
    """RANK_TABLE_FILE, RANK_SIZE, RANK_ID, DEVICE_ID as ModelZoo's launchers set them, and the stand-in."""
    folder = npu_stand_in.write(tmp_path / "stand_in")
    table = rank_table(tmp_path / "rank_table.json", 2)
    workers = ",".join(json.loads(worker_environments(2)[0]["TF_CONFIG"])["cluster"]["worker"])
    envs = []
    for rank in range(2):
        env = dict(os.environ, RANK_TABLE_FILE=table, RANK_SIZE="2", RANK_ID=str(rank), DEVICE_ID=str(rank),
                   STAND_IN_HCCL_WORKERS=workers, PYTHONPATH=str(folder))
        env.pop("TF_CONFIG", None)
        envs.append(env)
    return envs


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """1 rank x batch 2B: the final variables, and the initial ones every run starts from."""
    folder = tmp_path_factory.mktemp("reference")
    env = dict(os.environ)
    env.pop("TF_CONFIG", None)
    run_ranks(lambda r: [str(SUPPORT / "distributed_equality.py"), str(folder / "ref.npz"),
                         str(folder / "init.npz"), str(PER_RANK), str(ITERATIONS)], [env])
    return folder


@pytest.mark.parametrize("engine", ["tensorflow", "hccl"])
def test_two_ranks_match_one_rank_of_double_batch(reference, tmp_path, engine):
    envs = worker_environments(2) if engine == "tensorflow" else hccl_environments(tmp_path)
    outs = run_ranks(lambda r: [str(SUPPORT / "distributed_equality.py"), str(tmp_path / "rank{}.npz".format(r)),
                                str(reference / "init.npz"), str(PER_RANK), str(ITERATIONS)], envs)
    assert all("of 2: {}".format(engine) in out for out in outs), outs
    ref = np.load(str(reference / "ref.npz"))
    init = np.load(str(reference / "init.npz"))
    ranks = [np.load(str(tmp_path / "rank{}.npz".format(r))) for r in range(2)]
    assert int(ranks[0]["global_step"]) == int(ref["global_step"]) == ITERATIONS
    worst, noise = 0.0, 0
    for name in ref.files:
        np.testing.assert_array_equal(ranks[1][name], ranks[0][name], err_msg=name)  # one reduction, one result
        if "adam" in name or name == "global_step" or "power" in name:
            continue
        assert np.abs(ref[name] - init[name]).max() > 0, name + " never moved"
        moment = ref[name + ("/g_adam" if name.startswith("generator") else "/d_adam")]
        real = np.abs(moment) >= GRADIENT_FLOOR
        diff = np.abs(ranks[0][name] - ref[name])
        worst = max(worst, float(diff[real].max()) if real.any() else 0.0)
        noise += int((diff[~real] > TOLERANCE).sum())
        # Where the gradient is zero but for rounding (a convolution before instance norm, along the mean), Adam
        # divides that rounding by its own size: such a weight may move by up to the learning rate per step.
        assert (diff[~real] <= 2 * 2e-4 * ITERATIONS).all(), name
    print("{}: largest difference {:.2e} on weights with a gradient; {} rounding-only weights beyond {}".format(
        engine, worst, noise, TOLERANCE))
    assert worst <= TOLERANCE


def test_shards_are_disjoint_and_cover_the_split(toy_root):
    files = datasets.load_dataset(tiny_config(toy_root)).split.train_files
    for size in (2, 3, 8):
        shards = [datasets.shard(files, r, size) for r in range(size)]
        assert sorted(f for s in shards for f in s) == sorted(files)
        assert len(set(f for s in shards for f in s)) == len(files)
        assert max(map(len, shards)) - min(map(len, shards)) <= 1


def test_rank_table_is_checked_before_any_graph_naming_the_field(tmp_path):
    good = rank_table(tmp_path / "table.json", 2)
    assert [d.rank for d in distribute.read_rank_table(good, "2", "1", "1")] == [0, 1]
    with pytest.raises(distribute.RankTableError, match="RANK_SIZE is 8 but .* lists 2 devices"):
        distribute.read_rank_table(good, "8", "0", "0")
    with pytest.raises(distribute.RankTableError, match="DEVICE_ID is 3 .* rank 1 device_id 1"):
        distribute.read_rank_table(good, "2", "1", "3")
    with pytest.raises(distribute.RankTableError, match="no such file"):
        distribute.read_rank_table(str(tmp_path / "missing.json"), "2", "0", "0")
    broken = tmp_path / "broken.json"
    broken.write_text('{"server_list": [')
    with pytest.raises(distribute.RankTableError, match="not JSON"):
        distribute.read_rank_table(str(broken), "2", "0", "0")
    table = json.loads((tmp_path / "table.json").read_text())
    del table["server_list"][0]["device"][1]["device_ip"]
    broken.write_text(json.dumps(table))
    with pytest.raises(distribute.RankTableError, match=r"server_list\[0\]\.device\[1\]\.device_ip is missing"):
        distribute.read_rank_table(str(broken), "2", "0", "0")
    env = {"RANK_TABLE_FILE": str(broken), "RANK_SIZE": "2", "RANK_ID": "0", "DEVICE_ID": "0"}
    with pytest.raises(distribute.RankTableError, match="device_ip is missing"):
        distribute.world_from_environment(None, env)  # before npu_bridge is even looked for


def test_tf_config_is_checked_naming_the_key():
    with pytest.raises(distribute.DistributionError, match="cluster.worker"):
        distribute.world_from_environment(None, {"TF_CONFIG": '{"cluster": {}, "task": {"index": 0}}'})
    with pytest.raises(distribute.DistributionError, match="index"):
        distribute.world_from_environment(None, {"TF_CONFIG": json.dumps(
            {"cluster": {"worker": ["127.0.0.1:1", "127.0.0.1:2"]}, "task": {"type": "worker", "index": 2}})})
    assert distribute.world_from_environment(None, {}).size == 1
    assert "--workers N" in distribute.describe_devices({})
    assert "TensorFlow's collective ops" in distribute.describe_devices({"TF_CONFIG": "{}"})


def train_args(toy_root, run, **changes):
    settings = dict(TINY, collective_timeout=60, summary_steps=1)
    settings.update(changes)
    args = ["-m", "stargan_nb", "train", "--preset", "toy", "--run-dir", str(run), "--no-progress",
            "--set", "image_root={}".format(toy_root / "images"),
            "--set", "metadata_path={}".format(toy_root / "list_attr_celeba.txt")]
    for k, v in settings.items():
        args += ["--set", "{}={}".format(k, json.dumps(v))]
    return args


def launcher(toy_root, run, **changes):
    env = env_with_path(dict(os.environ))
    env.pop("TF_CONFIG", None)
    return subprocess.run([sys.executable] + train_args(toy_root, run, **changes) + ["--workers", "2"], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)


def results(out):
    return [json.loads(line) for line in out.splitlines() if line.startswith('{"run_dir"')]


def test_launcher_writes_on_rank_0_only_and_resumes_on_both_ranks(toy_root, tmp_path):
    run = tmp_path / "run"
    done = launcher(toy_root, run, training_iterations=5)
    out = done.stdout.decode()
    assert done.returncode == 0, out[-3000:]
    assert "global batch 8" in out and "rank 1 of 2" in out
    assert sorted(r["step"] for r in results(out)) == [5, 5]
    # one writer: one TensorBoard file, one metrics row per step, no lock left, the run's usual files only
    assert len(os.listdir(str(run / "logs"))) == 1
    assert [r["step"] for r in runs.read_metrics(str(run))] == [1, 2, 3, 4, 5]
    assert sorted(os.listdir(str(run))) == ["checkpoints", "config.json", "logs", "metrics.jsonl", "samples",
                                            "split.json"]

    done = launcher(toy_root, run, training_iterations=10)  # a resume continues on both ranks
    out = done.stdout.decode()
    assert done.returncode == 0, out[-3000:]
    assert [(r["start_step"], r["step"]) for r in results(out)] == [(5, 10), (5, 10)]


def test_a_lost_rank_stops_the_other_naming_it_and_a_rerun_resumes(toy_root, tmp_path):
    run = tmp_path / "run"
    envs = worker_environments(2)
    timeout = 30
    args = [sys.executable] + train_args(toy_root, run, training_iterations=100000, collective_timeout=timeout)
    with open(str(tmp_path / "rank1.log"), "wb") as rank1_log:  # rank 0's output is read; rank 1's must not fill a pipe
        procs = [subprocess.Popen(args, env=env_with_path(envs[0]), stdout=subprocess.PIPE, stderr=subprocess.STDOUT),
                 subprocess.Popen(args, env=env_with_path(envs[1]), stdout=rank1_log, stderr=subprocess.STDOUT)]
    try:
        wait_for(lambda: runs.latest_checkpoint(str(run)) and runs.checkpoint_step(
            runs.latest_checkpoint(str(run))) >= 10, procs[0], timeout=900)
        procs[1].send_signal(signal.SIGKILL)
        killed = time.time()
        out = procs[0].communicate(timeout=timeout + 60)[0].decode()
        waited = time.time() - killed
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert procs[0].returncode == EXIT_LOST_RANK, out[-3000:]
    assert "lost rank 1" in out and "does not answer" in out, out[-3000:]
    assert waited < timeout + 60
    last = runs.latest_checkpoint(str(run))
    step = runs.checkpoint_step(last)
    assert tf.train.load_variable(last, "global_step") == step
    done = launcher(toy_root, run, training_iterations=step + 5)  # rerunning the launcher resumes
    out = done.stdout.decode()
    assert done.returncode == 0, out[-3000:]
    assert [(r["start_step"], r["step"]) for r in results(out)] == [(step, step + 5)] * 2
