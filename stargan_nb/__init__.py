"""Helper package of the StarGAN workbook.

Each module has one concern; notebooks import them directly (``from stargan_nb import data``).
Nothing here imports IPython or widgets at import time.
"""
__version__ = "0.1.0"
