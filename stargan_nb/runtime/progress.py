"""Progress bars that leave a line a reader can see in an executed notebook.

A live notebook bar is a widget, and a copy executed headless (papermill, `make demo`) keeps only its first
frame: "0%". So each bar here prints its final state as a plain line when it closes (count, time, rate, the
last values it showed), and where no one watches (STARGAN_NB_HEADLESS=1, which `make demo` sets) it draws no
widget, only that line and one at each tenth of a long job.
"""
import os
import sys
import time

HEADLESS = "STARGAN_NB_HEADLESS"


def headless():
    return os.environ.get(HEADLESS, "") not in ("", "0")


class Progress:
    """tqdm's interface as the package uses it: update, set_postfix, close, and iteration over `iterable`."""

    def __init__(self, iterable=None, total=None, desc="", unit="it", initial=0):
        self.iterable = iterable
        self.total = total if total is not None else (len(iterable) if hasattr(iterable, "__len__") else None)
        self.desc, self.unit, self.n, self.initial = desc, unit, initial, initial
        self.postfix, self.closed, self.t0 = {}, False, time.time()
        self.bar, self.next_tenth = None, 1
        if not headless():
            from tqdm.auto import tqdm
            self.bar = tqdm(total=self.total, initial=initial, desc=desc, unit=unit, dynamic_ncols=True)

    def update(self, k=1):
        self.n += k
        if self.bar is not None:
            self.bar.update(k)
        elif self.total and self.total - self.initial >= 1000:
            done = (self.n - self.initial) / (self.total - self.initial)
            if done * 10 >= self.next_tenth and self.n < self.total:
                self.next_tenth = int(done * 10) + 1
                print(self.line(), flush=True)

    def set_postfix(self, values):
        self.postfix = dict(values)
        if self.bar is not None:
            self.bar.set_postfix(values)

    def line(self):
        """'training: 3000/3000 it in 312 s (9.62 it/s); D 0.123, ...': where the job stands, in one line."""
        seconds = time.time() - self.t0
        done = self.n - self.initial
        count = "{}: {}{} {}".format(self.desc, self.n, "/{}".format(self.total) if self.total is not None else "",
                                     self.unit)
        if done:
            text = count + " in {:.0f} s ({:.2f} {}/s)".format(seconds, done / max(seconds, 1e-9), self.unit)
        else:
            text = count + ", nothing left to do"
        if self.initial:
            text += ", resumed at {}".format(self.initial)
        if self.postfix:
            text += "; " + ", ".join("{} {}".format(k, v) for k, v in self.postfix.items())
        return text

    def close(self):
        if self.closed:
            return
        self.closed = True
        if self.bar is not None:
            self.bar.close()
        sys.stderr.flush()
        print(self.line(), flush=True)

    def __iter__(self):
        try:
            for item in self.iterable:
                yield item
                self.update(1)
        finally:
            self.close()


def progress(iterable=None, total=None, desc="", unit="it", initial=0):
    return Progress(iterable, total, desc, unit, initial)
