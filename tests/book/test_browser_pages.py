"""Every page of the built book, opened in headless Chromium with the network blocked.

For each page: no request leaves the machine, no script error, every formula typeset by MathJax
(none left as raw LaTeX, no MathJax error), every image loaded, every internal link and anchor
resolves, every stored widget view rendered (no empty boxes), and axe-core reports no serious or
critical accessibility violation. The book is built once per session (see ``built_book``).
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browser import offline_browser, serve_directory

SERIOUS = {"serious", "critical"}


REDIRECT = re.compile(r'<meta http-equiv="Refresh" content="0; url=([^"]+)"', re.IGNORECASE)


def all_html(html: Path) -> list[Path]:
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts)


def redirects(html: Path) -> dict[Path, str]:
    """Pages that only forward the reader (index.html -> the landing page)."""
    found = {p: REDIRECT.search(p.read_text(encoding="utf-8")) for p in all_html(html)}
    return {p: m.group(1) for p, m in found.items() if m}


def pages(html: Path) -> list[Path]:
    """The pages a reader reads (forwarding pages excluded; see test_redirects_land_on_a_page)."""
    return [p for p in all_html(html) if p not in redirects(html)]


def test_redirects_land_on_a_page(built_book):
    for page, target in redirects(built_book).items():
        assert (page.parent / target).exists(), f"{page.name} forwards to missing {target}"


class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def parse(page: Path) -> _Anchors:
    parser = _Anchors()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def broken_internal_links(html: Path) -> list[str]:
    """Links to files of the book that do not exist, or to anchors the target page lacks."""
    parsed = {p: parse(p) for p in pages(html)}
    broken = []
    for page, info in parsed.items():
        for href in info.links:
            url = urlparse(href)
            if url.scheme or href.startswith(("mailto:", "//")):
                continue  # external: the reader's browser has a network, this test has none
            target = page if not url.path else (page.parent / unquote(url.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(html)} -> {href} (no such file)")
                continue
            if url.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else parse(target).ids
                if unquote(url.fragment) not in ids:
                    broken.append(f"{page.relative_to(html)} -> {href} (no such anchor)")
    return broken


@pytest.fixture(scope="module")
def site(built_book):
    html = built_book
    with serve_directory(html) as base, offline_browser(base) as (context, blocked):
        yield html, base, context, blocked


def test_every_internal_link_and_anchor_resolves(built_book):
    assert broken_internal_links(built_book) == []


EMPTY_VIEWS_JS = """
    const views = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
    const empty = views.filter(s => ![...s.parentElement.children].some(
        c => c.tagName !== 'SCRIPT' && c.getBoundingClientRect().height > 0)).length;
"""
FACTS_JS = """() => {
    const maths = [...document.querySelectorAll('main span.math, main div.math')];
    const untypeset = maths.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 80));
    const imgs = [...document.querySelectorAll('img')];
    const broken = imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'));
    %s
    return {formulas: document.querySelectorAll('main mjx-container').length,
            untypeset, merrors: document.querySelectorAll('mjx-merror').length,
            images: imgs.length, broken, views: views.length, empty};
}""" % EMPTY_VIEWS_JS


WAIT_FOR_MATHJAX_JS = """async () => {
    // MathJax 3 resolves startup.promise once the page is typeset; pages without maths load none
    for (let i = 0; i < 300; i++) {
        if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
            await MathJax.startup.promise;
            return true;
        }
        if (!document.querySelector('script[src*="mathjax"]')) return false;
        await new Promise(r => setTimeout(r, 100));
    }
    return false;
}"""


def wait_for_mathjax(page) -> bool:
    return page.evaluate(WAIT_FOR_MATHJAX_JS)


def check_page(context, url: str) -> dict:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(url, wait_until="load")
    wait_for_mathjax(page)
    # widget views: the HTML manager renders each stored view beside its <script> tag
    try:
        page.wait_for_function("() => { %s return empty === 0; }" % EMPTY_VIEWS_JS, timeout=20_000)
    except PlaywrightTimeout:
        pass  # counted below as empty views
    facts = page.evaluate(FACTS_JS)
    facts["errors"] = list(errors)  # what the page itself did, before axe runs
    page.evaluate(AXE_SCRIPT)
    # preload off: axe re-fetches @import-ed style sheets against the page's URL (404s of its own)
    axe = page.evaluate("() => axe.run(document, {resultTypes: ['violations'], preload: false})")
    facts["a11y"] = [f"{v['id']} ({v['impact']}): {v['help']} -> "
                     + "; ".join(str(n["target"]) for n in v["nodes"][:3])
                     for v in axe["violations"] if v["impact"] in SERIOUS]
    page.close()
    return facts


def test_every_page_in_an_offline_browser(site, record_property):
    html, base, context, blocked = site
    problems, formulas, views = [], 0, 0
    for path in pages(html):
        rel = path.relative_to(html).as_posix()
        facts = check_page(context, urljoin(base, rel))
        formulas += facts["formulas"]
        views += facts["views"]
        for key in ("untypeset", "broken", "errors", "a11y"):
            problems += [f"{rel}: {key}: {item}" for item in facts[key]]
        if facts["merrors"]:
            problems.append(f"{rel}: {facts['merrors']} MathJax errors")
        if facts["empty"]:
            problems.append(f"{rel}: {facts['empty']} of {facts['views']} widget views empty")
    print(f"{len(pages(html))} pages, {formulas} formulas typeset, {views} widget views rendered")
    record_property("pages", len(pages(html)))
    record_property("formulas", formulas)
    assert problems == [], "\n".join(problems)
    assert blocked == [], f"pages asked the network for: {sorted(set(blocked))[:10]}"
    assert formulas > 0


def chapter_pages(site, width: int = 1280):
    """Each chapter page of the built book, loaded in the offline browser: (path, page)."""
    html, base, context, _ = site
    for path in pages(html):
        if "chapters" not in path.parts:
            continue
        page = context.new_page()
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(urljoin(base, path.relative_to(html).as_posix()), wait_until="load")
        try:
            yield path, page
        finally:
            page.close()


def test_raw_latex_is_not_visible_in_a_chapter(site):
    """A page whose maths were left as text would show TeX commands; none is visible anywhere."""
    for path, page in chapter_pages(site):
        wait_for_mathjax(page)
        text = page.evaluate("() => { const m = document.querySelector('main').cloneNode(true);"
                             " m.querySelectorAll('pre, code, mjx-container, script, .cell_input')"
                             ".forEach(e => e.remove()); return m.innerText; }")
        leftovers = re.findall(r"\\(?:frac|partial|sigma|delta|mathbf|sum|odot)\b|\$\$", text)
        assert leftovers == [], f"{path.name}: raw LaTeX visible: {leftovers[:5]}"


SCROLLING_CODE_JS = """() => [...document.querySelectorAll('main pre')]
    .filter(p => p.scrollWidth > p.clientWidth + 1)
    .map(p => p.textContent.split('\\n').reduce((a, b) => a.length >= b.length ? a : b).slice(0, 90))"""


def test_no_code_block_scrolls_sideways_at_1280_px(site):
    """Every code block and printed output fits the column of a 1280 px window (79 characters),
    collapsed ones (hidden inputs, solution dropdowns) opened first."""
    for path, page in chapter_pages(site):
        page.evaluate("() => { document.querySelectorAll('details').forEach(d => d.open = true);"
                      " document.querySelectorAll('button.toggle-button').forEach(b => b.click()); }")
        page.wait_for_timeout(300)
        wide = page.evaluate(SCROLLING_CODE_JS)
        assert wide == [], f"{path.name}: {len(wide)} code blocks scroll sideways: {wide[:3]}"


# on a phone a code block or a wide table or display formula may scroll inside its own box, but
# the page itself must not scroll sideways, and pictures (figures, explorer frames) fit the column
PHONE_JS = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('article img')]
    .filter(i => i.offsetParent !== null && i.getBoundingClientRect().right > width + 0.5)
    .map(i => (i.alt || i.src).slice(0, 60));
  return {page: document.documentElement.scrollWidth, width, wide};
}"""


def test_a_phone_reads_every_chapter_without_sideways_scrolling(site):
    """At 390 px (a phone) no chapter page scrolls sideways and no picture is cut."""
    for path, page in chapter_pages(site, width=390):
        wait_for_mathjax(page)
        page.wait_for_timeout(500)
        facts = page.evaluate(PHONE_JS)
        assert facts["page"] <= facts["width"], f"{path.name}: the page is {facts['page']} px wide"
        assert facts["wide"] == [], f"{path.name}: pictures wider than the screen: {facts['wide']}"
