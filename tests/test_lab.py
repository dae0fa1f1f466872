"""A student's path: JupyterLab from the project's environment, an exercise notebook, its checks,
and a chapter's live explorer.

Starts JupyterLab headless on localhost (as ``scripts/lab.sh`` does, on a copy of the exercises
and of one chapter) and drives it from Chromium:

* ``ch02_simple_fusion.ipynb`` (exercise): run every cell and see the ``check(...)`` feedback of
  the untouched stubs (about 20 s on the 2-core machine);
* ``ch05_coattention.ipynb`` (chapter): run every cell with the kernel, find the attention
  explorer (ipywidgets), move its "sample" slider and see the drawn picture change (about the
  chapter's own run time, under a minute).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.test_website import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
JUPYTER = Path(sys.executable).with_name("jupyter")

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    pytest.importorskip("jupyterlab")
    pytest.importorskip("playwright.sync_api")
    work = tmp_path_factory.mktemp("exercises")
    shutil.copy(ROOT / "exercises" / "ch02_simple_fusion.ipynb", work)
    shutil.copy(ROOT / "book" / "ch05_coattention.ipynb", work)
    # every cell stays in the page (JupyterLab 4 leaves cells out of view out of the page)
    settings = tmp_path_factory.mktemp("lab-settings")
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    news = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false"}))  # no "get notified of news?" toast
    workspaces = tmp_path_factory.mktemp("lab-workspaces")
    port = _free_port()
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env.pop("MPLBACKEND", None)  # kernels draw inline (tests/conftest.py sets Agg for the tests)
    server = subprocess.Popen(
        [
            str(JUPYTER), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
            f"--ServerApp.root_dir={work}", "--IdentityProvider.token=", "--ServerApp.password=",
            "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly", f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={workspaces}", *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not start: " + server.stderr.read().decode()[-2000:])
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


class Lab:
    """A Chromium page on the JupyterLab server, cut off from every other host."""

    def __init__(self, browser, url: str):
        self.url = url
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.external: list[str] = []
        self.page.route("**/*", self._guard)

    def _guard(self, route):
        if route.request.url.startswith((self.url, "data:", "blob:", "ws://127.0.0.1")):
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()

    def run_all(self, notebook: str) -> None:
        """Open ``notebook``, wait for its kernel, and run every cell."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        page = self.page
        page.goto(f"{self.url}/lab/tree/{notebook}", wait_until="domcontentloaded")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=30000)
        select = page.locator(".jp-Dialog button", has_text="Select")
        try:  # a notebook without kernel metadata asks which kernel to start
            select.wait_for(timeout=3000)
            select.click()
        except PlaywrightTimeout:
            pass
        deadline = time.monotonic() + 30  # the kernel has started and the page is connected to it
        while not json.load(urllib.request.urlopen(f"{self.url}/api/kernels", timeout=5)):
            assert time.monotonic() < deadline, "no kernel started"
            page.wait_for_timeout(300)
        page.wait_for_function(
            "() => document.querySelector('.jp-Notebook-ExecutionIndicator[data-status=\"idle\"]') &&"
            " /Idle/.test(document.querySelector('.jp-StatusBar-Widget, #jp-main-statusbar').innerText)",
            timeout=30000,
        )
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()

    def screenshot(self, name: str) -> None:
        shot = ROOT / "_build" / "screenshots" / name
        shot.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(shot))


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def test_exercise_runs_in_jupyterlab(lab, browser):
    tab = Lab(browser, lab)
    tab.run_all("ch02_simple_fusion.ipynb")
    feedback = tab.page.locator(".jp-OutputArea-output", has_text="not answered yet")
    try:
        feedback.first.wait_for(timeout=30000)
    finally:
        tab.screenshot("lab_ch02.png")
    text = feedback.first.inner_text()
    tab.page.close()
    assert "[ch02 q1]" in text, text
    assert not tab.external, f"JupyterLab requested off-site URLs: {tab.external}"


def test_chapter_explorer_is_live_in_jupyterlab(lab, browser):
    """Chapter 5 with a kernel: the attention explorer redraws when its slider moves."""
    tab = Lab(browser, lab)
    page = tab.page
    tab.run_all("ch05_coattention.ipynb")
    slider = page.locator(".widget-slider", has=page.locator(".widget-label", has_text="sample"))
    picture = page.locator(".jp-OutputArea-output .widget-output img, .jupyter-widgets-output-area img")
    try:
        slider.first.wait_for(timeout=480000)  # the chapter trains its models first
        picture.first.wait_for(timeout=30000)
        slider.first.scroll_into_view_if_needed()
        before = picture.first.get_attribute("src")
        handle = slider.first.locator(".noUi-handle").first
        handle.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "(before) => { const i = document.querySelector("
            "'.jp-OutputArea-output .widget-output img, .jupyter-widgets-output-area img');"
            " return i && i.src !== before; }",
            arg=before,
            timeout=30000,
        )
        readout = slider.first.locator(".widget-readout").inner_text()
    finally:
        tab.screenshot("lab_ch05_explorer.png")
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    tracebacks = [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]
    page.close()
    assert readout.strip() == "3", f"the sample slider reads {readout!r} after three steps"
    assert not tracebacks, tracebacks
    assert not tab.external, f"JupyterLab requested off-site URLs: {tab.external}"
