"""The lessons as a learner meets them: JupyterLab in headless Chromium runs each notebook through its own menus.
Checks that no cell errors unexpectedly, every widget renders, the playground streams a reply, and the
side-by-side workspaces open their notebooks in a row. Screenshots go to test-artifacts/screenshots/.

One JupyterLab server for the module, and one page of it for the tests that open a notebook (each opens
its notebook in the loaded application, with the command a `/lab/tree/<path>` address ends in, and closes
it after): loading JupyterLab costs Chromium about 3 s of CPU, more than anything a test then does in it.
The side-by-side tests load a workspace's own address, each in a page of its own."""

from __future__ import annotations

import itertools
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import nbformat
import pytest

from tests.browser.chromium import ROWS_OF_LINE, chromium_path, launch

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
ALL_NOTEBOOKS = sorted(
    path.relative_to(REPO_ROOT).as_posix()
    for path in (REPO_ROOT / "notebooks").rglob("*.ipynb")
    if ".ipynb_checkpoints" not in path.parts
)
START_PAGE = "notebooks/00_start_here.ipynb"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# nbval already runs every notebook in a kernel; the browser adds what only a page shows (widgets, the UI's
# own Run menu). By default it runs the start page and every notebook that shows a widget;
# LLM_CALLS_BROWSER=all runs every notebook (about three minutes here).
BROWSER_ALL = os.environ.get("LLM_CALLS_BROWSER", "").strip().lower() == "all"
NOTEBOOKS = [notebook for notebook in ALL_NOTEBOOKS
             if BROWSER_ALL or notebook == START_PAGE or WIDGET_MIME in (REPO_ROOT / notebook).read_text("utf-8")]
ALL_WORKSPACES = sorted((REPO_ROOT / "workspaces").glob("*.jupyterlab-workspace"))
# Every layout comes from one function (tools/binder_urls.py), and test_binder_urls checks each stored file
# against it; the browser shows one of each shape by default (three ways in a row, the socket beside
# urllib), every layout with LLM_CALLS_LAYOUTS=all (`make layouts-test`, which .ci/run runs) or
# LLM_CALLS_BROWSER=all.
LAYOUTS_ALL = BROWSER_ALL or os.environ.get("LLM_CALLS_LAYOUTS", "").strip().lower() == "all"
WORKSPACES = ALL_WORKSPACES if LAYOUTS_ALL else [
    next(path for path in ALL_WORKSPACES if not path.stem.endswith("-socket")),
    next(path for path in ALL_WORKSPACES if path.stem.endswith("-socket")),
]
PLAYGROUND = [notebook for notebook in NOTEBOOKS if "playground" in notebook]
RUN_TIMEOUT_MS = 120_000
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in front
# How IPython shows an exception: the classic header, or the "Cell In[n], line m" of a SyntaxError.
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|Cell In\[\d+\], line \d+")
WIDGET_FAILURES = ("Loading widget...", "Error displaying widget")
# Settings a fresh JupyterLab gets here: never write a notebook back (the stored outputs are nbval's
# reference), keep every cell in the DOM, and no news or update checks (there is no network anyway).
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


try:
    from playwright.sync_api import Page, expect, sync_playwright
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # pragma: no cover - playwright is pinned in requirements.txt
    sync_playwright = None

pytestmark = [
    pytest.mark.skipif(sync_playwright is None, reason="the playwright package is not installed"),
    pytest.mark.skipif(chromium_path() is None,
                       reason="no Chromium here (apt-get install chromium, or set CHROMIUM=/path/to/chromium)"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Lab:
    """A JupyterLab server of our own on loopback, with a throw-away config, settings and workspaces."""

    def __init__(self, home: Path):
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ)
        for name, folder in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                             ("JUPYTERLAB_SETTINGS_DIR", "settings"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces")):
            (home / folder).mkdir()
            self.env[name] = str(home / folder)
        for plugin, values in LAB_SETTINGS.items():
            path = home / "settings" / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        self.checkpoints = home / "checkpoints"  # opening a notebook checkpoints it: keep that out of the repo
        self.log = (home / "jupyterlab.log").open("w")
        self.process: subprocess.Popen | None = None

    def import_workspaces(self, paths: list[Path]) -> None:
        """As `make lab-side-by-side` and binder/postBuild do: `jupyter lab workspaces import`, all at once."""
        imports = [subprocess.Popen([sys.executable, "-m", "jupyterlab", "workspaces", "import", str(path)],
                                    env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                   for path in paths]
        for path, process in zip(paths, imports, strict=True):
            _, errors = process.communicate(timeout=60)
            assert process.returncode == 0, f"importing {path.name} failed: {errors.decode()}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.open_browser=False",
             "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
             f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={REPO_ROOT}",
             f"--FileCheckpoints.checkpoint_dir={self.checkpoints}",
             "--allow-root", "--LabApp.extension_manager=readonly",  # CI runs as root; no PyPI look-ups
             "--LabApp.expose_app_in_browser=True"],  # window.jupyterapp: the tests open notebooks in one page
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.api("status"), timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"JupyterLab did not answer within 60 s; see {self.log.name}")

    def api(self, path: str) -> str:
        return f"{self.url}/api/{path}?token={self.token}"

    def page_url(self, path: str) -> str:
        return f"{self.url}/{path}?reset&token={self.token}"

    def wait_for_idle_kernel(self, notebook: str, timeout: float = 60) -> None:
        """Until the server has an idle kernel for the notebook (the page's toolbar says idle before it has one)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with urllib.request.urlopen(self.api("sessions"), timeout=10) as response:
                if any(session["path"] == notebook and session["kernel"]["execution_state"] == "idle"
                       for session in json.load(response)):
                    return
            time.sleep(0.2)
        raise TimeoutError(f"no idle kernel for {notebook} after {timeout} s")

    def shut_down_kernels(self) -> None:
        with urllib.request.urlopen(self.api("sessions"), timeout=10) as response:
            sessions = json.load(response)
        for session in sessions:
            request = urllib.request.Request(self.api(f"sessions/{session['id']}"), method="DELETE")
            urllib.request.urlopen(request, timeout=10).close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    lab = Lab(tmp_path_factory.mktemp("jupyterlab"))
    try:
        lab.import_workspaces(WORKSPACES)
        lab.start()
        yield lab
    finally:  # a server that failed to start is stopped too
        lab.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def context(browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    yield context
    context.close()


def new_page(context) -> Page:
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


@pytest.fixture(scope="module")
def app(context, lab):
    """JupyterLab loaded once, for every test that opens a notebook: loading the application costs Chromium
    about 3 s of CPU, opening a notebook in it a fraction of that."""
    page = new_page(context)
    page.goto(lab.page_url("lab"))
    page.wait_for_function("() => window.jupyterapp !== undefined")
    page.evaluate("async () => { await window.jupyterapp.restored; }")
    yield page
    page.close()


# Every document in the main area closed without a question (a notebook that ran has unsaved changes, and
# the tests never save), any dialog left by a failed test dismissed first.
_CLOSE_ALL = """() => {
    document.querySelectorAll('.jp-Dialog').forEach(dialog => dialog.remove());
    for (const widget of Array.from(window.jupyterapp.shell.widgets('main'))) {
        if (widget.context) widget.context.model.dirty = false;
        widget.dispose();
    }
}"""


@pytest.fixture
def page(app, lab):
    """The one JupyterLab page, with nothing open again after the test and every kernel shut down."""
    yield app
    app.evaluate(_CLOSE_ALL)
    lab.shut_down_kernels()


@pytest.fixture
def fresh_page(context, lab):
    """A page of its own, for a test that loads JupyterLab at another address (a workspace)."""
    page = new_page(context)
    yield page
    page.close()
    lab.shut_down_kernels()


def screenshot_name(notebook: str, suffix: str = "") -> Path:
    stem = notebook.removeprefix("notebooks/").removesuffix(".ipynb").replace("/", "__")
    return SCREENSHOTS / f"{stem}{suffix}.png"


def show_notebook(page: Page, notebook: str) -> None:
    """Open the notebook in the loaded JupyterLab: `docmanager:open`, the command that loading the address
    /lab/tree/<path> ends in (its `filebrowser:open-path` runs it)."""
    page.evaluate("path => { window.jupyterapp.commands.execute('docmanager:open', {path}); }", notebook)


def open_notebook(page: Page, lab: Lab, notebook: str) -> None:
    """Open the notebook and wait until its kernel is ready."""
    show_notebook(page, notebook)
    expect(page.locator(f"{PANEL} .jp-Notebook-ExecutionIndicator")).to_be_attached(timeout=60_000)
    lab.wait_for_idle_kernel(notebook)


def click_menu(page: Page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    page.locator(".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel",
                 has_text=re.compile(f"^{re.escape(item)}$")).click()


_PROMPTS = f"() => [...document.querySelectorAll('{PANEL} .jp-CodeCell .jp-InputArea-prompt')].map(p => p.textContent)"
# True once the cleared notebook has run: no cell queued or running, the kernel idle, and some prompt numbered.
_RUN_FINISHED = f"""() => {{
    const prompts = ({_PROMPTS})();
    const status = document.querySelector('{PANEL} .jp-Notebook-ExecutionIndicator').dataset.status;
    return status === 'idle' && !prompts.some(p => p.includes('*')) && prompts.some(p => /\\d/.test(p));
}}"""
# For each cell of the notebook, in order: whether it is code, its prompt, and its outputs' mime types and text.
_CELLS = f"""() => [...document.querySelectorAll('{PANEL} .jp-Notebook .jp-Cell')].map(cell => ({{
    code: cell.classList.contains('jp-CodeCell'),
    prompt: (cell.querySelector('.jp-InputArea-prompt') || {{}}).textContent || '',
    outputs: [...cell.querySelectorAll('.jp-OutputArea-output')].map(o => ({{
        mime: o.dataset.mimeType || '', text: o.innerText, image: !!o.querySelector('img')}})),
}}))"""


def run_all_cells(page: Page) -> list[dict]:
    """Clear every output, run all cells from the Run menu, wait for the kernel to finish; the cells' DOM state."""
    click_menu(page, "View", "Expand All Code")  # a collapsed input hides its prompt, and so its count
    click_menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(f"() => ({_PROMPTS})().every(p => !/\\d/.test(p))")
    for _attempt in range(3):
        click_menu(page, "Run", "Run All Cells")
        try:  # a run asked for while the page is still wiring up its kernel is dropped without a word
            page.wait_for_function(f"() => ({_PROMPTS})().some(p => /[*\\d]/.test(p))", timeout=10_000)
            break
        except PlaywrightTimeout:
            continue
    page.wait_for_function(_RUN_FINISHED, timeout=RUN_TIMEOUT_MS, polling=200)
    return page.evaluate(_CELLS)


def code_cells(notebook: str) -> list[tuple[int, nbformat.NotebookNode]]:
    stored = nbformat.read(REPO_ROOT / notebook, as_version=4)
    return [(index, cell) for index, cell in enumerate(stored.cells) if cell.cell_type == "code"]


def wait_for_widgets(page: Page) -> None:
    """Until no widget is still loading (a widget's view arrives after its cell has finished)."""
    page.wait_for_function(f"() => !document.querySelector('{PANEL}').innerText.includes('Loading widget...')",
                           timeout=20_000)


def run_and_check(page: Page, lab: Lab, notebook: str) -> None:
    """Open the notebook, run all its cells in a fresh kernel, and check what the page shows."""
    before = (REPO_ROOT / notebook).read_bytes()
    open_notebook(page, lab, notebook)
    run_all_cells(page)
    wait_for_widgets(page)
    cells = page.evaluate(_CELLS)
    page.screenshot(path=screenshot_name(notebook), full_page=True)

    stored = code_cells(notebook)
    assert [index for index, cell in enumerate(cells) if cell["code"]] == [index for index, _ in stored]
    errors, counts = [], []
    for index, cell in stored:
        shown = cells[index]
        if cell.source.strip():
            count = re.search(r"\d+", shown["prompt"])
            assert count, f"cell {index} never ran (prompt {shown['prompt']!r}): the run stopped early"
            counts.append(int(count[0]))
        if "raises-exception" in cell.metadata.get("tags", []):
            continue
        errors += [f"cell {index}: {output['text'][-600:]}" for output in shown["outputs"]
                   if TRACEBACK.search(output["text"])]
        if any("image/png" in output.get("data", {}) for output in cell.outputs):  # a picture (helpers.charts)
            assert any(output["image"] for output in shown["outputs"]), f"cell {index} shows no image"
    assert not errors, "\n\n".join(errors)
    assert counts == list(range(1, len(counts) + 1)), "cells ran out of order or in a used kernel"
    broken = [f"cell {index}: {output['text'][:200]}" for index, cell in enumerate(cells)
              for output in cell["outputs"] if any(failure in output["text"] for failure in WIDGET_FAILURES)]
    assert not broken, "widgets did not render:\n" + "\n".join(broken)
    assert (REPO_ROOT / notebook).read_bytes() == before, "the browser wrote the notebook back"


@pytest.mark.parametrize("notebook", [notebook for notebook in NOTEBOOKS if notebook not in PLAYGROUND])
def test_notebook_runs_clean_in_jupyterlab(page, lab, notebook):
    run_and_check(page, lab, notebook)


ALL_PICTURES = [notebook for notebook in ALL_NOTEBOOKS
                if '"image/png"' in (REPO_ROOT / notebook).read_text("utf-8")]
# The three ways of a lesson store the same chart cell: by default one way of each lesson is opened,
# every way with LLM_CALLS_BROWSER=all (each notebook costs the page a kernel start).


def _one_per_lesson(notebooks: list[str]) -> list[str]:
    first: dict[Path, str] = {}
    for notebook in notebooks:
        first.setdefault(Path(notebook).parent, notebook)
    return list(first.values())


PICTURES = ALL_PICTURES if BROWSER_ALL else _one_per_lesson(ALL_PICTURES)


@pytest.mark.parametrize("notebook", PICTURES)
def test_every_stored_picture_shows_as_an_image(page, lab, notebook):
    """The charts of lessons 03, 04 and 11 as a learner first sees them: the stored PNG of each picture cell
    is an image on the page (opened, not run: the cells that draw them run under nbval)."""
    pictures = [index for index, cell in code_cells(notebook)
                if any("image/png" in output.get("data", {}) for output in cell.outputs)]
    show_notebook(page, notebook)
    images = page.locator(f"{PANEL} .jp-OutputArea-output img")
    expect(images).to_have_count(len(pictures), timeout=60_000)
    cells = page.evaluate(_CELLS)
    assert [index for index, cell in enumerate(cells) if any(o["image"] for o in cell["outputs"])] == pictures


# The text a playground piece shows: a text box's value, or the element's text.
_PIECE_TEXT = f"""css => {{
    const piece = document.querySelector(`{PANEL} ${{css}}`);
    const box = piece.matches('textarea, input') ? piece : piece.querySelector('textarea, input');
    return box ? box.value : piece.innerText;
}}"""


def piece_text(page: Page, css_class: str) -> str:
    return page.evaluate(_PIECE_TEXT, f".{css_class}")


@pytest.mark.parametrize("notebook", PLAYGROUND)
def test_playground_streams_a_reply_into_the_page(page, lab, notebook):
    run_and_check(page, lab, notebook)  # the playground's own notebook, run clean first
    page.locator(f"{PANEL} .playground-new-conversation").last.click()
    page.locator(f"{PANEL} .playground-max-tokens input").last.fill("200")  # the exercise left it at 12
    page.locator(f"{PANEL} .playground-prompt").locator("input, textarea").last.fill(
        "What does a streamed chat completion look like?")
    page.locator(f"{PANEL} .playground").first.evaluate("view => view.scrollIntoView({block: 'start'})")
    page.locator(f"{PANEL} .playground-send").last.click()

    page.wait_for_function(f"() => ({_PIECE_TEXT})('.playground-status').startsWith('Streaming')", timeout=20_000)
    page.wait_for_function(f"() => ({_PIECE_TEXT})('.playground-reply').trim() !== ''", timeout=20_000)
    seen = [piece_text(page, "playground-reply")]
    page.screenshot(path=screenshot_name(notebook, "-mid-stream"))
    deadline = time.monotonic() + 60
    while not piece_text(page, "playground-status").startswith(("Done", "Error")) and time.monotonic() < deadline:
        text = piece_text(page, "playground-reply")
        if text != seen[-1]:
            seen.append(text)
        page.wait_for_timeout(50)
    seen.append(piece_text(page, "playground-reply"))
    page.screenshot(path=screenshot_name(notebook, "-end"))

    status = piece_text(page, "playground-status")
    assert status.startswith("Done"), status
    assert seen[-1].strip(), "no reply arrived"
    growth = list(dict.fromkeys(seen))
    assert len(growth) >= 3, f"the reply arrived in {len(growth)} step(s), not streamed: {growth}"
    assert all(later.startswith(earlier) for earlier, later in itertools.pairwise(growth)), growth
    assert not TRACEBACK.search(page.locator(PANEL).inner_text())


# How the code of each notebook in view reads: cell by cell (scrolled into view, so CodeMirror draws every
# line of it), every code line that wraps, where its wrapped rows start against where its text starts (the
# first character after its indentation, measured). A row at or left of that reads like a dedent. Also: any
# code or output that scrolls sideways, and whether our extension decorated the line (class llm-calls-hang).
_CODE_WRAPPING = """async expected => {
""" + ROWS_OF_LINE + """
    const frame = () => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const sideways = element => element.scrollWidth > element.clientWidth + 1
        && ['auto', 'scroll'].includes(getComputedStyle(element).overflowX);
    // One drawn line: decorated or not, wrapped or not, and whether a wrapped row starts at or left of its text.
    const measure = line => {
        const rows = rowsOf(line);
        const result = {text: line.textContent, hung: line.classList.contains('llm-calls-hang'),
                        wrapped: rows.length > 1, flush: false};
        if (!result.wrapped) return result;
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        let node = walker.nextNode(), offset = -1;
        while (node && (offset = node.data.search(/\\S/)) < 0) node = walker.nextNode();
        const first = document.createRange();
        first.setStart(node, offset);
        first.setEnd(node, offset + 1);
        const textStart = first.getBoundingClientRect().left;
        result.flush = rows.slice(1).some(row => row.left <= textStart + 1);
        return result;
    };
    const titles = Object.fromEntries([...document.querySelectorAll('.lm-DockPanel-tabBar .lm-TabBar-tab')]
        .map(tab => [tab.dataset.id, tab.querySelector('.lm-TabBar-tabLabel').textContent]));
    const found = {};
    for (const panel of document.querySelectorAll('.jp-NotebookPanel')) {
        if (panel.offsetParent === null) continue;
        const name = titles[panel.id];
        const counts = expected[name];
        const seen = found[name] = {lines: 0, hung: 0, plain: [], wrapped: 0, flush: [], sideways: [], undrawn: []};
        const cells = [...panel.querySelectorAll('.jp-CodeCell')];
        if (cells.length !== counts.length) seen.undrawn.push(`${cells.length} code cells, not ${counts.length}`);
        const scroller = panel.querySelector('.jp-WindowedPanel-outer');
        for (const [index, cell] of cells.entries()) {
            // CodeMirror draws only the lines near the view: a cell taller than the window is read half a
            // window at a time, each line known by its offset from the top of the cell, measured as last drawn.
            const lines = new Map();
            cell.scrollIntoView({block: 'start'});
            for (let step = 0; ; step++) {
                await frame();
                await frame();
                const top = cell.getBoundingClientRect().top;
                for (const line of cell.querySelectorAll('.jp-InputArea .cm-line')) {
                    lines.set(Math.round(line.getBoundingClientRect().top - top), measure(line));
                }
                if (cell.getBoundingClientRect().bottom <= scroller.getBoundingClientRect().bottom || step > 20) break;
                scroller.scrollTop += scroller.clientHeight / 2;
            }
            if (lines.size !== counts[index]) {
                seen.undrawn.push(`cell ${index}: ${lines.size} of ${counts[index]} lines drawn`);
            }
            for (const line of lines.values()) {
                seen.lines += 1;
                if (line.hung) { seen.hung += 1; } else { seen.plain.push(`cell ${index}: ${line.text}`); }
                if (line.wrapped) seen.wrapped += 1;
                if (line.flush) seen.flush.push(line.text);
            }
            const scrollable = '.cm-scroller, .jp-OutputArea-output, .jp-OutputArea-output pre';
            for (const element of cell.querySelectorAll(scrollable)) {
                if (sideways(element)) seen.sideways.push(`cell ${index}: ${element.textContent.slice(0, 60)}`);
            }
        }
        if (sideways(scroller)) {
            const edge = scroller.getBoundingClientRect().right;
            const wide = [...scroller.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > edge + 1)
                .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`);
            seen.sideways.push(`the notebook as a whole: ${wide.slice(0, 4).join(', ')}`);
        }
    }
    return found;
}"""


def code_line_counts(notebook: str) -> list[int]:
    """The lines of each code cell, as the editor shows them (an empty cell is one empty line; a hidden
    solution's, none)."""
    return [0 if cell.metadata.get("jupyter", {}).get("source_hidden") else len(cell.source.split("\n"))
            for _, cell in code_cells(notebook)]


@pytest.mark.parametrize("workspace", WORKSPACES, ids=lambda path: path.stem)
def test_side_by_side_workspace_opens_its_notebooks_in_a_row(fresh_page, lab, workspace):
    """At a laptop's 1600x900: the notebooks in a row, and every code line of each readable in its column,
    whole or wrapped with a hanging indent (binder/labextensions), nothing scrolling sideways."""
    page = fresh_page
    page.set_viewport_size({"width": 1600, "height": 900})
    stored = json.loads(workspace.read_text(encoding="utf-8"))
    paths = [value["data"]["path"] for key, value in stored["data"].items() if key.startswith("notebook:")]
    assert len(paths) >= 2
    page.goto(f"{lab.url}/lab/workspaces/{quote(stored['metadata']['id'])}?token={lab.token}")
    panels = page.locator(".jp-NotebookPanel:visible")
    expect(panels).to_have_count(len(paths), timeout=60_000)
    # Asked of the server: in three narrow columns the toolbar's kernel indicator may fold away out of sight.
    for path in paths:
        lab.wait_for_idle_kernel(path)
    expect(page.locator(".jp-NotebookPanel:visible .jp-RenderedMarkdown h1")).to_have_count(len(paths))
    page.wait_for_timeout(500)  # let the split settle before measuring and the picture
    page.screenshot(path=SCREENSHOTS / f"side-by-side-{workspace.stem}.png")

    boxes = sorted((panels.nth(i).bounding_box() for i in range(len(paths))), key=lambda box: box["x"])
    for left, right in itertools.pairwise(boxes):
        assert left["x"] + left["width"] <= right["x"] + 2, f"panels overlap: {boxes}"
        assert abs(left["y"] - right["y"]) < 2 and abs(left["width"] - right["width"]) < 20, boxes
    titles = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tabLabel").all_inner_texts()
    assert sorted(titles) == sorted(Path(path).name for path in paths)

    counts = {Path(path).name: code_line_counts(path) for path in paths}  # each notebook read once
    found = page.evaluate(_CODE_WRAPPING, counts)
    assert sorted(found) == sorted(titles)
    for name, seen in found.items():
        assert not seen["undrawn"], f"{name}: {seen['undrawn']}"
        assert seen["hung"] == seen["lines"] == sum(counts[name]), \
            f"{name}: {seen['hung']} of {seen['lines']} lines have the hanging indent (is binder/labextensions " \
            f"installed?); not: {seen['plain'][:5]}"
        assert not seen["flush"], f"{name}: wrapped rows at or left of their line's text: {seen['flush']}"
        assert not seen["sideways"], f"{name}: scrolls sideways: {seen['sideways']}"
