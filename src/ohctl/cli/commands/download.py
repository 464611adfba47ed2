"""``ohctl download``: the conversation's trajectory zip, streamed to disk (a progress bar on a terminal)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from ..context import state
from ..output import Output, with_output
from ..params import CONVERSATION


class Counting:
    """A binary file that tells ``on_write`` how many bytes went through."""

    def __init__(self, handle: Any, on_write: Any) -> None:
        self._handle = handle
        self._on_write = on_write
        self.written = 0

    def write(self, data: bytes) -> int:
        count: int = self._handle.write(data)
        self.written += len(data)
        self._on_write(self.written)
        return count


def _progress(enabled: bool) -> tuple[Any, Any]:
    """A rich progress bar on stderr (rich is imported only here), or nothing."""
    if not enabled:
        return None, lambda _n: None
    from rich.console import Console
    from rich.progress import DownloadColumn, Progress, SpinnerColumn, TextColumn, TransferSpeedColumn

    bar = Progress(
        SpinnerColumn(),
        TextColumn("downloading"),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=Console(stderr=True, no_color="NO_COLOR" in os.environ or state().no_color),
        transient=True,
    )
    task = bar.add_task("download", total=None)
    return bar, lambda n: bar.update(task, completed=n)


@click.command("download")
@click.argument("conversation", type=CONVERSATION)
@click.option("-o", "--output", "output", metavar="PATH", help="File or directory (default: the current directory).")
@with_output
def download(conversation: str, output: str | None, out: Output) -> None:
    """Download the conversation's trajectory (a zip of its events; with --legacy, V0's JSON)."""
    from . import legacy

    if legacy.active():
        return legacy.download(conversation, output, out=out)
    client = state().client()
    target = Path(output or ".")
    into_dir = target.is_dir() or (output or "").endswith(("/", os.sep))
    folder = target if into_dir else target.parent
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".ohctl-{conversation}.zip.part"
    bar, advance = _progress(sys.stderr.isatty())
    try:
        with partial.open("wb") as handle:
            counting = Counting(handle, advance)
            if bar is not None:
                bar.start()
            try:
                result = client.conversations.download(conversation, counting)  # type: ignore[arg-type]
            finally:
                if bar is not None:
                    bar.stop()
        final = folder / (result.filename or f"conversation_{conversation}.zip") if into_dir else target
        partial.replace(final)
    finally:
        partial.unlink(missing_ok=True)
    info = {"path": str(final), "bytes": result.bytes_written, "conversation_id": conversation}
    out.emit(info, human=lambda i: click.echo(f"{i['path']} ({i['bytes']:,} bytes)"))
