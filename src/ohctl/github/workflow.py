"""What a step of a GitHub Actions job writes: outputs (``GITHUB_OUTPUT``), the job summary
(``GITHUB_STEP_SUMMARY``) and workflow commands (``::error::``) in the log.

Outside Actions (no such variables) outputs and the summary are simply not written."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path

import click


def _escape(text: str) -> str:
    """Workflow-command data escaping (``%``, CR and LF), as GitHub's toolkit does it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def command(name: str, message: str) -> None:
    """``::error::message`` (or warning, notice) on stdout, where the runner picks it up."""
    click.echo(f"::{name}::{_escape(message)}")


def write_outputs(path: str | None, values: Mapping[str, str]) -> None:
    """Append step outputs; each value in a heredoc with a random delimiter, so a value cannot end its
    own block early and set other outputs (a conversation title is text anybody may write)."""
    if not path:
        return
    with Path(path).open("a", encoding="utf-8") as file:
        for name, value in values.items():
            delimiter = f"ghadelimiter_{uuid.uuid4().hex}"
            file.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def append_summary(path: str | None, markdown: str) -> None:
    if not path:
        return
    with Path(path).open("a", encoding="utf-8") as file:
        file.write(markdown.rstrip("\n") + "\n")


def read_outputs(path: str) -> dict[str, str]:
    """The outputs a file holds (both the ``name=value`` and the heredoc forms): for tests and tools."""
    found: dict[str, str] = {}
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)
            found[name] = "\n".join(lines[i + 1 : end])
            i = end + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            found[name] = value
        i += 1
    return found
