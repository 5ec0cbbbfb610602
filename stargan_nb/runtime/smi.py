"""What the device tools say: `npu-smi info` (Ascend) and `nvidia-smi` (NVIDIA), read from their text tables.

The doctor reads these instead of opening a session, so that a chip that is busy or unhealthy, or a driver too old
for the TensorFlow build, is named before training starts rather than deep inside session creation. Both tools
print tables meant for people; the parsers below read only the columns they need and ignore the rest, so the
tables' widths and extra columns (which change between driver versions) do not matter.
"""
import re
import shutil
import subprocess


def run_tool(name, args=(), timeout=30):
    """(stdout, problem): the tool's output, or None and why not (not on PATH, failed, hung)."""
    path = shutil.which(name)
    if path is None:
        return None, "{} is not on PATH".format(name)
    try:
        r = subprocess.run([path, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "`{} {}` did not answer within {} s".format(name, " ".join(args), timeout)
    except OSError as err:
        return None, "{} could not be run: {}".format(path, err)
    if r.returncode != 0:
        said = (r.stderr or r.stdout).strip().splitlines()
        return None, "`{} {}` exited with status {}{}".format(name, " ".join(args), r.returncode,
                                                             ": " + said[-1] if said else "")
    return r.stdout, ""


def _cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse_npu_smi(text):
    """The chips of an `npu-smi info` table, in order: [{device_id, npu, chip, name, health, bus_id, processes}].

    The table has two rows per chip (NPU id, name, health; then chip id, bus id), then a process table whose
    rows name the NPU and chip a process runs on. device_id is the chip's position in the table: the logical
    id ASCEND_DEVICE_ID names (equal to the NPU id on one-chip cards such as the Ascend 910 and 910B).
    """
    chips, processes, in_processes = [], [], False
    for line in text.splitlines():
        if not line.startswith("|"):
            continue
        cells = _cells(line)
        if "Process id" in line:
            in_processes = True
            continue
        if len(cells) < 2 or not cells[0] or "Name" in cells[0] or cells[0].startswith(("Chip", "npu-smi")):
            continue
        first = cells[0].split()
        if in_processes:
            if len(first) >= 2 and first[0].isdigit() and len(cells) >= 3:
                processes.append({"npu": int(first[0]), "chip": int(first[1]), "pid": cells[1], "name": cells[2]})
            continue
        if not first[0].isdigit():
            continue
        if ":" in cells[1] and chips and chips[-1].get("bus_id") is None:  # the chip's second row: chip, bus id
            chips[-1]["chip"], chips[-1]["bus_id"] = int(first[0]), cells[1]
        elif len(first) >= 2:  # the first row: NPU id, name, health
            chips.append({"device_id": len(chips), "npu": int(first[0]), "name": " ".join(first[1:]),
                          "health": cells[1], "chip": 0, "bus_id": None})
    for chip in chips:
        chip["processes"] = [p for p in processes if (p["npu"], p["chip"]) == (chip["npu"], chip["chip"])]
    return chips


def parse_nvidia_smi(text):
    """{driver_version, cuda_version, gpus: [names]} from `nvidia-smi`'s default table (None where absent)."""
    def field(label):
        m = re.search(label + r":\s*([0-9][0-9.]*)", text)
        return m.group(1) if m else None
    gpus = [m.group(1).strip() for m in re.finditer(r"^\|\s+\d+\s+(.+?)\s+(?:On|Off)\s+\|", text, re.M)]
    return {"driver_version": field("Driver Version"), "cuda_version": field("CUDA Version"), "gpus": gpus}


def version_tuple(text):
    return tuple(int(p) for p in re.findall(r"\d+", text or "")[:2])
