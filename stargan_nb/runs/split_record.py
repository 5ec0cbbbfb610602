"""The train/test split a run was trained on, recorded in the run so that a resume cannot change it unseen.

Why: the reference's split shuffles by the number of rows, so one image added to a dataset between two
sessions reshuffles everything, and test images get trained on while the Config is unchanged. The first
session writes the file lists of every dataset it trains on (`split.json`); a resume whose data would give
another split stops and says what changed, unless the person allows it (then the new split is recorded, and
the change is kept in the record's history).
"""
import json
import os

from ..runtime.atomic import write_text_atomic
from .errors import RunError

FORMAT = 1


class SplitChangedError(RunError):
    """The data of a resumed run would give another train/test split than the one it was trained on."""


def describe_split(datasets):
    """{name: Dataset} -> what split.json records for them."""
    return {name: {"root": ds.image_root, "files_listed_in": ds.table.path,
                   "train": sorted(ds.split.train_files), "test": sorted(ds.split.test_files)}
            for name, ds in datasets.items() if ds is not None}


def read_record(path):
    """The recorded split, or None when the run has none yet (a run written before it was recorded).

    A record that cannot be read is an error, not an absence: treating it as absent would turn the check off."""
    if not os.path.exists(path):
        return None
    try:
        with open(path) as f:
            record = json.load(f)
        ok = isinstance(record, dict) and isinstance(record.get("datasets"), dict) and all(
            isinstance(d, dict) and isinstance(d.get("train"), list) and isinstance(d.get("test"), list)
            for d in record["datasets"].values())
        problem = None if ok else "not a split record (it needs datasets: {name: {train: [...], test: [...]}})"
    except (OSError, ValueError) as err:
        problem = "cannot be read ({})".format(err)
    if problem:
        raise SplitChangedError(
            "{} {}. It records which images this run tests on; put back a good copy (from a copy of the run), or "
            "delete it to record the split the data gives now (what the run was trained on before is then "
            "unknown)".format(path, problem))
    return record


def write_record(path, datasets, step, previous=None):
    record = {"format": FORMAT, "datasets": describe_split(datasets), "history": []}
    if previous:
        record["history"] = list(previous.get("history", [])) + [
            {"changed_at_step": step, "changes": changes(previous["datasets"], record["datasets"])}]
    write_text_atomic(path, json.dumps(record, separators=(",", ":")) + "\n")
    return record


def changes(old, new):
    """Per dataset: files added to and removed from the data, and test images the new split trains on."""
    out = {}
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name, {"train": [], "test": []}), new.get(name, {"train": [], "test": []})
        if set(a["train"]) == set(b["train"]) and set(a["test"]) == set(b["test"]):
            continue
        before, after = set(a["train"]) | set(a["test"]), set(b["train"]) | set(b["test"])
        out[name] = {"added": sorted(after - before), "removed": sorted(before - after),
                     "test_now_trained_on": sorted(set(a["test"]) & set(b["train"]))}
    return out


def check_unchanged(path, datasets, allow_change=False):
    """Stop when the data would split otherwise than recorded; returns the changes (empty when none)."""
    record = read_record(path)
    if record is None:
        return {}
    found = changes(record["datasets"], describe_split(datasets))
    if found and not allow_change:
        raise SplitChangedError(
            "{}: this run was trained on another train/test split than its data gives now: {}. Resuming would "
            "change which images the run trains and tests on. Put the data back as it was, or train into a new output_dir; "
            "allow_split_change=True (--allow-split-change) resumes with the new split, and the run's test figures "
            "then include images it was trained on".format(path, summary(found)))
    return found


def summary(found):
    def some(files):
        return "" if not files else " ({}{})".format(", ".join(files[:3]), ", ..." if len(files) > 3 else "")
    parts = []
    for name, c in found.items():
        parts.append("{} dataset: {} files added{}, {} removed{}; {} test images would be trained on".format(
            name, len(c["added"]), some(c["added"]), len(c["removed"]), some(c["removed"]),
            len(c["test_now_trained_on"])))
    return "; ".join(parts)
