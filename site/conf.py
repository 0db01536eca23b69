"""Sphinx settings for the reading site: the stored notebooks as pages, never executed, nothing fetched.
`python -m tools.site` writes the pages' sources into build/site-src and runs Sphinx with this folder as its conf dir.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

project = "LLM Calls, Three Ways"
html_title = project
copyright = "the LLM Calls, Three Ways authors"

# tools.site_extension: named navigation for screen readers, code lines that wrap with a hanging indent.
extensions = ["myst_nb", "sphinx_design", "tools.site_extension"]

# The outputs on the site are the stored ones, the same that strict nbval compares: never run a notebook here.
nb_execution_mode = "off"
# The playground's widgets would load their JavaScript from a CDN; the site shows a still instead (tools/site.py).
nb_ipywidgets_js: dict[str, dict[str, str]] = {}
# Colon fences let the generated side-by-side pages nest tabs around ordinary ``` code fences.
myst_enable_extensions = ["colon_fence"]
# The notebooks link to headings the way JupyterLab names them (`00_start_here.ipynb#Map-of-the-collection`).
myst_heading_anchors = 3
myst_heading_slug_func = "tools.site.jupyter_anchor"

html_theme = "sphinx_book_theme"
templates_path = ["templates"]
html_static_path = ["static"]
html_css_files = ["site.css"]
html_js_files = ["site.js"]  # the side-by-side pages' folded navigation, search snippets from the lesson text
html_favicon = "static/favicon.svg"  # browsers ask for one on every page: without it, a 404 each time
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 2,
    "use_download_button": True,
    "navbar_persistent": [],  # the sidebar has the search field; no second one in a header bar above it
    # Our link to JupyterLab on Binder (templates/binder-link.html), before the theme's own buttons.
    "article_header_end": ["binder-link.html", "article-header-buttons.html"],
}
# No last-updated stamp, no "view source" copies beyond the download button's: the same input builds the same site.
# Light or dark as the reader's system says; left unset, the theme logs a console error on every page.
html_context = {"default_mode": "auto"}
html_last_updated_fmt: str | None = None
html_show_sphinx = False


def _binder_links(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Hand each page its Binder link, which tools/site.py wrote to binder-links.json beside the sources."""
    links_file = Path(app.srcdir) / "binder-links.json"
    links = json.loads(links_file.read_text(encoding="utf-8")) if links_file.is_file() else {}
    context["binder_link"] = links.get(pagename)


def setup(app: Any) -> None:
    app.connect("html-page-context", _binder_links)
