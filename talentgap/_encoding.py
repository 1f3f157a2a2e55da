"""Text encodings of input files: detection, fallbacks and the signs of a wrong guess.

A file's encoding is read from its byte-order mark when it has one (UTF-8,
UTF-16, as Excel's "Unicode Text" writes), otherwise it is the first of
:data:`ENCODINGS` that decodes the start of the file. A guess can still be
wrong in two ways, and both are caught here rather than left to change the
data: a byte further into the file that the guessed encoding cannot decode
(:func:`next_encodings` gives the candidates to read the whole file with
instead, :func:`first_bad_byte` the line to blame when none fits), and a
file that decodes in the wrong encoding (Latin-1 ``Zürich`` read as GB18030
gives ``Z黵ich``, UTF-8 ``温州`` read as Latin-1 gives ``æ¸©å·``):
:func:`mojibake` finds the codes whose bytes read in another encoding give
fewer odd characters (rare Chinese characters outside GB2312, Latin letters
run together, control characters), the signature of that mistake, while
genuine codes that mix scripts, such as GB/T 4754 industry codes
(``C制造业``), pass. :func:`line_encodings` tells which lines of a file are
UTF-8 and which GBK, for files put together from two exports.

Examples
--------
>>> bom_encoding(b"\\xff\\xfep\\x00e\\x00"), bom_encoding(b"period,region")
('utf-16', None)
>>> import pandas as pd
>>> read = pd.Series(["Zürich".encode("latin-1").decode("gb18030"), "C制造业", "温州"])
>>> mask, fixes = mojibake(read, "gb18030")
>>> mask, fixes
(array([ True, False, False]), {'Z黵ich': ('cp1252', 'Zürich')})
"""

from __future__ import annotations

import codecs
import gzip
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["ENCODINGS", "bom_encoding", "head_bytes", "detect_encoding", "next_encodings",
           "first_bad_byte", "mojibake", "line_encodings", "encoding_words",
           "same_encoding"]

#: Encodings tried, in order, when the encoding is automatic: UTF-8 (a byte-order mark is
#: dropped), then GB18030, the superset of GBK that Excel on Chinese-locale machines writes.
ENCODINGS = ("utf-8-sig", "gb18030")

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))

#: Other readings of a value's bytes tried by :func:`mojibake`, in order.
_READINGS = ("utf-8", "gb18030", "cp1252")
#: How messages name the encodings of :func:`line_encodings` and :func:`mojibake`.
_WORDS = {"utf-8": "UTF-8", "gb18030": "GBK (GB18030)", "cp1252": "Latin-1 (cp1252)"}


def head_bytes(path: Path, size: int | None = 65536) -> bytes:
    """The first ``size`` bytes of a file (all of it when None), gzip-compressed or not."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as handle:
        return handle.read(-1 if size is None else size)


def bom_encoding(head: bytes) -> str | None:
    """The encoding a byte-order mark at the start of ``head`` declares, or None."""
    return next((name for bom, name in _BOMS if head.startswith(bom)), None)


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:  # a multi-byte character cut at the end is fine
        return exc.start >= len(data) - 4
    return True


def detect_encoding(head: bytes) -> str:
    """The byte-order mark's encoding, else the first of :data:`ENCODINGS` decoding ``head``.

    Examples
    --------
    >>> detect_encoding("温州,纺织\\n".encode("gbk")), detect_encoding(b"plain")
    ('gb18030', 'utf-8-sig')
    """
    declared = bom_encoding(head)
    if declared is not None:
        return declared
    return next((e for e in ENCODINGS if _decodes(head, e)), ENCODINGS[0])


def next_encodings(tried: str) -> tuple[str, ...]:
    """The automatic candidates after ``tried``, to read a whole file with on a decode error."""
    if tried not in ENCODINGS:
        return ()
    return ENCODINGS[ENCODINGS.index(tried) + 1:]


def first_bad_byte(path: Path, encoding: str) -> tuple[int, int] | None:
    """``(line, byte offset)`` of the first byte ``encoding`` cannot decode, or None.

    Lines count from 1 (the header), as in every message about the file.
    """
    data = head_bytes(path, None)
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        return data.count(b"\n", 0, exc.start) + 1, exc.start
    except LookupError:
        return None
    return None


def encoding_words(encoding: str) -> str:
    """How messages name an encoding: ``'UTF-8'``, ``'GBK (GB18030)'``, else the name given."""
    return _WORDS.get(encoding, encoding)


def _latin_letter(char: str) -> bool:
    return "\u00c0" <= char <= "\u024f" and char not in "\u00d7\u00f7"


def _odd(text: str) -> int:
    """How many characters of ``text`` are unlikely in a real code.

    ASCII and the characters of GB2312 (common Chinese characters and
    punctuation, full-width forms) are usual; so is an accented Latin letter
    between ASCII characters (``Zürich``). Odd are the rest: rare Chinese
    characters outside GB2312 (``黵``), Latin letters or signs run together
    with another non-ASCII character (``æ¸©å``), control characters.
    """
    odd = 0
    last = len(text) - 1
    for i, char in enumerate(text):
        if char < "\x80":
            continue
        if _latin_letter(char):
            odd += (i > 0 and text[i - 1] >= "\x80") or (i < last and text[i + 1] >= "\x80")
            continue
        if char == "\u00b7":  # the middle dot of transcribed names
            continue
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            odd += 1
    return odd


def _better_reading(value: str, encoding: str) -> tuple[str, str] | None:
    """``(encoding, text)`` when the bytes of ``value`` read with fewer odd characters."""
    score = _odd(value)
    if not score:
        return None
    try:
        data = value.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return None
    best = None
    for other in _READINGS:
        if same_encoding(other, encoding):
            continue
        try:
            text = data.decode(other)
        except UnicodeDecodeError:
            continue
        other_score = _odd(text)
        if other_score < score:
            best, score = (other, text), other_score
    return best


def mojibake(values: pd.Series, encoding: str) -> tuple[np.ndarray, dict[str, tuple[str, str]]]:
    """Which values look mis-decoded: read with ``encoding``, their bytes fit another better.

    A value is mojibake when its bytes in ``encoding`` decode as UTF-8,
    GB18030 or cp1252 into text with fewer odd characters (see
    :func:`_odd`): ``Z黵ich`` (GB18030) is ``Zürich`` in cp1252, ``æ¸©å·``
    (Latin-1) is ``温州`` in UTF-8. Codes that are all usual characters
    (``C制造业``, ``温州A区``) are never flagged. Only distinct non-ASCII
    values are looked at, so a column of ASCII identifiers costs one scan.

    Returns
    -------
    mask : numpy.ndarray of bool
        One flag per value.
    fixes : dict
        Each flagged value -> ``(encoding, text)``: the better reading.
    """
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    flagged = np.zeros(len(uniques) + 1, dtype=bool)  # the last one: missing values
    fixes = {}
    for i, value in enumerate(uniques):  # distinct codes, not rows
        if isinstance(value, str) and not value.isascii():
            found = _better_reading(value, encoding)
            if found is not None:
                fixes[value] = found
                flagged[i] = True
    return flagged[codes], fixes


def line_encodings(path: Path) -> dict[str, list[int]]:
    """Which lines of a file (1 = the header) are UTF-8 and which GBK, by their non-ASCII bytes.

    A line counts for one encoding when it decodes only in that one, or in
    both but with fewer odd characters (:func:`_odd`); lines of ASCII only,
    and lines that read equally well both ways, count for neither. Returns
    ``{"utf-8": [...], "gb18030": [...]}``; both non-empty means the file
    was put together from files in two encodings.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "mixed.csv"
    >>> _ = path.write_bytes("region\\n温州\\n".encode() + "鹿城\\n".encode("gbk"))
    >>> line_encodings(path)
    {'utf-8': [2], 'gb18030': [3]}
    """
    found: dict[str, list[int]] = {"utf-8": [], "gb18030": []}
    for number, line in enumerate(head_bytes(path, None).split(b"\n"), start=1):
        if line.isascii():
            continue
        scores = {}
        for encoding in found:
            try:
                scores[encoding] = _odd(line.decode(encoding))
            except UnicodeDecodeError:
                continue
        if len(scores) == 1 or (len(scores) == 2 and len(set(scores.values())) == 2):
            found[min(scores, key=scores.get)].append(number)
    return found


def same_encoding(a: str, b: str) -> bool:
    """Whether two encoding names read a file the same way (``utf-8`` and ``utf-8-sig`` do).

    Examples
    --------
    >>> same_encoding("UTF8", "utf-8-sig"), same_encoding("gbk", "gb18030")
    (True, False)
    """
    def norm(name: str) -> str:
        try:
            name = codecs.lookup(name).name
        except LookupError:
            return name.lower()
        return "utf-8" if name == "utf-8-sig" else name

    return norm(a) == norm(b)
