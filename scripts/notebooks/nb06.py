import sys; sys.path.insert(0, "scripts")
import nbwrite
nbwrite.write("notebooks/06_fid_evaluation.ipynb", [
("md", """
# 06 · How good is the model?

Three questions, three numbers:

1. **Does a translation change the attribute it was asked to, and only that one?** Attribute-transfer
   accuracy, judged on the toy faces by the pixel oracle and on real faces by a small attribute classifier
   trained on the training split (the paper's method).
2. **Does the generator keep the person?** Reconstruction error |x − G(G(x, c_trg), c_org)|.
3. **Do translations look like real faces?** FID, computed exactly as TTUR's `fid.py` (the protocol of the
   model card's FID 15.3), when the Inception graph is available.
"""),
("md", "## Parameters"),
("params", """
run_dir = "outputs/toy"        # a run directory written by 03_train
checkpoint = None              # None: the latest
n_images = 2000                # test images (the model card uses 2000; fewer are used if the split is smaller)
judge = "auto"                 # "auto": the toy oracle on toy faces, else a trained attribute classifier
judge_iterations = 2000        # training iterations of the attribute classifier (real data only)
inception_dir = "data/inception"   # where classify_image_graph_def.pb is (or will be downloaded to)
download_inception = True      # try the official download when the file is absent
"""),
("md", """
## 1. The Inception graph (for FID)

FID needs `classify_image_graph_def.pb` from Google's `inception-2015-12-05.tgz`. If it is not in
`inception_dir`, the workbook tries to download the archive; without internet access it explains where to
put the file, and the rest of the notebook still runs (without FID).
"""),
("code", """
import json
from IPython.display import Markdown, display
from stargan_nb import fid, paths, runs
from stargan_nb.evaluate import evaluate_run

inception_pb = None
target = paths.resolve(inception_dir) / fid.INCEPTION_FILE
if target.exists():
    inception_pb = str(target)
elif download_inception:
    try:
        inception_pb = fid.ensure_inception(paths.resolve(inception_dir))
    except fid.InceptionMissingError as err:
        print(err)
if inception_pb:
    print("Inception graph:", inception_pb)
else:
    display(Markdown(
        "**FID is skipped: no Inception graph.** Download `{url}` on a machine with internet access, extract "
        "`{name}` from it and put it at `{path}`, then run this notebook again.".format(
            url=fid.INCEPTION_URL, name=fid.INCEPTION_FILE, path=target)))
"""),
("md", """
## 2. Evaluate

Translates `n_images` test images to every `create_labels` target, judges them, measures reconstruction and
(with Inception) FID, and writes everything to `<run_dir>/eval.json`. On real data the first run also
trains the attribute classifier (saved under `<run_dir>/judge/`).
"""),
("code", """
result = evaluate_run(run_dir, n_images=n_images, checkpoint=checkpoint, inception_pb=inception_pb,
                      judge=judge, judge_iterations=judge_iterations)
print("evaluated {} test images at iteration {} in {} s; judge: {}".format(
    result["n_images"], result["step"], result["seconds"], result["judge"]))
print("wrote", runs.run_path(run_dir, "eval.json"))
"""),
("md", """
## 3. How far to trust the judge

Before judging translations, the judge reads the **real** test images: its accuracy here is the ceiling
for everything below. The toy oracle should be near 1.0; a trained classifier on CelebA typically reaches
0.8–0.95 depending on the attribute.
"""),
("code", """
for name, acc in result["judge_accuracy_on_real_test_images"].items():
    print("{:<14} {:.3f}".format(name, acc))
"""),
("md", """
## 4. Attribute transfer and reconstruction

**target**: how often the judge reads the asked-for attribute in the translation. **kept**: how often it
reads the other attributes unchanged. Both per attribute, as a table and a bar chart; the reconstruction
error is in the [-1, 1] pixel scale (0 would be a perfect round trip).
"""),
("code", """
import matplotlib.pyplot as plt
import numpy as np

transfer = result["transfer"]
attrs = list(transfer["target"])
print("{:<14} {:>7} {:>7}".format("attribute", "target", "kept"))
for a in attrs:
    print("{:<14} {:7.3f} {:7.3f}".format(a, transfer["target"][a], transfer["kept"][a]))
print("mean target {:.3f} | mean kept {:.3f} | reconstruction L1 {:.4f}".format(
    transfer["mean_target"], transfer["mean_kept"], result["reconstruction_l1"]))
pos = np.arange(len(attrs))
fig, ax = plt.subplots(figsize=(8, 3.2))
ax.bar(pos - 0.2, [transfer["target"][a] for a in attrs], 0.4, label="target")
ax.bar(pos + 0.2, [transfer["kept"][a] for a in attrs], 0.4, label="kept")
ax.set_xticks(pos)
ax.set_xticklabels(attrs)
ax.set_ylim(0, 1)
ax.axhline(0.9, color="grey", ls=":", lw=0.8)
ax.legend()
ax.set_title("attribute transfer, judged by the " + result["judge"])
fig.tight_layout()
"""),
("md", """
## 5. FID

`model_card`: one FID between the test inputs (each repeated once per target) and all their translations
— the model card's 15.3 on 2000 CelebA test images at 200k iterations. `per_attribute`: translations that
gained an attribute against real test images that have it. Below 2048 images the covariance is rank
deficient and FID is biased upwards (a warning says so): compare only numbers made with the same N.
"""),
("code", """
if result["fid"]:
    print(json.dumps(result["fid"], indent=1))
else:
    print("FID skipped (no Inception graph); see step 1.")
"""),
])
