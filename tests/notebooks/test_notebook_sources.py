"""The .ipynb files are the notebooks' only source: committed clean, teaching, and importing what exists.

A static check, so a renamed or removed package name breaks a test here even before a notebook runs.
"""
import ast
import importlib
import json

import nbformat
import pytest
from repo_paths import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def test_there_is_no_second_source_of_the_notebooks():
    root = NOTEBOOKS[0].parent.parent
    assert len(NOTEBOOKS) >= 8
    assert not (root / "scripts" / "notebooks").exists(), "notebooks are edited as .ipynb; no generator scripts"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_clean_and_teaches_before_each_step(path):
    raw = json.loads(path.read_text(encoding="utf-8"))
    missing = [k for k, cell in enumerate(raw["cells"]) if "id" not in cell]
    assert not missing, "cells {} have no id (nbformat 4.5 asks for one; reading adds it with a warning)".format(missing)
    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "commit notebooks without outputs"
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "one papermill parameters cell"
    for before, cell in zip(nb.cells, nb.cells[1:]):
        if cell.cell_type == "code":
            assert before.cell_type == "markdown", "a markdown cell must say what this step does:\n" + cell.source


def _imports(source):
    """(module, [names]) for every `from stargan_nb... import ...` and `import stargan_nb...` in a cell."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("stargan_nb"):
            yield node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("stargan_nb"):
                    yield a.name, []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_name_a_notebook_imports_from_the_package_exists(path):
    nb = nbformat.read(str(path), as_version=4)
    seen = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for module, names in _imports(cell.source):
            mod = importlib.import_module(module)
            for name in names:
                assert hasattr(mod, name) or importlib.util.find_spec(module + "." + name), \
                    "{} imports {} from {}, which has no such name".format(path.name, name, module)
            seen += 1
    assert seen, "every notebook calls the package"


def _parameters(path):
    nb = nbformat.read(str(path), as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    values = {}
    for node in ast.parse(cell.source).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            values[node.targets[0].id] = ast.literal_eval(node.value)
    return values


def test_every_notebook_s_default_run_is_the_one_make_demo_trains():
    """After `make demo`, each notebook opened as it is works on the demo's run: the demo passes no run_dir,
    and every default run_dir is the toy preset's output_dir, which 03 trains into when output_dir is empty."""
    from stargan_nb import demo
    from stargan_nb.config import Config
    by_name = {p.name: p for p in NOTEBOOKS}
    train = _parameters(by_name["03_train.ipynb"])
    assert train["preset"] == "toy" and train["output_dir"] == ""
    assert Config.preset("toy").output_dir == demo.DEMO_RUN
    readers = [name for name in by_name if "run_dir" in _parameters(by_name[name]) and name != demo.MULTI_NOTEBOOK]
    assert {"04_training_monitor.ipynb", "05_translate.ipynb", "06_fid_evaluation.ipynb", "07_freeze_pb.ipynb"} <= set(readers)
    for name in readers:
        assert _parameters(by_name[name])["run_dir"] == demo.DEMO_RUN, name
    # 08's run is the joint one, which `make demo-multi` trains and `make demo` then opens.
    multi = _parameters(by_name[demo.MULTI_NOTEBOOK])
    assert multi["run_dir"] == "" and Config.preset(multi["preset"]).output_dir == demo.MULTI_RUN
    for name, params in demo.DEMO_NOTEBOOKS:
        assert "run_dir" not in params and "output_dir" not in params, name
