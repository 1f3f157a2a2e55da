"""Generate the command-line and HTTP API reference pages from the code itself.

The CLI page is the ``--help`` text of every command, from the argparse
parsers the ``talentgap`` command uses; the HTTP page lists every operation
of the service's OpenAPI schema (built from a small gap model fitted on
synthetic data), so neither can drift from what the code does.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path


def cli_page() -> str:
    from talentgap.cli.main import build_parser

    parser = build_parser()
    lines = ["# Command line", "",
             "Every command of `talentgap`, with the help it prints "
             "(`talentgap COMMAND --help`).", "",
             "```text", parser.format_help().rstrip(), "```", ""]
    actions = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    for name, sub in actions[0].choices.items():
        lines += [f"## `talentgap {name}`", "", "```text", sub.format_help().rstrip(), "```",
                  ""]
    return "\n".join(lines)


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
    model = tg.models.GapForecaster(forecaster=tg.models.Drift(), n_samples=50).fit(panel)
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
            lines += [f"## {title}", "", op.get("summary", ""), ""]
            if op.get("description"):
                lines += [op["description"].strip(), ""]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            if body:
                lines += [f"Request body: `{_schema_name(body.get('schema'))}`", ""]
            lines += ["| status | meaning | body |", "|---|---|---|"]
            for status, response in op.get("responses", {}).items():
                content = response.get("content", {}).get("application/json", {})
                description = " ".join(response.get("description", "").split())
                lines.append(f"| {status} | {description} | "
                             f"`{_schema_name(content.get('schema'))}` |")
            lines.append("")
    lines += ["## Schemas", ""]
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        lines += [f"### `{name}`", "", " ".join(component.get("description", "").split()), ""]
        properties = component.get("properties", {})
        if properties:
            lines += ["| field | type | description |", "|---|---|---|"]
            for field, spec in properties.items():
                kind = spec.get("type") or _schema_name(spec) or " / ".join(
                    _schema_name(s) or s.get("type", "") for s in spec.get("anyOf", []))
                text = " ".join(str(spec.get("description", "")).split()).replace("|", "\\|")
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
