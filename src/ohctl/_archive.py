"""Unpack zip and tar archives without letting one write outside the destination, fill the disk, or
leave half an archive behind.

Every entry is checked before anything is written: its path (no absolute path, ``..``, drive letter),
its kind (regular files and directories only: no links, devices or fifos), duplicates, and the
declared sizes against the caps. The entries are then written into a temporary directory inside the
destination, counting the bytes really produced (a lying header cannot get past the cap), and moved
into place only when every entry came out whole: a corrupt or oversized archive leaves nothing.
"""

from __future__ import annotations

import os
import shutil
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import IO

from ._errors import OhctlError

MAX_TOTAL_BYTES = 2 * 1024**3  # 2 GiB unpacked, by default
MAX_ENTRIES = 100_000
CHUNK = 64 * 1024


class ArchiveError(OhctlError):
    """An archive could not be unpacked; nothing of it was left in the destination."""


class UnsafeArchiveError(ArchiveError):
    """An entry would land outside the destination (absolute path, ``..``), is a link or device, is
    named twice, or the archive exceeds the size or entry-count cap."""


class CorruptArchiveError(ArchiveError):
    """The archive is truncated or damaged (a bad checksum, a cut-off member), or not an archive."""


Opener = Callable[[], IO[bytes] | None]


@dataclass(frozen=True)
class _Entry:
    name: str
    is_dir: bool
    size: int  # as declared by the archive
    open: Opener


def _parts(name: str) -> tuple[str, ...]:
    clean = name.replace("\\", "/")
    parts = tuple(p for p in PurePosixPath(clean).parts if p not in ("", "."))
    if not parts or clean.startswith("/") or (len(parts[0]) >= 2 and parts[0][1] == ":") or ".." in parts:
        raise UnsafeArchiveError(f"Refusing archive entry {name!r}: it points outside the destination")
    return parts


def _entries_zip(archive: zipfile.ZipFile) -> list[_Entry]:
    entries = []
    for info in archive.infolist():
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise UnsafeArchiveError(f"Refusing archive entry {info.filename!r}: symbolic links are not unpacked")
        if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):  # 0: no type recorded (a plain file)
            raise UnsafeArchiveError(
                f"Refusing archive entry {info.filename!r}: only files and directories are unpacked"
            )
        entries.append(_Entry(info.filename, info.is_dir(), info.file_size, partial(archive.open, info)))
    return entries


def _entries_tar(archive: tarfile.TarFile) -> list[_Entry]:
    entries = []
    for member in archive.getmembers():
        if not (member.isfile() or member.isdir()):
            raise UnsafeArchiveError(f"Refusing archive entry {member.name!r}: only files and directories are unpacked")
        entries.append(_Entry(member.name, member.isdir(), member.size, partial(archive.extractfile, member)))
    return entries


@contextmanager
def _opened(path: Path) -> Iterator[list[_Entry]]:
    """The entries of a zip or a tar(.gz), readable while the archive is open (inside the ``with``)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zipped:
            yield _entries_zip(zipped)
    elif tarfile.is_tarfile(path):
        with tarfile.open(path) as tarred:
            yield _entries_tar(tarred)
    else:
        raise CorruptArchiveError(f"{path} is neither a zip nor a tar archive")


def _check(entries: list[_Entry], max_total_bytes: int, max_entries: int) -> list[tuple[str, ...]]:
    if len(entries) > max_entries:
        raise UnsafeArchiveError(
            f"Refusing an archive of {len(entries)} entries (the cap is {max_entries}; raise max_entries= if expected)"
        )
    declared = sum(e.size for e in entries if not e.is_dir)
    if declared > max_total_bytes:
        raise UnsafeArchiveError(
            f"Refusing an archive that unpacks to {declared} bytes (the cap is {max_total_bytes}; "
            "raise max_total_bytes= if expected)"
        )
    seen: dict[tuple[str, ...], str] = {}
    paths = []
    for entry in entries:
        parts = _parts(entry.name)
        if parts in seen and not (entry.is_dir and seen[parts] == "dir"):
            raise UnsafeArchiveError(f"Refusing archive entry {entry.name!r}: the archive names it more than once")
        seen[parts] = "dir" if entry.is_dir else "file"
        paths.append(parts)
    for parts in seen:  # a file may not also be a directory of another entry
        for depth in range(1, len(parts)):
            if seen.get(parts[:depth]) == "file":
                where = "/".join(parts[:depth])
                raise UnsafeArchiveError(f"Refusing archive entry {'/'.join(parts)!r}: {where!r} is a file")
    return paths


def _refuse_links_in(dest: Path, entries: list[_Entry], paths: list[tuple[str, ...]]) -> None:
    """An entry must not be written through a link that already exists in the destination (``sub ->
    /elsewhere`` there and ``sub/evil.txt`` in the archive would write outside it), as links inside the
    archive are refused. A file that is itself a link in the destination is replaced, not followed."""
    for entry, parts in zip(entries, paths, strict=True):
        for depth in range(1, len(parts) + (1 if entry.is_dir else 0)):
            where = dest.joinpath(*parts[:depth])
            if where.is_symlink():
                raise UnsafeArchiveError(
                    f"Refusing archive entry {entry.name!r}: {where} is a link in the destination, and writing "
                    "through it could land outside the destination (remove the link, or extract elsewhere)"
                )


def _unpack(staging: Path, entries: list[_Entry], paths: list[tuple[str, ...]], max_total_bytes: int) -> list[Path]:
    """Write every entry under ``staging``; return the relative paths of the files written."""
    total = 0
    files = []
    for entry, parts in zip(entries, paths, strict=True):
        target = staging.joinpath(*parts)
        if entry.is_dir:
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        source = entry.open()
        if source is None:
            raise CorruptArchiveError(f"Archive entry {entry.name!r} has no data")
        with source, target.open("wb") as out:
            while chunk := source.read(CHUNK):
                total += len(chunk)
                if total > max_total_bytes:
                    raise UnsafeArchiveError(
                        f"Refusing an archive that unpacks to more than {max_total_bytes} bytes "
                        f"(its headers said {sum(e.size for e in entries)}; raise max_total_bytes= if expected)"
                    )
                out.write(chunk)
        files.append(Path(*parts))
    return files


def _move_into_place(
    staging: Path, dest: Path, files: list[Path], entries: list[_Entry], paths: list[tuple[str, ...]]
) -> list[Path]:
    for entry, parts in zip(entries, paths, strict=True):
        if entry.is_dir:
            dest.joinpath(*parts).mkdir(parents=True, exist_ok=True)
    placed = []
    for rel in files:
        final = dest / rel
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.is_dir() and not final.is_symlink():
            raise UnsafeArchiveError(f"Refusing to replace the directory {final} with a file from the archive")
        os.replace(staging / rel, final)
        placed.append(final)
    return placed


def safe_extract(
    archive: str | os.PathLike[str],
    destination: str | os.PathLike[str],
    *,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    max_entries: int = MAX_ENTRIES,
) -> list[Path]:
    """Unpack a zip or a tar(.gz) into ``destination`` and return the files written.

    Raises UnsafeArchiveError (an entry outside the destination, a link or device, a name given
    twice, more than ``max_entries`` entries or more than ``max_total_bytes`` unpacked) or
    CorruptArchiveError, and then writes nothing: the archive is unpacked into a temporary directory
    inside ``destination`` first and moved into place only when complete. Files already in
    ``destination`` with the same names are replaced."""
    dest = Path(destination).resolve()
    dest.mkdir(parents=True, exist_ok=True)
    path = Path(archive)
    staging = Path(tempfile.mkdtemp(prefix=".ohctl-extract-", dir=dest))
    try:
        try:
            with _opened(path) as entries:
                paths = _check(entries, max_total_bytes, max_entries)
                _refuse_links_in(dest, entries, paths)
                files = _unpack(staging, entries, paths, max_total_bytes)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, tarfile.TarError, zlib.error, EOFError) as exc:
            raise CorruptArchiveError(
                f"{path} is damaged or truncated ({type(exc).__name__}: {exc}); nothing was unpacked"
            ) from exc
        return _move_into_place(staging, dest, files, entries, paths)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
