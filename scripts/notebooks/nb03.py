import sys; sys.path.insert(0, "scripts")
import nbwrite
nbwrite.write("notebooks/03_train.ipynb", [
("md", """
# 03 · Training

Trains StarGAN, or **resumes** the run already in `output_dir` from its latest checkpoint (same iteration,
learning rate and Adam state). Run it here for short runs, or headless with papermill for long ones:

```bash
papermill notebooks/03_train.ipynb outputs/celeba_train.ipynb \\
    -p preset celeba -p image_root data/celeba/images -p metadata_path data/celeba/list_attr_celeba.txt
```

Interrupting (the ■ button, Ctrl-C, `kill -INT`, or `kill -TERM` from a job scheduler) finishes the
current iteration, writes a checkpoint and stops cleanly; run the notebook again to continue.
"""),
("md", """
## Parameters

The names are the model card's script arguments. Empty strings and `None` keep the preset's value
(`toy`: 32 px, small networks, 2,000 iterations; `celeba`: the paper, 200,000 iterations).
"""),
("params", """
preset = "toy"
image_root = ""
metadata_path = ""
output_dir = ""                 # the run directory; empty: the preset's (outputs/toy or outputs/celeba)
batch_size = None
image_size = None
c_dim = None
selected_attrs = None           # e.g. ["Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young"]
training_iterations = None
init_learning_rate = None
lr_update_step = None
num_step_decay = None
summary_steps = None
save_steps = None
checkpoint_steps = None
device = "auto"
precision_mode = "allow_fp32_to_fp16"
max_iterations = None           # stop this call after this many new iterations (train in slices)
num_toy_images = 5000
config_overrides = {}           # any other Config field
"""),
("md", """
## 1. The configuration of this run

Everything the run will use, validated: a wrong value stops here with the parameter's name and a fix.
The same values are saved as `config.json` in the run directory, which every later notebook reads.
"""),
("code", """
import json
from stargan_nb import data, runs, viz
from stargan_nb.train import train

given = dict(image_root=image_root, metadata_path=metadata_path, output_dir=output_dir,
             batch_size=batch_size, image_size=image_size, c_dim=c_dim, selected_attrs=selected_attrs,
             training_iterations=training_iterations, init_learning_rate=init_learning_rate,
             lr_update_step=lr_update_step, num_step_decay=num_step_decay, summary_steps=summary_steps,
             save_steps=save_steps, checkpoint_steps=checkpoint_steps, device=device,
             precision_mode=precision_mode)
config = data.prepare_config(preset, dict(given, **config_overrides), num_toy_images)
print(json.dumps(config.to_dict(), indent=1))
"""),
("md", """
## 2. Train (or resume)

The progress bar shows iterations per second, the discriminator's total loss and the generator's
classification and reconstruction losses. Every `summary_steps` a row goes to `metrics.jsonl` and
TensorBoard; every `save_steps` a sample grid is written to `samples/`; every `checkpoint_steps` a
checkpoint. If the run already exists, the first line says where it resumes.
"""),
("code", """
existing = runs.latest_checkpoint(config.output_dir)
print("resuming from", existing if existing else "scratch (no checkpoint yet)")
result = train(config, config.output_dir, max_iterations=max_iterations)
print(json.dumps(result, indent=1))
"""),
("md", """
## 3. The latest samples

Rows are fixed test images; columns are the input, then one translation per selected attribute (hair
colours switched on, other attributes flipped). Early in training the outputs are blurry copies of the
input; the attribute changes appear as the classification loss falls.
"""),
("code", """
samples = runs.sample_paths(config.output_dir)
if samples:
    fig = viz.show_image_files(samples[-1:], titles=["iteration {}".format(result["step"])])
"""),
("md", """
## 4. Did it learn? (toy data only)

On the toy faces a pixel oracle can judge every translation. For each test image and each target of
`create_labels`, **target** is how often the oracle reads the attribute that was asked for, and **kept**
how often it reads the other attributes unchanged. An untrained generator scores near chance on target;
the demo's run should reach at least 0.9 on average and 0.8 for every attribute.
"""),
("code", """
if preset == "toy":
    from stargan_nb.accuracy import evaluate_toy_run
    accuracy = evaluate_toy_run(config.output_dir, n_images=min(300, config.n_test))
    print("{:<12} {:>7} {:>7}".format("attribute", "target", "kept"))
    for name in config.selected_attrs:
        print("{:<12} {:7.3f} {:7.3f}".format(name, accuracy["target"][name], accuracy["kept"][name]))
    print("mean target {:.3f}, min target {:.3f}, mean kept {:.3f} on {} test images at iteration {}".format(
        accuracy["mean_target"], accuracy["min_target"], accuracy["mean_kept"], accuracy["n_images"], accuracy["step"]))
    runs.write_json(config.output_dir, "toy_accuracy.json", accuracy)
"""),
])
