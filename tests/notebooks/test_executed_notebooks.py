"""The executed demo notebooks read as a reader sees them: no progress bar frozen at 0 %, no markdown naming a
file the code does not write (`demo.executed_problems`, which `make demo` runs on its own copies)."""
import json

import pytest

from stargan_nb.demo import DEMO_NOTEBOOKS, MULTI_NOTEBOOK, executed_problems
from stargan_nb.runtime.paths import workbook_root


def notebook(path, cells):
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def markdown(text):
    return {"cell_type": "markdown", "metadata": {}, "source": [text]}


def code_with(output):
    return {"cell_type": "code", "metadata": {}, "source": [""], "outputs": [output]}


def test_the_check_catches_a_frozen_bar_and_a_file_nothing_wrote(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "eval.json").write_text("{}")
    widget = {"output_type": "display_data", "metadata": {},
              "data": {"text/plain": "training:   0%|          | 0/3000 [00:00<?, ?it/s]",
                       "application/vnd.jupyter.widget-view+json": {"model_id": "x"}}}
    redrawn = {"output_type": "stream", "name": "stderr",   # as papermill stores it: a list of lines
               "text": ["checking images:   0%| | 0/9\rchecking images: 100%|#| 9/9\n", "done\n"]}
    printed = {"output_type": "stream", "name": "stdout", "text": "atc --output=out/stargan_model ...\n"}
    bad = notebook(tmp_path / "bad.ipynb", [markdown("The command writes `stargan.om` and `eval.json`."),
                                            code_with(widget)])
    good = notebook(tmp_path / "good.ipynb", [markdown("It writes `stargan_model.om` and `eval.json`.\n```bash\n"
                                                       "papermill 03_train.ipynb outputs/mine.ipynb\n```"),
                                              code_with(redrawn), code_with(printed)])
    found = executed_problems([bad, good], [tmp_path / "run"])
    assert found == ["bad.ipynb cell 0: names stargan.om, which nothing wrote",
                     "bad.ipynb cell 1: a progress bar left at 0%: training:   0%|          | 0/3000 [00:00<?, ?it/s]"]


DEMO = workbook_root() / "outputs" / "demo"


@pytest.mark.skipif(not (DEMO / "03_train.ipynb").exists(),
                    reason="no executed demo here (outputs/demo is written by make demo)")
def test_the_executed_demo_notebooks_read_cleanly():
    names = [n for n, _ in DEMO_NOTEBOOKS] + [MULTI_NOTEBOOK]
    paths = [DEMO / n for n in names if (DEMO / n).exists()]
    assert executed_problems(paths, [workbook_root()]) == []
