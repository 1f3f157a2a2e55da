"""Sphinx configuration of the talentgap documentation.

Build from the repository root (no network needed)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html
"""

import shutil
import sys
from pathlib import Path

from talentgap import __version__

sys.path.insert(0, str(Path(__file__).parent))
import _reference  # the generator of the CLI and HTTP reference pages

project = "talentgap"
author = "talentgap developers"
copyright = "talentgap developers"
version = release = __version__

extensions = [
    "myst_nb",  # Markdown pages (MyST) and the example notebooks, shown with their stored outputs
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax served with the pages: no page fetches from the web
]

source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build"]

# MyST: $...$ and $$...$$ maths, definition lists for terms
myst_enable_extensions = ["dollarmath", "deflist"]
myst_heading_anchors = 3

# The notebooks are shown as committed (``python notebooks/run.py`` refreshes
# their outputs): the docs build runs no code and needs no kernel.
nb_execution_mode = "off"

# numpydoc-style docstrings, read by napoleon
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False

autodoc_default_options = {"members": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autosummary_generate = False

html_theme = "alabaster"
html_title = f"talentgap {release}"
# Local style sheet: long CLI help lines wrap, wide notebook tables scroll in their own box
html_static_path = ["_static"]
html_css_files = ["talentgap.css"]


def _skip_sklearn_request_methods(app, what, name, obj, skip, options):
    """Leave out the ``set_<method>_request`` methods scikit-learn adds to every estimator.

    They belong to scikit-learn's metadata routing, not to talentgap's API, and
    their docstrings refer to scikit-learn's own glossary and labels, which this
    site does not have.
    """
    if what == "class" and name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def _generate_reference(app):
    generated = Path(app.srcdir) / "_generated"
    _reference.write(generated)
    notebooks = generated / "notebooks"
    notebooks.mkdir(parents=True, exist_ok=True)
    for notebook in sorted((Path(app.srcdir).parent / "notebooks").glob("*.ipynb")):
        target = notebooks / notebook.name
        if not target.exists() or target.read_bytes() != notebook.read_bytes():
            shutil.copyfile(notebook, target)


def setup(app):
    app.connect("builder-inited", _generate_reference)
    app.connect("autodoc-skip-member", _skip_sklearn_request_methods)
