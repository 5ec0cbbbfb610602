import random

import numpy as np
import pytest

from stargan_nb.data.attributes import DataFormatError, read_attribute_file, read_attributes, split

NAMES = ["Bald", "Black_Hair", "Blond_Hair", "Male", "Young"]


def attr_text(rows, names=NAMES, count=None):
    lines = [str(len(rows) if count is None else count), " ".join(names) + " "]
    lines += ["{}  {}".format(name, "  ".join(values)) for name, values in rows]
    return "\n".join(lines) + "\n"


def rows_of(n, seed=0):
    rng = np.random.RandomState(seed)
    return [("{:06d}.jpg".format(i + 1), [rng.choice(["1", "-1"]) for _ in NAMES]) for i in range(n)]


def test_reads_celeba_format(tmp_path):
    rows = [("000001.jpg", ["-1", "1", "-1", "1", "1"]), ("000002.jpg", ["-1", "-1", "1", "-1", "-1"])]
    path = tmp_path / "list_attr_celeba.txt"
    path.write_text(attr_text(rows).replace("\n", "\r\n"))  # Windows line ends too
    table = read_attributes(path, ["Blond_Hair", "Male"])
    assert table.filenames == ["000001.jpg", "000002.jpg"]
    assert table.labels.tolist() == [[0.0, 1.0], [1.0, 0.0]]
    assert table.all_names == NAMES


def test_a_byte_order_mark_is_read_like_any_other_file(tmp_path):
    rows = [("000001.jpg", ["-1", "1", "-1", "1", "1"]), ("000002.jpg", ["-1", "-1", "1", "-1", "-1"])]
    path = tmp_path / "list_attr_celeba.txt"
    path.write_bytes(b"\xef\xbb\xbf" + attr_text(rows).replace("\n", "\r\n").encode("utf-8"))  # Notepad's UTF-8
    table = read_attributes(path, ["Blond_Hair", "Male"])
    assert table.filenames == ["000001.jpg", "000002.jpg"] and table.labels.tolist() == [[0.0, 1.0], [1.0, 0.0]]


@pytest.mark.parametrize("text, message", [
    ("", r":1: the file is empty"),
    ("Bald Male\n000001.jpg 1 -1\n", r":1: expected the number of images, found 'Bald Male'"),
    ("1\n000001.jpg 1 -1 1 1 1\n", r":2: expected the line of attribute names, found an image row"),
    ("1\nBald Male Bald\n000001.jpg 1 -1 1\n", r":2: attribute name 'Bald' appears twice"),
    ("2\nBald Male\n000001.jpg 1 -1\n000002.jpg 1\n", r":4: expected a file name and 2 values, found 1 values"),
    ("2\nBald Male\n000001.jpg 1 -1\n000002.jpg 1 0\n", r":4: value '0' for Male is not 1 or -1"),
    ("2\nBald Male\n000001.jpg 1 -1\n000001.jpg 1 1\n", r":4: image '000001.jpg' is listed again \(first on line 3\)"),
    ("3\nBald Male\n000001.jpg 1 -1\n000002.jpg 1 1\n", r":1: the count line says 3 images but 2 rows follow; set line 1 to 2"),
    ("2\nBald Male\n000001.jpg 1 -1\n\n000002.jpg 1 1\n", r":4: blank line inside the image rows"),
])
def test_bad_files_name_file_and_line(tmp_path, text, message):
    path = tmp_path / "attrs.txt"
    path.write_text(text)
    with pytest.raises(DataFormatError, match=r"attrs\.txt" + message):
        read_attribute_file(path)


def test_unknown_attribute_suggests_the_closest_and_lists_all(tmp_path):
    path = tmp_path / "attrs.txt"
    path.write_text(attr_text(rows_of(3)))
    with pytest.raises(DataFormatError) as err:
        read_attributes(path, ["Blonde_Hair"])
    msg = str(err.value)
    assert "unknown attribute 'Blonde_Hair'" in msg and "did you mean 'Blond_Hair'" in msg
    assert "valid names are: Bald, Black_Hair, Blond_Hair, Male, Young" in msg


def test_missing_file_says_what_to_point_at(tmp_path):
    with pytest.raises(DataFormatError, match="attribute file not found; point metadata_path"):
        read_attribute_file(tmp_path / "nope.txt")


def reference_split(lines, selected, names, n_test=2000):
    """yunjey/stargan data_loader.CelebA.preprocess, with n_test in place of its (i+1) < 2000."""
    lines = list(lines)
    random.seed(1234)
    random.shuffle(lines)
    train, test = [], []
    for i, line in enumerate(lines):
        parts = line.split()
        label = [parts[1:][names.index(a)] == "1" for a in selected]
        (test if i < n_test else train).append([parts[0], label])
    return train, test


def test_split_matches_the_reference_algorithm(tmp_path):
    rows = rows_of(2600, seed=3)
    text = attr_text(rows)
    path = tmp_path / "attrs.txt"
    path.write_text(text)
    selected = ["Male", "Black_Hair", "Young"]
    ours = split(read_attributes(path, selected), n_test=2000, seed=1234)
    ref_train, ref_test = reference_split(text.splitlines()[2:], selected, NAMES)
    assert ours.test_files == [f for f, _ in ref_test]
    assert ours.train_files == [f for f, _ in ref_train]
    assert ours.test_labels.tolist() == [[float(v) for v in lab] for _, lab in ref_test]
    assert len(ours.test_files) == 2000 and len(ours.train_files) == 600


def test_split_leaves_global_random_state_alone(tmp_path):
    path = tmp_path / "attrs.txt"
    path.write_text(attr_text(rows_of(50)))
    random.seed(5)
    expected = random.random()
    random.seed(5)
    split(read_attributes(path, ["Male"]), n_test=10)
    assert random.random() == expected


def test_split_refuses_to_leave_no_training_images(tmp_path):
    path = tmp_path / "attrs.txt"
    path.write_text(attr_text(rows_of(10)))
    with pytest.raises(DataFormatError, match="n_test=10 leaves no training images"):
        split(read_attributes(path, ["Male"]), n_test=10)
