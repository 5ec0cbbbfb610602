from notebook_runner import outputs_of, run


def test_01_data_inspection_runs_headless_on_a_tiny_toy_dataset(tmp_path):
    root = tmp_path / "toy"
    nb = run("01_data_inspection.ipynb", preset="toy", image_root=str(root / "images"),
             metadata_path=str(root / "list_attr_celeba.txt"), num_toy_images=60, n_preview=4,
             config_overrides={"n_test": 10})
    text, images = outputs_of(nb)
    assert (root / "list_attr_celeba.txt").read_text().startswith("60\n")  # generated on first use
    assert "60 images: 50 for training, 10 for testing" in text
    assert "Black_Hair" in text and "%" in text
    assert "oracle reads Male         right on 100.0% of 10 test images" in text
    assert images == 6  # frequency bars, co-occurrence heatmap, raw vs preprocessed grid, label rows and their
    # images, oracle regions


def test_01_says_the_oracle_cannot_judge_other_attributes(tmp_path):
    root = tmp_path / "toy"
    nb = run("01_data_inspection.ipynb", preset="toy", image_root=str(root / "images"),
             metadata_path=str(root / "list_attr_celeba.txt"), num_toy_images=30, n_preview=2,
             config_overrides={"n_test": 5, "selected_attrs": ["Smiling", "Young"]})
    text, images = outputs_of(nb)
    assert "notebook 06 trains a classifier as the judge" in text and images == 5
