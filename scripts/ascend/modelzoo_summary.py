"""The summary ModelZoo's 1p scripts end with, for a workbook run: printed lines and output/<id>/<CaseName>.log.

Read from the run's metrics.jsonl (one row every summary_steps: step, seconds since this training session began,
losses). Throughput counts only the rows after the first of the last session, so that the first iteration, which
includes the graph's compilation (minutes on an NPU), is reported apart (FirstIterationTime) and not averaged in.
"""
import argparse
import json
import platform
import sys
from pathlib import Path

from stargan_nb import runs


def last_session(rows):
    """The rows of the latest training session: seconds restart from zero when a run resumes."""
    start = 0
    for i in range(1, len(rows)):
        if rows[i]["seconds"] < rows[i - 1]["seconds"]:
            start = i
    return rows[start:]


def summary(run_dir, network, kind, e2e):
    rows = last_session(runs.read_metrics(run_dir))
    with open(runs.config_path(run_dir)) as f:
        config = json.load(f)
    batch = config["batch_size"]
    if len(rows) < 2:
        raise SystemExit("error: {} has {} metrics row(s) in its last session; throughput needs two (train more "
                         "iterations than summary_steps)".format(runs.metrics_path(run_dir), len(rows)))
    first, last = rows[0], rows[-1]
    seconds_per_iteration = (last["seconds"] - first["seconds"]) / (last["step"] - first["step"])
    case = "{}_bs{}_1p_{}".format(network, batch, kind)
    return case, [("Network", network), ("RankSize", 1), ("BatchSize", batch), ("DeviceType", platform.machine()),
                  ("CaseName", case), ("PrecisionMode", config["precision_mode"]),
                  ("ActualFPS", "{:.2f}".format(batch / seconds_per_iteration)),
                  ("TrainingTime", "{:.2f}".format(1000 * seconds_per_iteration)),  # ms per iteration
                  ("FirstIterationTime", "{:.2f}".format(first["seconds"] / max(first["step"], 1))),
                  ("ActualLoss", "{:.4f}".format(last["G/loss_rec"])), ("TrainAccuracy", "None"),
                  ("Steps", last["step"]), ("E2ETrainingTime", e2e)], [r["G/loss_rec"] for r in rows]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run-dir", required=True)
    p.add_argument("--network", required=True)
    p.add_argument("--kind", required=True, choices=("acc", "perf"))
    p.add_argument("--e2e", type=int, required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    case, fields, losses = summary(a.run_dir, a.network, a.kind, a.e2e)
    out = Path(a.out)
    (out / (case + ".log")).write_text("".join("{} = {}\n".format(k, v) for k, v in fields))
    (out / "train_{}_loss.txt".format(case)).write_text("".join("{}\n".format(v) for v in losses))
    values = dict(fields)
    print("------------------ Final result ------------------")
    print("Final Performance images/sec : {}".format(values["ActualFPS"]))
    print("Final Performance ms/iteration : {}".format(values["TrainingTime"]))
    print("First iteration sec (graph compilation included) : {}".format(values["FirstIterationTime"]))
    print("Final Train Loss (G/loss_rec) : {}".format(values["ActualLoss"]))
    print("E2E Training Duration sec : {}".format(a.e2e))
    print("Summary: {}".format(out / (case + ".log")))


if __name__ == "__main__":
    sys.exit(main())
