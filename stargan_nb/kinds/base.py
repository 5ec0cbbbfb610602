"""The interface of a dataset kind: everything that differs between what a run can train on.

A run's `Config.dataset` names its kind ("celeba", "folders", "both"); `kinds.kind_of(config)` is the one place
that reads it. Every stage asks the kind instead of comparing strings, so that a new kind is one new module
(a subclass of DatasetKind) and one line in `kinds.KINDS`, and no other module changes.

A kind may be asked by any stage (data, model, training, evaluation, deploy), so the kind modules import
nothing of those stages, nor TensorFlow, at import time: each method imports what it uses when it runs.
"""


class DatasetKind:
    """What one dataset kind decides. The defaults are those of a single dataset labelled with c_dim columns.

    Label layout: `label_dim`, `cls_dim`, `space` (the LabelSpace: names, one-hot groups, joint parts),
    `layout` (the named parts of a label row). Loss: `label_loss`. Targets: `example_targets`,
    `interpolation_candidates`, `exclusive_caption`. Deployment: `label_meaning`, `describe_label_dim`.
    Data: `load`, `load_second`, `split_field`, `oracle_problem`, `toy_reader`, `ensure_toy_data`.
    Evaluation: `classifier_problem`, `what_judges_instead`. Validation: `validate`.
    """

    # Two datasets trained together: an iteration is a step on each, and the run has a second dataset.
    joint = False
    # Label columns the generator reads and the discriminator does not classify (the mask vector).
    mask_columns = 0
    # Targets by name that show a run's labels at work (deploy.translate.example_targets keeps the known ones).
    example_targets = ()
    # The label an interpolation walks by default: the first of these the run knows (else its first target).
    interpolation_candidates = ("Blond_Hair", "happy")
    # The sliders' checkbox for the one-of-a-group rule.
    exclusive_caption = "hair colours exclusive"
    # What the frozen model's label input means (the .pb's JSON sidecar).
    label_meaning = ""

    # ----------------------------------------------------------------- config
    def validate(self, config) -> None:
        """Refuse (ConfigError) a Config this kind cannot train on; Config.validate calls it."""

    # ----------------------------------------------------------------- labels
    def cls_dim(self, config) -> int:
        """The discriminator's classification outputs."""
        return config.c_dim

    def label_dim(self, config) -> int:
        """The generator's label input: the classified columns and the mask vector's."""
        return self.cls_dim(config) + self.mask_columns

    def space(self, config):
        """The model.labels.LabelSpace of a Config's label columns."""
        raise NotImplementedError

    def layout(self, config):
        """The named parts of a label row, [(name, columns), ...] in column order (viz.label_rows' groups)."""
        return [("labels", range(config.c_dim))]

    def describe_label_dim(self, config) -> str:
        """How an error about a label row's width names the model's (deploy.inference)."""
        return "c_dim={}".format(config.c_dim)

    def label_loss(self, logits, labels, config, part=None):
        """The classification term of D's logits (N, cls_dim) for the label rows (N, label_dim); see
        model.losses.label_loss (`part`: which dataset's slice in joint training)."""
        raise NotImplementedError

    # ------------------------------------------------------------------- data
    def load(self, config, check_files=True):
        """The run's dataset (data.dataset.Dataset), split like the reference, labels as the generator reads them."""
        raise NotImplementedError

    def load_second(self, config):
        """Joint training's second dataset; a single dataset has none."""
        raise ValueError("only joint training (dataset 'both') has a second dataset; this config's is {!r}".format(
            config.dataset))

    def split_field(self, name) -> str:
        """The Config field whose files a split field stands for (runs.compatibility compares that one)."""
        return name

    def oracle_problem(self, config) -> str:
        """Why the toy pixel oracles cannot judge this config's data, in words; "" when they can."""
        raise NotImplementedError

    def toy_reader(self, config):
        """(read, regions): the toy pixel oracle of the labels, one column per target column, and its regions."""
        raise NotImplementedError

    def ensure_toy_data(self, config, num_images=5000, seed=0, progress=True, num_people=250):
        """Generate the toy data the config reads, unless it is already there."""
        raise NotImplementedError

    # ------------------------------------------------------------- evaluation
    def classifier_problem(self, config) -> str:
        """Why the attribute classifier of notebook 06 cannot judge this kind's runs; "" when it can."""
        return ""

    def what_judges_instead(self, config) -> str:
        """Where a run the toy oracle cannot judge gets its accuracy."""
        return ("Judge it with the attribute classifier instead: notebook 06 with run_dir set to this run and judge "
                "\"auto\" or \"classifier\" (its step 2, evaluate_run, trains "
                "stargan_nb.evaluation.classifier.AttributeJudge on the run's training split)")
