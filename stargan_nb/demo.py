"""`make demo`: generate the toy faces and run the notebooks headless into outputs/demo/.

Each notebook runs through papermill exactly as a person would run it in JupyterLab;
the executed copies (with their plots) are the demo's output. Joint training (08) does not fit in the
demo's 15 minutes: `make demo` runs 08 without training (its datasets, labels and mask vector; its
translations too once `make demo-multi` (`--multi`) has trained the joint run in outputs/toy_both).
The executed copies are then read as a reader would: a progress bar left at 0 % or a markdown cell naming a
file nothing wrote fails the demo (`executed_problems`).
"""
import argparse
import json
import os
import re
import time

from .config import PRESETS
from .runtime.paths import workbook_root

# The notebooks of the main job, in order; each entry is (notebook, parameters). The run is the toy preset's
# own run directory, which is every notebook's default run_dir: after `make demo` each notebook opened in
# JupyterLab works as it is, on this run.
DEMO_RUN = PRESETS["toy"]["output_dir"]
DEMO_NOTEBOOKS = [
    ("00_npu_session.ipynb", {}),
    ("01_data_inspection.ipynb", {}),
    ("02_model_building.ipynb", {}),
    ("03_train.ipynb", {"preset": "toy"}),
    ("04_training_monitor.ipynb", {}),
    ("05_translate.ipynb", {}),
    # Accuracy and identity on the whole test split (as 03); FID / KID on its first 30 images: with the floor
    # and the ceiling that is 30 + 3 x 150 images through Inception (about 19 images/s on 2 cores), which keeps
    # the demo within 15 minutes; the graph is fetched or rebuilt once, then cached in data/inception.
    ("06_fid_evaluation.ipynb", {"fid_images": 30}),
    ("07_freeze_pb.ipynb", {}),
]
MULTI_RUN = PRESETS["toy_both"]["output_dir"]
MULTI_NOTEBOOK = "08_multi_dataset.ipynb"

# A file a markdown cell names: a path-like word ending in one of these (templates with <step> or * are skipped).
FILE_NAME = re.compile(r"(?<![\w<>*{}/.-])([\w./-]*\w\.(?:om|pb|json|jsonl|png|npz|txt|csv|ipynb))(?![\w<>*{}])")
# A tqdm frame: "training:  37%|###7      | 1110/3000".
BAR_FRAME = re.compile(r"(\d+)%\|")


def _text(value):
    """A notebook's multi-line string, stored as one string or as a list of lines."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    return value if isinstance(value, str) else None


def _output_texts(cell):
    for out in cell.get("outputs", []):
        values = [out.get("text")] + list(out.get("data", {}).values())
        for text in map(_text, values):
            if text is not None:
                yield text


def _last_frames(text):
    """The frame a reader sees on each line: a line rewritten with carriage returns shows its last part."""
    return [line.split("\r")[-1] if line.split("\r")[-1].strip() else line.rstrip("\r").split("\r")[-1]
            for line in text.split("\n")]


def executed_problems(paths, roots):
    """What a reader of these executed notebooks would trip on: a progress bar whose last visible frame is
    0 % (a widget frozen at its first frame, or a bar that never moved), and a markdown cell naming a file
    that exists under none of `roots` (the workbook and its outputs) and that no output of the notebook
    mentions (a fenced command block is the reader's to run, so its output names are not checked). Returns one
    line per problem, naming the notebook and the cell."""
    names = set()
    for root in roots:
        for folder, dirs, files in os.walk(str(root)):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            names.update(files)
    found = []
    for path in paths:
        cells = json.loads(open(str(path), encoding="utf-8").read())["cells"]
        said = "\n".join(t for cell in cells for t in _output_texts(cell))
        for k, cell in enumerate(cells):
            where = "{} cell {}".format(os.path.basename(str(path)), k)
            if cell["cell_type"] == "markdown":
                prose = re.sub(r"```.*?```", "", _text(cell["source"]), flags=re.S)  # commands for the reader to run
                for name in FILE_NAME.findall(prose):
                    base = name.rstrip(".").split("/")[-1]
                    stem = base.rsplit(".", 1)[0]
                    if base not in names and base not in said and not re.search(r"\b{}\b".format(re.escape(stem)), said):
                        found.append("{}: names {}, which nothing wrote".format(where, name))
                continue
            for text in _output_texts(cell):
                for frame in _last_frames(text):
                    m = BAR_FRAME.search(frame)
                    if m and int(m.group(1)) == 0:
                        found.append("{}: a progress bar left at 0%: {}".format(where, frame.strip()[:100]))
    return found

def run_notebook(name, out_dir, parameters, cwd=None):
    import papermill
    root = workbook_root()
    src = root / "notebooks" / name
    dst = out_dir / name
    papermill.execute_notebook(str(src), str(dst), parameters=parameters, kernel_name="python3",
                               cwd=str(cwd or root / "notebooks"), progress_bar=False)
    return dst


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m stargan_nb demo", description=__doc__)
    parser.add_argument("--out", default="outputs/demo", help="folder for the executed notebooks")
    parser.add_argument("--multi", action="store_true",
                        help="train the joint CelebA + RaFD toy run with 08 (make demo-multi) instead of the demo")
    args = parser.parse_args(argv)
    from . import runs
    from .runtime.paths import resolve
    out_dir = resolve(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.time()
    times = []
    notebooks = list(DEMO_NOTEBOOKS)
    if args.multi:
        notebooks = [(MULTI_NOTEBOOK, {"train": True})]
    else:
        notebooks.append((MULTI_NOTEBOOK, {"train": False}))  # its labels and mask; the joint run when it exists
    # No one watches these runs: progress bars print their state as lines, not as widgets frozen at 0 %.
    from .runtime.progress import HEADLESS
    os.environ[HEADLESS] = "1"
    for name, params in notebooks:
        t0 = time.time()
        print("running {} ...".format(name), flush=True)
        dst = run_notebook(name, out_dir, params)
        times.append((name, time.time() - t0))
        print("  done in {:.0f} s -> {}".format(times[-1][1], dst), flush=True)
    accuracy = resolve(runs.run_path(MULTI_RUN if args.multi else DEMO_RUN, runs.TOY_ACCURACY))
    if args.multi and accuracy.exists():
        import json
        acc = json.loads(accuracy.read_text())
        print("\nJoint toy run (oracles) at iteration {}: target accuracy per label {}; CelebA attributes kept "
              "under each expression {}".format(acc["step"], json.dumps({k: round(v, 3) for k, v in acc["target"].items()}),
                                                json.dumps({k: round(v, 3) for k, v in acc["kept"].items()})))
    elif accuracy.exists():
        import json
        acc = json.loads(accuracy.read_text())
        print("\nToy translation accuracy (oracle): mean target {:.3f}, min target {:.3f}, mean kept {:.3f}"
              " at iteration {}; background moved at most {:.1f} levels, skin {:.1f}".format(
                  acc["mean_target"], acc["min_target"], acc["mean_kept"], acc["step"],
                  acc["max_background_move"], acc["max_skin_move"]))
    if not args.multi and not runs.latest_checkpoint(resolve(MULTI_RUN)):
        print("\n08_multi_dataset showed its datasets, labels and mask vector; its translations need the joint toy "
              "run, which `make demo-multi` trains in {} (it does not fit in the demo's 15 minutes)".format(MULTI_RUN))
    problems = executed_problems([out_dir / name for name, _ in notebooks], [workbook_root()])
    for line in problems:
        print("reader's problem: " + line)
    print("\nseconds per notebook: " + ", ".join("{} {:.0f}".format(n.split("_")[0], t) for n, t in times))
    print("\nDemo finished in {:.0f} s. Open the executed notebooks in {} (make lab, then File > Open),"
          " or view them with: jupyter nbconvert --to html {}/*.ipynb".format(
              time.time() - start, out_dir, out_dir))
    return 1 if problems else 0
