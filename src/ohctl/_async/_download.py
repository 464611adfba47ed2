"""Write a streamed response to a path or a binary file object, in constant memory."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO

import httpx

from .._deadline import remaining
from .._errors import APIConnectionError, APITimeoutError, reason_of
from .._redact import redact_url
from ..types.files import Download

Destination = str | os.PathLike[str] | IO[bytes]


def target_path(destination: str | os.PathLike[str], name: str) -> Path:
    """An existing directory, or a path ending in a separator (created if missing), gets ``name``
    inside it; anything else is the file's own path (its parent directory is created)."""
    text = os.fspath(destination)
    path = Path(text)
    if path.is_dir() or text.endswith(("/", os.sep)):
        path.mkdir(parents=True, exist_ok=True)
        return path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def filename_from(response: httpx.Response) -> str | None:
    disposition = response.headers.get("content-disposition")
    if not disposition or "filename=" not in disposition:
        return None
    name = disposition.split("filename=", 1)[1].split(";", 1)[0].strip().strip('"')
    return os.path.basename(name) or None  # never let a header choose a directory


async def _chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    """The body in chunks; a broken transfer or a passed deadline raises an APIConnectionError
    (APITimeoutError) that says how much arrived."""
    received = 0
    try:
        async for chunk in response.aiter_bytes():  # as they arrive: re-chunking would copy every byte
            received += len(chunk)
            yield chunk
            left = remaining()
            if left is not None and left <= 0:
                raise APITimeoutError(
                    f"The deadline passed while downloading {redact_url(response.request.url)} "
                    f"({received} bytes received)",
                    request=response.request,
                )
    except httpx.TransportError as exc:
        raise APIConnectionError(
            f"The download from {redact_url(response.request.url)} broke after {received} bytes "
            f"({reason_of(exc)}); download it again",
            request=response.request,
        ) from exc


async def save_response(response: httpx.Response, destination: Destination, default_name: str) -> Download:
    """A path is written through ``<name>.part`` and renamed at the end, so a failed transfer never
    leaves a truncated file under the final name; a directory gets the server's file name."""
    name = filename_from(response) or default_name
    written = 0
    if isinstance(destination, (str, os.PathLike)):
        path = target_path(destination, name)
        partial = path.with_name(path.name + ".part")
        try:
            with partial.open("wb") as out:
                async for chunk in _chunks(response):
                    out.write(chunk)
                    written += len(chunk)
            shutil.move(str(partial), str(path))
        finally:
            partial.unlink(missing_ok=True)
        return Download(path, written, name)
    async for chunk in _chunks(response):
        destination.write(chunk)
        written += len(chunk)
    return Download(None, written, name)
