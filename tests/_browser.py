"""Open an HTML file in headless Chromium and report what a reader would see.

A test helper, not a test module (pytest puts ``tests/``, the folder of
``conftest.py``, on ``sys.path``, so test modules import it by name). Use::

    from _browser import inspect_page

    page = inspect_page(path_to_report_html, tmp_path)
    assert not page.blank
    assert all(img.natural_width > 0 for img in page.images)

:func:`inspect_page` skips the calling test (``pytest.skip``) when no Chromium
is installed. The page is copied alone into ``workdir`` before it is opened,
as if it had been e-mailed, and the network is switched off, so anything the
page references beside itself (a PNG next to it, a web font, a CDN script)
is missing: an image that is not embedded shows up with ``natural_width == 0``
and the reference in :attr:`PageCheck.resources`.

Two browser runs: one takes a screenshot of the page as it is (1280 x 2000
pixels, the top of the page); the other opens a copy with a small script
added at the end that, once the page has loaded, writes what the browser
decoded (every ``<img>``, the URLs referred to, the page width) as JSON
into the DOM, which ``--dump-dom`` prints.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

__all__ = ["ImageCheck", "PageCheck", "find_chromium", "inspect_page"]

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
SKIP_REASON = "no headless Chromium on this machine (apt-get install chromium)"
WINDOW = (1280, 2000)
BLANK_BELOW = 0.002

_FLAGS = (
    "--headless",
    "--no-sandbox",  # tests may run as root (CI containers), where the sandbox refuses to start
    "--disable-gpu",
    "--hide-scrollbars",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--mute-audio",
    # offline: a page that needs the network shows it by missing pieces
    "--host-resolver-rules=MAP * ~NOTFOUND",
)

_PROBE = r"""
<pre id="tg-check" hidden></pre>
<script>
window.addEventListener("load", function () {
  var images = Array.prototype.map.call(document.images, function (img) {
    return [img.alt, img.naturalWidth, img.naturalHeight, img.complete];
  });
  var resources = performance.getEntriesByType("resource").map(function (r) { return r.name; });
  document.querySelectorAll("[src], [href], object[data]").forEach(function (el) {
    ["src", "href", "data"].forEach(function (name) {
      var value = el.getAttribute(name);
      if (value && !/^\s*(data:|#)/i.test(value)) { resources.push(el[name] || value); }
    });
  });
  resources = resources.filter(function (url, i) { return resources.indexOf(url) === i; });
  document.getElementById("tg-check").textContent = JSON.stringify({
    title: document.title,
    images: images,
    resources: resources,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth
  });
});
</script>
"""


@dataclass(frozen=True)
class ImageCheck:
    """One ``<img>`` as the browser decoded it (0 x 0 when it failed to load)."""

    alt: str
    natural_width: int
    natural_height: int
    complete: bool


@dataclass(frozen=True)
class PageCheck:
    """What headless Chromium made of a page.

    Attributes
    ----------
    screenshot : pathlib.Path
        PNG of the top 1280 x 2000 pixels of the page.
    blank : bool
        True when the screenshot shows (almost) nothing: ``detail`` under
        0.002. Flat backgrounds, borders and empty boxes count as blank; a
        heading alone is about at the limit; text, tables and figures are
        well above it.
    detail : float
        Share of screenshot pixels (0-1) that differ visibly from their
        left neighbour: the edges of text, lines and images.
    images : list of ImageCheck
        Every ``<img>`` in document order.
    resources : list of str
        URLs the page refers to or fetched, other than ``data:`` URIs and
        in-page ``#anchors``: every ``src``/``href`` attribute (links
        included) and every fetch the browser's resource timing recorded
        (e.g. a web font named in CSS). A self-contained page has none.
    title : str
        ``document.title``.
    overflows : bool
        True when the page is wider than the 1280-pixel window (something
        forces horizontal scrolling).
    """

    screenshot: Path
    blank: bool
    detail: float
    images: list[ImageCheck]
    resources: list[str]
    title: str
    overflows: bool


def find_chromium() -> str | None:
    """Path of a Chromium or Chrome executable on PATH, or None."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(cmd: list[str], *, stdout_path: Path, stderr_path: Path, timeout: float) -> None:
    """Run a browser; on timeout kill its whole process group, then raise."""
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            # the browser's helper processes share its process group; end them too
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            proc.wait(timeout=10)
    tail = stderr_path.read_text(errors="replace")[-2000:]
    if code is None:
        raise RuntimeError(f"{Path(cmd[0]).name} did not finish within {timeout:g} s; "
                           f"stderr ends:\n{tail}")
    if code != 0:
        raise RuntimeError(f"{Path(cmd[0]).name} exited with status {code}; stderr ends:\n{tail}")


def _detail(png: Path) -> float:
    """Share of pixels that differ visibly (> 8 of 255) from their left neighbour."""
    from matplotlib.image import imread

    pixels = np.round(imread(png)[..., :3] * 255).astype(np.int16)
    step = np.abs(np.diff(pixels, axis=1)).max(axis=2)
    return float(np.mean(step > 8))


def _with_probe(page: str) -> str:
    ends = [m.start() for m in re.finditer(r"</body\s*>", page, flags=re.IGNORECASE)]
    if not ends:
        return page + _PROBE
    return page[:ends[-1]] + _PROBE + page[ends[-1]:]


def inspect_page(html_path: str | Path, workdir: str | Path, *,
                 timeout: float = 60.0) -> PageCheck:
    """Open ``html_path`` in headless Chromium: screenshot, images, fetches.

    Parameters
    ----------
    html_path : str or pathlib.Path
        The HTML file to check. It is copied alone into ``workdir``.
    workdir : str or pathlib.Path
        An existing folder for the copies, the screenshot and browser logs
        (``tmp_path`` in a test).
    timeout : float, default 60
        Seconds allowed for each of the two browser runs.

    Returns
    -------
    PageCheck

    Raises
    ------
    RuntimeError
        If the browser fails, times out, or the page's load event never ran.
    """
    browser = find_chromium()
    if browser is None:
        pytest.skip(SKIP_REASON)
    workdir = Path(workdir)
    text = Path(html_path).read_text(encoding="utf-8")
    page = workdir / "page.html"
    probed = workdir / "page-probed.html"
    page.write_text(text, encoding="utf-8")
    probed.write_text(_with_probe(text), encoding="utf-8")
    screenshot = workdir / "screenshot.png"

    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        common = [browser, *_FLAGS, f"--user-data-dir={profile}",
                  f"--window-size={WINDOW[0]},{WINDOW[1]}"]
        _run([*common, f"--screenshot={screenshot}", page.as_uri()],
             stdout_path=workdir / "screenshot.out", stderr_path=workdir / "screenshot.err",
             timeout=timeout)
        _run([*common, "--virtual-time-budget=5000", "--dump-dom", probed.as_uri()],
             stdout_path=workdir / "dom.html", stderr_path=workdir / "dom.err",
             timeout=timeout)

    if not screenshot.is_file():
        raise RuntimeError(f"the browser wrote no screenshot; see {workdir / 'screenshot.err'}")
    dom = (workdir / "dom.html").read_text(encoding="utf-8", errors="replace")
    found = re.search(r'<pre id="tg-check"[^>]*>(.*?)</pre>', dom, flags=re.DOTALL)
    if found is None or not found.group(1).strip():
        raise RuntimeError(f"the page's load event did not run within the time budget; "
                           f"DOM in {workdir / 'dom.html'}")
    report = json.loads(html.unescape(found.group(1)))
    detail = _detail(screenshot)
    return PageCheck(
        screenshot=screenshot,
        blank=detail < BLANK_BELOW,
        detail=detail,
        images=[ImageCheck(str(a), int(w), int(h), bool(c)) for a, w, h, c in report["images"]],
        resources=[str(r) for r in report["resources"]],
        title=str(report["title"]),
        overflows=int(report["scrollWidth"]) > int(report["innerWidth"]),
    )
