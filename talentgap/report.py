"""A self-contained HTML report: one file, images embedded, nothing fetched.

A planner gets one ``report.html`` that can be e-mailed or archived and opened
anywhere: figures are embedded as PNG ``data:`` URIs, the style sheet is
inline, there is no JavaScript and no link to any other file or web address.
:class:`Report` collects sections, key figures, tables, figures, text and
notes in the order they are added and renders them to that single file.

Every piece of text given to a report (titles, captions, table cells, column
names, key-figure labels) is HTML-escaped, so values from input files can never
inject markup. Missing values (``NaN``, ``None``, ``pd.NA``, ``NaT``) are shown
as an em dash, "—".

Examples
--------
>>> import pandas as pd
>>> from matplotlib.figure import Figure
>>> from talentgap.report import Report
>>> rep = Report("Skill-gap forecast", subtitle="demo data, 2025Q1-2025Q4")
>>> rep.add_section("Largest expected shortages", intro="Cells ranked by expected gap.")
>>> rep.add_key_figures({"Cells forecast": 120, "Expected shortfall": 1234.5})
>>> gaps = pd.DataFrame({"industry": ["textiles", "construction"], "gap": [310.5, None]})
>>> rep.add_table(gaps, caption="Gap per industry", float_format="{:,.1f}")
>>> fig = Figure(figsize=(4, 3))
>>> _ = fig.subplots().bar(["textiles", "construction"], [310.5, 120.0])
>>> rep.add_figure(fig, caption="Gap per industry", alt="Bar chart of the gap per industry")
>>> html = rep.to_html()
>>> '<td class="num">310.5</td>' in html, '<td class="num na">—</td>' in html
(True, True)
>>> html.count('src="data:image/png;base64,'), "http://" in html or "https://" in html
(1, False)
"""

from __future__ import annotations

import base64
import io
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from talentgap._arguments import check_count
from talentgap._report_style import CSS
from talentgap._report_values import (
    breakable,
    check_float_format,
    esc,
    format_value,
    header_text,
    is_number,
    numeric_column,
)
from talentgap._version import __version__
from talentgap.errors import ParameterError

__all__ = ["Report"]

_NA = "\N{EM DASH}"
_NUM_CLASS = ' class="num"'
_NOTE_KINDS = {"warning": "Warning", "info": "Note"}
#: Tables of at most this many rows are not split across printed pages.
_SHORT_TABLE = 20
#: Tables of at least this many columns are set tighter to fit the page's width.
_WIDE_TABLE = 10

FloatFormat = str | Callable[[float], str]


def _text_arg(value, name: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ParameterError(f"{name} must be a non-empty string; got {value!r}")
    return value


def _png_of(fig, dpi: float) -> tuple[bytes, int, int]:
    buffer = io.BytesIO()
    # No "Software" text chunk: the PNG then carries no web address.
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    data = buffer.getvalue()
    width, height = struct.unpack(">II", data[16:24])
    return data, width, height


@dataclass
class _Section:
    title: str | None
    anchor: str | None
    blocks: list[str] = field(default_factory=list)


class Report:
    """A self-contained HTML report built from sections, tables and figures.

    Content is added in reading order: :meth:`add_section` starts a section
    (listed in the table of contents) and every other ``add_*`` method
    appends to the current one (content added before the first section goes
    under the title). Tables and figures are rendered when added, so a
    figure or frame changed or closed afterwards does not change the report.

    Parameters
    ----------
    title : str
        Report title, shown as the page heading and the document title.
    subtitle : str, optional
        One line under the title, e.g. the data and periods covered.
    lang : str, default "en"
        Language of the text, for the ``<html lang>`` attribute.
    generated_at : datetime.datetime, optional
        Time stamp shown in the footer, in UTC (a naive value is taken as
        UTC); default the time :meth:`to_html` is called.

    Attributes
    ----------
    title, subtitle, lang, generated_at
        As given.

    Raises
    ------
    talentgap.errors.ParameterError
        If ``title`` is empty or not a string.

    See Also
    --------
    talentgap.evaluation.plots : charts to put in a report with :meth:`add_figure`.

    Examples
    --------
    >>> from talentgap.report import Report
    >>> rep = Report("Training quotas 2026", subtitle="budget 40 million")
    >>> rep.add_section("Plan")
    >>> rep.add_text("Quotas per industry and region, within budget.")
    >>> rep.add_note("Two regions reported fewer than 10 enterprises.")
    >>> rep
    Report('Training quotas 2026', sections=1, tables=0, figures=0)
    >>> '<h2 id="section-1">Plan</h2>' in rep.to_html()
    True
    """

    def __init__(self, title: str, subtitle: str | None = None, *, lang: str = "en",
                 generated_at: datetime | None = None) -> None:
        self.title = _text_arg(title, "title")
        self.subtitle = _text_arg(subtitle, "subtitle", optional=True)
        self.lang = _text_arg(lang, "lang")
        if generated_at is not None and not isinstance(generated_at, datetime):
            raise ParameterError(
                f"generated_at must be a datetime; got {type(generated_at).__name__}")
        self.generated_at = generated_at
        self._sections: list[_Section] = [_Section(None, None)]
        self._n_tables = 0
        self._n_figures = 0

    def __repr__(self) -> str:
        return (f"Report({self.title!r}, sections={len(self._sections) - 1}, "
                f"tables={self._n_tables}, figures={self._n_figures})")

    # -- content ---------------------------------------------------------------------

    def add_section(self, title: str, *, intro: str | None = None) -> None:
        """Start a new section; later content goes into it.

        Parameters
        ----------
        title : str
            Section heading, also its entry in the table of contents.
        intro : str, optional
            A paragraph shown under the heading.
        """
        title = _text_arg(title, "section title")
        intro = _text_arg(intro, "intro", optional=True)
        anchor = f"section-{len(self._sections)}"
        self._sections.append(_Section(title, anchor))
        if intro is not None:
            self._append(f'<p class="intro">{esc(intro)}</p>')

    def add_text(self, text: str) -> None:
        """Add text; blank lines separate paragraphs. No markup is interpreted.

        Parameters
        ----------
        text : str
        """
        text = _text_arg(text, "text")
        paragraphs = [" ".join(p.split()) for p in text.replace("\r\n", "\n").split("\n\n")]
        self._append("\n".join(f"<p>{esc(p)}</p>" for p in paragraphs if p))

    def add_note(self, text: str, *, kind: str = "warning") -> None:
        """Add a highlighted note, e.g. a data-quality warning.

        Parameters
        ----------
        text : str
        kind : {"warning", "info"}, default "warning"
            ``"warning"`` is shown in amber and labelled "Warning:",
            ``"info"`` in blue and labelled "Note:".
        """
        text = _text_arg(text, "text")
        if kind not in _NOTE_KINDS:
            raise ParameterError(f"kind must be one of {sorted(_NOTE_KINDS)}; got {kind!r}")
        self._append(f'<div class="note {kind}" role="note"><span class="label">'
                     f'{_NOTE_KINDS[kind]}:</span> {esc(text)}</div>')

    def add_key_figures(self, figures: Mapping[str, object], *,
                        float_format: FloatFormat = "{:,.1f}") -> None:
        """Add a row of headline numbers, each with its label.

        Parameters
        ----------
        figures : mapping of str to value
            Label -> value, shown in the given order. Integers get thousands
            separators (``12,345``); floats use ``float_format``; other values
            (strings, periods) are shown as text; missing ones as "—".
        float_format : str or callable, default "{:,.1f}"
            Format string for one number, or a function of one float.
        """
        if not isinstance(figures, Mapping) or not figures:
            raise ParameterError("figures must be a non-empty mapping of label -> value")
        fmt = check_float_format(float_format, "float_format")
        items = []
        for label, value in figures.items():
            text = format_value(value, fmt)
            shown = esc(text) if text is not None else _NA
            items.append(f'<div class="key-figure"><dt>{esc(label)}</dt><dd>{shown}</dd></div>')
        self._append('<dl class="key-figures">\n' + "\n".join(items) + "\n</dl>")

    def add_table(self, table: pd.DataFrame | pd.Series, *, caption: str | None = None,
                  max_rows: int | None = 50,
                  float_format: FloatFormat | Mapping[str, FloatFormat] = "{:,.2f}",
                  index: bool | None = None, source: str | None = None,
                  notes: str | None = None) -> None:
        """Add a table; numbers are right-aligned, long tables are cut.

        Parameters
        ----------
        table : pandas.DataFrame or pandas.Series
            The rows to show, in their order.
        caption : str, optional
            Shown above the table, numbered ("Table 2. ...").
        max_rows : int or None, default 50
            Show at most this many rows (the first ones); a line under the
            table says how many more were not shown. ``None`` shows all.
        float_format : str, callable or mapping, default "{:,.2f}"
            Format of float values: a format string for one number, a
            function of one float, or a mapping ``{column: format}`` (columns
            not in it use ``"{:,.2f}"``). Integers always get thousands
            separators; missing values are shown as "—".
        index : bool, optional
            Show the index as leading columns; default only when it is
            named (e.g. after ``set_index`` or ``groupby``), so a plain row
            number is not shown.
        source : str, optional
            Where every row is, e.g. ``"quotas.csv (sheet quotas of
            results.xlsx)"``: the line under a cut table names it, so the
            reader knows where the rows not shown are.
        notes : str, optional
            How the table is counted, shown in a line under it: the caption
            says what the table is, in a few words, and the notes the method
            detail a reader may want (units, what a column leaves out).

        Raises
        ------
        talentgap.errors.ParameterError
            If ``table`` is not a DataFrame or Series, ``max_rows`` is not a
            positive integer, a format is not usable, or ``float_format``
            names a column the table does not have.
        """
        if isinstance(table, pd.Series):
            table = table.to_frame()
        if not isinstance(table, pd.DataFrame):
            raise ParameterError(f"table must be a pandas DataFrame or Series; "
                                 f"got {type(table).__name__}")
        caption = _text_arg(caption, "caption", optional=True)
        source = _text_arg(source, "source", optional=True)
        notes = _text_arg(notes, "notes", optional=True)
        if max_rows is not None:
            check_count(max_rows, "max_rows", detail=" or None")
        if isinstance(float_format, Mapping):
            unknown = [col for col in float_format if col not in table.columns]
            if unknown:
                raise ParameterError(f"float_format names columns not in the table: "
                                     f"{unknown}; columns are {list(table.columns)}")
            formats = {col: check_float_format(f, f"float_format[{col!r}]")
                       for col, f in float_format.items()}
            default = check_float_format("{:,.2f}", "float_format")
        else:
            formats, default = {}, check_float_format(float_format, "float_format")
        if index is None:
            index = any(name is not None for name in table.index.names)

        n_rows = len(table)
        shown = table if max_rows is None else table.iloc[:max_rows]
        columns: list[tuple[str, pd.Series, Callable[[float], str]]] = []
        if index:
            index_frame = shown.index.to_frame(index=False)
            for j, name in enumerate(shown.index.names):
                label = "" if name is None else header_text(name)
                columns.append((label, index_frame.iloc[:, j], default))
        for j, label in enumerate(shown.columns):
            columns.append((header_text(label), shown.iloc[:, j], formats.get(label, default)))

        self._n_tables += 1
        numeric = [numeric_column(col) for _, col, _ in columns]
        head = "".join(f"<th scope=\"col\"{_NUM_CLASS if num else ''}>{esc(label)}</th>"
                       for (label, _, _), num in zip(columns, numeric, strict=True))
        cells = []
        for (_, col, fmt), num in zip(columns, numeric, strict=True):
            texts = [format_value(v, fmt) for v in col.tolist()]
            cells.append([
                (f'<td class="{"num na" if num else "na"}">{_NA}</td>' if t is None
                 else f"<td{_NUM_CLASS}>{esc(t)}</td>" if num
                 else f"<td>{breakable(t)}</td>")
                for t in texts])
        rows = ["<tr>" + "".join(row) + "</tr>" for row in zip(*cells, strict=True)]
        # a short table stays on one printed page; a long one may run on; a table of many
        # columns gets a smaller type and tighter cells so it fits the page's width
        short = " short" if len(shown) <= _SHORT_TABLE else ""
        wide = " wide" if len(columns) >= _WIDE_TABLE else ""
        parts = [f'<div class="table-wrap{short}{wide}"><table>']
        if caption is not None:
            parts.append(f"<caption>Table {self._n_tables}. {esc(caption)}</caption>")
        parts.append(f"<thead><tr>{head}</tr></thead>")
        parts.append("<tbody>\n" + "\n".join(rows) + "\n</tbody></table>")
        if n_rows == 0:
            parts.append('<p class="table-note">No rows.</p>')
        elif len(shown) < n_rows:
            hidden = n_rows - len(shown)
            where = (f"; all {n_rows:,} rows are in {esc(source)}" if source
                     else "")
            parts.append(f'<p class="table-note">Showing the first {len(shown):,} of '
                         f'{n_rows:,} rows; {hidden:,} more not shown{where}.</p>')
        if notes is not None:
            parts.append(f'<p class="table-note">Notes: {esc(notes)}</p>')
        parts.append("</div>")
        self._append("\n".join(parts))

    def add_figure(self, figure, *, caption: str | None = None, alt: str | None = None,
                   dpi: float = 110) -> None:
        """Add a matplotlib figure, embedded as a PNG ``data:`` URI.

        The figure is rendered now with ``savefig`` and left open and
        unchanged: closing it stays the caller's choice.

        Parameters
        ----------
        figure : matplotlib.figure.Figure or matplotlib.axes.Axes
            The figure, or an Axes whose whole figure is embedded (what the
            functions of :mod:`talentgap.evaluation.plots` return).
        caption : str, optional
            Shown under the image, numbered ("Figure 1. ...").
        alt : str, optional
            Text alternative for readers who cannot see the image; default
            the caption, else the title of the first Axes, else "Figure <n>".
        dpi : float, default 110
            Resolution: the image is ``width_in * dpi`` pixels wide.

        Raises
        ------
        talentgap.errors.ParameterError
            If ``figure`` is neither a Figure nor an Axes, or ``dpi`` is not
            positive.
        """
        from matplotlib.axes import Axes
        from matplotlib.figure import Figure

        fig = figure.figure if isinstance(figure, Axes) else figure
        while fig is not None and not isinstance(fig, Figure) and hasattr(fig, "figure"):
            fig = fig.figure  # a SubFigure: embed the figure holding it
        if not isinstance(fig, Figure):
            raise ParameterError(f"figure must be a matplotlib Figure or Axes; "
                                 f"got {type(figure).__name__}")
        caption = _text_arg(caption, "caption", optional=True)
        alt = _text_arg(alt, "alt", optional=True)
        if not is_number(dpi) or not dpi > 0:
            raise ParameterError(f"dpi must be a positive number; got {dpi!r}")
        png, width, height = _png_of(fig, float(dpi))

        self._n_figures += 1
        if alt is None:
            titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
            alt = caption or (titles[0] if titles else f"Figure {self._n_figures}")
        uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        parts = [f'<figure><img src="{uri}" alt="{esc(alt)}" width="{width}" '
                 f'height="{height}">']
        if caption is not None:
            parts.append(f"<figcaption>Figure {self._n_figures}. {esc(caption)}</figcaption>")
        parts.append("</figure>")
        self._append("\n".join(parts))

    def _append(self, block: str) -> None:
        self._sections[-1].blocks.append(block)

    # -- output ----------------------------------------------------------------------

    def to_html(self) -> str:
        """The whole report as one HTML document.

        Returns
        -------
        str
            A complete HTML5 document with inline CSS, embedded images, a
            table of contents (when there are two or more sections) and a
            footer naming the talentgap version and the time it was
            generated (UTC).
        """
        stamp = self.generated_at or datetime.now(UTC)
        stamp = stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
        sections = [s for s in self._sections if s.title is not None]

        body = ['<header class="report-head">', f"<h1>{esc(self.title)}</h1>"]
        if self.subtitle is not None:
            body.append(f'<p class="subtitle">{esc(self.subtitle)}</p>')
        body.append("</header>")
        if len(sections) >= 2:
            links = "\n".join(f'<li><a href="#{s.anchor}">{esc(s.title)}</a></li>'
                              for s in sections)
            body.append(f'<nav class="toc" aria-label="Contents">\n<p class="toc-title">'
                        f"Contents</p>\n<ol>\n{links}\n</ol>\n</nav>")
        body.extend(self._sections[0].blocks)
        for s in sections:
            body.append(f'<section aria-labelledby="{s.anchor}">')
            body.append(f'<h2 id="{s.anchor}">{esc(s.title)}</h2>')
            body.extend(s.blocks)
            body.append("</section>")
        body.append(f"<footer>Generated by talentgap {esc(__version__)} on "
                    f"{stamp:%Y-%m-%d %H:%M} UTC.</footer>")

        return "\n".join([
            "<!DOCTYPE html>",
            f'<html lang="{esc(self.lang)}">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta name="generator" content="talentgap {esc(__version__)}">',
            f"<title>{esc(self.title)}</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            '<div class="page">',
            *body,
            "</div>",
            "</body>",
            "</html>",
            "",
        ])

    def write(self, path: str | Path) -> Path:
        """Write the report to ``path`` as UTF-8 and return the path.

        Parameters
        ----------
        path : str or pathlib.Path
            The file to write (its folder must exist); an existing file is
            replaced.

        Returns
        -------
        pathlib.Path
        """
        path = Path(path)
        path.write_text(self.to_html(), encoding="utf-8", newline="\n")
        return path
