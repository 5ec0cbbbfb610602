"""Write a clean notebook (no outputs) from a list of cells; used to author notebooks/*.ipynb.

Usage in a script: nbwrite.write("notebooks/01_x.ipynb", [("md", "..."), ("params", "..."), ("code", "...")])
"""
import nbformat


def write(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for kind, source in cells:
        source = source.strip("\n")
        if kind == "md":
            nb.cells.append(nbformat.v4.new_markdown_cell(source))
        else:
            cell = nbformat.v4.new_code_cell(source)
            if kind == "params":
                cell.metadata["tags"] = ["parameters"]
            nb.cells.append(cell)
    for i, cell in enumerate(nb.cells):
        cell["id"] = "cell-{:02d}".format(i)
    nbformat.validate(nb)
    nbformat.write(nb, path)
