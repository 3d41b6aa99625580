"""End to end in JupyterLab: run the worked 2-3-1 chapter, move a weight slider, see the loss change.

JupyterLab starts on loopback with a temporary configuration (its own config, data-free settings
and workspace folders, a random token) and serves a temporary copy of the chapter, so autosave can
never touch the committed notebook. Debian's Chromium, driven by Playwright with the network
blocked, opens the notebook, runs all cells, focuses the first W-slider of the network explorer
and drags it; the loss the explorer prints must change, and its picture must follow: a frame
answering the move comes as a data URL (1x, then the full-density frame once the moves stop). The server is stopped
whatever happens, and every wait has a time limit. The server loads the course's extension from
the environment's Jupyter config (requirements.txt installs it): its log says that the chapter's
kernel websocket has TCP_NODELAY set.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser import offline_browser
from lab_server import jupyterlab_server, open_and_run_all, run_in_kernel, wait_idle, weight_sliders

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "chapters" / "04_worked_example.ipynb"
# "L = 0.216984" or "L = ½(a⁽²⁾ − y)² = 0.216984": the number after the last "=" of the loss
LOSS = re.compile(r"L = (?:[^=\n]*= )?(-?[0-9]+\.[0-9]+)")


@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab server on 127.0.0.1 serving a copy of the chapter; yields (base_url, token)."""
    with jupyterlab_server(tmp_path, [CHAPTER]) as server:
        yield server


def shown_loss(page) -> float | None:
    texts = page.eval_on_selector_all(".jp-OutputArea .widget-html", "els => els.map(e => e.innerText)")
    for text in texts:
        match = LOSS.search(text)
        if match:
            return float(match.group(1))
    return None


# the decoded picture of an <img>: its size and a checksum of its pixels (the src alone would
# not do: a cell's picture is a Blob URL and a live frame a data URL, whatever they show)
PIXELS = """img => {
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    const context = canvas.getContext('2d');
    context.drawImage(img, 0, 0);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let sum = 0;
    for (let i = 0; i < data.length; i++) sum = (Math.imul(sum, 31) + data[i]) >>> 0;
    return [canvas.width, canvas.height, sum];
}"""
DECODED = "img => img.complete && img.naturalWidth > 0"


def test_moving_a_weight_slider_changes_the_loss(jupyterlab, tmp_path):
    base, token = jupyterlab
    with offline_browser(base) as (context, blocked):
        page, errors = open_and_run_all(context, base, token, CHAPTER.name)
        sliders = weight_sliders(page, attach_ms=180_000, readout_ms=60_000)
        # drawing the sliders sends their grid's floats to the kernel (0.1499999999999999 for
        # 0.15): that is not the reader moving them, so the explorer keeps the chapter's five
        # gradient steps and its picture is still the cell's (PNG, not a live frame)
        wait_idle(page, 2.0)
        kept = run_in_kernel(page, "print(explorer.state.steps, explorer.image.widget.format)")
        # the reader clicks "gradient step": one more step, however the page draws the moved sliders
        page.locator(".jp-OutputArea button", has_text="gradient step").first.click()
        page.wait_for_function("() => [...document.querySelectorAll('.jp-OutputArea .widget-html')]"
                               ".some(e => /gradient steps taken: 6\\)/.test(e.textContent))", timeout=30_000)
        wait_idle(page, 2.0)
        clicked = run_in_kernel(page, "print(explorer.state.steps)")
        # code moves W(1)_11 to 0.33 and on to 0.5: the page moves the handle to 0.33 and sends
        # its float (0.33000000000000007) back, which the kernel reads after the code has run;
        # ipywidgets hands the page that message's echo (the slider went back to 0.33 and the
        # kernel's value too, while the explorer showed 0.5), so the kernel shows it 0.5 again
        run_in_kernel(page, 'w = explorer.param_sliders[("W1", (0, 0))]; w.value = 0.33; w.value = 0.5')
        wait_idle(page, 2.0)
        readout = sliders.first.locator(".widget-readout").inner_text()
        moved = run_in_kernel(page, 'print(w.value, explorer.state.params["W1"][0, 0])')
        before = shown_loss(page)
        label = sliders.first.locator(".widget-label").inner_text()
        handle = sliders.first.locator("[role=slider]").first
        handle.scroll_into_view_if_needed()
        picture = sliders.first.locator("xpath=ancestor::div[contains(@class, 'jp-OutputArea-output')]").locator("img").first
        page.wait_for_function(DECODED, arg=picture.element_handle(), timeout=30_000)
        pixels_before = picture.evaluate(PIXELS)
        box = handle.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)  # drag the handle to the right, as a reader would
        page.mouse.down()
        page.mouse.move(x + 40, y, steps=8)
        page.mouse.up()
        page.wait_for_function(
            "b => [...document.querySelectorAll('.jp-OutputArea .widget-html')].some(e => {"
            " const m = /L = (?:[^=\\n]*= )?(-?[0-9]+\\.[0-9]+)/.exec(e.innerText); return m && parseFloat(m[1]) !== b; })",
            arg=before, timeout=30_000)
        after = shown_loss(page)
        # the full-density frame of the last move, decoded in the page; first every move answered
        # (on a loaded machine the kernel may take the drag's moves so far apart that a move's
        # full-density frame comes before the next move's 1x one)
        wait_idle(page, 2.0)
        page.wait_for_function("""img => img.src.startsWith('data:image/png;base64,') && img.complete
            && img.naturalWidth === 2 * img.clientWidth""", arg=picture.element_handle(), timeout=30_000)
        pixels_after = picture.evaluate(PIXELS)
        page.close()
    assert kept == "5 png\n", f"after run all, the explorer's steps and picture: {kept!r}"
    assert clicked == "6\n", f"after one click on 'gradient step', the explorer's steps: {clicked!r}"
    assert (readout, moved) == ("0.50", "0.5 0.5\n"), \
        f"after code set W(1)_11 to 0.33, then 0.5: the page's slider {readout!r}, the kernel {moved!r}"
    assert before is not None and after is not None
    assert after != before, f"moving {label} left the loss at {before}"
    assert pixels_before[:2] == pixels_after[:2], (pixels_before, pixels_after)   # both full density
    assert pixels_after != pixels_before, f"moving {label} left the picture as it was"
    assert errors == [], errors
    assert blocked == [], f"JupyterLab asked the network for {sorted(set(blocked))[:5]}"
    # backprop_lib.explorers.websocket logs the socket option it reads back from the socket
    log = (tmp_path / "server.log").read_text()
    assert re.search(r"Kernel [0-9a-f-]+ websocket: TCP_NODELAY 1", log), \
        "the kernel websocket kept Nagle's algorithm (the course's server extension did not load):\n" + log[-2000:]
