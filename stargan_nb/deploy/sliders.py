"""Attribute sliders: move an attribute and watch the face change (05_translate.ipynb).

ipywidgets is imported inside the function, so the package imports without a notebook.
"""
import time

import numpy as np

from ..kinds import kind_of
from ..model.labels import space
from ..viz import png_bytes


class SliderApp:
    """Original and translated image side by side, one FloatSlider per attribute (or domain).

    Sliders run from -1 to 2: the model was trained on 0/1 labels, values between
    interpolate and values beyond extrapolate. Updates happen when a slider is released.
    With "one of each group" ticked, raising a hair colour (a domain of a folder dataset) lowers the
    others of its group to 0, as the labels were in training. In joint training, raising one dataset's label
    lowers the other dataset's and sets the mask to its dataset (the rules of LabelSpace.switch_on).
    """

    def __init__(self, gen, images, labels, display_size=256):
        import ipywidgets as w
        self.gen, self.images, self.labels = gen, np.asarray(images), np.asarray(labels, np.float32)
        self.space = space(gen.config)
        self.attrs = list(self.space)
        self.display_size = display_size
        self.latencies = []
        self._busy = False
        self.index = w.IntSlider(value=0, min=0, max=max(len(self.images) - 1, 0), description="test image",
                                 continuous_update=False)
        self.upload = w.FileUpload(accept="image/*", multiple=False, description="your image")
        self.sliders = [w.FloatSlider(value=0.0, min=-1.0, max=2.0, step=0.05, description=a,
                                      continuous_update=False, readout_format=".2f",
                                      style={"description_width": "110px"}) for a in self.attrs]
        self.exclusive = w.Checkbox(value=True, description=kind_of(gen.config).exclusive_caption)
        self.reset = w.Button(description="reset to the input's labels", icon="undo")
        self.original = w.Image(format="png", width=display_size, height=display_size)
        self.translated = w.Image(format="png", width=display_size, height=display_size)
        self.status = w.Label()
        self.x = None
        self.c_org = None
        for s in self.sliders:
            s.observe(self._on_slider, names="value")
        self.index.observe(lambda ch: self.select(ch["new"]), names="value")
        self.upload.observe(self._on_upload, names="value")
        self.reset.on_click(lambda _: self.reset_sliders())
        pictures = w.HBox([w.VBox([w.Label("original"), self.original]),
                           w.VBox([w.Label("translated"), self.translated])])
        controls = w.VBox([self.index, self.upload] + self.sliders + [self.exclusive, self.reset])
        self.widget = w.VBox([w.HBox([controls, pictures]), self.status])
        if len(self.images):
            self.select(0)

    # ----------------------------------------------------------------- actions
    def select(self, i):
        self.set_input(self.images[i], self.labels[i], "test image {}".format(i))

    def set_input(self, x, c_org, name):
        self.x, self.c_org, self.name = np.asarray(x, np.float32), np.asarray(c_org, np.float32), name
        self.original.value = png_bytes(self.x, self.display_size)
        self.reset_sliders()

    def reset_sliders(self):
        self._busy = True
        for s, v in zip(self.sliders, self.c_org):
            s.value = float(v)
        self._busy = False
        self.render()

    def _on_slider(self, change):
        if self._busy:
            return
        i = self.sliders.index(change["owner"])
        if change["new"] > 0:  # the label rules (LabelSpace.switch_on): its group's others off, the mask set
            c = self.space.switch_on(np.array([s.value for s in self.sliders], np.float64), i,
                                     self.exclusive.value, change["new"])
            self._busy = True
            for s, v in zip(self.sliders, c):
                if s.value != float(v):
                    s.value = float(v)
            self._busy = False
        self.render()

    def _on_upload(self, change):
        from .translate import prepare_bytes
        files = change["new"]
        if not files:
            return
        item = files[0] if isinstance(files, (list, tuple)) else list(files.values())[0]
        try:
            x = prepare_bytes(bytes(item["content"]), self.gen.config, name=item.get("name", "upload"))
        except ValueError as err:
            self.status.value = str(err)
            return
        # Nobody labelled this image: start from the current sliders; set them to what it shows.
        self.set_input(x, np.array([s.value for s in self.sliders], np.float32), item.get("name", "upload"))
        self.status.value = "Your image has no labels: set the sliders to what it shows, press reset, then move one."

    def render(self):
        t0 = time.perf_counter()
        c = np.array([s.value for s in self.sliders], np.float32)
        y = self.gen(self.x[None], c[None])[0]
        self.translated.value = png_bytes(y, self.display_size)
        ms = (time.perf_counter() - t0) * 1000
        self.latencies.append(ms)
        self.status.value = "{}: updated in {:.0f} ms".format(self.name, ms)
        return y
