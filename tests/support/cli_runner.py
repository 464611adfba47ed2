"""The command line in-process (click's runner around ``ohctl.cli.main.main``, so exit codes are the
real ones), with a config dir and no keyring of its own: the ``run`` and ``isolated`` fixtures (a
plugin that tests/conftest.py loads; every test of tests/cli is isolated, see its conftest).

Every run is checked by the secret scan: no key, session key, LLM key or secret value a test
registered with ``secret`` appears in stdout, stderr or the debug logs (OHCTL_LOG=debug is on).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

ENV_VARS = (
    "OPENHANDS_API_KEY",
    "OPENHANDS_CLOUD_API_KEY",
    "OH_API_KEY",
    "OPENHANDS_BASE_URL",
    "OPENHANDS_APP_BASE",
    "OHCTL_PROFILE",
    "OHCTL_ORG",
    "OHCTL_LOG",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "GITHUB_API_URL",
    "LLM_MODEL",
    "LLM_API_KEY",
    "LLM_BASE_URL",
    "NO_COLOR",
)

# Values that must never be printed: tests add the keys and secret values they use.
SECRETS: set[str] = set()


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    logs: str

    @property
    def everything(self) -> str:
        return self.stdout + self.stderr + self.logs


Run = Callable[..., Result]
Oh = Callable[..., Result]  # ``run`` against the suite's app server (the ``oh`` fixture of tests/cli)


def secret(value: str) -> str:
    """Register ``value`` for the secret scan and return it."""
    SECRETS.add(value)
    return value


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty config dir, no keyring, and none of the user's OPENHANDS_* / LLM_* variables."""
    config = tmp_path / "config"
    monkeypatch.setenv("OHCTL_CONFIG_DIR", str(config))
    monkeypatch.setenv("OHCTL_KEYRING", "0")
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    return config


@pytest.fixture
def run(caplog: pytest.LogCaptureFixture, isolated: Path) -> Iterator[Run]:
    """``run("auth", "status", input=..., env={...}, tty=False, allow_secret=False)``."""

    def invoke(
        *args: str,
        input: str | None = None,
        env: dict[str, str] | None = None,
        tty: bool = False,
        allow_secret: bool = False,
    ) -> Result:
        from ohctl.cli import inputs
        from ohctl.cli.main import main

        caplog.clear()
        caplog.set_level(logging.DEBUG, logger="ohctl")
        runner = CliRunner()
        code = 0
        wide = {"COLUMNS": "200", "NO_COLOR": "1"} if tty else {}  # a wide terminal: tables do not wrap
        with runner.isolation(input=input, env={"OHCTL_LOG": "debug", **wide, **(env or {})}) as (out, err, _):
            saved = inputs.stdin_is_tty
            if tty:
                inputs.stdin_is_tty = lambda: True  # type: ignore[assignment]
                sys.stdout.isatty = lambda: True  # type: ignore[method-assign]
            try:
                returned = main(list(args))
                code = returned if isinstance(returned, int) else 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            finally:
                inputs.stdin_is_tty = saved  # type: ignore[assignment]
            result = Result(code, out.getvalue().decode(), err.getvalue().decode(), caplog.text)
        logging.getLogger("ohctl").setLevel(logging.NOTSET)
        if not allow_secret:
            leaked = [s for s in SECRETS if s and s in result.everything]
            assert not leaked, f"`ohctl {' '.join(args)}` printed a secret: {result}"
        return result

    yield invoke
