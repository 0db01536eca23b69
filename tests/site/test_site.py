"""The reading site: `python -m tools.site` builds it from the stored notebooks with warnings as errors; every lesson
is a page, every internal link resolves, solutions stay collapsed, each paired lesson has a side-by-side page, and
every picture's text alternative is the summary its cell prints.
In Chromium, at a laptop's 1600x900 and a phone's 390x844, the pages load with no console error and nothing fetched
from another host, code fits its block, and choosing a way in one step (mouse or keyboard) chooses it in every step.
Every page passes axe-core's WCAG 2 A and AA rules at both sizes, asks for no file the site lacks, and at 1600x900
shows every code line whole or wrapped with a hanging indent. Search snippets are lesson text.
Needs requirements-site.txt (`make site-test` installs it); screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import functools
import http.server
import itertools
import json
import shutil
import threading
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import nbformat
import pytest

from tests.browser.chromium import ROWS_OF_LINE, chromium_path, launch
from tools import binder_urls, catalogue, site_extension
from tools import site as site_tool
from tools.notebooks import KERNELSPEC, LANGUAGE_INFO

pytest.importorskip("sphinx", reason="the site's requirements are not installed: make site-test")
pytest.importorskip("myst_nb", reason="the site's requirements are not installed: make site-test")
pytestmark = pytest.mark.site

REPO_ROOT = catalogue.REPO_ROOT
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
REMOTE = binder_urls.parse_remote("https://github.com/example/llm-calls-three-ways")
LESSONS = catalogue.lesson_paths()
PAIRED = catalogue.paired_lessons()
FIRST_PAIRED = next(iter(PAIRED))
SIDE_BY_SIDE = f"notebooks/{FIRST_PAIRED.name}/{site_tool.SIDE_BY_SIDE}.html"
LESSON_PAGE = f"notebooks/{PAIRED[FIRST_PAIRED][0].relative_to(catalogue.NOTEBOOKS).with_suffix('.html')}"
SITE_PAGES = 4  # besides the lessons and the side-by-side pages: the start page, the search page, the index, the guide
LAPTOP, PHONE = {"width": 1600, "height": 900}, {"width": 390, "height": 844}


class ParsedPage(HTMLParser):
    """What the checks need from one HTML page: its ids, its links, and the class lists of its elements."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        for name in ("href", "src"):
            if values.get(name) and not (tag == "link" and values.get("rel") == "preconnect"):
                self.links.append(str(values[name]))


def parsed(path: Path) -> ParsedPage:
    page = ParsedPage()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def is_external(link: str) -> bool:
    return urlsplit(link).scheme in ("http", "https", "mailto") or link.startswith("//")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    """The site built once for this module, from scratch, with Binder links for an example GitHub remote."""
    folder = tmp_path_factory.mktemp("site")
    status = site_tool.build(source=folder / "src", output=folder / "html", remote=REMOTE, fresh=True)
    return status, folder / "html"


@pytest.fixture(scope="module")
def site(built: tuple[int, Path]) -> Path:
    status, html = built
    if status != 0:
        pytest.fail("the site did not build: see test_site_builds_with_no_warnings")
    return html


def html_pages(site: Path) -> list[Path]:
    return sorted(path for path in site.rglob("*.html") if "_static" not in path.parts)


def test_site_builds_with_no_warnings(built: tuple[int, Path]) -> None:
    status, _ = built
    assert status == 0, "Sphinx reported warnings (run `make site` to read them): the build treats them as errors"


def test_a_broken_cross_reference_fails_the_build(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    (source / "index.md").write_text("# A page\n\nSee [a lesson that does not exist](missing.ipynb).\n")
    assert site_tool.run_sphinx(source, tmp_path / "html") != 0


def test_every_lesson_and_every_side_by_side_page_is_a_page(site: Path) -> None:
    pages = {path.relative_to(site).as_posix() for path in html_pages(site)}
    lessons = {path.relative_to(REPO_ROOT).with_suffix(".html").as_posix() for path in LESSONS}
    side_by_side = {f"notebooks/{folder.name}/{site_tool.SIDE_BY_SIDE}.html" for folder in PAIRED}
    assert lessons <= pages
    assert side_by_side <= pages
    assert {"index.html", "search.html", "genindex.html", "docs/instructors.html"} <= pages
    assert len(pages) == len(LESSONS) + len(PAIRED) + SITE_PAGES, sorted(pages)


def test_every_internal_link_and_anchor_resolves(site: Path) -> None:
    pages = {path: parsed(path) for path in html_pages(site)}
    broken = []
    for path, page in pages.items():
        for link in page.links:
            if is_external(link) or link.startswith(("data:", "javascript:")):
                continue
            target, _, fragment = urljoin(path.as_uri(), link).partition("#")
            file = Path(unquote(urlsplit(target).path))
            if not file.is_file():
                broken.append(f"{path.relative_to(site)}: {link} (no such file)")
            elif fragment and file.suffix == ".html":
                ids = pages[file].ids if file in pages else parsed(file).ids
                if unquote(fragment) not in ids:
                    broken.append(f"{path.relative_to(site)}: {link} (no such anchor)")
    assert not broken, "\n".join(broken)


def _cells(site: Path, lesson: Path, tag: str) -> list[str]:
    """The HTML of each cell of the lesson's page that carries the tag."""
    html = (site / lesson.relative_to(REPO_ROOT).with_suffix(".html")).read_text(encoding="utf-8")
    starts = [index for index in range(len(html)) if html.startswith('<div class="cell ', index)]
    cells = [html[start:end] for start, end in zip(starts, [*starts[1:], len(html)], strict=True)]
    return [cell for cell in cells if f"tag_{tag}" in cell.split(">", 1)[0]]


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda path: path.relative_to(catalogue.NOTEBOOKS).as_posix())
def test_solutions_are_collapsed_and_checks_are_shown(site: Path, lesson: Path) -> None:
    nb = nbformat.read(lesson, as_version=4)
    tags = [cell.metadata.get("tags", []) for cell in nb.cells]
    solutions, checks = _cells(site, lesson, "solution"), _cells(site, lesson, "check")
    assert len(solutions) == sum("solution" in t for t in tags)
    assert len(checks) == sum("check" in t for t in tags)
    for cell in solutions:  # the input sits in a closed <details>: a click shows it
        assert '<details class="admonition hide above-input">' in cell and "<details open" not in cell
    for cell in checks:
        assert "<details" not in cell and 'class="cell_input' in cell and "assert" in cell


@pytest.mark.parametrize("folder", PAIRED, ids=lambda path: path.name)
def test_side_by_side_page_shows_every_step_in_every_way(site: Path, folder: Path) -> None:
    html = (site / "notebooks" / folder.name / f"{site_tool.SIDE_BY_SIDE}.html").read_text(encoding="utf-8")
    ways = [path.stem for path in PAIRED[folder]]
    steps = site_tool.lined_up_steps(PAIRED[folder])
    assert html.count("sd-tab-set sbs-step") == len(steps)
    for way in ways:
        assert html.count(f'data-sync-id="{way}"') == len(steps), way
    for step in steps:
        assert step[0].heading.removeprefix("## ").split(":")[0] in html


def test_playground_page_shows_a_still_and_says_it_needs_a_kernel(site: Path) -> None:
    widget_lessons = [path for path in LESSONS if site_tool.WIDGET_VIEW in path.read_text(encoding="utf-8")]
    assert widget_lessons, "no lesson stores a widget any more: this test has nothing to check"
    for lesson in widget_lessons:
        html = (site / lesson.relative_to(REPO_ROOT).with_suffix(".html")).read_text(encoding="utf-8")
        assert 'class="widget-still"' in html and "needs a running" in html
        assert "widget-view+json" not in html and "embed-amd" not in html and "require.js" not in html


def test_every_page_links_to_its_notebook_or_workspace_on_binder(site: Path) -> None:
    start = REMOTE.launch_url(binder_urls.notebook_urlpath(binder_urls.START_PAGE))
    assert f'href="{start.replace("&", "&amp;")}"' in (site / "index.html").read_text(encoding="utf-8")
    for lesson in LESSONS:
        notebook = lesson.relative_to(REPO_ROOT).as_posix()
        html = (site / lesson.relative_to(REPO_ROOT).with_suffix(".html")).read_text(encoding="utf-8")
        expected = REMOTE.launch_url(binder_urls.notebook_urlpath(notebook)).replace("&", "&amp;")
        assert f'href="{expected}"' in html, notebook
    for folder in PAIRED:
        html = (site / "notebooks" / folder.name / f"{site_tool.SIDE_BY_SIDE}.html").read_text(encoding="utf-8")
        assert REMOTE.launch_url(binder_urls.workspace_urlpath(folder.name)) in html.replace("&amp;", "&")


def test_steps_that_stop_lining_up_stop_the_build_with_a_clear_message(tmp_path: Path) -> None:
    notebooks = tmp_path / "notebooks"
    shutil.copytree(FIRST_PAIRED, notebooks / FIRST_PAIRED.name)
    broken = notebooks / FIRST_PAIRED.name / "requests.ipynb"
    nb = nbformat.read(broken, as_version=4)
    cell = next(cell for cell in nb.cells if cell.cell_type == "markdown" and cell.source.startswith("## Step 2:"))
    cell.source = cell.source.replace("## Step 2:", "## Step 2: Renamed,", 1)
    nbformat.write(nb, broken)
    with pytest.raises(site_tool.StepsDoNotLineUp) as problem:
        site_tool.site_sources(notebooks)
    message = str(problem.value)
    reference = catalogue.ways(FIRST_PAIRED)[0].name  # the first way: socket.ipynb where there is one
    assert "requests.ipynb" in message and "step 2 is" in message and reference in message
    assert "Renamed" in message


def _picture_cells() -> list[tuple[Path, nbformat.NotebookNode]]:
    return [(lesson, cell) for lesson in LESSONS for cell in nbformat.read(lesson, as_version=4).cells
            if cell.cell_type == "code" and any("image/png" in o.get("data", {}) for o in cell.outputs)]


class Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.alts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img" and "_images/" in (dict(attrs).get("src") or ""):
            self.alts.append(dict(attrs).get("alt") or "")


def _alts(page: Path) -> list[str]:
    images = Images()
    images.feed(page.read_text(encoding="utf-8"))
    return images.alts


def test_every_picture_says_in_text_what_its_cell_prints(site: Path) -> None:
    """A chart's text alternative is the summary its cell prints (one line per row it draws), on the lesson's page
    and on the side-by-side page; docutils' fallback, the image's file path, would pass an audit and say nothing."""
    pictures = _picture_cells()
    assert pictures, "no lesson stores a picture any more: this test has nothing to check"
    for lesson, cell in pictures:
        summary = site_tool.picture_summary(cell)
        assert summary != site_tool.NO_SUMMARY, f"{lesson}: a picture whose cell prints no summary of it"
        assert summary in _alts(site / lesson.relative_to(REPO_ROOT).with_suffix(".html")), lesson
        if lesson.parent in PAIRED:
            assert summary in _alts(site / "notebooks" / lesson.parent.name / f"{site_tool.SIDE_BY_SIDE}.html")
    everywhere = [alt for page in html_pages(site) for alt in _alts(page)]
    assert all(alt and not alt.endswith(".png") for alt in everywhere), everywhere


def test_every_page_names_its_icon(site: Path) -> None:
    """Without one, a browser asks every page's server for /favicon.ico, a 404 each time (headless Chromium does
    not ask, so this is read from the HTML; test_every_internal_link_and_anchor_resolves checks the file is there)."""
    lacking = [path.relative_to(site).as_posix() for path in html_pages(site)
               if '<link rel="icon" href="' not in path.read_text(encoding="utf-8")]
    assert not lacking, lacking


def test_code_lines_are_split_only_where_the_highlighting_is_whole_line_by_line() -> None:
    block = '    <span class="k">def</span> f():\n        <span class="k">pass</span>\n'
    lines = site_extension.split_into_lines(block)
    assert lines is not None and lines.count('class="code-line"') == 2
    assert '--indent: 4"' in lines and '--indent: 8"' in lines
    assert site_extension.split_into_lines('<span class="s">"""one\ntwo"""</span>\n') is None


# --- in the browser -------------------------------------------------------------------------------

try:
    from playwright.sync_api import Browser, Response, Route, sync_playwright
    from playwright.sync_api import Page as BrowserPage
except ImportError:  # pragma: no cover - playwright is pinned in requirements.txt
    sync_playwright = None

browser_only = pytest.mark.skipif(sync_playwright is None or chromium_path() is None,
                                  reason="needs playwright and Chromium (apt-get install chromium)")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    """The built site over HTTP on loopback, as `make site-serve` serves it."""
    handler = functools.partial(QuietHandler, directory=str(site))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}/"
        server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


class Visit:
    """One page in a fresh browser context: its console errors and every request that left loopback."""

    def __init__(self, browser: Browser, url: str, viewport: dict[str, int]) -> None:
        self.context = browser.new_context(viewport=viewport)
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.failed: list[str] = []
        self.context.route("**/*", self._only_loopback)
        self.page: BrowserPage = self.context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("requestfailed", lambda request: self.failed.append(request.url))
        self.page.goto(url, wait_until="networkidle")

    def _only_loopback(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1" or url.startswith("data:"):
            route.continue_()
        else:  # the site must not need the network: refuse, and remember who asked
            self.outside.append(url)
            route.abort()

    def close(self) -> None:
        self.context.close()


PAGES = {"start page": "index.html", "lesson page": LESSON_PAGE, "side-by-side page": SIDE_BY_SIDE}
VIEWPORTS = {"1600x900": LAPTOP, "390x844": PHONE}


@pytest.fixture(scope="module")
def visit(browser: Browser, served: str) -> Iterator[Callable[[str, str], Visit]]:
    """Open a page at a viewport once for the whole module: the visit(page, viewport) the tests share."""
    opened: dict[tuple[str, str], Visit] = {}

    def open_page(page: str, viewport: str) -> Visit:
        if (page, viewport) not in opened:
            opened[page, viewport] = Visit(browser, served + PAGES[page], VIEWPORTS[viewport])
        return opened[page, viewport]

    yield open_page
    for one in opened.values():
        one.close()


@browser_only
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=str)
@pytest.mark.parametrize("page", PAGES, ids=str)
def test_page_loads_clean_offline_and_its_internal_links_resolve(visit: Callable[[str, str], Visit], served: str,
                                                                 page: str, viewport: str) -> None:
    seen = visit(page, viewport)
    assert not seen.errors, seen.errors
    assert not seen.outside, f"the page reached for other hosts: {seen.outside}"
    assert not [url for url in seen.failed if url.startswith(served)], seen.failed
    links = seen.page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    internal = sorted({link.partition("#")[0] for link in links if link.startswith(served)})
    assert internal, "no internal links at all"
    for link in internal:
        assert seen.page.request.get(link).status == 200, link


# Each code or output block's scroll width against its visible width: wider means a sideways scroll bar.
_OVERFLOWING = """() => [...document.querySelectorAll('article div.highlight pre')]
    .filter(pre => pre.offsetParent !== null && pre.scrollWidth > pre.clientWidth + 1)
    .map(pre => pre.textContent.slice(0, 60))"""


@browser_only
@pytest.mark.parametrize("page", ["lesson page", "side-by-side page"], ids=str)
def test_code_fits_its_block_at_1600x900(visit: Callable[[str, str], Visit], page: str) -> None:
    seen = visit(page, "1600x900")
    assert seen.page.locator("article div.highlight pre").count() > 0
    assert seen.page.evaluate(_OVERFLOWING) == []


# For each step's tab-set: which way is chosen, and which ways' contents are showing.
_STEPS = """() => [...document.querySelectorAll('.sbs-step')].map(set => ({
    chosen: set.querySelector('input:checked + label').dataset.syncId,
    shown: [...set.querySelectorAll(':scope > label')]
        .filter(label => label.nextElementSibling.offsetParent !== null).map(label => label.dataset.syncId),
    boxes: [...set.querySelectorAll(':scope > .sd-tab-content')].map(c => c.getBoundingClientRect().toJSON()),
}))"""


@browser_only
def test_on_a_phone_choosing_a_way_in_one_step_chooses_it_in_every_step(visit: Callable[[str, str], Visit]) -> None:
    ways = [path.stem for path in PAIRED[FIRST_PAIRED]]
    page = visit("side-by-side page", "390x844").page
    steps = page.evaluate(_STEPS)
    assert len(steps) > 1 and all(step["shown"] == [ways[0]] for step in steps), steps
    for way in reversed(ways):  # end on the first way, as the page opened, for the screenshot and later tests
        page.locator(f'.sbs-step >> nth=-1 >> label[data-sync-id="{way}"]').click()
        steps = page.evaluate(_STEPS)
        assert [step["chosen"] for step in steps] == [way] * len(steps)
        assert [step["shown"] for step in steps] == [[way]] * len(steps)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("h2").nth(1).evaluate("heading => heading.scrollIntoView()")
    page.screenshot(path=SCREENSHOTS / "site-side-by-side-390x844.png")


@browser_only
def test_on_a_laptop_every_step_shows_its_ways_as_columns(visit: Callable[[str, str], Visit]) -> None:
    ways = [path.stem for path in PAIRED[FIRST_PAIRED]]
    page = visit("side-by-side page", "1600x900").page
    for step in page.evaluate(_STEPS):
        assert step["shown"] == ways
        boxes = step["boxes"]
        assert all(abs(box["y"] - boxes[0]["y"]) < 2 for box in boxes), boxes
        assert all(left["right"] <= right["x"] + 1 for left, right in itertools.pairwise(boxes))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("h2").nth(1).evaluate("heading => heading.scrollIntoView()")
    page.screenshot(path=SCREENSHOTS / "site-side-by-side-1600x900.png")


def _lesson_with_every_kind_of_output(folder: Path) -> None:
    """A paired lesson whose one step holds what later lessons may bring: a traceback, a picture, a result,
    a heading inside a cell, backticks in code, and a link to a file beside the notebook."""
    v4 = nbformat.v4
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    folder.mkdir(parents=True)
    (folder / "example.py").write_text("print('hello')\n")
    for way in catalogue.REQUIRED_WAYS:
        code = v4.new_code_cell("print('```')\n1 / 0", outputs=[
            v4.new_output("stream", name="stdout", text="```\n"),
            v4.new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                          traceback=["\x1b[31mZeroDivisionError\x1b[0m: division by zero"]),
            v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"}),
            v4.new_output("execute_result", data={"text/plain": "42"}, execution_count=2),
        ])
        code.metadata["tags"] = ["raises-exception"]
        nb = v4.new_notebook(cells=[
            v4.new_markdown_cell(f"# 01 · Every output, {way}"),
            v4.new_markdown_cell("## Step 1: Everything at once\n\nSee [the example](example.py)."),
            v4.new_markdown_cell("### A smaller heading\n\nMore words."),
            code,
            v4.new_markdown_cell("## Recap\n\n- done"),
        ], metadata={"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO})  # as `make format` writes
        nbformat.write(nb, folder / f"{way}.ipynb")


def test_a_lesson_with_every_kind_of_output_builds_cleanly(tmp_path: Path) -> None:
    notebooks = tmp_path / "notebooks"
    _lesson_with_every_kind_of_output(notebooks / "01_every_output")
    assert site_tool.build(notebooks, tmp_path / "src", tmp_path / "html") == 0
    page = (tmp_path / "html" / "notebooks" / "01_every_output" / f"{site_tool.SIDE_BY_SIDE}.html").read_text()
    assert page.count("ZeroDivisionError: division by zero") == len(catalogue.REQUIRED_WAYS)  # no colour codes
    assert page.count("<img") == len(catalogue.REQUIRED_WAYS)
    assert "example.py" in page


# --- every page, audited ---------------------------------------------------------------------------

try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:  # pragma: no cover - pinned in requirements-site.txt
    Axe = None

# axe-core's rules for WCAG 2.0, 2.1 and 2.2 at levels A and AA (the engine ships inside axe-playwright-python).
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_A_AA}, "resultTypes": ["violations"]}

# For every visible line of highlighted code (tools/site_extension.py makes each a span.code-line) that wraps:
# where its continuation rows start, against where its text starts (its first row's left edge plus its
# indentation). A continuation at or left of that reads like a dedent.
_WRAPPING = """() => {
""" + ROWS_OF_LINE + """
    const found = {lines: 0, wrapped: 0, flush: [], unsplit: []};
    for (const pre of document.querySelectorAll('article div.highlight pre')) {
        if (pre.offsetParent === null) continue;
        const lines = pre.querySelectorAll(':scope > .code-line');
        if (lines.length === 0 && pre.textContent.trim()) { found.unsplit.push(pre.textContent.slice(0, 60)); }
        for (const line of lines) {
            found.lines += 1;
            const rows = rowsOf(line);
            if (rows.length < 2) continue;
            found.wrapped += 1;
            const indent = Number(line.style.getPropertyValue('--indent'));
            const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
            let text = walker.nextNode();
            while (text && !text.data.length) text = walker.nextNode();
            const first = document.createRange();  // one character's width: the font is monospaced
            first.setStart(text, 0);
            first.setEnd(text, 1);
            const textStart = rows[0].left + indent * first.getBoundingClientRect().width;
            if (rows.slice(1).some(row => row.left <= textStart + 1)) { found.flush.push(line.textContent.trimEnd()); }
        }
    }
    return found;
}"""


def _remember_missing(missing: list[str], response: Response) -> None:
    if response.status >= 400:
        missing.append(f"{response.status} {response.url}")


# The audit of one page is seconds of JavaScript (axe's color-contrast rule looks at every piece of text): both
# sizes run at once, each in its own tab, and the audited fixture's first test gets the time the whole site takes.
AUDIT_TIMEOUT = 1800


def _open_tab(browser: Browser, viewport: dict[str, int], missing: list[str]) -> BrowserPage:
    context = browser.new_context(viewport=viewport)
    context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname == "127.0.0.1"
                  else route.abort())
    tab: BrowserPage = context.new_page()
    tab.on("response", functools.partial(_remember_missing, missing))
    return tab


@pytest.fixture(scope="module")
def audited(browser: Browser, served: str, site: Path) -> Iterator[dict[str, dict[str, dict[str, object]]]]:
    """Every page of the site at both sizes, each opened once: axe-core's violations, the requests the site could
    not answer, and (at 1600x900) how its code lines wrap. By viewport, then by page."""
    axe = Axe()
    pages = [path.relative_to(site).as_posix() for path in html_pages(site)]
    missing: dict[str, list[str]] = {name: [] for name in VIEWPORTS}
    tabs = {name: _open_tab(browser, viewport, missing[name]) for name, viewport in VIEWPORTS.items()}
    results: dict[str, dict[str, dict[str, object]]] = {name: {} for name in VIEWPORTS}
    for page in pages:
        on_load: dict[str, list[str]] = {}
        for name, tab in tabs.items():  # start both audits: axe.run returns a promise, kept on the page
            missing[name].clear()
            tab.goto(served + page, wait_until="networkidle")
            # What the page asked for, before axe: axe's css-orientation-lock rule fetches the stylesheets again
            # and resolves the theme's `@import "../basic.css"` against the site's root (a 404 of axe's own).
            on_load[name] = list(missing[name])
            tab.evaluate(axe.axe_script)
            tab.evaluate(f"() => {{ window.audit = axe.run({json.dumps(AXE_OPTIONS)}); }}")
        for name, tab in tabs.items():  # then wait for each
            found: dict[str, object] = {"violations": tab.evaluate("() => window.audit.then(r => r.violations)"),
                                        "missing": on_load[name]}
            if VIEWPORTS[name] == LAPTOP:
                found["wrapping"] = tab.evaluate(_WRAPPING)
            results[name][page] = found
    yield results
    for tab in tabs.values():
        tab.context.close()


audit_only = pytest.mark.skipif(Axe is None, reason="needs axe-playwright-python (requirements-site.txt)")


@browser_only
@audit_only
@pytest.mark.timeout(AUDIT_TIMEOUT)
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=str)
def test_every_page_passes_the_wcag_2_a_and_aa_audit(audited: dict[str, dict[str, dict[str, object]]],
                                                     viewport: str) -> None:
    problems = [f"{page}: {violation['id']} ({violation['impact']}) at {', '.join(map(str, node['target']))}: "
                f"{violation['help']}"
                for page, found in audited[viewport].items()
                for violation in found["violations"]  # type: ignore[attr-defined]
                for node in violation["nodes"]]
    assert len(audited[viewport]) == len(LESSONS) + len(PAIRED) + SITE_PAGES
    assert not problems, f"{len(problems)} WCAG 2 A/AA violations at {viewport}:\n" + "\n".join(problems[:60])


@browser_only
@audit_only
@pytest.mark.timeout(AUDIT_TIMEOUT)
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=str)
def test_no_page_asks_for_a_file_the_site_lacks(audited: dict[str, dict[str, dict[str, object]]],
                                                viewport: str) -> None:
    """Such as /favicon.ico, which a browser asks for on every page that names no icon."""
    missing = {page: found["missing"] for page, found in audited[viewport].items() if found["missing"]}
    assert not missing, missing


@browser_only
@audit_only
@pytest.mark.timeout(AUDIT_TIMEOUT)
def test_at_1600x900_every_code_line_fits_or_wraps_past_its_own_indentation(
        audited: dict[str, dict[str, dict[str, object]]]) -> None:
    flush, unsplit, wrapped = [], [], 0
    for page, found in audited["1600x900"].items():
        wrapping: dict[str, list[str]] = found["wrapping"]  # type: ignore[assignment]
        flush += [f"{page}: {line}" for line in wrapping["flush"]]
        unsplit += [f"{page}: {text}" for text in wrapping["unsplit"]]
        wrapped += int(wrapping["wrapped"])  # type: ignore[call-overload]
    assert wrapped > 0, "no code line wraps anywhere: this test measured nothing"
    assert not unsplit, "code blocks without a span per line (tools/site_extension.py):\n" + "\n".join(unsplit)
    assert not flush, "wrapped code lines that continue at or left of their own text:\n" + "\n".join(flush)


@browser_only
def test_on_a_phone_the_keyboard_alone_chooses_a_way_in_every_step(browser: Browser, served: str) -> None:
    ways = [path.stem for path in PAIRED[FIRST_PAIRED]]
    seen = Visit(browser, served + SIDE_BY_SIDE, PHONE)
    try:
        page = seen.page
        for _ in range(400):  # Tab from the top of the page until a step's way switcher has the focus
            page.keyboard.press("Tab")
            if page.evaluate("() => !!document.activeElement.closest('.sbs-step')"):
                break
        else:
            pytest.fail("Tab never reached a step's way switcher")
        assert page.evaluate("() => document.activeElement.matches('.sbs-step > input[type=radio]')")
        page.keyboard.press("ArrowRight")
        steps = page.evaluate(_STEPS)
        assert [step["shown"] for step in steps] == [[ways[1]]] * len(steps), steps
        focused = page.evaluate("() => getComputedStyle(document.activeElement.nextElementSibling).outlineStyle")
        background = page.evaluate(
            "() => getComputedStyle(document.activeElement.nextElementSibling).backgroundColor")
        assert focused != "none" or background != "rgba(0, 0, 0, 0)", "the focused way shows no focus"
    finally:
        seen.close()


@browser_only
def test_search_results_show_lesson_text_not_the_themes_buttons(browser: Browser, served: str) -> None:
    seen = Visit(browser, served + "search.html?q=urllib", LAPTOP)
    try:
        snippets = seen.page.locator("#search-results .context")
        expect_count = snippets.first
        expect_count.wait_for(timeout=30_000)
        texts = snippets.all_inner_texts()
        assert texts and all(text.strip() for text in texts), texts
        chrome = [text for text in texts
                  if ("Light" in text and "Dark" in text) or text.lstrip().startswith("Settings")]
        assert not chrome, chrome
    finally:
        seen.close()
