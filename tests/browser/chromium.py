"""Debian's Chromium, as the browser tests drive it through Playwright: where it is and how it is started.
Shared by test_browser.py (JupyterLab) and test_site.py (the reading site): Playwright cannot fetch a browser."""

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
