"""How a length of time reads, everywhere ohctl shows one (the CLI, GitHub comments, reports)."""

from __future__ import annotations


def duration(seconds: float | None) -> str:
    """``42s``, ``3m 07s``, ``2h 05m``; empty for None."""
    if seconds is None:
        return ""
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m {whole % 60:02d}s"
    return f"{whole // 3600}h {whole % 3600 // 60:02d}m"


def short_count(value: float, *, tick: bool = False) -> str:
    """``440``, ``1.2k``, ``10.1M``, ``3.0G`` (``tick``: ``5M``, ``2.5M``, as an axis writes round
    numbers)."""
    for size, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:{'g' if tick else '.1f'}}{unit}"
    return f"{value:g}"
