"""`make demo`: generate the toy faces and run the notebooks headless into outputs/demo/.

Each notebook runs through papermill exactly as a person would run it in JupyterLab;
the executed copies (with their plots) are the demo's output.
"""
import argparse
import time

from .runtime.paths import workbook_root

# The notebooks of the main job, in order; each entry is (notebook, parameters).
DEMO_RUN = "outputs/demo/toy_run"
DEMO_NOTEBOOKS = [
    ("00_npu_session.ipynb", {}),
    ("01_data_inspection.ipynb", {}),
    ("02_model_building.ipynb", {}),
    ("03_train.ipynb", {"preset": "toy", "output_dir": DEMO_RUN}),
    ("04_training_monitor.ipynb", {"run_dir": DEMO_RUN}),
    ("05_translate.ipynb", {"run_dir": DEMO_RUN}),
    # FID / KID on the first 30 test images: with the floor and the ceiling that is 30 + 3 x 150 images through
    # Inception (about 13 images/s on 2 cores), which keeps the demo within 15 minutes; the graph is fetched
    # or rebuilt once, then cached in data/inception.
    ("06_fid_evaluation.ipynb", {"run_dir": DEMO_RUN, "n_images": 500, "fid_images": 30}),
    ("07_freeze_pb.ipynb", {"run_dir": DEMO_RUN}),
]


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
    args = parser.parse_args(argv)
    from .runtime.paths import resolve
    out_dir = resolve(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.time()
    for name, params in DEMO_NOTEBOOKS:
        t0 = time.time()
        print("running {} ...".format(name), flush=True)
        dst = run_notebook(name, out_dir, params)
        print("  done in {:.0f} s -> {}".format(time.time() - t0, dst), flush=True)
    from . import runs
    accuracy = resolve(runs.run_path(DEMO_RUN, runs.TOY_ACCURACY))
    if accuracy.exists():
        import json
        acc = json.loads(accuracy.read_text())
        print("\nToy translation accuracy (oracle): mean target {:.3f}, min target {:.3f}, mean kept {:.3f}"
              " at iteration {}".format(acc["mean_target"], acc["min_target"], acc["mean_kept"], acc["step"]))
    print("\nDemo finished in {:.0f} s. Open the executed notebooks in {} (make lab, then File > Open),"
          " or view them with: jupyter nbconvert --to html {}/*.ipynb".format(
              time.time() - start, out_dir, out_dir))
    return 0
