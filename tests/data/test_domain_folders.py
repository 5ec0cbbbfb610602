"""Folder-per-domain datasets: labels from sorted folder names, and an error for every broken layout."""
import numpy as np
import pytest
from PIL import Image

from stargan_nb.data.attributes import DataFormatError, split
from stargan_nb.data.domain_folders import read_domain_folders


def image(path, size=(8, 8)):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (120, 30, 60)).save(str(path))
    return path


def layout(root, counts):
    for domain, n in counts.items():
        for i in range(n):
            image(root / domain / "{:03d}.png".format(i))
    return root


def test_domains_are_the_sorted_folder_names_and_labels_one_hot(tmp_path):
    layout(tmp_path, {"sad": 2, "angry": 3, "happy": 1})
    image(tmp_path / "sad" / "more" / "deep.jpg")  # below a domain's folder is still that domain
    (tmp_path / ".DS_Store").write_text("x")       # hidden files are not data
    table = read_domain_folders(tmp_path)
    assert table.selected == ["angry", "happy", "sad"]
    assert table.filenames[:4] == ["angry/000.png", "angry/001.png", "angry/002.png", "happy/000.png"]
    assert table.filenames[-1] == "sad/more/deep.jpg"
    assert table.labels.sum(axis=1).tolist() == [1.0] * 7
    assert table.labels.argmax(axis=1).tolist() == [0, 0, 0, 1, 2, 2, 2]


def test_a_subset_of_domains_keeps_its_order_and_leaves_the_rest_out(tmp_path):
    layout(tmp_path, {"sad": 2, "angry": 3, "happy": 1})
    table = read_domain_folders(tmp_path, ["sad", "angry"])
    assert table.selected == ["sad", "angry"] and len(table) == 5
    assert table.labels.argmax(axis=1).tolist() == [0, 0, 1, 1, 1]


def test_the_split_is_seeded_like_celeba(tmp_path):
    layout(tmp_path, {"a": 20, "b": 20})
    table = read_domain_folders(tmp_path)
    one, two = split(table, 10, seed=3), split(table, 10, seed=3)
    assert one.test_files == two.test_files and len(one.train_files) == 30
    assert split(table, 10, seed=4).test_files != one.test_files


@pytest.mark.parametrize("build, message", [
    (lambda r: None, r"not a folder; point image_root"),
    (lambda r: r.mkdir(), r"no domain folders; make one sub-folder per domain"),
    (lambda r: layout(r, {"happy": 2}), r"only one domain folder \(happy\)"),
    (lambda r: (layout(r, {"happy": 1, "sad": 1}), image(r / "stray.jpg")),
     r"1 images lie at the root \(first: stray.jpg\).*move each image into the folder named after its domain"),
    (lambda r: (layout(r, {"happy": 1}), (r / "sad").mkdir()), r"sad: the domain folder holds no images"),
    (lambda r: (layout(r, {"happy": 1, "sad": 1}), (r / "sad" / "notes.txt").write_text("x")),
     r"notes.txt is not an image the pipeline reads"),
    (lambda r: layout(r, {"happy": 1, "Happy": 1}), r"folders 'Happy' and 'happy' differ only in case"),
    (lambda r: layout(r, {"happy face": 1, "sad": 1}), r"folder name 'happy face' cannot name a domain"),
    (lambda r: layout(r, {"happy+sad": 1, "sad": 1}), r"folder name 'happy\+sad' cannot name a domain"),
])
def test_broken_layouts_say_what_to_fix(tmp_path, build, message):
    root = tmp_path / "faces"
    build(root)
    with pytest.raises(DataFormatError, match=message):
        read_domain_folders(root)


def test_an_unknown_domain_suggests_the_closest(tmp_path):
    layout(tmp_path, {"happy": 1, "sad": 1})
    with pytest.raises(DataFormatError, match=r"no domain folder 'hapy'; did you mean 'happy'\? the domains "
                                              r"there are: happy, sad"):
        read_domain_folders(tmp_path, ["hapy", "sad"])


def test_labels_are_float_one_hot_rows(tmp_path):
    layout(tmp_path, {"x": 1, "y": 1, "z": 1})
    table = read_domain_folders(tmp_path)
    assert table.labels.dtype == np.float32 and np.array_equal(table.labels, np.eye(3, dtype=np.float32))
