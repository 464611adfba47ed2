"""Reports that a person opens in a browser: one self-contained HTML page (inline CSS and SVG, no
network at view time), its charts drawn by matplotlib as static SVG.

``charts`` turns plain data into SVG strings, ``page`` lays a headline, charts and a table out as one
page, and ``batch`` reads a batch ledger into a ``BatchReport`` (HTML, JSON and CSV from the same
data). matplotlib (the ``[report]`` extra) and jinja2 are imported only when a page is drawn.
"""

from __future__ import annotations
