"""The documentation site as a reader gets it: ``mkdocs build --strict`` builds it (no broken link,
no missing anchor, no page outside the navigation), it needs nothing from the internet (no font,
script, style or image from another host, at build or view time), every public name of ``ohctl``
has its anchor in the API reference, and three pages load cleanly in headless Chromium (Debian's
``chromium``): no console error, no failed request, no 4xx/5xx, no request to another host, the
expected heading and the navigation. Screenshots of the pages are saved in the test's directory and,
when ``OHCTL_DOCS_SCREENSHOTS`` names a folder, copied there.

These tests live apart from tests/unit, which runs on every supported Python: the site is the same on
each, so the test command builds and looks at it once (``pytest tests/docs``)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

import ohctl

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# (path in the site, the page's <h1>, a link the navigation must hold)
PAGES = [
    ("", None, "Getting started"),
    ("cli/", None, "API reference"),
    ("reference/clients/", "Client classes", "Getting started"),
    ("batch-report/", None, "Many tasks"),  # a page of a nav section: the section shows as a group
]

# Where a page or a style sheet makes the browser fetch something (a link <a href> is not a fetch).
_HTML_FETCHES = re.compile(
    r"<(?:script|img|iframe|source|video|audio|embed)\b[^>]*?\bsrc\s*=\s*[\"']?([^\"'\s>]+)"
    r"|<link\b[^>]*?\bhref\s*=\s*[\"']?([^\"'\s>]+)"
    r"|<object\b[^>]*?\bdata\s*=\s*[\"']?([^\"'\s>]+)",
    re.IGNORECASE,
)
_CSS_FETCHES = re.compile(r"@import\s+(?:url\(\s*)?[\"']?([^\"')\s;]+)|url\(\s*[\"']?([^\"')\s]+)", re.IGNORECASE)
_OFF_SITE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


def off_site_fetches(text: str, *, css: bool) -> list[str]:
    """The addresses on another host that a page (or, ``css``, a style sheet) would make the browser
    fetch; ``<style>`` blocks and ``style=`` attributes of a page are read as CSS too."""
    found = [target for match in _CSS_FETCHES.finditer(text) for target in match.groups() if target]
    if not css:
        found += [target for match in _HTML_FETCHES.finditer(text) for target in match.groups() if target]
    return sorted({target for target in found if _OFF_SITE.match(target)})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    built = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert built.returncode == 0, f"mkdocs build --strict failed:\n{built.stdout}\n{built.stderr}"
    return out


def test_the_site_fetches_nothing_from_another_host(site: Path) -> None:
    offending = {
        path.relative_to(site).as_posix(): fetches
        for path in sorted(site.rglob("*"))
        if path.suffix in {".html", ".css"}
        and (fetches := off_site_fetches(path.read_text(encoding="utf-8"), css=path.suffix == ".css"))
    }
    assert offending == {}


def test_the_offline_check_finds_what_it_forbids() -> None:
    page = (
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">'
        "<script src=//cdn.jsdelivr.net/npm/mermaid.js></script>"
        "<img alt=x src='http://example.com/x.png'>"
        '<style>@import "https://unpkg.com/a.css";</style>'
        '<link href="assets/stylesheets/main.css"><script src="../js/app.js"></script>'
        '<a href="https://github.com/OpenHands/OpenHands">a link is not a fetch</a>'
    )
    assert off_site_fetches(page, css=False) == [
        "//cdn.jsdelivr.net/npm/mermaid.js",
        "http://example.com/x.png",
        "https://fonts.googleapis.com/css?family=Roboto",
        "https://unpkg.com/a.css",
    ]
    sheet = (
        "@font-face{src:url(https://fonts.gstatic.com/a.woff2)} .a{background:url('../img/a.png')}"
        " @import url(//x.org/b.css);"
    )
    assert off_site_fetches(sheet, css=True) == ["//x.org/b.css", "https://fonts.gstatic.com/a.woff2"]


def test_every_public_name_has_its_anchor_in_the_reference(site: Path) -> None:
    rendered = "".join(path.read_text(encoding="utf-8") for path in (site / "reference").rglob("*.html"))
    missing = [name for name in ohctl.__all__ if name != "__version__" and f'id="ohctl.{name}"' not in rendered]
    assert missing == []


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Requests are not logged: a failure lists what went wrong itself."""


@pytest.fixture
def served(site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_pages_load_cleanly_in_chromium(served: str, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: bash scripts/setup installs Debian's chromium"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import Request, Response, Route, sync_playwright

    problems: list[str] = []
    keep = Path(os.environ.get("OHCTL_DOCS_SCREENSHOTS") or tmp_path)
    keep.mkdir(parents=True, exist_ok=True)

    def refuse_other_hosts(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1" or route.request.url.startswith("data:"):
            route.continue_()
        else:
            problems.append(f"request to another host: {route.request.url}")
            route.abort()

    def failed(request: Request) -> None:
        problems.append(f"failed request: {request.url} ({request.failure})")

    def status(response: Response) -> None:
        if response.status >= 400:
            problems.append(f"{response.status} for {response.url}")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", refuse_other_hosts)
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.on("requestfailed", failed)
            page.on("response", status)
            for path, heading, nav_link in PAGES:
                page.goto(served + path, wait_until="networkidle")
                h1 = page.locator("article h1").first.inner_text().strip()
                if not h1 or (heading is not None and h1.rstrip("¶").strip() != heading):
                    problems.append(f"/{path}: heading {h1!r}, expected {heading or 'one'}")
                title = page.title()
                if "ohctl" not in title:
                    problems.append(f"/{path}: title {title!r} does not name the site")
                nav = page.locator("nav.md-nav--primary")
                if nav.get_by_text(nav_link, exact=True).count() == 0:
                    problems.append(f"/{path}: the navigation has no {nav_link!r}")
                shot = tmp_path / f"{path.strip('/').replace('/', '-') or 'home'}.png"
                page.screenshot(path=str(shot), full_page=True)
                if keep != tmp_path:
                    shutil.copy(shot, keep / shot.name)
                print(f"screenshot: {keep / shot.name}")
        finally:
            browser.close()
    assert problems == []
