"""One Config for a StarGAN run, with the paper's and the CPU demo's presets.

Field names follow the model card's script arguments so that a papermill
parameter, a JSON file and a command-line flag all use the same word.
"""
import dataclasses
import difflib
import json
import math
from dataclasses import dataclass, field
from typing import List

from .kinds import KINDS, kind_of
from .runtime.atomic import write_text_atomic
from .runtime.errors import ConfigError  # noqa: F401 (public here, where people look for it)
from .runtime.modes import DEVICES, DISTRIBUTIONS, PRECISION_MODES  # noqa: F401 (PRECISION_MODES: also public here)

# The reference's default --selected_attrs (its main.py), in its order: the labels of its pretrained
# models, the paper's CelebA experiments and the attributes the toy faces draw.
DEFAULT_ATTRS = ("Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young")
# RaFD's eight expressions, as its folders sort (the reference's --c2_dim 8 and --dataset RaFD --c_dim 8).
RAFD_EXPRESSIONS = ("angry", "contemptuous", "disgusted", "fearful", "happy", "neutral", "sad", "surprised")
# What a run trains on: CelebA's attribute file, one folder per domain, or both at once (the paper's mask vector);
# each is a dataset kind (stargan_nb.kinds.KINDS, which validation reads), these are the ones shipped.
DATASETS = tuple(KINDS)


@dataclass
class Config:
    # Model (the reference's defaults at 128 px).
    image_size: int = 128
    g_conv_dim: int = 64
    d_conv_dim: int = 64
    g_repeat_num: int = 6
    d_repeat_num: int = 6
    # dataset "celeba": attributes of an attribute file (several can be on); "folders": image_root holds one
    # folder per domain, selected_attrs names the domains (one is on); "both": the attribute file and the
    # folders of rafd_image_root, trained together with the mask vector (the reference's --dataset Both).
    dataset: str = "celeba"
    c_dim: int = 5
    selected_attrs: List[str] = field(default_factory=lambda: list(DEFAULT_ATTRS))
    # The second dataset of "both" (the reference's --c2_dim, --rafd_image_dir, --rafd_crop_size).
    c2_dim: int = 8
    rafd_domains: List[str] = field(default_factory=lambda: list(RAFD_EXPRESSIONS))
    # Loss weights.
    lambda_cls: float = 1.0
    lambda_rec: float = 10.0
    lambda_gp: float = 10.0
    # Not in the paper (0 keeps it out): CycleGAN's identity term, lambda_id * mean|G(x, c_org) - x|. Without it
    # nothing stops G from recolouring what no label describes (the toy faces' background and skin) in a way
    # the reconstruction undoes; README, "Keeping the person".
    lambda_id: float = 0.0
    # The identity term reads the first id_batch_size images of each batch (0: all of them). At the toy preset's
    # batch of 8, all 8 cost 24% more per iteration and 2 cost 1% (bench/bench_train.py).
    id_batch_size: int = 0
    # Not in the paper (0 keeps it out): in joint training, the share of each step's targets taken from the other
    # dataset's labels, so that G is also trained to give CelebA faces the second dataset's domains (and the
    # reverse), judged by D's classifier for that dataset. The paper's train_multi never asks for such a
    # translation; Figure 1 then rests on generalisation alone (README, "Two datasets at once").
    cross_dataset_targets: float = 0.0
    # Not in the paper (False keeps it out): G's last block also emits a one-channel attention mask A (sigmoid)
    # beside its colour image C (tanh) and returns A*C + (1-A)*x, so it says where it changes the image and the
    # rest passes through (GANimation, Pumarola et al. 2018). The penalties of the translation's and the
    # reconstruction's masks keep that region small (lambda_att_mean * mean A) and smooth (lambda_att_tv * the
    # summed |differences| of neighbouring pixels, per image). GANimation's weights: 0.1, and 1e-5 on a sum over
    # its batch of 25 masks, i.e. 2.5e-4 per mask (README, "Keeping the person").
    attention: bool = False
    lambda_att_mean: float = 0.1
    lambda_att_tv: float = 2.5e-4
    # Not in GANimation: the mask's penalties grow linearly from 0 to their weights over the first
    # attention_warmup iterations (0: full weight from the start), so that G first learns the change a label asks
    # for and only then is asked to confine it (README, "Two datasets at once").
    attention_warmup: int = 0
    # Optimisation: one iteration is one D step, plus one G step every d_train_repeat.
    batch_size: int = 16
    d_train_repeat: int = 5
    init_learning_rate: float = 1e-4
    lr_update_step: int = 1000
    num_step_decay: int = 100000
    beta1: float = 0.5
    beta2: float = 0.999
    training_iterations: int = 200000
    # Bookkeeping cadence, in iterations.
    summary_steps: int = 100
    save_steps: int = 1000
    checkpoint_steps: int = 10000
    keep_checkpoints: int = 3
    # Data, in CelebA's file format. Relative paths are taken from the workbook root.
    image_root: str = "data/celeba/images"
    metadata_path: str = "data/celeba/list_attr_celeba.txt"
    output_dir: str = "outputs/celeba"
    crop_size: int = 178
    n_test: int = 2000
    rafd_image_root: str = "data/RaFD/train"
    rafd_crop_size: int = 256
    rafd_n_test: int = 480
    seed: int = 1234
    # Device: "auto", "npu", "gpu" or "cpu"; precision_mode as the Ascend NpuOptimizer names it.
    device: str = "auto"
    precision_mode: str = "allow_fp32_to_fp16"
    # Where a precision mode computes in fp16 (runtime.device.FP16_MODES), losses are multiplied by a
    # dynamic loss scale starting here; an update whose gradients overflow is skipped and the scale lowered.
    initial_loss_scale: float = 65536.0

    # More than one device (stargan_nb.distribute; README "More than one device"): one process per device, each
    # reading its own shard of the training split. batch_size above is the PER-DEVICE batch; the global batch is
    # batch_size x the number of ranks. distribution: "auto" lets the environment decide (RANK_TABLE_FILE: HCCL,
    # Horovod's launcher: Horovod, TF_CONFIG or --workers N: TensorFlow's collectives, else one device), or name
    # one of "none", "tensorflow", "horovod", "hccl". lr_scaling: "none" keeps init_learning_rate whatever the
    # number of devices; "linear" multiplies it by the number of ranks (the usual rule for a larger global batch).
    # collective_timeout: seconds a rank waits in a collective before it stops, naming the rank that was lost.
    distribution: str = "auto"
    lr_scaling: str = "none"
    collective_timeout: float = 600.0

    # ------------------------------------------------------------------ labels
    @property
    def label_dim(self) -> int:
        """The generator's label input: c_dim, or c_dim + c2_dim + 2 (the mask vector) when training on both."""
        return kind_of(self).label_dim(self)

    @property
    def cls_dim(self) -> int:
        """The discriminator's classification outputs: one per label of every dataset (no mask)."""
        return kind_of(self).cls_dim(self)

    # ------------------------------------------------------------------ presets
    @classmethod
    def preset(cls, name: str, **overrides) -> "Config":
        """`celeba`, `rafd` and `both` are the reference's settings for CelebA, RaFD (one folder per expression)
        and the two together; `toy`, `toy_rafd` and `toy_both` train on the embedded toy faces and toy
        expressions on a laptop CPU."""
        if name not in PRESETS:
            raise ConfigError(
                "unknown preset {!r}; choose one of {}".format(name, ", ".join(sorted(PRESETS))))
        values = dict(PRESETS[name])
        values.update(overrides)
        for names, dim in (("selected_attrs", "c_dim"), ("rafd_domains", "c2_dim")):
            if names in overrides and dim not in overrides:
                attrs = overrides[names]
                if isinstance(attrs, str):
                    attrs = attrs.replace(",", " ").split()
                if isinstance(attrs, (list, tuple)):
                    values[dim] = len(attrs)  # one label per name unless c_dim / c2_dim says otherwise
        return cls.from_dict(values, source="preset {!r}".format(name))

    # --------------------------------------------------------------- validation
    def __post_init__(self):
        self.validate()

    def validate(self) -> "Config":
        _check_types(self)
        kind = kind_of(self)  # an unknown dataset is refused here, naming the kinds
        positive = ["image_size", "g_conv_dim", "d_conv_dim", "d_repeat_num", "c_dim",
                    "batch_size", "d_train_repeat", "lr_update_step", "training_iterations",
                    "summary_steps", "save_steps", "checkpoint_steps", "keep_checkpoints",
                    "crop_size", "c2_dim", "rafd_crop_size"]
        for name in positive:
            if getattr(self, name) <= 0:
                raise ConfigError("{} must be a positive whole number, got {}".format(
                    name, getattr(self, name)))
        for name in ["g_repeat_num", "n_test", "rafd_n_test", "num_step_decay", "lambda_cls", "lambda_rec",
                     "lambda_gp", "lambda_id", "lambda_att_mean", "lambda_att_tv", "attention_warmup"]:
            if getattr(self, name) < 0:
                raise ConfigError("{} must not be negative, got {}".format(name, getattr(self, name)))
        if not 0 <= self.cross_dataset_targets <= 1:
            raise ConfigError("cross_dataset_targets must be between 0 (the paper) and 1, got {}".format(
                self.cross_dataset_targets))
        if self.cross_dataset_targets and not kind.joint:
            raise ConfigError("cross_dataset_targets is for joint training (dataset 'both'); this run's dataset is "
                              "{!r}, so set cross_dataset_targets=0".format(self.dataset))
        if self.attention_warmup and not self.attention:
            raise ConfigError("attention_warmup ramps the attention mask's penalties, and this run has no mask: set "
                              "attention=true, or attention_warmup=0")
        if not 0 <= self.id_batch_size <= self.batch_size:
            raise ConfigError("id_batch_size must be between 0 (the whole batch) and batch_size ({}), got {}".format(
                self.batch_size, self.id_batch_size))
        if self.distribution not in DISTRIBUTIONS:
            raise ConfigError("distribution must be one of {}, got {!r}".format(", ".join(DISTRIBUTIONS),
                                                                                self.distribution))
        if self.lr_scaling not in ("none", "linear"):
            raise ConfigError('lr_scaling must be "none" (init_learning_rate at any number of devices) or "linear" '
                              '(multiplied by the number of devices), got {!r}'.format(self.lr_scaling))
        if not self.collective_timeout > 0:
            raise ConfigError("collective_timeout must be > 0 seconds, got {}".format(self.collective_timeout))
        if not self.initial_loss_scale >= 1:
            raise ConfigError("initial_loss_scale must be at least 1, got {}".format(self.initial_loss_scale))
        if not self.init_learning_rate > 0:
            raise ConfigError("init_learning_rate must be > 0, got {}".format(self.init_learning_rate))
        for name in ["beta1", "beta2"]:
            if not 0 <= getattr(self, name) < 1:
                raise ConfigError("{} must be in [0, 1), got {}".format(name, getattr(self, name)))
        if len(self.selected_attrs) != self.c_dim:
            raise ConfigError(
                "c_dim is {} but selected_attrs names {} attributes ({}); set c_dim={} or change "
                "selected_attrs".format(self.c_dim, len(self.selected_attrs),
                                         ", ".join(self.selected_attrs), len(self.selected_attrs)))
        dupes = sorted({a for a in self.selected_attrs if self.selected_attrs.count(a) > 1})
        if dupes:
            raise ConfigError("selected_attrs lists {} more than once".format(", ".join(dupes)))
        kind.validate(self)  # what this dataset kind needs of the labels (two domains, rafd_domains)
        factor = 2 ** self.d_repeat_num
        if self.image_size % factor:
            lower = max(factor, self.image_size // factor * factor)
            raise ConfigError(
                "image_size {} is not divisible by 2**d_repeat_num = {} (the discriminator halves "
                "the image d_repeat_num times); use image_size {} or {}, or a smaller d_repeat_num"
                .format(self.image_size, factor, lower, lower + factor))
        if self.image_size % 4:
            raise ConfigError("image_size {} must be divisible by 4 (the generator downsamples "
                              "twice)".format(self.image_size))
        if self.num_step_decay > self.training_iterations:
            raise ConfigError(
                "num_step_decay ({}) is longer than training_iterations ({}); the decay must fit "
                "inside the run".format(self.num_step_decay, self.training_iterations))
        if self.device not in DEVICES:
            raise ConfigError("device must be one of {}; got {!r}".format(", ".join(DEVICES), self.device))
        if self.precision_mode not in PRECISION_MODES:
            raise ConfigError("precision_mode must be one of {}; got {!r}".format(
                ", ".join(PRECISION_MODES), self.precision_mode))
        return self

    # ------------------------------------------------------------ persistence
    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict, source: str = "config") -> "Config":
        names = [f.name for f in dataclasses.fields(cls)]
        for key in values:
            if key not in names:
                close = difflib.get_close_matches(key, names, n=1)
                hint = " (did you mean {!r}?)".format(close[0]) if close else ""
                raise ConfigError("{}: unknown parameter {!r}{}".format(source, key, hint))
        try:
            return cls(**values)
        except ConfigError as err:
            raise ConfigError("{}: {}".format(source, err)) from None

    def save(self, path) -> None:
        write_text_atomic(path, json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, path) -> "Config":
        try:
            with open(str(path)) as f:
                values = json.load(f)
        except FileNotFoundError:
            raise ConfigError("{}: no such config file".format(path)) from None
        except json.JSONDecodeError as err:
            raise ConfigError("{}: line {}: not valid JSON ({})".format(path, err.lineno, err.msg)) from None
        if not isinstance(values, dict):
            raise ConfigError("{}: expected a JSON object of parameters".format(path))
        return cls.from_dict(values, source=str(path))

    def replace(self, **changes) -> "Config":
        return self.from_dict(dict(self.to_dict(), **changes), source="Config.replace")

    @classmethod
    def fields_in(cls, namespace: dict) -> dict:
        """The Config fields a notebook's parameters cell set, by name (03 passes its globals())."""
        return {f.name: namespace[f.name] for f in dataclasses.fields(cls) if f.name in namespace}


def parse_overrides(items) -> dict:
    """Command-line `KEY=VALUE` strings -> Config overrides; values are JSON where they parse as JSON."""
    overrides = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError("--set expects KEY=VALUE, got {!r}".format(item))
        try:
            overrides[key] = json.loads(value)
        except ValueError:
            overrides[key] = value
    return overrides


# The paper / model card.
_CELEBA = {}

# The CPU demo: small enough to train in minutes on 2 cores, large enough to learn the toy attributes. One G
# step per D step, the decay over the last three quarters of the run, and the identity term on a quarter of
# each batch: all chosen by measurement (README, "Measured here" and "Keeping the person").
_TOY = dict(
    image_size=32, g_conv_dim=32, d_conv_dim=32, g_repeat_num=2, d_repeat_num=4,
    batch_size=8, d_train_repeat=1, init_learning_rate=2e-4, training_iterations=3000,
    lr_update_step=100, num_step_decay=2250, summary_steps=50, save_steps=250,
    checkpoint_steps=250, lambda_id=5.0, id_batch_size=2, image_root="data/toy/images",
    metadata_path="data/toy/list_attr_celeba.txt", output_dir="outputs/toy", n_test=500,
)

# RaFD as the reference trains it (README: --dataset RaFD --image_size 128 --c_dim 8, with main.py's
# --rafd_crop_size 256 and its default 200,000 iterations, decaying over the last 100,000). The reference
# reads separate train/ and test/ folders; here the test images are split off data/RaFD/train by seed.
_RAFD = dict(dataset="folders", c_dim=8, selected_attrs=list(RAFD_EXPRESSIONS), image_root="data/RaFD/train",
             crop_size=256, n_test=480, output_dir="outputs/rafd")
# The reference's --dataset Both: CelebA's five attributes and RaFD's eight expressions.
_BOTH = dict(dataset="both", output_dir="outputs/both")
# The toy versions: the toy faces' settings on the toy expressions (data/toy_rafd, 250 people x 8), except
# the paper's 5 D steps per G step: expressions are small shapes, not colours, and D must learn them before G
# can (with fewer D steps its shared layers collapse), and a run long enough for G to learn every expression
# (README, "Your own domains, and two datasets at once", has the measurements).
_TOY_EXPRESSIONS = dict(d_train_repeat=5, training_iterations=12000, num_step_decay=9000)
_TOY_RAFD = dict(_TOY, dataset="folders", c_dim=8, selected_attrs=list(RAFD_EXPRESSIONS),
                 image_root="data/toy_rafd", n_test=400, output_dir="outputs/toy_rafd", **_TOY_EXPRESSIONS)
# toy_both also asks for expressions on CelebA faces in training (cross_dataset_targets, not in the paper): with the
# paper's steps alone the expressions carry over to CelebA faces far less often (README, "Your own domains, and
# two datasets at once").
_TOY_BOTH = dict(_TOY, dataset="both", rafd_image_root="data/toy_rafd", rafd_crop_size=178, rafd_n_test=400,
                 output_dir="outputs/toy_both", cross_dataset_targets=0.5, **_TOY_EXPRESSIONS)

PRESETS = {"celeba": _CELEBA, "toy": _TOY, "rafd": _RAFD, "both": _BOTH, "toy_rafd": _TOY_RAFD,
           "toy_both": _TOY_BOTH}


def _check_types(config: Config) -> None:
    """Papermill and JSON hand us strings and floats; accept what is exact, name what is not."""
    for f in dataclasses.fields(config):
        value = getattr(config, f.name)
        if f.type is int:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError("{} must be a whole number, got {!r} ({})".format(
                    f.name, value, type(value).__name__))
        elif f.type is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ConfigError("{} must be a number, got {!r} ({})".format(
                    f.name, value, type(value).__name__))
            value = float(value)
            if not math.isfinite(value):  # JSON's NaN and Infinity parse, and pass every comparison below
                raise ConfigError("{} must be a finite number, got {}".format(f.name, value))
        elif f.type is bool:
            if value in (0, 1, "true", "false", "True", "False") and not isinstance(value, float):
                value = value in (1, True, "true", "True")
            if not isinstance(value, bool):
                raise ConfigError("{} must be true or false, got {!r} ({})".format(
                    f.name, value, type(value).__name__))
        elif f.type is str:
            if not isinstance(value, str):
                raise ConfigError("{} must be a string, got {!r} ({})".format(
                    f.name, value, type(value).__name__))
        elif f.name in ("selected_attrs", "rafd_domains"):
            if isinstance(value, str):
                value = [a.strip() for a in value.replace(",", " ").split() if a.strip()]
            if not isinstance(value, (list, tuple)) or not all(isinstance(a, str) for a in value):
                raise ConfigError("{} must be a list of names, got {!r}".format(f.name, value))
            value = list(value)
        setattr(config, f.name, value)
