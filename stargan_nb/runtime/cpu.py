"""What this CPU is and what it can compute: its model name and whether it has bfloat16 instructions.

Speeds measured on one CPU say little about another (an AMD EPYC and an Intel Xeon with AMX have both run
this workbook's benchmarks), so every benchmark names the model, and bf16 training is offered only where
the instructions exist: without them oneDNN emulates bf16, slower than fp32.
"""
import platform

# /proc/cpuinfo flags of the instructions that multiply bf16 in hardware: AVX512_BF16 (Intel Cooper Lake and
# Sapphire Rapids, AMD Zen 4 and later) and AMX's bf16 tiles (Intel Sapphire Rapids and later).
BF16_FLAGS = ("avx512_bf16", "amx_bf16")


def _cpuinfo(path="/proc/cpuinfo"):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def _field(name, cpuinfo):
    """The value of the first `name : value` line of /proc/cpuinfo (or of the text given), None if absent."""
    for line in (_cpuinfo() if cpuinfo is None else cpuinfo).splitlines():
        if line.startswith(name):
            return line.split(":", 1)[1].strip()
    return None


def cpu_model(cpuinfo=None) -> str:
    """The CPU's model name, as lscpu prints it."""
    return _field("model name", cpuinfo) or platform.processor() or "unknown"


def cpu_flags(cpuinfo=None) -> set:
    return set((_field("flags", cpuinfo) or "").split())


def bf16_flags(cpuinfo=None) -> list:
    """The bf16 instruction sets this CPU has (empty: none, or not Linux)."""
    flags = cpu_flags(cpuinfo)
    return [f for f in BF16_FLAGS if f in flags]
