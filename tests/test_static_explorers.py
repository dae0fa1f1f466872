"""The kernel-free explorers: every state precomputed, and the sliders respond in a browser offline."""

from __future__ import annotations

import base64

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from mmlearn.viz.static_explorers import StaticExplorer, attention_static_explorer
from tests.test_website import CHROMIUM, CHROMIUM_ARGS


def _render(a: int, b: int):
    fig, ax = plt.subplots(figsize=(1, 1))
    ax.text(0.5, 0.5, f"{a}{b}")
    return fig


def test_every_state_is_precomputed():
    open_before = plt.get_fignums()  # figures other tests of this worker left open
    ex = StaticExplorer(_render, {"a": ["x", "y", "z"], "b": ["1", "2"]}, title="t")
    assert sorted(ex.states) == [f"{i},{j}" for i in range(3) for j in range(2)]
    assert len(set(ex.states.values())) == 6  # six different pictures
    page = ex._repr_html_()
    assert "http" not in page.replace("http-equiv", "")  # nothing loaded from anywhere
    assert plt.get_fignums() == open_before  # every figure it made is closed after rendering
    png = ex._repr_png_()  # the PDF shows the first state
    assert png.startswith(b"\x89PNG") and ex.states["0,0"].endswith(base64.b64encode(png).decode())


def test_bad_sliders_are_refused():
    with pytest.raises(ValueError, match="at least one slider"):
        StaticExplorer(_render, {})
    with pytest.raises(ValueError, match="max_states"):
        StaticExplorer(_render, {"a": list("abcd"), "b": list("abcd")}, max_states=10)


def test_attention_explorer_states():
    rng = np.random.default_rng(0)
    ex = attention_static_explorer(
        rng.random((3, 3, 8, 8)),
        rng.random((3, 2, 2)),
        rng.dirichlet([1, 1], size=(3, 2)),
        ["q1", "q2", "q3"],
    )
    assert len(ex.states) == 3 * 2


@pytest.mark.browser
def test_sliders_respond_offline(tmp_path):
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    ex = StaticExplorer(_render, {"a": ["x", "y", "z"], "b": ["1", "2"]})
    page_file = tmp_path / "explorer.html"
    page_file.write_text(f"<!doctype html><html><body>{ex._repr_html_()}</body></html>")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        errors, external = [], []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.route(
            "**/*",
            lambda r: (
                r.continue_()
                if r.request.url.startswith(("file:", "data:"))
                else (external.append(1), r.abort())
            ),
        )
        page.goto(page_file.as_uri())
        img = page.locator(".mmlearn-static-explorer img")
        first = img.get_attribute("src")
        page.locator("input[type=range]").nth(0).fill("2")
        page.locator("input[type=range]").nth(1).fill("1")
        assert img.get_attribute("data-state") == "2,1"
        assert img.get_attribute("src") == ex.states["2,1"] != first
        assert page.locator("output").nth(0).inner_text() == "z"
        browser.close()
    assert not errors and not external, (errors, external)
