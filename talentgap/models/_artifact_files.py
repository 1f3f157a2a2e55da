"""The artifact directory on disk: written in one atomic step, read back only after checks.

:mod:`talentgap.models.persistence` says what an artifact holds (its layout
and ``metadata.json``) and turns estimators into artifacts and back; this
module handles the directory and the bytes. Writing puts the files in a
fresh sibling directory and swaps it into place (:func:`write_artifact`), so
a concurrent reader sees the old artifact or the new one. Reading
(:func:`read_stable`) checks, before anything is decoded: the header of
``metadata.json`` (format, format version, major version of talentgap, its
own sha256), that the files present are exactly those it lists, regular
files with the listed sha256, and that no file or zip member is a pickle;
it reads again when a save replaced the artifact in the middle. The parsers
of the payloads (:func:`parse_json`, :func:`read_npz`, :func:`load_sklearn`)
refuse what a saved model never holds (JSON constants, compressed or object
arrays, scikit-learn types outside the allow-list) with an
:class:`~talentgap.errors.ArtifactError` naming the file and the rule.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import io
import json
import os
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from talentgap._version import __version__
from talentgap.errors import ArtifactError
from talentgap.models._codec import SKLEARN_MODELS, SKOPS_TRUSTED, class_name

__all__ = ["FORMAT", "FORMAT_VERSION", "METADATA", "STATE", "ARRAYS", "SKOPS", "json_bytes",
           "npz_bytes", "sha256", "metadata_hash", "write_artifact", "read_stable",
           "artifact_label", "parse_json", "read_npz", "load_sklearn"]

#: The ``format`` field of every artifact.
FORMAT = "talentgap-model"
#: Version of the artifact layout written here;
#: :func:`~talentgap.models.persistence.load` reads it and every earlier one.
FORMAT_VERSION = 2

METADATA = "metadata.json"
STATE = "state.json"
ARRAYS = "arrays.npz"
SKOPS = re.compile(r"sklearn/\d+\.skops")
_PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".pck")
#: Exceptions a malformed skops or npz file raises while being read.
_MALFORMED = (ValueError, KeyError, TypeError, OSError, EOFError, zipfile.BadZipFile,
              json.JSONDecodeError)


def json_bytes(value, indent: int | None = None) -> bytes:
    return (json.dumps(value, indent=indent, allow_nan=False, ensure_ascii=False)
            + "\n").encode("utf-8")


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # the encoder stores no object arrays: nothing is pickled
    return buffer.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def metadata_hash(metadata: dict) -> str:
    rest = {k: v for k, v in metadata.items() if k != "metadata_sha256"}
    return sha256(json.dumps(rest, sort_keys=True, separators=(",", ":"),
                             allow_nan=False).encode("utf-8"))


def write_artifact(target: Path, files: dict[str, bytes]) -> Path:
    """Write into a fresh sibling directory, then move it into place in one step.

    Replacing an earlier artifact is one atomic exchange of the two
    directories where the system offers it (Linux ``renameat2`` with
    ``RENAME_EXCHANGE``): the path always holds a complete artifact, the old
    one or the new one, and :func:`load` reads one of them (it reads again if
    the artifact was replaced while it was reading). Elsewhere the old
    directory is moved away and the new one moved in, two renames in a row.
    """
    if target.exists() and not target.is_dir():
        raise ArtifactError(f"cannot save to {str(target)!r}: it is a file, not a directory")
    replace = target.exists() and any(target.iterdir())
    if replace and not _is_artifact(target):
        raise ArtifactError(f"cannot save to {str(target)!r}: the directory is not empty and "
                            "does not hold a talentgap artifact; choose a new directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for name, data in files.items():
            file = fresh / name
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes(data)
        if not target.exists():
            os.replace(fresh, target)
        elif _exchange(fresh, target):
            pass  # the earlier artifact is now at ``fresh``, removed below
        else:
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            os.replace(target, old / "artifact")
            try:
                os.replace(fresh, target)
            except OSError:
                os.replace(old / "artifact", target)  # put the earlier artifact back
                raise
            finally:
                shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return target


#: ``renameat2`` flag: swap the two paths atomically (Linux 3.15+).
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two directories in one atomic step; False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # no C library symbol (glibc < 2.28, musl)
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    done = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                     _RENAME_EXCHANGE)
    if done == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False  # a file system without the exchange: rename in two steps
    raise OSError(error, os.strerror(error), str(second))


def _is_artifact(root: Path) -> bool:
    """Whether ``root`` holds only a talentgap artifact's files (safe to replace)."""
    if (root / METADATA).is_symlink() or not (root / METADATA).is_file():
        return False
    try:
        metadata = json.loads((root / METADATA).read_text(encoding="utf-8"))
        listed = set(metadata["files"]) | {METADATA}
        ok = metadata["format"] == FORMAT
    except (OSError, ValueError, KeyError, TypeError):
        return False
    present = {p.relative_to(root).as_posix() for p in root.rglob("*") if not p.is_dir()}
    return ok and present <= listed


#: Reads of an artifact that another process keeps replacing, before giving up.
_READ_ATTEMPTS = 5


def read_stable(root: Path) -> tuple[dict, dict[str, bytes]]:
    """:func:`_read_verified` of one artifact, even while it is saved over.

    A read that passes the checks returns files that all belong to one
    artifact (each file's sha256 matches the metadata read first). A read
    that fails is tried again, up to :data:`_READ_ATTEMPTS` times, since a
    save that replaced the artifact while it was being read mixes the files
    of the two; an artifact that is really broken fails every time and its
    first error is raised.
    """
    first = None
    for _ in range(_READ_ATTEMPTS):
        try:
            return _read_verified(root)
        except ArtifactError as error:
            first = first or error
    raise first


def _read_verified(root: Path) -> tuple[dict, dict[str, bytes]]:
    """Metadata and the bytes of every listed file, after all file-level checks."""
    if not root.is_dir():
        raise ArtifactError(f"artifact {str(root)!r}: not a directory (load takes the "
                            "directory written by save)")
    shown = artifact_label(root)
    where = f"{shown}/{METADATA}"
    if (root / METADATA).is_symlink() or ((root / METADATA).exists()
                                          and not (root / METADATA).is_file()):
        # checked before reading: a link to /dev/zero or a named pipe would never end
        raise ArtifactError(f"artifact {where!r}: not a regular file; artifact files must be "
                            "regular files")
    try:
        raw = (root / METADATA).read_bytes()
    except OSError:
        raise ArtifactError(f"artifact {where!r}: missing; a talentgap artifact starts with "
                            "its metadata.json") from None
    _refuse_pickle(where, raw)
    metadata = parse_json(raw, where)
    _check_header(metadata, where)

    listed = metadata["files"]
    for name in listed:
        if name.lower().endswith(_PICKLE_SUFFIXES):
            raise ArtifactError(f"artifact '{shown}/{name}': a pickle file; talentgap "
                                "artifacts never contain pickle, and it is not loaded")
        if name not in (STATE, ARRAYS) and not SKOPS.fullmatch(name):
            raise ArtifactError(f"artifact {where!r}: lists {name!r}, which is not a file a "
                                "talentgap artifact holds (state.json, arrays.npz, "
                                "sklearn/<n>.skops)")
    for name in (STATE, ARRAYS):
        if name not in listed:
            raise ArtifactError(f"artifact {where!r}: does not list {name}")
    present = set()
    for file in sorted(root.rglob("*")):
        name = file.relative_to(root).as_posix()
        if file.is_symlink():
            raise ArtifactError(f"artifact '{shown}/{name}': a symbolic link; artifact "
                                "files must be regular files")
        if file.is_file():
            present.add(name)
    extra = sorted(present - set(listed) - {METADATA})
    if extra:
        kind = ("a pickle file; talentgap artifacts never contain pickle"
                if extra[0].lower().endswith(_PICKLE_SUFFIXES) else "an extra file")
        raise ArtifactError(f"artifact '{shown}/{extra[0]}': {kind}, not listed in "
                            f"metadata.json; the artifact is not loaded")
    missing = sorted(set(listed) - present)
    if missing:
        raise ArtifactError(f"artifact '{shown}/{missing[0]}': missing; metadata.json "
                            "lists it")
    contents = {}
    for name, expected in sorted(listed.items()):
        try:
            data = (root / name).read_bytes()
        except OSError as exc:
            raise ArtifactError(f"artifact '{shown}/{name}': cannot be read ({exc}); if "
                                "it is being saved again, load it once that is done") from None
        got = sha256(data)
        if got != expected:
            raise ArtifactError(f"artifact '{shown}/{name}': sha256 mismatch (expected "
                                f"{str(expected)[:12]}..., got {got[:12]}...); the file was "
                                "changed after saving")
        _refuse_pickle(f"{shown}/{name}", data)  # even with a matching (forged) hash
        contents[name] = data
    return metadata, contents


def artifact_label(root: Path) -> str:
    """How messages name the artifact: its directory name."""
    return root.resolve().name or str(root)


def _check_header(metadata, where: str) -> None:
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        found = metadata.get("format") if isinstance(metadata, dict) else None
        raise ArtifactError(f"artifact {where!r}: not a talentgap model artifact (format "
                            f"{found!r}, expected {FORMAT!r})")
    version = metadata.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ArtifactError(f"artifact {where!r}: format_version {version!r} is not valid")
    if version > FORMAT_VERSION:
        raise ArtifactError(f"artifact {where!r}: format version {version} is newer than "
                            f"this talentgap ({__version__}) reads (up to {FORMAT_VERSION}); "
                            "upgrade talentgap to load it")
    written, ours = _major(metadata.get("talentgap_version")), _major(__version__)
    if written != ours:
        raise ArtifactError(f"artifact {where!r}: written by talentgap "
                            f"{metadata.get('talentgap_version')!r} (major version {written}); "
                            f"this talentgap {__version__} reads artifacts of major version "
                            f"{ours} only")
    needed = ("estimator", "params", "data_fingerprint", "files", "metadata_sha256")
    absent = [k for k in needed if k not in metadata]
    if absent or not isinstance(metadata["files"], dict):
        raise ArtifactError(f"artifact {where!r}: lacks the fields {absent or ['files']}")
    if metadata["metadata_sha256"] != metadata_hash(metadata):
        raise ArtifactError(f"artifact {where!r}: metadata_sha256 mismatch; the file was "
                            "changed after saving")


def _major(version) -> int | None:
    match = re.match(r"(\d+)\.", version) if isinstance(version, str) else None
    return int(match.group(1)) if match else None


def _refuse_pickle(where: str, data: bytes) -> None:
    """Refuse data that is, or (zip) contains, a pickle payload."""
    if _is_pickle(data):
        raise ArtifactError(f"artifact {where!r}: holds a pickle payload (protocol {data[1]} "
                            "header); talentgap artifacts never contain pickle, and it is not "
                            "loaded")
    if not data.startswith(b"PK\x03\x04"):
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.infolist():
                with archive.open(member) as handle:
                    head = handle.read(2)
                if member.filename.lower().endswith(_PICKLE_SUFFIXES) or _is_pickle(head):
                    raise ArtifactError(
                        f"artifact {where!r}: member {member.filename!r} holds a pickle "
                        "payload; talentgap artifacts never contain pickle, and it is not "
                        "loaded")
    except _MALFORMED as exc:
        raise ArtifactError(f"artifact {where!r}: not a readable zip file ({exc})") from None


def _is_pickle(data: bytes) -> bool:
    return len(data) >= 2 and data[0] == 0x80 and 2 <= data[1] <= 5


def parse_json(data: bytes, where: str):
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ArtifactError(f"artifact {where!r}: not valid JSON ({exc})") from None
    except RecursionError:
        raise ArtifactError(f"artifact {where!r}: JSON nested too deeply; save never writes "
                            "it") from None


def _refuse_constant(name: str):
    """``NaN`` and ``Infinity`` are not JSON; save writes them as tagged strings."""
    raise ValueError(f"{name} is not a JSON value")


def read_npz(data: bytes, where: str) -> dict[str, np.ndarray]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            packed = [m.filename for m in archive.infolist()
                      if m.compress_type != zipfile.ZIP_STORED]
    except _MALFORMED:
        packed = []  # np.load says what is wrong
    if packed:  # numpy.savez stores; a compressed member could expand without bound
        raise ArtifactError(f"artifact {where!r}: member {packed[0]!r} is compressed; save "
                            "writes arrays uncompressed")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except MemoryError:  # a header claiming more data than the file holds
        raise ArtifactError(f"artifact {where!r}: an array is larger than the file "
                            "holds") from None
    except AttributeError:  # a plain .npy: np.load returned an array, not an archive
        raise ArtifactError(f"artifact {where!r}: not an .npz archive") from None
    except ValueError as exc:
        raise ArtifactError(f"artifact {where!r}: {exc}; object arrays (pickle) are never "
                            "loaded") from None
    except _MALFORMED as exc:
        raise ArtifactError(f"artifact {where!r}: not a readable .npz file ({exc})") from None
    for name, array in arrays.items():
        if array.dtype.kind not in "biufcmMUS" or array.dtype.names is not None:
            raise ArtifactError(f"artifact {where!r}: array {name!r} has dtype {array.dtype}, "
                                "which an artifact does not hold")
    return arrays


def load_sklearn(data: bytes, where: str, expected: str):
    """A scikit-learn model from skops bytes, trusting only the allow-listed types."""
    import skops.io

    try:
        untrusted = skops.io.get_untrusted_types(data=data)
    except _MALFORMED as exc:
        raise ArtifactError(f"artifact {where!r}: not a readable skops file ({exc})") from None
    refused = sorted(set(untrusted) - set(SKOPS_TRUSTED))
    if refused:
        raise ArtifactError(f"artifact {where!r}: holds types outside the allow-list "
                            f"({', '.join(refused)}); it is not loaded")
    try:
        model = skops.io.loads(data, trusted=list(untrusted))
    except _MALFORMED as exc:
        raise ArtifactError(f"artifact {where!r}: not a readable skops file ({exc})") from None
    if SKLEARN_MODELS.get(expected) is not type(model):
        raise ArtifactError(f"artifact {where!r}: holds a {class_name(type(model))}, expected "
                            f"{expected}")
    return model
