"""Drive a real JupyterLab in Debian's Chromium with Playwright: run 05_translate, move a slider.

Run by the browser venv's Python (Playwright needs Python >= 3.8), from tests/notebooks/test_browser.py.
Prints one JSON line: the translated image's pixel digest before and after the slider moved.
Usage: python drive_lab.py URL SCREENSHOT_PATH
"""
import json
import shutil
import sys
import time

from playwright.sync_api import sync_playwright

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-quic"]

DIGEST = """(img) => {
  const c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  let h = 0;
  for (let i = 0; i < d.length; i += 1) { h = (h * 31 + d[i]) % 1000000007; }
  return [c.width, c.height, h];
}"""


def main(url, screenshot):
    steps = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.goto(url)
        page.wait_for_selector(".jp-Notebook", timeout=90000)
        steps.append("notebook open")
        # A kernel-choice dialog may come first; accept the default kernel.
        try:
            page.wait_for_selector(".jp-Dialog .jp-mod-accept", timeout=5000)
            page.click(".jp-Dialog .jp-mod-accept")
            steps.append("kernel dialog accepted")
        except Exception:
            pass
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        steps.append("run all")
        slider = page.locator(".widget-hslider", has=page.locator("label", has_text="Blond_Hair"))
        slider.wait_for(timeout=180000)
        images = page.locator(".widget-image")
        images.nth(1).wait_for(timeout=60000)
        status = page.locator(".widget-label", has_text="updated in")
        status.first.wait_for(timeout=60000)
        translated = images.nth(1)
        before = translated.evaluate(DIGEST)
        slider.scroll_into_view_if_needed()
        handle = slider.locator(".noUi-handle")
        box = handle.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2 + 70, box["y"] + box["height"] / 2, steps=8)
        page.mouse.up()
        steps.append("slider dragged")
        after, deadline = before, time.time() + 60
        while after == before and time.time() < deadline:
            page.wait_for_timeout(250)  # poll the rendered pixels until the kernel's new image arrives
            after = translated.evaluate(DIGEST)
        value = slider.locator(".widget-readout").inner_text()
        page.screenshot(path=screenshot, full_page=True)
        browser.close()
    print(json.dumps({"before": before, "after": after, "slider_readout": value, "steps": steps}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
