import numpy as np
import pytest
from PIL import Image

from stargan_nb import data
from stargan_nb.config import Config
from stargan_nb.data.attributes import read_attribute_file
from stargan_nb.data.toy_faces import CELEBA_ATTRS, make_toy_celeba
from stargan_nb.data.toy_oracle import ORACLE_ATTRS, toy_oracle


def test_files_are_in_celebas_exact_format(toy_root):
    lines = (toy_root / "list_attr_celeba.txt").read_text().splitlines()
    assert lines[0] == "240"
    assert lines[1].split() == CELEBA_ATTRS and len(CELEBA_ATTRS) == 40
    first = lines[2].split()
    assert first[0] == "000001.jpg" and len(first) == 41 and set(first[1:]) <= {"1", "-1"}
    assert len(lines) == 242
    with Image.open(toy_root / "images" / "000240.jpg") as im:
        assert im.format == "JPEG" and im.size == (178, 218) and im.mode == "RGB"


def test_same_seed_same_dataset_any_worker_count(tmp_path):
    a = make_toy_celeba(tmp_path / "a", 210, seed=5, progress=False, workers=2)
    b = make_toy_celeba(tmp_path / "b", 210, seed=5, progress=False, workers=1)
    assert open(a).read() == open(b).read()
    assert (tmp_path / "a/images/000210.jpg").read_bytes() == (tmp_path / "b/images/000210.jpg").read_bytes()


def test_drawn_attributes_are_consistent_and_celeba_like(toy_root):
    table = read_attribute_file(toy_root / "list_attr_celeba.txt")
    col = {n: table.all_labels[:, i].astype(bool) for i, n in enumerate(table.all_names)}
    hair = col["Black_Hair"].astype(int) + col["Blond_Hair"] + col["Brown_Hair"] + col["Gray_Hair"]
    assert (hair == 1).all()                          # exactly one drawn hair colour
    assert (col["Male"] == col["Goatee"]).all() and (col["Male"] != col["No_Beard"]).all()  # men, and only men, have beards
    assert not (col["Mustache"] & ~col["Male"]).any()
    assert not (col["Male"] & col["Wearing_Lipstick"]).any()
    assert 0.3 < col["Male"].mean() < 0.55 and 0.65 < col["Young"].mean() < 0.9


@pytest.mark.parametrize("size", [32, 64, 128])
def test_oracle_reads_fresh_images_at_pipeline_size(tmp_path, size):
    meta = make_toy_celeba(tmp_path, 300, seed=100 + size, progress=False)
    cfg = Config.preset("toy", image_root=str(tmp_path / "images"), metadata_path=meta,
                        image_size=size, n_test=284)
    ds = data.load_dataset(cfg)
    _, images, labels = data.preview(cfg, ds, n=284)
    accuracy = (toy_oracle(images) == labels).mean(axis=0)
    assert labels.shape == (284, 5)
    for name, acc in zip(ORACLE_ATTRS, accuracy):
        assert acc >= 0.98, (name, acc)


def test_oracle_reads_male_through_pixel_noise(toy_root):
    """Generated faces are noisy; colour noise on a bare chin must not read as a beard."""
    cfg = Config.preset("toy", image_root=str(toy_root / "images"),
                        metadata_path=str(toy_root / "list_attr_celeba.txt"), image_size=32, n_test=230)
    _, images, labels = data.preview(cfg, data.load_dataset(cfg), n=230)
    noisy = np.clip(images + np.random.RandomState(0).normal(0, 0.05, images.shape), -1, 1)
    male = ORACLE_ATTRS.index("Male")
    assert (toy_oracle(noisy)[:, male] == labels[:, male]).mean() >= 0.97


def test_oracle_sees_a_changed_attribute(toy_root):
    """Paint dark stripes across a young face's forehead: the oracle must now say 'not Young'."""
    table = data.read_attributes(toy_root / "list_attr_celeba.txt", ["Young"])
    name = table.filenames[int(np.argmax(table.labels[:, 0]))]
    img = np.asarray(Image.open(toy_root / "images" / name).crop((0, 20, 178, 198))).copy()
    assert toy_oracle(img, ["Young"])[0, 0] == 1
    img[int(0.37 * 178):int(0.44 * 178):3, int(0.42 * 178):int(0.58 * 178)] = 20
    assert toy_oracle(img, ["Young"])[0, 0] == 0


def test_oracle_refuses_attributes_it_cannot_read():
    with pytest.raises(ValueError, match="cannot read Eyeglasses"):
        toy_oracle(np.zeros((1, 32, 32, 3), np.float32), ["Male", "Eyeglasses"])
    with pytest.raises(ValueError, match=r"expects images shaped \(N, H, W, 3\)"):
        toy_oracle(np.zeros((1, 32, 32), np.float32))


def test_existing_datasets_are_never_overwritten(tmp_path):
    from stargan_nb.data.toy_faces import ensure_toy_celeba
    meta = make_toy_celeba(tmp_path / "toy", 12, seed=1, progress=False)
    before = open(meta).read()
    assert ensure_toy_celeba(tmp_path / "toy", num_images=5000) == meta  # kept, not regenerated
    assert open(meta).read() == before
    real = tmp_path / "real"
    real.mkdir()
    (real / "list_attr_celeba.txt").write_text("1\nMale\n000001.jpg 1\n")
    with pytest.raises(FileExistsError, match="did not write"):
        ensure_toy_celeba(real, num_images=10)
    assert (real / "list_attr_celeba.txt").read_text() == "1\nMale\n000001.jpg 1\n"


def test_colour_moves_see_a_recoloured_background_and_not_a_recoloured_hair(toy_root):
    """The identity regions are background and skin for every face: repainting everything but the
    face's middle moves the background reading by the paint's amount and leaves the skin reading alone."""
    from stargan_nb.data.toy_oracle import colour_moves
    x = np.stack([np.asarray(Image.open(str(toy_root / "images" / "{:06d}.jpg".format(i))))[20:198] for i in (1, 2, 3)])
    same = colour_moves(x, x)
    assert all(np.allclose(v, 0) for v in same.values())
    shifted = x.astype(np.int16)
    border = np.ones(x.shape[1:3], bool)
    border[40:-40, 40:-40] = False  # keep the face (cheeks included), repaint the border
    shifted[:, border] += 30
    moved = colour_moves(x, np.clip(shifted, 0, 255).astype(np.uint8))
    assert (moved["background"] > 20).all() and (moved["background"] <= 30).all()
    assert np.allclose(moved["skin"], 0)
    hair = x.copy()
    hair[:, 30:60, 70:110] = 255  # the hair cap: an attribute's region, not identity
    assert all(np.allclose(v, 0) for v in colour_moves(x, hair).values())
