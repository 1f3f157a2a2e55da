"""Text encodings of input files: detection, fallbacks and the signs of a wrong guess.

A file's encoding is read from its byte-order mark when it has one (UTF-8,
UTF-16, as Excel's "Unicode Text" writes), otherwise it is the first of
:data:`ENCODINGS` that decodes the start of the file. A guess can still be
wrong in two ways, and both are caught here rather than left to change the
data: a byte further into the file that the guessed encoding cannot decode
(:func:`next_encodings` gives the candidates to read the whole file with
instead, :func:`first_bad_byte` the line to blame when none fits), and a
Latin-1 file that happens to decode as GB18030 (``Zürich`` read as
``Z黵ich``): :func:`mixed_script` finds the codes that mix Chinese characters
and Latin letters in one word, the signature of that mistake.

Examples
--------
>>> bom_encoding(b"\\xff\\xfep\\x00e\\x00"), bom_encoding(b"period,region")
('utf-16', None)
>>> import pandas as pd
>>> mixed_script(pd.Series(["Zürich".encode("latin-1").decode("gb18030"), "温州"]))
array([ True, False])
"""

from __future__ import annotations

import codecs
import gzip
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["ENCODINGS", "bom_encoding", "head_bytes", "detect_encoding", "next_encodings",
           "first_bad_byte", "mixed_script", "same_encoding"]

#: Encodings tried, in order, when the encoding is automatic: UTF-8 (a byte-order mark is
#: dropped), then GB18030, the superset of GBK that Excel on Chinese-locale machines writes.
ENCODINGS = ("utf-8-sig", "gb18030")

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))

#: A Chinese (CJK) character next to a Latin letter in one word.
_MIXED = (r"(?:[A-Za-z][\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
          r"|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff][A-Za-z])")


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


def mixed_script(values: pd.Series) -> np.ndarray:
    """Whether each value mixes Chinese characters and Latin letters inside one word."""
    text = values.astype("string")
    return text.str.contains(_MIXED, regex=True).fillna(False).to_numpy(dtype=bool)


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
