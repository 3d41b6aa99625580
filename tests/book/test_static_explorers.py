"""The explorers on the built book's static page, in an offline Chromium (issue 20).

For every chapter page: no control a reader can use does nothing (every control is either the
explorer's kernel-free slider or disabled: not focusable, not draggable); the kernel-free slider,
moved by keys across its whole range and dragged back, changes the picture and its readout at
every setting; and the frame shown first prints the numbers the chapter's compared cell prints.

The frames live in the widget state stored by ``scripts/execute_notebook.py``: a chapter executed
without it has no frames, and its test fails saying so.
"""
import re

import pytest

from browser import offline_browser, serve_directory

# the chapters with an explorer, and for each a pattern over the first frame's readout whose
# match, put into the template, must be printed by a compared cell of the page (a stream output)
EXPLORERS = {
    "01_chain_rule": (r"(chain-rule product: dy/dx = \S+)", "{0}"),
    "02_computational_graphs": (r"^(step \d+ of \d+: .+)$", "{0}"),
    "03_four_equations": (r"(delta\^\(\d\)_\d = \S+ x \S+ = \S+)", "{0}"),
    "04_worked_example": (r"a⁽²⁾ = (\S+),.*L = ½\(a⁽²⁾ − y\)² = (\S+)", "a(2) = {0},  L = {1}"),
    "05_gradient_flow": (r"first/last ratio (\S+)", "first/last ratio: {0}"),
    "06_training": (r"^(epoch \d+: loss .*)$", "{0}"),
    "07_history": (r"^(seed \d+: (?:converged after \d+|not converged in \d+) sweeps, "
                   r"final E [\d.]+)", "{0}"),
}
WITHOUT_EXPLORER = ()

# every element of a widget a reader could operate, and whether it is usable
CONTROLS_JS = """() => [...document.querySelectorAll(
    '.jupyter-widgets input, .jupyter-widgets button, .jupyter-widgets select, '
    + '.jupyter-widgets textarea, .jupyter-widgets [role=slider], .jupyter-widgets [contenteditable=true]')]
  .map(e => ({tag: e.tagName, role: e.getAttribute('role'),
              text: (e.closest('.jupyter-widgets')?.innerText || '').slice(0, 40),
              usable: !(e.disabled || e.closest('[disabled]') || e.getAttribute('tabindex') === '-1'),
              focusable: e.tabIndex >= 0 && !e.disabled,
              kernel_free: !!e.closest('.bp-static-control')}))"""

# what the frames' Stack shows now: a checksum of the visible picture's bytes (the HTML manager
# makes a new blob URL each time it shows a frame) and the text under it; waits for the picture
SHOWN_JS = """async (stack) => {
  const visible = [...stack.children].filter(c => c.offsetParent !== null);
  const imgs = visible.flatMap(c => [...c.querySelectorAll('img')]).filter(i => i.offsetParent !== null);
  const sums = [];
  for (const img of imgs) {
    if (!img.complete) await new Promise(r => { img.onload = r; img.onerror = r; });
    const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
    let h = 2166136261;                              // FNV-1a over the PNG's bytes
    for (const b of bytes) { h ^= b; h = Math.imul(h, 16777619) >>> 0; }
    sums.push(`${bytes.length}:${h}:${img.naturalWidth > 0}`);
  }
  return {n: visible.length, pictures: sums, text: visible.map(c => c.innerText).join('\\n')};
}"""


@pytest.fixture(scope="module")
def browser_page(built_book):
    with serve_directory(built_book) as base, offline_browser(base) as (context, blocked):
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        yield base, page, blocked, errors


def open_chapter(browser_page, name):
    base, page, blocked, errors = browser_page
    page.goto(f"{base}chapters/{name}.html", wait_until="load")
    if name in EXPLORERS:
        page.wait_for_selector(".widget-slider", timeout=30000)
        assert page.locator(".bp-static-control").count() == 1, (
            f"{name}: the page has no kernel-free explorer control: its stored widget state has no "
            "frames. Re-execute the chapter with scripts/execute_notebook.py (it stores them).")
        page.wait_for_function("() => document.querySelector('.bp-static-frames img')?.complete")
    return page


def printed_text(page) -> str:
    """Every stream output of the page (what the compared cells print)."""
    return page.evaluate("() => [...document.querySelectorAll('.cell_output .output.stream')]"
                         ".map(e => e.innerText).join('\\n')")


@pytest.mark.parametrize("name", [*EXPLORERS, *WITHOUT_EXPLORER])
def test_no_enabled_control_does_nothing(browser_page, name):
    page = open_chapter(browser_page, name)
    controls = page.evaluate(CONTROLS_JS)
    idle = [c for c in controls if (c["usable"] or c["focusable"]) and not c["kernel_free"]]
    assert not idle, f"{name}: controls that need a kernel but can be used: {idle}"
    if name not in EXPLORERS:
        assert not controls
        return
    assert [c for c in controls if c["kernel_free"] and c["role"] == "slider" and c["usable"]]
    note = page.locator(".bp-static-note").inner_text()
    assert "rocket" in note
    assert ("need a running Python kernel" in note) == (name != "07_history"), note
    # a disabled slider neither takes the keyboard nor follows the mouse
    if name == "01_chain_rule":                       # its only kernel-only control is a menu
        assert page.locator(".jupyter-widgets select:disabled").count() == 1
        return
    if name == "07_history":                          # its only control is the seed slider
        assert all(c["kernel_free"] for c in controls), controls
        return
    handle = page.locator(".noUi-target[disabled] [role=slider]:visible").first
    before = handle.get_attribute("aria-valuenow")
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    page.keyboard.press("End")
    assert handle.get_attribute("aria-valuenow") == before


@pytest.mark.parametrize("name", list(EXPLORERS))
def test_the_kernel_free_control_moves_the_picture(browser_page, name):
    page = open_chapter(browser_page, name)
    errors = browser_page[3]
    stack = page.locator(".bp-static-frames").element_handle()
    handle = page.locator(".bp-static-control [role=slider]")
    first = page.evaluate(SHOWN_JS, stack)
    assert first["n"] == 1 and len(first["pictures"]) == 1 and first["pictures"][0].endswith(":true")

    # the frame shown first is the setting the chapter left the explorer at: the numbers its
    # readout gives are the ones the compared cell after the explorer prints
    pattern, template = EXPLORERS[name]
    match = re.search(pattern, first["text"], re.MULTILINE)
    assert match, f"{name}: the readout does not show {pattern!r}: {first['text'][:300]}"
    expected = template.format(*match.groups())
    assert expected in printed_text(page), f"{name}: the compared cell does not print {expected!r}"

    lo, hi = float(handle.get_attribute("aria-valuemin")), float(handle.get_attribute("aria-valuemax"))
    assert hi - lo >= 1
    handle.focus()
    page.keyboard.press("Home")
    shown = page.evaluate(SHOWN_JS, stack)
    assert float(handle.get_attribute("aria-valuenow")) == lo
    seen = [shown["pictures"][0]]
    texts = [shown["text"]]
    for k in range(int(hi - lo)):                     # every setting, one key press each
        page.keyboard.press("ArrowRight")
        now = page.evaluate(SHOWN_JS, stack)
        assert float(handle.get_attribute("aria-valuenow")) == lo + k + 1
        assert now["n"] == 1 and now["pictures"][0].endswith(":true"), f"{name}: setting {k + 1} shows no picture"
        assert now["pictures"][0] != seen[-1] and now["text"] != texts[-1], (
            f"{name}: moving to setting {k + 1} changed nothing")
        seen.append(now["pictures"][0])
        texts.append(now["text"])
    assert len(set(seen)) == len(seen) == int(hi - lo) + 1

    # dragged with the mouse from the right end to the left end: back to the first frame
    track = page.locator(".bp-static-control .noUi-target").bounding_box()
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(track["x"] - 20, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()
    back = page.evaluate(SHOWN_JS, stack)
    assert float(handle.get_attribute("aria-valuenow")) == lo
    assert back["pictures"][0] == seen[0] and back["text"] == texts[0]
    assert not errors, errors


# chapter 4, in the frame shown: each parameter slider's label and readout, and the table's rows
NUMBERS_JS = """(stack) => {
  const frame = [...stack.children].find(c => c.offsetParent !== null);
  const sliders = [...frame.querySelectorAll('.widget-slider')].map(s => [
      s.querySelector('.widget-label').innerText.trim(), s.querySelector('.widget-readout').innerText.trim(),
      s.querySelector('.noUi-target').hasAttribute('disabled')]);
  const rows = [...frame.querySelectorAll('table tr')].map(r => [...r.cells].map(c => c.innerText.trim()));
  return {sliders, rows};
}"""


def test_the_network_sliders_show_the_numbers_of_the_step_shown(browser_page):
    """The gradient steps move all 13 parameters: at every step the page shows, each (disabled)
    parameter slider reads the value the frame's table gives for it."""
    page = open_chapter(browser_page, "04_worked_example")
    stack = page.locator(".bp-static-frames").element_handle()
    handle = page.locator(".bp-static-control [role=slider]")
    handle.focus()
    page.keyboard.press("Home")
    seen = []
    for k in range(3):
        numbers = page.evaluate(NUMBERS_JS, stack)
        table = {row[0]: row[1] for row in numbers["rows"] if len(row) == 3}
        params = [s for s in numbers["sliders"] if s[0] in table]
        assert len(params) == 13 and all(disabled for _, _, disabled in params), numbers["sliders"]
        for label, readout, _ in params:
            assert f"{float(table[label]):.2f}" == readout.replace("\u2212", "-"), (   # d3's minus
                f"after {k * 6} steps {label} reads {readout}, the table says {table[label]}")
        seen.append([readout for _, readout, _ in params])
        for _ in range(6):
            page.keyboard.press("ArrowRight")
    assert seen[0] != seen[2], "the sliders read the same at steps 0 and 12"
    assert not browser_page[3], browser_page[3]


def test_every_chapter_page_fits_the_page_budget(built_book):
    """HTML (with the explorers' frames in its widget state) plus the images it loads <= 3 MB."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "page_budget.py"
    spec = importlib.util.spec_from_file_location("page_budget", path)
    budget = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(budget)
    sizes = budget.page_sizes(built_book)
    assert len(sizes) == 7, sorted(sizes)
    over = {name: round(s["total_mb"], 2) for name, s in sizes.items() if s["total_mb"] > budget.BUDGET_MB}
    assert not over, f"chapter pages over {budget.BUDGET_MB} MB: {over}"
    assert all(s["frames"] >= 4 for s in sizes.values()), {n: s["frames"] for n, s in sizes.items()}
