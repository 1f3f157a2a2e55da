"""Generate the command-line and HTTP API reference pages from the code itself.

The CLI page is the ``--help`` text of every command, from the argparse
parsers the ``talentgap`` command uses, and the settings of the configuration
file, from the docstring of ``talentgap.cli.config``; the HTTP page lists every operation
of the service's OpenAPI schema (built from a small gap model fitted on
synthetic data), so neither can drift from what the code does.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

#: Width of the ``--help`` text on the CLI page, whatever terminal builds the docs.
HELP_COLUMNS = 78

# Markdown code spans (a run of backticks, closed by a run of the same length): kept as they are.
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.DOTALL)
# Characters that Markdown (with MyST's dollar maths) or HTML would read as markup in text
# taken from the code: ``<token>`` would pass through as an HTML tag and vanish, ``|`` would
# end a table cell, ``&lt;`` would become an entity, ``$...$`` maths.
_MARKUP = re.compile(r"([\\<>&|*_\[\]$])")


def escape(text: str, *, cell: bool = False) -> str:
    r"""Text from the code (e.g. an OpenAPI description) as Markdown that shows it as written.

    Outside code spans every character Markdown or HTML would read as markup
    gets a backslash; code spans (```x``` or ````x````) are kept as they are,
    since Markdown shows their content literally. With ``cell=True`` (text for
    a table cell) a ``|`` inside a code span is escaped too, as a table row is
    split at every unescaped ``|`` before code spans are read.

    Examples
    --------
    >>> print(escape("No valid bearer token (Authorization: Bearer <token>)."))
    No valid bearer token (Authorization: Bearer \<token\>).
    >>> print(escape("``lo_<level>`` and hi_<level> | 5 & 6"))
    ``lo_<level>`` and hi\_\<level\> \| 5 \& 6
    >>> print(escape("`a|b` or c|d", cell=True))
    `a\|b` or c\|d
    """
    parts, start = [], 0
    for match in _CODE_SPAN.finditer(text):
        span = match.group(0).replace("|", "\\|") if cell else match.group(0)
        parts += [_MARKUP.sub(r"\\\1", text[start:match.start()]), span]
        start = match.end()
    parts.append(_MARKUP.sub(r"\\\1", text[start:]))
    return "".join(parts)


def cli_page() -> str:
    from talentgap.cli.main import build_parser

    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(HELP_COLUMNS)  # argparse wraps to the terminal's width
    try:
        parser = build_parser()
        lines = ["# Command line", "",
                 "Every command of `talentgap`, with the help it prints "
                 "(`talentgap COMMAND --help`), then every setting of the configuration "
                 "file.", "", *_help_block(parser.format_help())]
        actions = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
        for name, sub in actions[0].choices.items():
            lines += [f"## `talentgap {name}`", "", *_help_block(sub.format_help())]
        lines += config_section()
    finally:
        if columns is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = columns
    return "\n".join(lines)


def config_section() -> list[str]:
    """The run configuration's settings, from the docstring of :mod:`talentgap.cli.config`.

    The docstring's ``::`` block (every table and key, with its default and
    meaning) becomes a TOML code block; the paragraphs after it, up to its
    doctest examples, are kept as text.
    """
    from talentgap.cli import config

    text = config.__doc__
    text = text[:text.index("\nExamples\n--------")]
    intro, _, rest = text.partition("::\n")
    block, paragraphs = [], []
    for line in rest.strip("\n").split("\n"):
        if paragraphs or (line and not line.startswith("    ")):
            paragraphs.append(line)
        else:
            block.append(line[4:])
    intro = " ".join(intro.split("\n\n", 1)[-1].split())  # after the summary line
    prose = [escape(" ".join(p.split())).replace(r"\*\*", "**")  # bold stays bold
             for p in "\n".join(paragraphs).split("\n\n") if p.strip()]
    return ["## The configuration file (`--config`)", "",
            "A run's settings come from the TOML file given with `--config`, with `--set` "
            "and the flags on top. " + escape(intro) + " ([the service's settings]"
            "(../service.md#settings-flags-environment-config-file)):", "",
            "```{code-block} toml", ":class: cli-help", "", "\n".join(block).rstrip(), "```",
            "",
            *[line for p in prose for line in (p, "")]]


def _help_block(text: str) -> list[str]:
    """A ``--help`` text as a code block of class ``cli-help`` (its long lines wrap)."""
    return ["```{code-block} text", ":class: cli-help", "", text.rstrip(), "```", ""]


def _schema_name(ref: dict | None) -> str:
    if not ref:
        return ""
    if "$ref" in ref:
        return ref["$ref"].rsplit("/", 1)[-1]
    return ref.get("type", "")


def http_page() -> str:
    import talentgap as tg
    from talentgap.service.app import create_app

    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=16, seed=0)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    model = tg.models.GapForecaster(forecaster=tg.models.Drift(), n_samples=50,
                                    horizon=8).fit(panel)
    with tempfile.TemporaryDirectory() as tmp:
        schema = create_app(model.save(Path(tmp) / "model")).openapi()
    lines = ["# HTTP API", "",
             "The operations of `talentgap serve`, from its OpenAPI schema. A running "
             "service shows the same schema at `/docs` (Swagger UI) and `/redoc`, offline, "
             "and serves it as JSON at `/openapi.json`. Request and response bodies are "
             "JSON; every refusal has the shape `{\"detail\": [{\"loc\", \"msg\", \"type\"}]}`.",
             ""]
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            title = f"`{method.upper()} {path}`"
            if op.get("deprecated"):
                title += " (deprecated)"
            lines += [f"## {title}", "", escape(op.get("summary", "")), ""]
            if op.get("description"):
                lines += [escape(op["description"].strip()), ""]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            if body:
                lines += [f"Request body: `{_schema_name(body.get('schema'))}`", ""]
            lines += ["| status | meaning | body |", "|---|---|---|"]
            for status, response in op.get("responses", {}).items():
                content = response.get("content", {}).get("application/json", {})
                description = escape(" ".join(response.get("description", "").split()), cell=True)
                lines.append(f"| {status} | {description} | "
                             f"`{_schema_name(content.get('schema'))}` |")
            lines.append("")
    lines += ["## Schemas", ""]
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        lines += [f"### `{name}`", "", escape(" ".join(component.get("description", "").split())),
                  ""]
        properties = component.get("properties", {})
        if properties:
            lines += ["| field | type | description |", "|---|---|---|"]
            for field, spec in properties.items():
                kind = spec.get("type") or _schema_name(spec) or " / ".join(
                    _schema_name(s) or s.get("type", "") for s in spec.get("anyOf", []))
                text = escape(" ".join(str(spec.get("description", "")).split()), cell=True)
                lines.append(f"| `{field}` | {kind} | {text} |")
            lines.append("")
    return "\n".join(lines)


def write(folder: Path) -> None:
    """Write ``cli.md`` and ``http_api.md`` into ``folder`` (only when they change)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("cli.md", cli_page()), ("http_api.md", http_page())):
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write(Path(__file__).parent / "_generated")
    print(json.dumps(sorted(p.name for p in (Path(__file__).parent / "_generated").iterdir())))
