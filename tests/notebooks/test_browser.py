"""The sliders in a real browser: JupyterLab from the project's venv, Debian's Chromium driven by Playwright.

Needs `scripts/setup-browser` (run by `make test`). Where Chromium or the Playwright venv is missing the
test is skipped with the reason, except under CI (CI=true), where it must run.
"""
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import papermill
import pytest
from tiny_runs import train_tiny
from repo_paths import REPO, SUPPORT

BROWSER_PY = REPO / ".venv-browser" / "bin" / "python"
SHOTS = REPO / "outputs" / "browser"
# JupyterLab runs from .venv whichever suite runs this test: once is enough (tests/conftest.py).
pytestmark = pytest.mark.tf115_suite_only


def _require_browser():
    missing = [what for what, ok in [("chromium", shutil.which("chromium")), (".venv-browser (scripts/setup-browser)", BROWSER_PY.exists())] if not ok]
    if missing:
        reason = "browser test needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def trained_run(toy_root, tmp_path):
    return train_tiny(toy_root, tmp_path / "run", image_size=32, d_repeat_num=4, training_iterations=5)


def test_slider_changes_the_translated_image_in_jupyterlab(trained_run, tmp_path):
    _require_browser()
    lab_dir = tmp_path / "lab"
    lab_dir.mkdir()
    papermill.execute_notebook(str(REPO / "notebooks" / "05_translate.ipynb"), str(lab_dir / "05_translate.ipynb"),
                               parameters={"run_dir": trained_run, "n_images": 3}, prepare_only=True)
    token, port = secrets.token_hex(16), _free_port()
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", "--port={}".format(port),
           "--ServerApp.token={}".format(token), "--notebook-dir={}".format(lab_dir), "--allow-root"]
    server = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=str(lab_dir))
    try:
        deadline = time.time() + 90
        while True:
            assert server.poll() is None, server.stdout.read().decode()
            try:
                with urllib.request.urlopen("http://127.0.0.1:{}/api/status?token={}".format(port, token), timeout=2):
                    break
            except OSError:
                assert time.time() < deadline, "JupyterLab did not answer within 90 s"
                time.sleep(0.5)
        # Token authentication is on: without the token the API refuses.
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen("http://127.0.0.1:{}/api/contents".format(port), timeout=5)
        SHOTS.mkdir(parents=True, exist_ok=True)
        shot = SHOTS / "05_translate_slider.png"
        url = "http://127.0.0.1:{}/lab/tree/05_translate.ipynb?token={}".format(port, token)
        drive = subprocess.run([str(BROWSER_PY), str(SUPPORT / "drive_lab.py"), url, str(shot)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=420)
        assert drive.returncode == 0, drive.stderr[-3000:]
        result = json.loads(drive.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    assert result["before"][0] > 0, result
    assert result["after"] != result["before"], result
    assert float(result["slider_readout"]) != 0.0 or "slider dragged" in result["steps"]
    assert shot.exists() and shot.stat().st_size > 10000
