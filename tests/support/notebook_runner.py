"""Run a workbook notebook through papermill, as `make demo` does, into outputs/tests/tf1 or tf2 (one folder per
suite, as `make test` runs the two suites side by side)."""

import papermill
from repo_paths import REPO

from stargan_nb.runtime.tfcompat import IS_TF2

OUT = REPO / "outputs" / "tests" / ("tf2" if IS_TF2 else "tf1")


def run(name, **parameters):
    OUT.mkdir(parents=True, exist_ok=True)
    dst = OUT / name
    papermill.execute_notebook(str(REPO / "notebooks" / name), str(dst), parameters=parameters,
                               kernel_name="python3", cwd=str(REPO / "notebooks"), progress_bar=False)
    return dst


def outputs_of(nb_path):
    """The text and the number of images a notebook printed, for assertions."""
    import nbformat
    nb = nbformat.read(str(nb_path), as_version=4)
    text, images = [], 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                text.append(out.get("text", ""))
            data = out.get("data", {})
            for kind in ("text/markdown", "text/plain"):
                if kind in data:
                    text.append(data[kind])
            images += "image/png" in data
    return "\n".join(text), images
