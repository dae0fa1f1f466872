"""A student's path: JupyterLab from the project's environment, an exercise notebook, its checks.

Starts JupyterLab headless on localhost (as ``scripts/lab.sh`` does, on a copy of the exercises),
opens ``ch02_simple_fusion.ipynb`` in Chromium, runs every cell with the kernel and waits for
the ``check(...)`` feedback of the untouched stubs. Bounded: about 20 s on the 2-core machine.
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
    port = _free_port()
    env = dict(os.environ, OMP_NUM_THREADS="1")
    server = subprocess.Popen(
        [
            str(JUPYTER), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
            f"--ServerApp.root_dir={work}", "--IdentityProvider.token=", "--ServerApp.password=",
            "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly", *(["--allow-root"] if os.geteuid() == 0 else []),
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


def test_exercise_runs_in_jupyterlab(lab):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        external = []

        def guard(route):
            if route.request.url.startswith((lab, "data:", "blob:", "ws://127.0.0.1")):
                route.continue_()
            else:
                external.append(route.request.url)
                route.abort()

        page.route("**/*", guard)
        page.goto(f"{lab}/lab/tree/ch02_simple_fusion.ipynb", wait_until="domcontentloaded")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=30000)
        select = page.locator(".jp-Dialog button", has_text="Select")
        try:  # a notebook without kernel metadata asks which kernel to start
            select.wait_for(timeout=3000)
            select.click()
        except PlaywrightTimeout:
            pass
        deadline = time.monotonic() + 30  # the kernel has started and the page is connected to it
        while not json.load(urllib.request.urlopen(f"{lab}/api/kernels", timeout=5)):
            assert time.monotonic() < deadline, "no kernel started"
            page.wait_for_timeout(300)
        page.wait_for_function(
            "() => document.querySelector('.jp-Notebook-ExecutionIndicator[data-status=\"idle\"]') &&"
            " /Idle/.test(document.querySelector('.jp-StatusBar-Widget, #jp-main-statusbar').innerText)",
            timeout=30000,
        )
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        feedback = page.locator(".jp-OutputArea-output", has_text="not answered yet")
        shot = ROOT / "_build" / "screenshots" / "lab_ch02.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        try:
            feedback.first.wait_for(timeout=30000)
        finally:
            page.screenshot(path=str(shot))
        text = feedback.first.inner_text()
        browser.close()
    assert "[ch02 q1]" in text, text
    assert not external, f"JupyterLab requested off-site URLs: {external}"
