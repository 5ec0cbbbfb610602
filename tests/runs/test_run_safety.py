"""Nothing lost, whatever happens to a run directory (issue 31), each case as a careless user would cause it:
a deleted .index, a copied or moved run, two trainings on one run, data changed between sessions, a failed
start, a read-only checkpoints/ folder, a full disk at a save. Real trainings of tiny networks on real files.
"""
import hashlib
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stargan_nb import runs
from stargan_nb.deploy.freeze import freeze_generator
from stargan_nb.deploy.inference import Generator
from stargan_nb.runs import RunError, RunLockedError, SplitChangedError
from stargan_nb.runs.lock import RunLock
from stargan_nb.training.loop import train
from processes import wait_for
from tiny_runs import TINY, tiny_config, tiny_folder_config


def snapshot(folder):
    """Every file under folder -> its sha256: to show that nothing in it changed."""
    out = {}
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file():
            out[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def ckpt_steps(run):
    return [c.step for c in runs.Run(run).checkpoints()]


def trained(toy_root, run, **changes):
    return train(tiny_config(toy_root, **changes), str(run), progress=False)


# ----------------------------------------------------------------------------- 1. checkpoints belong to their run
def test_a_deleted_index_resumes_from_the_newest_complete_checkpoint_and_overwrites_nothing(toy_root, tmp_path):
    run = tmp_path / "run"
    trained(toy_root, run)                                   # model-5, model-10
    five = snapshot(run / "checkpoints")
    os.unlink(str(run / "checkpoints" / "model-10.index"))  # an interrupted copy, a sync tool, a full disk
    result = trained(toy_root, run, training_iterations=15)
    assert result["start_step"] == 5, "never silently from 0, nor from the broken model-10"
    assert result["skipped_checkpoints"] and "model-10 (its .index file is missing)" in result["skipped_checkpoints"][0]
    # The broken checkpoint's data was moved aside, not overwritten by the new model-10.
    moved = run / "checkpoints" / "unusable" / "model-10.data-00000-of-00001"
    assert moved.exists() and hashlib.sha256(moved.read_bytes()).hexdigest() == five["model-10.data-00000-of-00001"]
    assert ckpt_steps(run) == [5, 10, 15]
    rows = runs.read_metrics(str(run))
    assert [r["step"] for r in rows] == sorted({r["step"] for r in rows}) and rows[-1]["step"] == 15


def test_a_run_whose_checkpoints_are_all_broken_stops_and_changes_nothing(toy_root, tmp_path):
    run = tmp_path / "run"
    trained(toy_root, run)
    for name in ("model-5.index", "model-10.index"):
        os.unlink(str(run / "checkpoints" / name))
    before = snapshot(run)
    with pytest.raises(RunError, match="none can be restored: model-5 .its .index file is missing.; model-10"):
        trained(toy_root, run, training_iterations=15)
    assert snapshot(run) == before and not (run / runs.LOCK).exists()


def test_a_data_file_cut_short_is_skipped_with_the_reason(toy_root, tmp_path):
    run = tmp_path / "run"
    trained(toy_root, run)
    data = run / "checkpoints" / "model-10.data-00000-of-00001"
    data.write_bytes(data.read_bytes()[:100])
    found = {c.step: c.problem for c in runs.Run(run).checkpoints()}
    assert found[5] is None and "cut short" in found[10]
    assert runs.latest_checkpoint(str(run)).endswith("model-5")
    with Generator(str(run)) as gen:
        assert gen.step == 5


def _legacy_state_file(run, original):
    """What versions before relative checkpoints wrote: absolute paths, here into the original run."""
    (run / "checkpoints" / "checkpoint").write_text(
        'model_checkpoint_path: "{0}/checkpoints/model-10"\n'
        'all_model_checkpoint_paths: "{0}/checkpoints/model-5"\n'
        'all_model_checkpoint_paths: "{0}/checkpoints/model-10"\n'.format(original))


def test_a_copied_run_resumes_from_its_own_files_and_never_touches_the_original(toy_root, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    trained(toy_root, a, keep_checkpoints=2)
    shutil.copytree(str(a), str(b))
    _legacy_state_file(b, a)
    original = snapshot(a)
    result = trained(toy_root, b, keep_checkpoints=1, training_iterations=20)   # rotation deletes b's older ones
    assert result["start_step"] == 10
    assert snapshot(a) == original, "the original run's files are exactly as they were"
    assert ckpt_steps(b) == [20]
    state = (b / "checkpoints" / "checkpoint").read_text()
    assert str(a) not in state and str(tmp_path) not in state, "the state file names its checkpoints relative"
    pb = tmp_path / "b.pb"
    info = freeze_generator(str(b), str(pb))
    assert info["step"] == 20 and info["checkpoint"].startswith(str(b))


def test_a_moved_run_freezes_evaluates_and_resumes(toy_root, tmp_path):
    a = tmp_path / "a"
    trained(toy_root, a)
    _legacy_state_file(a, a)
    moved = tmp_path / "renamed"
    os.rename(str(a), str(moved))
    info = freeze_generator(str(moved), str(tmp_path / "m.pb"))
    assert info["step"] == 10
    with Generator(str(moved), 5) as gen:
        assert gen.step == 5 and gen.checkpoint.startswith(str(moved))
    assert trained(toy_root, moved, training_iterations=15)["start_step"] == 10


# ----------------------------------------------------------------------------- 2. one writer per run
def _train_in_subprocess(toy_root, run, iterations):
    args = [sys.executable, "-m", "stargan_nb", "train", "--preset", "toy", "--run-dir", str(run), "--no-progress",
            "--set", "image_root={}".format(toy_root / "images"),
            "--set", "metadata_path={}".format(toy_root / "list_attr_celeba.txt")]
    for k, v in dict(TINY, training_iterations=iterations, checkpoint_steps=5, summary_steps=1).items():
        args += ["--set", "{}={}".format(k, v)]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_a_second_training_on_a_run_stops_at_once_naming_the_holder_and_readers_keep_working(toy_root, tmp_path):
    run = tmp_path / "run"
    proc = _train_in_subprocess(toy_root, run, iterations=100000)
    try:
        wait_for(lambda: runs.holder_of(str(run / runs.LOCK)) is not None and ckpt_steps(run)
                 and (run / "metrics.jsonl").exists(), proc, timeout=180, poll=0.05)
        metrics_before = (run / "metrics.jsonl").read_bytes()
        t0 = time.time()
        with pytest.raises(RunLockedError) as err:
            trained(toy_root, run, training_iterations=100000)
        message = str(err.value)
        assert "process {} on host {}".format(proc.pid, socket.gethostname()) in message
        assert "started 20" in message and time.time() - t0 < 60
        # The second training wrote nothing: the first one's metrics only grew (same first rows).
        assert (run / "metrics.jsonl").read_bytes().startswith(metrics_before)
        # Readers take no lock.
        with Generator(str(run)) as gen:
            assert gen.step >= 5
    finally:
        proc.kill()  # SIGKILL: no exit handler runs, the lock file stays behind
        proc.wait()
    assert (run / runs.LOCK).exists() and runs.holder_of(str(run / runs.LOCK)) is None, "a stale lock"
    last = max(ckpt_steps(run))
    result = trained(toy_root, run, training_iterations=last + 2)   # the stale lock is taken over
    assert result["start_step"] == last and not (run / runs.LOCK).exists()


def test_the_lock_is_released_on_every_exit_path(toy_root, tmp_path):
    run = tmp_path / "run"
    trained(toy_root, run)
    assert not (run / runs.LOCK).exists()
    with pytest.raises(Exception):
        trained(toy_root, run, training_iterations=12, init_learning_rate=1e30)  # diverges: an error mid-run
    assert not (run / runs.LOCK).exists()
    with RunLock(str(run / runs.LOCK)):
        with pytest.raises(RunLockedError, match="process {} ".format(os.getpid())):
            RunLock(str(run / runs.LOCK)).acquire()   # the same process, twice: refused too


# ----------------------------------------------------------------------------- 3. the split is recorded
def _copy_toy(toy_root, tmp_path):
    copy = tmp_path / "toy"
    shutil.copytree(str(toy_root), str(copy))
    return copy


def _add_celeba_rows(root, n):
    path = root / "list_attr_celeba.txt"
    lines = path.read_text().splitlines()
    first = lines[2].split()
    for k in range(n):
        name = "added_{}.png".format(k)
        shutil.copy(str(root / "images" / first[0]), str(root / "images" / name))
        lines.append(" ".join([name] + first[1:]))
    lines[0] = str(len(lines) - 2)
    path.write_text("\n".join(lines) + "\n")


def test_images_added_between_sessions_stop_the_resume_unless_allowed(toy_root, tmp_path):
    data = _copy_toy(toy_root, tmp_path)
    run = tmp_path / "run"
    trained(data, run)
    record = json.loads((run / runs.SPLIT).read_text())
    assert len(record["datasets"]["first"]["test"]) == TINY["n_test"]
    _add_celeba_rows(data, 3)
    before = snapshot(run)
    with pytest.raises(SplitChangedError, match=r"first dataset: 3 files added \(added_0.png, added_1.png, "
                                                r"added_2.png\), 0 removed; \d+ test images would be trained on"):
        trained(data, run, training_iterations=15)
    assert snapshot(run) == before
    result = train(tiny_config(data, training_iterations=15), str(run), progress=False, allow_split_change=True)
    assert result["start_step"] == 10
    record = json.loads((run / runs.SPLIT).read_text())
    assert record["history"][0]["changed_at_step"] == 10
    assert record["history"][0]["changes"]["first"]["added"] == ["added_0.png", "added_1.png", "added_2.png"]


def test_a_folder_dataset_records_its_split_and_names_removed_files(toy_rafd_root, tmp_path):
    data = tmp_path / "rafd"
    shutil.copytree(str(toy_rafd_root), str(data))
    run = tmp_path / "run"
    config = tiny_folder_config(data, training_iterations=2, checkpoint_steps=2, save_steps=2)
    train(config, str(run), progress=False)
    gone = sorted((data / "happy").iterdir())[0]
    gone.unlink()
    with pytest.raises(SplitChangedError, match=r"0 files added, 1 removed \(happy/{}\)".format(gone.name)):
        train(config.replace(training_iterations=4), str(run), progress=False)


def test_joint_trainings_second_dataset_is_part_of_the_record(toy_root, toy_rafd_root, tmp_path):
    from stargan_nb import data as datasets
    from tiny_runs import tiny_joint_config
    rafd = tmp_path / "rafd"
    shutil.copytree(str(toy_rafd_root), str(rafd))
    config = tiny_joint_config(toy_root, rafd)
    run = runs.Run(tmp_path / "run")
    os.makedirs(run.path)

    def both():
        return {"first": datasets.load_dataset(config), "second": datasets.load_second_dataset(config)}
    run.record_split(both())
    assert run.check_split(both()) == {}
    shutil.copy(str(next((rafd / "sad").iterdir())), str(rafd / "sad" / "extra.png"))
    with pytest.raises(SplitChangedError, match=r"second dataset: 1 files added \(sad/extra.png\)"):
        run.check_split(both())


# ----------------------------------------------------------------------------- 4. check, then write
def test_a_failed_start_leaves_no_run_directory_behind(toy_root, tmp_path):
    run = tmp_path / "new_run"
    bad = tiny_config(toy_root, metadata_path=str(tmp_path / "missing.txt"))
    with pytest.raises(Exception, match="missing.txt"):
        train(bad, str(run), progress=False)
    assert not run.exists(), "the corrected rerun must not meet a half-made run"
    trained(toy_root, run, training_iterations=2, checkpoint_steps=2)   # the corrected rerun


def test_what_an_untrained_start_left_does_not_block_a_run_of_another_architecture(toy_root, tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    tiny_config(toy_root, g_conv_dim=16).save(str(run / runs.CONFIG))   # config.json, no checkpoint
    assert trained(toy_root, run, training_iterations=2, checkpoint_steps=2)["step"] == 2
    assert runs.load_run_config(str(run)).g_conv_dim == TINY["g_conv_dim"]


def test_a_failed_start_on_an_existing_run_leaves_it_as_it_was(toy_root, tmp_path):
    run = tmp_path / "run"
    trained(toy_root, run)
    before = snapshot(run)
    with pytest.raises(Exception, match="different architecture"):
        trained(toy_root, run, g_conv_dim=16, training_iterations=15)
    with pytest.raises(Exception, match="missing.txt"):
        trained(toy_root, run, metadata_path=str(tmp_path / "missing.txt"), training_iterations=15)
    assert snapshot(run) == before


def _read_only(folder):
    """A folder nobody may write into, root included (chattr +i where we are root; chmod otherwise)."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
        return lambda: subprocess.run(["chattr", "-i", str(folder)], check=True)
    os.chmod(str(folder), 0o555)
    return lambda: os.chmod(str(folder), 0o755)


def test_a_read_only_checkpoints_folder_is_refused_before_anything_is_written(toy_root, tmp_path):
    if os.geteuid() == 0 and shutil.which("chattr") is None:
        pytest.fail("chattr is needed to make a folder read-only for root (apt-get install e2fsprogs)")
    run = tmp_path / "run"
    trained(toy_root, run)
    before = snapshot(run)
    undo = _read_only(run / "checkpoints")
    try:
        with pytest.raises(RunError, match=r"checkpoints is not writable"):
            trained(toy_root, run, training_iterations=15)
    finally:
        undo()
    assert snapshot(run) == before


def test_too_little_free_disk_for_a_checkpoint_is_refused(tmp_path):
    with pytest.raises(RunError, match=r"MB free, and a checkpoint of this model needs"):
        runs.Run(tmp_path / "run").check_writable(need_bytes=shutil.disk_usage(str(tmp_path)).free)
    assert not (tmp_path / "run").exists()


def test_a_save_that_fails_on_a_full_disk_says_so_removes_its_files_and_keeps_the_previous(toy_root, tmp_path):
    run = tmp_path / "run"
    trained(toy_root, run, training_iterations=5)
    size = os.path.getsize(str(run / "checkpoints" / "model-5.data-00000-of-00001"))

    def full_disk():  # every file this process writes stops growing at half a checkpoint: the disk is "full"
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size // 2, size // 2))
    proc = _train_in_subprocess(toy_root, run, iterations=10)
    proc.kill()
    proc.wait()
    args = proc.args
    out = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=full_disk,
                         universal_newlines=True, timeout=300)
    assert out.returncode != 0
    assert "could not save the checkpoint of iteration 10" in out.stdout, out.stdout[-3000:]
    assert "the previous checkpoint model-5 is complete and the run resumes from it" in out.stdout
    leftovers = [f for f in os.listdir(str(run / "checkpoints")) if "temp" in f or f.startswith("model-10")]
    assert leftovers == []
    assert trained(toy_root, run, training_iterations=10)["start_step"] == 5


# ----------------------------------------------------------------------------- found by breaking it (issue 31 review)
def test_a_failed_start_through_a_missing_folder_and_dotdot_deletes_nothing(toy_root, tmp_path):
    parent = tmp_path / "P"
    trained(toy_root, parent / "a")
    (parent / "b").mkdir()
    (parent / "b" / "keep.txt").write_text("someone else's")
    before = snapshot(parent)
    with pytest.raises(Exception, match="different architecture"):
        trained(toy_root, str(parent / "missing" / ".." / "a"), g_conv_dim=16, training_iterations=15)
    with pytest.raises(Exception, match="missing.txt"):
        trained(toy_root, str(parent / "missing" / ".."), metadata_path=str(tmp_path / "missing.txt"))
    assert snapshot(parent) == before and not (parent / "missing").exists()


def test_only_tensorflows_temporary_names_are_removed_at_a_start(toy_root, tmp_path):
    run = tmp_path / "run"
    trained(toy_root, run)
    mine = run / "checkpoints" / "exp_temp"
    mine.mkdir()
    (mine / "notes.txt").write_text("not TensorFlow's")
    (run / "checkpoints" / "model-15_temp_0123abcd").mkdir()   # what a kill during a TF 1.15 save leaves
    (run / "checkpoints" / "model-10.index.tempstate42").write_text("")
    trained(toy_root, run, training_iterations=12)
    assert (mine / "notes.txt").exists()
    assert not (run / "checkpoints" / "model-15_temp_0123abcd").exists()
    assert not (run / "checkpoints" / "model-10.index.tempstate42").exists()


def test_a_checkpoints_folder_that_links_elsewhere_is_refused(toy_root, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    trained(toy_root, a)
    shutil.copytree(str(a), str(b))
    shutil.rmtree(str(b / "checkpoints"))
    os.symlink(str(a / "checkpoints"), str(b / "checkpoints"))
    before = snapshot(a)
    with pytest.raises(RunError, match="is a link to .*a/checkpoints"):
        trained(toy_root, b, keep_checkpoints=1, training_iterations=15)
    assert snapshot(a) == before


@pytest.mark.parametrize("text", ["{", "", "[]", '{"datasets": {"first": {"root": "x"}}}'])
def test_a_broken_split_record_stops_the_resume_instead_of_turning_the_check_off(toy_root, tmp_path, text):
    run = tmp_path / "run"
    trained(toy_root, run, training_iterations=2, checkpoint_steps=2)
    (run / runs.SPLIT).write_text(text)
    with pytest.raises(SplitChangedError, match="split.json (cannot be read|not a split record)"):
        trained(toy_root, run, training_iterations=4)


def test_damaged_checkpoint_bytes_fall_back_to_the_one_before(toy_root, tmp_path):
    run = tmp_path / "run"
    trained(toy_root, run)
    data = run / "checkpoints" / "model-10.data-00000-of-00001"
    raw = bytearray(data.read_bytes())
    for i in range(0, len(raw), 7):
        raw[i] ^= 0xFF                                      # same size: only the checksums can tell
    data.write_bytes(bytes(raw))
    with Generator(str(run)) as gen:                        # a reader takes the one before, and says so
        assert gen.step == 5
    result = trained(toy_root, run, training_iterations=15)
    assert result["start_step"] == 5 and "model-10 (damaged" in result["skipped_checkpoints"][0]


def test_a_run_whose_config_is_gone_is_not_given_another_architectures(toy_root, tmp_path):
    run = tmp_path / "run"
    trained(toy_root, run)
    os.unlink(str(run / runs.CONFIG))
    before = snapshot(run)
    with pytest.raises(RunError, match="does not fit this training graph"):
        trained(toy_root, run, g_conv_dim=16, training_iterations=15)
    assert snapshot(run) == before, "no config.json of the wrong network written"


def test_a_lock_file_deleted_by_hand_is_noticed_by_its_holder(tmp_path):
    lock = RunLock(str(tmp_path / runs.LOCK)).acquire()
    assert lock.still_ours()
    os.unlink(lock.path)                                     # what a person does after a "being trained" message
    other = RunLock(lock.path).acquire()                     # ... letting a second training in
    assert not lock.still_ours() and other.still_ours()
    other.release()
    lock.release()
