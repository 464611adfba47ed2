# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""Files in the sandbox: upload, download, archives, directories (query-parameter routes only)."""

from __future__ import annotations

import io
import os
import shlex
from pathlib import Path, PurePosixPath
from typing import IO, Any, Literal

from ..._config import LONG_TIMEOUT
from ..._errors import InvalidArgumentError, NotFoundError, OhctlError
from ..._ids import ConversationRef
from ..._parse import flag, obj
from ..._routes import route
from ...types.agent import UploadResult
from ...types.common import OhModel
from ...types.files import Download
from .._download import Destination, save_response
from .._pagination import Pager
from ._base import AgentResource

Source = str | os.PathLike[str] | bytes | IO[bytes]


def remote_path(path: str) -> str:
    """The agent server takes absolute POSIX paths only (``?path=rel`` gives 400)."""
    if not isinstance(path, str) or not PurePosixPath(path).is_absolute():
        raise InvalidArgumentError(f"Sandbox paths must be absolute, like /workspace/project/file.txt, not {path!r}")
    return path


def _upload_result(data: Any) -> UploadResult:
    """1.58 answers ``{"success": true, "file_size": n}``; older servers a bare boolean or nothing."""
    if isinstance(data, dict):
        return UploadResult.model_validate(data)
    return UploadResult(success=bool(data) if isinstance(data, bool) else True)


def _home(data: Any) -> OhModel:
    return OhModel.model_validate(obj(data))


class Files(AgentResource):
    def upload(self, source: Source, path: str) -> UploadResult:
        """Upload to the absolute sandbox ``path`` from a local path, bytes or a binary file object;
        streamed in 64 KiB parts, so memory stays flat for any size. Parent directories are created
        by the server. Not retried once sent: a stream cannot be replayed."""
        target = remote_path(path)
        name = PurePosixPath(target).name
        if isinstance(source, (str, os.PathLike)):
            with Path(source).open("rb") as handle:
                return self._send(handle, target, name)
        if isinstance(source, (bytes, bytearray, memoryview)):
            return self._send(io.BytesIO(bytes(source)), target, name)
        return self._send(source, target, name)

    def _send(self, handle: IO[bytes], target: str, name: str) -> UploadResult:
        return self._http.request(
            "POST",
            "/api/file/upload",
            params={"path": target},
            files={"file": (name, handle, "application/octet-stream")},
            idempotent=False,
            timeout=LONG_TIMEOUT,
            parse=_upload_result,
        )

    def download(self, path: str, destination: Destination) -> Download:
        """Stream the sandbox file ``path`` to a local path (a directory keeps the file name) or a
        binary file object, in constant memory; a failed transfer leaves no partial file."""
        target = remote_path(path)
        with self._http.stream("GET", "/api/file/download", params={"path": target}, timeout=LONG_TIMEOUT) as r:
            return save_response(r, destination, PurePosixPath(target).name)

    def read_bytes(self, path: str) -> bytes:
        """A small file's content (use ``download`` for large files)."""
        buffer = io.BytesIO()
        self.download(path, buffer)
        return buffer.getvalue()

    def read_text(self, path: str, encoding: str = "utf-8") -> str:
        return (self.read_bytes(path)).decode(encoding)

    def archive(
        self,
        path: str,
        destination: Destination,
        *,
        format: Literal["tar.gz", "git-delta"] = "tar.gz",
        base_ref: str | None = None,
        use_default_excludes: bool = True,
        exclude: list[str] | None = None,
    ) -> Download:
        """A directory as a tar.gz (or, with ``format="git-delta"``, its changes as a patch), streamed
        to ``destination``. Unpack a tar.gz with ``ohctl.safe_extract``."""
        params: dict[str, Any] = {
            "path": remote_path(path),
            "format": format,
            "base_ref": base_ref,
            "use_default_excludes": use_default_excludes,
            "exclude": exclude,
        }
        default = PurePosixPath(path).name or "archive"
        default += ".tar.gz" if format == "tar.gz" else ".patch"
        with self._http.stream("GET", "/api/file/archive", params=params, timeout=LONG_TIMEOUT) as response:
            return save_response(response, destination, default)

    def create_directory(self, path: str) -> bool:
        """Create a directory and its parents. Agent servers before 1.35 lack the route: there it
        runs ``mkdir -p`` through bash instead."""
        target = remote_path(path)
        try:
            return self._http.request(
                "POST",
                "/api/file/create_directory",
                params={"path": target},
                idempotent=True,
                parse=flag("success", default=True),
            )
        except NotFoundError:
            result = self._agent.bash.execute(f"mkdir -p -- {shlex.quote(target)}", timeout=60)
            if not result.ok:
                raise OhctlError(f"Could not create {target}: {result.stderr or result.stdout}".strip()) from None
            return True

    def home(self) -> OhModel:
        """The sandbox user's home directory and suggested locations."""
        return self._http.request("GET", "/api/file/home", parse=_home)

    def subdirectories(
        self, path: str, *, include_hidden: bool = False, page_size: int | None = None
    ) -> Pager[OhModel]:
        """The directories under ``path``, lazily paged."""
        params = {"path": remote_path(path), "include_hidden": include_hidden}
        return Pager(self._http, "/api/file/search_subdirs", params, _home, page_size=page_size)

    def download_trajectory(self, destination: Destination, conversation: ConversationRef | None = None) -> Download:
        """The conversation's raw persistence directory as a zip (``base_state.json`` and
        ``events/event-NNNNN-<id>.json``), streamed to ``destination``."""
        cid = self._conversation(conversation)
        path = route("/api/file/download-trajectory/{conversation_id}", conversation_id=cid)
        with self._http.stream("GET", path, timeout=LONG_TIMEOUT) as response:
            return save_response(response, destination, f"trajectory_{cid}.zip")
