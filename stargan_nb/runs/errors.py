"""The one error class of run directories, so a caller (the command line, a notebook) catches them all at once."""


class RunError(RuntimeError):
    """A run directory that cannot be used as asked; the message says what to do."""
