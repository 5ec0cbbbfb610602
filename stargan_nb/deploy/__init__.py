"""Stage 5, using a trained generator: translate, play with sliders, freeze to .pb, import the reference's weights.

    inference      Generator and open_run, imported from their home training.trained
    translate      the reference's grid, interpolation, your own images
    sliders        the attribute-slider widget of notebook 05
    freeze         the frozen .pb with its JSON sidecar, load_frozen, the ATC command for Ascend
    convert        the reference's PyTorch weights as a run directory
    torch_export   the torch-side half of convert (runs in a Python with torch, not imported here)
"""
