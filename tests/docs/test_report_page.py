"""The batch report of a 1,000-task ledger (bench/report_ledger.py: the schedule of bench/batch.py with
real batches' spread of durations, costs and outcomes, a few titles holding ``<script>``) opened in
headless Chromium: see tests/support/report_browser.py for what is checked. Screenshots go to
``OHCTL_REPORT_SCREENSHOTS`` when set (else the test's directory); their paths are printed."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

from ohctl.batch import save_report
from tests.support.report_browser import check_report, need_chromium

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
make_ledger: Any = importlib.import_module("report_ledger").make_ledger


def test_a_thousand_task_report_in_chromium(tmp_path: Path) -> None:
    need_chromium()
    ledger = make_ledger(tmp_path / "batch.db", 1000)
    page = tmp_path / "report.html"
    save_report(ledger, page)
    assert page.stat().st_size < 2_000_000
    assert check_report(page, ledger, tmp_path, name="batch-1000") == []
