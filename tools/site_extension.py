"""The reading site's own Sphinx extension: what the theme's HTML leaves out, put back at its source.

- Named navigation. pydata-sphinx-theme (under sphinx-book-theme) folds each lesson's pages into a `<details>`
  whose `<summary>` holds only a chevron icon marked `role="presentation"`, so a screen reader announced an
  unnamed button once per lesson on every page (axe-core's rule `summary-name`, WCAG 2 success criterion 4.1.2).
  Each such summary gets an aria-label naming the entry whose pages it shows.
- Code lines that wrap readably. In a narrow column a long code line must wrap, and a continuation starting at
  the left edge reads in Python like a dedent. Each line of a highlighted block becomes its own `span.code-line`
  carrying its indentation (`--indent`, in characters), and site/static/site.css indents its continuation rows
  past the line's own first character (a hanging indent). The text, and so a copy of it, is unchanged.

Loaded by site/conf.py; tests/site/test_site.py audits every page with axe-core and measures the wrapping.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

# Runs after pydata-sphinx-theme's own html-page-context handler (default priority 500) has put the function in.
AFTER_THE_THEME = 900
HIGHLIGHTED = re.compile(r'(<div class="highlight"><pre>)(.*?)(</pre>)', re.DOTALL)
TAG = re.compile(r"<[^>]*>")


# --- named navigation -----------------------------------------------------------------------------

def summary_label(link_text: str) -> str:
    """What a screen reader says for the summary that folds the pages under a navigation entry."""
    return f"Pages under {' '.join(link_text.split())}"


def name_the_summaries(soup: Any) -> None:
    """Give every text-less `<summary>` of the navigation an aria-label naming the entry it folds.

    The theme hoists an entry's link out of its `<details>`, so the link is a child of the summary's
    grandparent `<li>`; a caption-only section keeps its caption inside the summary and needs nothing."""
    for summary in soup.select("li.has-children > details > summary"):
        if summary.get_text(strip=True) or summary.get("aria-label"):
            continue
        link = summary.parent.parent.find("a", class_="reference", recursive=False)
        if link is not None:
            summary["aria-label"] = summary_label(link.get_text())


def _named(generate: Callable[..., Any]) -> Callable[..., Any]:
    def generate_toctree_html(kind: str, *args: Any, **kwargs: Any) -> Any:
        toctree = generate(kind, *args, **kwargs)
        if kind == "sidebar" and hasattr(toctree, "select"):  # a BeautifulSoup tree, rendered by the template
            name_the_summaries(toctree)
        return toctree

    return generate_toctree_html


# --- code lines with a hanging indent -------------------------------------------------------------

def indent_of(line_html: str) -> int:
    """How many spaces a highlighted line starts with, counted in its text (Pygments puts them in spans)."""
    text = html.unescape(TAG.sub("", line_html))
    return len(text) - len(text.lstrip(" "))


def split_into_lines(pre_html: str) -> str | None:
    """A highlighted block's inner HTML with every line in its own `span.code-line`, or None to leave it as it is.

    Pygments closes and reopens its spans at every line end, so each line is whole HTML on its own; a block
    where that does not hold (its spans do not balance line by line) is left alone rather than broken."""
    lines = pre_html.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if any(line.count("<span") != line.count("</span>") for line in lines):
        return None
    return "".join(f'<span class="code-line" style="--indent: {indent_of(line)}">{line}\n</span>' for line in lines)


def hanging_indents(body: str) -> str:
    def one_block(match: re.Match[str]) -> str:
        lines = split_into_lines(match[2])
        return match[0] if lines is None else f"{match[1]}{lines}{match[3]}"

    return HIGHLIGHTED.sub(one_block, body)


# --- wiring ---------------------------------------------------------------------------------------

def _page_context(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    generate = context.get("generate_toctree_html")
    if callable(generate):
        context["generate_toctree_html"] = _named(generate)
    if isinstance(context.get("body"), str):
        context["body"] = hanging_indents(context["body"])


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", _page_context, priority=AFTER_THE_THEME)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
