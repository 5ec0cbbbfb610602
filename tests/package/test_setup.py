import os
import subprocess
from repo_paths import REPO


def test_without_python37_setup_says_how_to_get_one(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path / "pyenv")}
    r = subprocess.run(["bash", str(REPO / "scripts" / "find-python37")], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert r.returncode == 1 and r.stdout == ""
    assert "no Python 3.7 interpreter found" in r.stderr
    assert "pyenv install 3.7" in r.stderr and "environment.yml" in r.stderr


def test_finder_accepts_an_explicit_interpreter_and_rejects_a_wrong_version(tmp_path):
    import sys
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path / "pyenv"),
           "PYTHON37": sys.executable}
    r = subprocess.run(["bash", str(REPO / "scripts" / "find-python37")], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if sys.version_info[:2] == (3, 7):
        assert r.returncode == 0 and os.path.samefile(r.stdout.strip(), sys.executable)
    else:
        assert r.returncode == 1


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one():
    readme = (REPO / "README.md").read_text().splitlines()
    commands = [line.strip() for line in readme[:30] if line.strip().startswith("make ")]
    assert commands[:2] == ["make demo", "make test"]
    assert "make test" in (REPO / ".ci" / "run").read_text()
