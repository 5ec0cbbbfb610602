"""ARCHITECTURE.md's import rule, checked: every import inside stargan_nb goes only to the parts its row of the
table "part | may import | and inside functions" names (the third column: imports inside a function only). The
table is read from ARCHITECTURE.md, so the rule has one source."""
import ast
import re
from repo_paths import REPO

PACKAGE = REPO / "stargan_nb"


def allowed():
    text = (REPO / "ARCHITECTURE.md").read_text()
    table = text[text.index("| part | may import |"):].split("\n\n")[0].splitlines()[2:]
    rule = {}
    for line in table:
        part, may, lazily = [c.strip() for c in line.strip().strip("|").split("|")]
        rule[part] = tuple({"any"} if cell == "any" else {p.strip() for p in cell.split(",") if p.strip()}
                           for cell in (may, lazily))
    return rule


def part_of(module):
    """stargan_nb.model.losses -> model; stargan_nb.config -> config; stargan_nb -> the package itself."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "stargan_nb"


def imports(path, root=REPO):
    """(line, the stargan_nb module it imports, whether at module level) for every import statement of a file."""
    module = ".".join(path.relative_to(root).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    package = package.replace(".__init__", "")
    tree = ast.parse(path.read_text())
    top = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                names = [target] if node.module else [target + "." + a.name for a in node.names]
            else:
                names = [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            if name == "stargan_nb" or name.startswith("stargan_nb."):
                yield node.lineno, name, id(node) in top


def violations(root=REPO):
    rule = allowed()
    found = []
    for path in sorted((root / "stargan_nb").rglob("*.py")):
        own = part_of(".".join(path.relative_to(root).with_suffix("").parts))
        if own == "__init__":
            continue  # the package's own __init__ maps the 0.1 names; it imports nothing at import time
        assert own in rule, "{} belongs to no row of ARCHITECTURE.md's table 'part | may import'".format(own)
        may, lazily = rule[own]
        for line, target, module_level in imports(path, root):
            other = part_of(target)
            ok = other == own or "any" in may or other in may or (not module_level and other in lazily)
            if not ok:
                found.append("{}:{}: {} imports {}{}".format(path.relative_to(root), line, own, target,
                                                             "" if module_level else " (in a function)"))
    return found


def test_every_import_follows_architecture_md():
    assert violations() == []


def test_the_rule_is_read_and_would_catch_a_stage_reaching_up(tmp_path):
    rule = allowed()
    assert "deploy" not in rule["evaluation"][0] and "runs" not in rule["model"][0] and rule["runtime"] == (set(), set())
    assert "data" in rule["kinds"][1] and "data" not in rule["kinds"][0]
    # A copy of the package in which a module of data/ imports deploy/ inside a function: the check must see it.
    import shutil
    shutil.copytree(str(PACKAGE), str(tmp_path / "stargan_nb"))
    (tmp_path / "stargan_nb" / "data" / "probe.py").write_text("def f():\n    from ..deploy import freeze\n")
    (tmp_path / "stargan_nb" / "model" / "probe.py").write_text("import stargan_nb.runs.run\n")
    (tmp_path / "stargan_nb" / "kinds" / "probe.py").write_text("from ..data import dataset\n")  # at load time
    found = violations(tmp_path)
    assert any(re.search(r"data/probe.py:2: data imports stargan_nb.deploy \(in a function\)$", v) for v in found), found
    assert any(re.search(r"model/probe.py:1: model imports stargan_nb.runs.run$", v) for v in found), found
    assert any(re.search(r"kinds/probe.py:1: kinds imports stargan_nb.data$", v) for v in found), found
