"""Debian's Chromium, as the browser tests drive it through Playwright: where it is and how it is started, and
how a line of code is measured on a page. Shared by test_browser.py (JupyterLab) and test_site.py (the reading
site): Playwright cannot fetch a browser."""

from __future__ import annotations

import os
import shutil
from typing import Any

# Headless, and quiet on the network: no background fetches, component updates, sync or first-run pages.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def launch(playwright: Any) -> Any:
    """A Chromium browser from a running `sync_playwright()`."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)


# JavaScript defining rowsOf(line): the rows a line of text takes on the page, top to bottom, each {top, left}
# (the line's fragments grouped by their top, each row's left its leftmost fragment's). A line that wraps has
# two rows or more; where the second starts, against where the text starts, says whether it reads as a dedent.
ROWS_OF_LINE = """const rowsOf = line => {
    const range = document.createRange();
    range.selectNodeContents(line);
    const rows = [];
    for (const rect of range.getClientRects()) {
        if (rect.width === 0) continue;
        const row = rows.find(r => Math.abs(r.top - rect.top) < 3);
        if (row) { row.left = Math.min(row.left, rect.left); }
        else { rows.push({top: rect.top, left: rect.left}); }
    }
    return rows.sort((a, b) => a.top - b.top);
};
"""
