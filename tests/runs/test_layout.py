"""The package's layout: the names DESIGN.md promises, one CLI, and runs written by the previous layout.

`tests/fixtures/run_layout_v1` was trained (4 iterations, tiny networks) by version 0.1 of the package,
whose modules were one flat folder, before the regrouping by stage; its translation of fixed inputs was
saved beside it. Everything that reads a run must still read it, and translate it the same way.
"""
import json
import shutil
import subprocess
import sys

import numpy as np

from stargan_nb import runs
from stargan_nb.deploy.freeze import freeze_generator, load_frozen
from stargan_nb.deploy.inference import Generator, open_run
from stargan_nb.training.loop import train
from tiny_runs import tiny_config
from repo_paths import FIXTURES, REPO


def test_the_module_names_design_md_promises_still_import():
    from stargan_nb.config import Config
    from stargan_nb.data import make_toy_celeba, read_attributes  # noqa: F401
    from stargan_nb.device import session_config  # noqa: F401
    from stargan_nb.fid import frechet_distance  # noqa: F401
    from stargan_nb.freeze import freeze_generator as stable_freeze, load_frozen as stable_load  # noqa: F401
    from stargan_nb.networks import count_parameters
    from stargan_nb.train import train as stable_train
    import stargan_nb.model.networks
    import stargan_nb.networks
    assert stargan_nb.networks is stargan_nb.model.networks, "one module, two names: not a copy"
    assert stable_train is train and stable_freeze is freeze_generator
    assert count_parameters(Config.preset("celeba")) == {"generator": 8430528, "discriminator": 44762048}


def test_one_command_line_lists_its_commands_and_rejects_unknown_ones():
    out = subprocess.run([sys.executable, "-m", "stargan_nb"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         universal_newlines=True)
    assert out.returncode == 2
    for command in ("demo", "train", "accuracy", "freeze", "convert", "inception"):
        assert "\n    {} ".format(command) in out.stdout
    out = subprocess.run([sys.executable, "-m", "stargan_nb", "trian"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, universal_newlines=True)
    assert out.returncode == 2 and "unknown command 'trian'" in out.stderr


def _old_run(toy_root, tmp_path):
    """A copy of the 0.1 run, its data paths pointed at the session's toy faces (the same seed it was trained on)."""
    run = tmp_path / "old_run"
    shutil.copytree(str(FIXTURES / "run_layout_v1"), str(run))
    config = json.loads((run / "config.json").read_text())
    config.update(image_root=str(toy_root / "images"), metadata_path=str(toy_root / "list_attr_celeba.txt"),
                  output_dir=str(run))
    (run / "config.json").write_text(json.dumps(config))
    return run


def test_a_run_written_by_the_previous_layout_translates_as_it_did(toy_root, tmp_path):
    run = _old_run(toy_root, tmp_path)
    saved = np.load(str(FIXTURES / "run_layout_v1_translation.npz"))
    with Generator(str(run)) as gen:
        assert gen.step == 4
        np.testing.assert_allclose(gen(saved["x"], saved["c"]), saved["y"], atol=1e-4)
    pb = tmp_path / "old.pb"
    freeze_generator(str(run), str(pb))
    np.testing.assert_allclose(load_frozen(str(pb))(saved["x"], saved["c"]), saved["y"], atol=1e-4)
    opened = open_run(str(run), n_images=3)
    opened.gen.close()
    assert opened.images.shape == (3, 16, 16, 3) and opened.labels.shape == (3, 5)
    assert [step for step, _ in runs.spread_samples(str(run), 3)] == [4]
    assert [r["step"] for r in runs.read_metrics(str(run))] == [2, 4]


def test_a_run_written_by_the_previous_layout_resumes(toy_root, tmp_path):
    run = _old_run(toy_root, tmp_path)
    config = tiny_config(toy_root, g_conv_dim=4, d_conv_dim=4, training_iterations=6, checkpoint_steps=4,
                         save_steps=4, summary_steps=2, keep_checkpoints=1)
    result = train(config, str(run), progress=False)
    assert (result["start_step"], result["step"]) == (4, 6)
    assert [r["step"] for r in runs.read_metrics(str(run))] == [2, 4, 6]


def test_relative_paths_are_taken_from_the_workbook_root_wherever_python_runs(tmp_path, monkeypatch):
    from stargan_nb.runtime.paths import resolve, workbook_root
    root = REPO
    monkeypatch.delenv("STARGAN_NB_ROOT", raising=False)
    monkeypatch.chdir(str(tmp_path))  # as a notebook's kernel runs in notebooks/
    assert workbook_root() == root
    assert resolve("outputs/demo/toy_run") == root / "outputs" / "demo" / "toy_run"
    assert runs.run_path("outputs/x", runs.EVAL) == str(root / "outputs" / "x" / "eval.json")
