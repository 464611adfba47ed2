# Generated from ohctl/_async by scripts/gen_sync.py: do not edit; edit the async source.
"""V0 workspace files and the trajectory. File routes need a live runtime (a STOPPED conversation
answers 404: ``start()`` it); all conversations of a V0 server share one workspace."""

from __future__ import annotations

import builtins
import json
import os
from pathlib import Path
from typing import IO, Any

from ..._config import LONG_TIMEOUT
from ..._errors import APIConnectionError, APIStatusError, UnexpectedResponseError
from ..._legacy_errors import LegacyUnavailableError
from ..._routes import route
from ...types.files import Download
from .._download import save_response
from ._base import LegacyResource
from .runtime import trajectory_from_runtime


class LegacyFiles(LegacyResource):
    def list(self, conversation_id: str, path: str | None = None) -> builtins.list[str]:
        """Paths in the workspace (under ``path``, relative to the workspace root); directories end in ``/``."""
        return self._http.request(
            "GET",
            route("/api/conversations/{conversation_id}/list-files", conversation_id=conversation_id),
            params={"path": path},
            parse=_paths,
        )

    def read(self, conversation_id: str, file: str) -> str:
        """A text file's content (``select-file``; a binary file answers 415)."""
        return self._http.request(
            "GET",
            route("/api/conversations/{conversation_id}/select-file", conversation_id=conversation_id),
            params={"file": file},
            parse=_code,
        )

    def download_workspace(self, conversation_id: str, destination: str | os.PathLike[str] | IO[bytes]) -> Download:
        """Stream the workspace as a zip to a path (a directory gets ``workspace.zip``) or a binary file."""
        with self._http.stream(
            "GET",
            route("/api/conversations/{conversation_id}/zip-directory", conversation_id=conversation_id),
            timeout=LONG_TIMEOUT,
        ) as response:
            return save_response(response, destination, "workspace.zip")

    def trajectory(self, conversation_id: str, *, fallback: bool = True) -> builtins.list[dict[str, Any]]:
        """The conversation's trajectory (every event as a dict). When the server's ``trajectory``
        route fails (a 5xx such as 500 ``{"trajectory": null, "error"}``, or a 404), the fallbacks
        V0 scripts used: the conversation's runtime directly (its ``url`` and ``session_api_key``,
        when it runs apart from the app host), then the events page by page. ``fallback=False``
        raises instead."""
        try:
            items = self._http.request(
                "GET",
                route("/api/conversations/{conversation_id}/trajectory", conversation_id=conversation_id),
                retry_server_errors=False,
                parse=_trajectory,
            )
            if items is not None:
                return items
        except LegacyUnavailableError:
            raise  # no V0 here at all: nothing to fall back on
        except APIStatusError as exc:
            if not fallback or (exc.status_code < 500 and exc.status_code != 404):
                raise
        if not fallback:
            raise UnexpectedResponseError(f"the trajectory of {conversation_id} came without a 'trajectory' list")
        try:
            conversation = self._client.conversations.get(conversation_id)  # the runtime's url
            from_runtime = trajectory_from_runtime(self._http, conversation, _trajectory)
        except (APIStatusError, APIConnectionError, UnexpectedResponseError):
            from_runtime = None  # the runtime is gone or failing too: the events remain
        if from_runtime is not None:
            return from_runtime
        return [event.to_dict() for event in self._client.events.iterate(conversation_id)]

    def save_trajectory(self, conversation_id: str, destination: str | os.PathLike[str]) -> Path:
        """Write the trajectory as JSON (``{"trajectory": [...]}``, what V0's route served) and return
        the path (a directory gets ``trajectory_<id>.json``)."""
        items = self.trajectory(conversation_id)
        path = Path(destination)
        if path.is_dir() or str(destination).endswith(("/", os.sep)):
            path.mkdir(parents=True, exist_ok=True)
            path = path / f"trajectory_{conversation_id}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        partial.write_text(json.dumps({"trajectory": items}, indent=1))
        os.replace(partial, path)
        return path


def _paths(data: Any) -> builtins.list[str]:
    if not isinstance(data, builtins.list):
        raise TypeError(f"list-files answered {type(data).__name__}, not a list of paths")
    return [str(item) for item in data]


def _code(data: Any) -> str:
    code = data.get("code") if isinstance(data, dict) else None
    if not isinstance(code, str):
        raise TypeError("select-file answered without a 'code' text")
    return code


def _trajectory(data: Any) -> builtins.list[dict[str, Any]] | None:
    """The events of ``{"trajectory": [...]}``; None for ``{"trajectory": null, ...}`` (the route failed)."""
    items = data.get("trajectory") if isinstance(data, dict) else None
    if items is None:
        return None
    if not isinstance(items, builtins.list):
        raise TypeError(f"trajectory is a {type(items).__name__}, not a list")
    return [dict(item) for item in items if isinstance(item, dict)]
