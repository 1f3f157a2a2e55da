"""The style sheet of :class:`talentgap.report.Report`, inlined in every report.

One sheet for the screen and for print: a page of readable width, key
figures as cards, striped tables with right-aligned numbers (``td.num``), a
smaller type for tables of many columns (``.table-wrap.wide``), notes in amber
or blue, and on paper A4 pages, one section per page and no table row split
across pages. It references no font file, image or other address.
"""

from __future__ import annotations

__all__ = ["CSS"]

CSS = """
*, *::before, *::after { box-sizing: border-box; }
html { color-scheme: light; }
body { margin: 0; background: #eef1f4; color: #1f2328;
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
    "Liberation Sans", "DejaVu Sans", Arial, sans-serif; }
.page { max-width: 66rem; margin: 0 auto; padding: 2rem 2.75rem 2.5rem; background: #fff;
  min-height: 100vh; box-shadow: 0 0 0 1px #d8dee4; }
.report-head { border-bottom: 3px solid #1f4e79; padding-bottom: .8rem; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 .3rem; color: #1f4e79; }
.subtitle { margin: 0; color: #57606a; font-size: 1.1rem; }
h2 { font-size: 1.45rem; line-height: 1.3; margin: 2.25rem 0 .75rem; padding-bottom: .3rem;
  border-bottom: 1px solid #d8dee4; }
p { margin: .5rem 0 1rem; max-width: 50rem; }
a { color: #0b5cad; }
nav.toc { margin: 1.5rem 0 1rem; padding: .8rem 1.4rem; background: #f3f6fa;
  border: 1px solid #d8dee4; border-radius: 6px; }
nav.toc .toc-title { margin: 0 0 .3rem; font-size: .8rem; font-weight: 600;
  letter-spacing: .06em; text-transform: uppercase; color: #57606a; }
nav.toc ol { margin: 0; padding-left: 1.4rem; }
nav.toc li { margin: .15rem 0; }
section { margin-bottom: 2rem; }
.intro { color: #3d444d; }
dl.key-figures { display: flex; flex-wrap: wrap; gap: .8rem; margin: 1rem 0 1.5rem; }
.key-figure { flex: 1 1 12rem; margin: 0; padding: .6rem .95rem; background: #f6f8fa;
  border: 1px solid #d8dee4; border-left: 4px solid #1f4e79; border-radius: 6px; }
.key-figure dt { font-size: .85rem; color: #57606a; }
.key-figure dd { margin: .1rem 0 0; font-size: 1.6rem; font-weight: 600; line-height: 1.25;
  font-variant-numeric: tabular-nums; }
.table-wrap { overflow-x: auto; margin: 1rem 0 1.5rem; }
table { border-collapse: collapse; font-size: .92rem; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: 0 0 .45rem; }
th, td { padding: .36rem .8rem; text-align: left; vertical-align: top; }
/* long headers in words wrap, so a table fits the page instead of scrolling sideways */
thead th { border-bottom: 2px solid #57606a; vertical-align: bottom; min-width: 5.5rem;
  max-width: 13rem; }
td { min-width: 4.5rem; }
.table-wrap.wide table { font-size: .85rem; }
.table-wrap.wide th, .table-wrap.wide td { padding: .3rem .5rem; }
.table-wrap.wide thead th { min-width: 4.5rem; }
tbody tr { border-bottom: 1px solid #eaeef2; }
tbody tr:nth-child(even) { background: #f3f6fa; }
td.num { text-align: right; white-space: nowrap; }
th.num { text-align: right; }
td.na { color: #8c959f; }
.table-note { margin: .4rem 0 0; font-size: .85rem; color: #57606a; }
figure { margin: 1.25rem 0 2rem; }
figure img { display: block; max-width: 100%; height: auto; }
figcaption { margin-top: .5rem; font-size: .9rem; color: #57606a; }
.label { font-weight: 600; color: #1f2328; }
.note { margin: 1rem 0; padding: .65rem 1rem; border-left: 4px solid #bf8700;
  background: #fff8c5; border-radius: 4px; }
.note.info { border-left-color: #0969da; background: #ddf4ff; }
footer { margin-top: 3rem; padding-top: .8rem; border-top: 1px solid #d8dee4;
  font-size: .85rem; color: #57606a; }
@media (max-width: 40rem) {
  .page { padding: 1rem 1rem 2rem; }
  h1 { font-size: 1.6rem; }
}
@page { size: A4; margin: 1.5cm 1.4cm; }
@media print {
  body { background: #fff; font-size: 10.5pt; }
  .page { max-width: none; min-height: 0; padding: 0; box-shadow: none; }
  a { color: inherit; text-decoration: none; }
  h2, caption, .intro { break-after: avoid; }
  /* each section starts a new page; the first follows the summary */
  section + section { break-before: page; }
  figure, dl.key-figures, .note, tr, .table-wrap.short { break-inside: avoid; }
  figure img { max-height: 21cm; width: auto; margin: 0 auto; }
  thead { display: table-header-group; }
  /* no scrolling on paper: a wide table fits the page width and wraps its text */
  .table-wrap { overflow: visible; }
  table { width: 100%; font-size: 8.5pt; }
  th, td { padding: .22rem .45rem; }
  thead th { white-space: normal; }
  td { overflow-wrap: break-word; }
  tbody tr:nth-child(even), .key-figure, .note, nav.toc {
    -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""
