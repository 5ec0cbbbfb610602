import numpy as np
import pytest
from PIL import Image

from stargan_nb.deploy import translate
from stargan_nb.deploy.inference import Generator
from stargan_nb.data.pipeline import make_dataset
from stargan_nb.deploy.sliders import SliderApp
from stargan_nb.model import labels
from stargan_nb.runtime.tfcompat import tf
from tiny_runs import copy_run

ATTRS = ["Black_Hair", "Blond_Hair", "Brown_Hair", "Male", "Young"]


@pytest.fixture(scope="module")
def gen(trained_tiny_run):
    g = Generator(trained_tiny_run)
    yield g
    g.close()


def test_targets_by_name():
    c = np.array([[1, 0, 0, 1, 1]], np.float32)
    assert labels.target_labels("Blond_Hair+Male", c, ATTRS).tolist() == [[0, 1, 0, 1, 1]]
    assert labels.target_labels("-Young", c, ATTRS).tolist() == [[1, 0, 0, 1, 0]]
    assert labels.target_labels("Brown_Hair + -Male", c, ATTRS).tolist() == [[0, 0, 1, 0, 1]]
    assert labels.target_labels("Blond_Hair", c, ATTRS, hair_exclusive=False).tolist() == [[1, 1, 0, 1, 1]]
    assert c.tolist() == [[1, 0, 0, 1, 1]]


def test_unknown_target_names_are_explained():
    c = np.zeros((1, 5), np.float32)
    with pytest.raises(labels.TargetError, match=r"unknown attribute 'Blonde_Hair'.*did you mean 'Blond_Hair'.*knows: Black_Hair, Blond_Hair"):
        labels.target_labels("Blonde_Hair+Male", c, ATTRS)
    with pytest.raises(labels.TargetError, match="empty target"):
        labels.target_labels(" + ", c, ATTRS)


def test_interpolating_an_attribute_the_model_lacks_is_explained(gen):
    x = np.zeros((gen.config.image_size, gen.config.image_size, 3), np.float32)
    with pytest.raises(labels.TargetError, match=r"unknown attribute 'Smiling' \(interpolate_attr\).*knows: "):
        translate.interpolation(gen, x, np.zeros(gen.config.c_dim, np.float32), "Smiling")


def test_grid_has_one_column_per_attribute(gen, toy_root):
    x = np.random.RandomState(0).uniform(-1, 1, (3, 16, 16, 3)).astype(np.float32)
    c = np.array([[1, 0, 0, 1, 1], [0, 1, 0, 0, 1], [0, 0, 0, 1, 0]], np.float32)
    fakes = translate.reference_grid(gen, x, c)
    assert len(fakes) == 5 and all(f.shape == (3, 16, 16, 3) for f in fakes)
    strip, rows = translate.interpolation(gen, x[0], c[0], "Young", steps=4)
    assert strip.shape == (4, 16, 16, 3)
    np.testing.assert_allclose(rows[:, 4], [0, 1 / 3, 2 / 3, 1], rtol=1e-6)
    assert (rows[:, :4] == c[0, :4]).all()  # the others as the input has them
    _, rows = translate.interpolation(gen, x[0], c[0], "Blond_Hair", steps=3)
    # A hair colour cross-fades with the input's: Black_Hair falls as Blond_Hair rises, as the grid switches it off.
    np.testing.assert_allclose(rows[:, :3], [[1, 0, 0], [0.5, 0.5, 0], [0, 1, 0]])
    assert (rows[:, 3:] == c[0, 3:]).all()


def test_targets_by_name_read_as_words():
    assert labels.target_caption("Brown_Hair+-Male+-Young") == "Brown_Hair, not Male, not Young"
    assert labels.target_caption(" Blond_Hair + Male ") == "Blond_Hair, Male"


def test_inference_does_not_depend_on_batch_size(gen):
    rng = np.random.RandomState(1)
    x = rng.uniform(-1, 1, (5, 16, 16, 3)).astype(np.float32)
    c = (rng.rand(5, 5) > 0.5).astype(np.float32)
    whole = gen(x, c, batch_size=5)
    pieces = gen(x, c, batch_size=2)
    one = np.concatenate([gen(x[i:i + 1], c[i:i + 1]) for i in range(5)])
    np.testing.assert_allclose(whole, pieces, atol=1e-5)
    np.testing.assert_allclose(whole, one, atol=1e-5)
    with pytest.raises(ValueError, match="labels have 3 columns but the model has c_dim=5"):
        gen(x, c[:, :3])


def test_own_image_of_any_size_is_prepared_like_the_test_split(gen, toy_root, tmp_path):
    src = toy_root / "images" / "000003.jpg"
    big = tmp_path / "big.png"
    Image.open(src).save(big)
    mine = translate.load_image(str(big), gen.config)
    with tf.Graph().as_default():
        ds = make_dataset([str(big)], np.zeros((1, 5), np.float32), 16, 178, 1, training=False)
        with tf.Session() as s:
            want = s.run(tf.data.make_one_shot_iterator(ds).get_next())[0][0]
    np.testing.assert_allclose(mine, want, atol=1e-6)
    odd = tmp_path / "odd.jpg"
    Image.new("RGB", (500, 300), (200, 30, 30)).save(odd)
    assert translate.load_image(str(odd), gen.config).shape == (16, 16, 3)
    with pytest.raises(FileNotFoundError, match="no such image file"):
        translate.load_image(str(tmp_path / "nope.jpg"), gen.config)
    (tmp_path / "text.jpg").write_text("hello")
    with pytest.raises(ValueError, match="text.jpg: not a readable JPEG, PNG"):
        translate.load_image(str(tmp_path / "text.jpg"), gen.config)


def test_slider_app_updates_the_translation(gen):
    rng = np.random.RandomState(2)
    x = rng.uniform(-1, 1, (2, 16, 16, 3)).astype(np.float32)
    c = np.array([[1, 0, 0, 1, 1], [0, 1, 0, 0, 0]], np.float32)
    app = SliderApp(gen, x, c, display_size=64)
    first = app.translated.value
    assert [s.value for s in app.sliders] == [1, 0, 0, 1, 1]
    app.sliders[1].value = 1.0            # Blond on: black switched off (exclusive)
    assert [s.value for s in app.sliders][:3] == [0, 1, 0]
    assert app.translated.value != first
    app.reset.click()
    assert [s.value for s in app.sliders] == [1, 0, 0, 1, 1]
    app.index.value = 1
    assert [s.value for s in app.sliders] == [0, 1, 0, 0, 0]
    assert app.latencies and "updated in" in app.status.value


def test_05_translate_runs_headless(trained_tiny_run, tmp_path):
    from notebook_runner import outputs_of, run
    run_dir = copy_run(trained_tiny_run, tmp_path / "run")  # the notebook writes translation_grid.png into it
    text, images = outputs_of(run("05_translate.ipynb", run_dir=run_dir,
                                  n_images=3, interpolation_steps=3, targets=["Blond_Hair+Male", "-Young"]))
    assert "at iteration 10" in text and "translation_grid.png" in text
    assert images == 6  # label rows, reference grid, the cycle's labels and images, multi-attribute targets,
    # interpolation strip
