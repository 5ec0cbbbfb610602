"""Objects that own a TensorFlow session over a graph they restored: `close()` frees its memory (a notebook
may open many), and `with` closes it on every way out."""


class OwnsSession:
    session = None

    def close(self):
        if self.session is not None:
            self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
