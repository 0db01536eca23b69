"""Small tools that keep the lessons consistent: the catalogue of lessons, notebook formatting, Binder links.
Run them as modules from the repository root: `python -m tools.notebooks check`, `python -m tools.binder_urls`."""
