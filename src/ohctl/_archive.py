"""Unpack zip and tar archives without letting an entry write outside the destination."""

from __future__ import annotations

import os
import shutil
import stat
import tarfile
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path, PurePosixPath
from typing import IO

from ._errors import OhctlError


class UnsafeArchiveError(OhctlError):
    """An archive entry would land outside the destination (absolute path, ``..``, or a link)."""


def _target(dest: Path, name: str) -> Path:
    clean = name.replace("\\", "/")
    parts = PurePosixPath(clean).parts
    if not parts or clean.startswith("/") or (len(parts[0]) >= 2 and parts[0][1] == ":") or ".." in parts:
        raise UnsafeArchiveError(f"Refusing archive entry {name!r}: it points outside the destination")
    target = (dest / Path(*parts)).resolve()
    if target != dest and dest not in target.parents:
        raise UnsafeArchiveError(f"Refusing archive entry {name!r}: it resolves outside the destination")
    return target


Opener = Callable[[], IO[bytes] | None]


def _entries_zip(archive: zipfile.ZipFile) -> list[tuple[str, bool, Opener]]:
    entries: list[tuple[str, bool, Opener]] = []
    for info in archive.infolist():
        if stat.S_ISLNK(info.external_attr >> 16):
            raise UnsafeArchiveError(f"Refusing archive entry {info.filename!r}: symbolic links are not unpacked")
        entries.append((info.filename, info.is_dir(), partial(archive.open, info)))
    return entries


def _entries_tar(archive: tarfile.TarFile) -> list[tuple[str, bool, Opener]]:
    entries: list[tuple[str, bool, Opener]] = []
    for member in archive.getmembers():
        if not (member.isfile() or member.isdir()):
            raise UnsafeArchiveError(f"Refusing archive entry {member.name!r}: only files and directories are unpacked")
        entries.append((member.name, member.isdir(), partial(archive.extractfile, member)))
    return entries


def _write(dest: Path, entries: list[tuple[str, bool, Opener]]) -> list[Path]:
    targets = [_target(dest, name) for name, _, _ in entries]  # check every entry before writing any
    written = []
    for target, (_, is_dir, opener) in zip(targets, entries, strict=True):
        if is_dir:
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        src = opener()
        if src is None:
            continue
        with src, target.open("wb") as out:
            shutil.copyfileobj(src, out, 64 * 1024)
        written.append(target)
    return written


def safe_extract(archive: str | os.PathLike[str], destination: str | os.PathLike[str]) -> list[Path]:
    """Unpack a zip or a tar(.gz) into ``destination`` and return the files written. Every entry is
    checked first: absolute paths, ``..`` parts, drive letters and links raise UnsafeArchiveError
    and nothing is written."""
    dest = Path(destination).resolve()
    dest.mkdir(parents=True, exist_ok=True)
    path = Path(archive)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zipped:
            return _write(dest, _entries_zip(zipped))
    if tarfile.is_tarfile(path):
        with tarfile.open(path) as tarred:
            return _write(dest, _entries_tar(tarred))
    raise OhctlError(f"{path} is neither a zip nor a tar archive")
