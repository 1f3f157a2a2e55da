"""The generator of the CLI and HTTP API reference pages (``docs/_reference.py``).

The pages are Markdown read by MyST (markdown-it underneath), so text taken
from the code must come out of the renderer as it was written: a
description saying ``Authorization: Bearer <token>`` must not lose
``<token>`` as an unknown HTML tag.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

markdown_it = pytest.importorskip("markdown_it")

GENERATOR = Path(__file__).resolve().parents[1] / "docs" / "_reference.py"


@pytest.fixture(scope="module")
def reference():
    if not GENERATOR.exists():
        pytest.skip("the docs are not part of this copy (e.g. an sdist)")
    spec = importlib.util.spec_from_file_location("_docs_reference", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _html(markdown: str) -> str:
    return markdown_it.MarkdownIt("commonmark").enable("table").render(markdown)


@pytest.mark.parametrize(("text", "shown"), [
    ("No valid bearer token (Authorization: Bearer <token>).",
     "No valid bearer token (Authorization: Bearer &lt;token&gt;)."),
    ("columns lo_<level>, hi_<level> & *all* [x]", "columns lo_&lt;level&gt;, hi_&lt;level&gt; "
                                                   "&amp; *all* [x]"),
    ("a & b &lt; c", "a &amp; b &amp;lt; c"),
])
def test_escaped_text_renders_as_written(reference, text, shown):
    assert _html(reference.escape(text)) == f"<p>{shown}</p>\n"


def test_code_spans_are_kept_as_they_are(reference):
    text = "``lo_<level>`` or `a|b` and <b>"
    escaped = reference.escape(text)
    assert escaped.startswith("``lo_<level>`` or `a|b` and ")
    assert _html(escaped) == ("<p><code>lo_&lt;level&gt;</code> or <code>a|b</code> and "
                              "&lt;b&gt;</p>\n")


def test_a_bar_stays_inside_its_table_cell(reference):
    cell = reference.escape("x | y, `a|b`", cell=True)
    html = _html("| a | b |\n|---|---|\n| " + cell + " | z |\n")
    assert html.count("<td>") == 2
    assert "<td>x | y, <code>a|b</code></td>" in html


def test_http_page_shows_the_bearer_token_placeholder(reference):
    pytest.importorskip("fastapi")
    page = reference.http_page()
    html = _html(page)
    assert "<token>" not in html
    assert html.count("Authorization: Bearer &lt;token&gt;") >= 5  # every /v1 operation
    assert "hi_&lt;level&gt;" in html  # schema field descriptions too


def test_cli_page_does_not_depend_on_the_terminal_width(reference, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    wide = reference.cli_page()
    monkeypatch.setenv("COLUMNS", "40")
    narrow = reference.cli_page()
    assert wide == narrow
    assert os.environ["COLUMNS"] == "40", "the caller's COLUMNS is restored"
    blocks = wide.count("```{code-block} text\n:class: cli-help\n")
    assert blocks == wide.count("usage: talentgap") >= 2


def test_cli_page_lists_every_setting_of_the_config_file(reference):
    from talentgap.cli.config import Config

    page = reference.cli_page()
    section = page[page.index("## The configuration file"):]
    block = section[section.index("```{code-block} toml"):section.index("\n```\n")]
    for table in ("data", "survey", "panel", "forecast", "backtest", "plan", "targets",
                  "output"):
        assert f"\n[{table}]" in block
        for key in vars(getattr(Config(), table)):
            shown = (key.replace("training_", "surveys_").replace("employment_", "surveys_")
                     if key.endswith(("_sheet", "_header_row", "_columns")) else key)
            assert (f"\n{shown} = " in block or f"\n[{table}.{key}]" in block), (
                f"[{table}] {key} is not on the CLI page")  # training_* like surveys_*
    assert "(training_* and employment_* likewise)" in block
    assert "Traceback" not in section, "the docstring's examples stay out"
    assert "<strong>Absorption</strong>" in _html(section)
