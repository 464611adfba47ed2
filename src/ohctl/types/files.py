"""What a download wrote (the same class for the sync and async clients)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Download:
    """Where a download went and how many bytes it wrote."""

    path: Path | None
    bytes_written: int
    filename: str | None
