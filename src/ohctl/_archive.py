"""Unpack zip and tar archives without letting an entry write outside the destination."""

from __future__ import annotations

import os
import shutil
import stat
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

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


def _extract_zip(archive: zipfile.ZipFile, dest: Path) -> list[Path]:
    members = archive.infolist()
    for info in members:  # check everything before writing anything
        _target(dest, info.filename)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise UnsafeArchiveError(f"Refusing archive entry {info.filename!r}: symbolic links are not unpacked")
    written = []
    for info in members:
        target = _target(dest, info.filename)
        if info.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as src, target.open("wb") as out:
            shutil.copyfileobj(src, out, 64 * 1024)
        written.append(target)
    return written


def _extract_tar(archive: tarfile.TarFile, dest: Path) -> list[Path]:
    members = archive.getmembers()
    for member in members:
        _target(dest, member.name)
        if not (member.isfile() or member.isdir()):
            raise UnsafeArchiveError(f"Refusing archive entry {member.name!r}: only files and directories are unpacked")
    written = []
    for member in members:
        target = _target(dest, member.name)
        if member.isdir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        src = archive.extractfile(member)
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
            return _extract_zip(zipped, dest)
    if tarfile.is_tarfile(path):
        with tarfile.open(path) as tarred:
            return _extract_tar(tarred, dest)
    raise OhctlError(f"{path} is neither a zip nor a tar archive")
