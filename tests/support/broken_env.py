"""Server environments broken the way upstream releases broke them, made cheaply for the tests: the real
app-server environment hard-linked (no copy of 1 GB) into another cache, with one file replaced."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ohctl.local import APP_SERVER
from ohctl.local.install import venv_dir

REFUSAL = "Fernet key must be 32 url-safe base64-encoded bytes."
ANCHOR = "        try:\n            key = base64.urlsafe_b64decode(key)\n"


def linked_copy(cache: Path) -> Path:
    """The real app-server environment, hard-linked into ``cache``. Replace a file with
    ``replace_file``, never by writing it in place: the real environment shares its inode."""
    real = venv_dir(*APP_SERVER)
    target = cache / real.name
    cache.mkdir(parents=True, exist_ok=True)
    if subprocess.run(["cp", "-al", str(real), str(target)], capture_output=True).returncode != 0:
        shutil.rmtree(target, ignore_errors=True)  # another filesystem: copy instead
        shutil.copytree(real, target, symlinks=True)
    return target


def replace_file(path: Path, text: str) -> None:
    path.unlink()
    path.write_text(text)


def refuse_fernet_keys(env: Path, when: str) -> None:
    """Make cryptography's Fernet refuse its key, as cryptography 51 refuses the agent server's
    standard-alphabet keys, whenever the Python expression ``when`` (over ``key`` and ``sys``) holds."""
    fernet = next(env.glob("lib/python3*/site-packages/cryptography/fernet.py"))
    text = fernet.read_text()
    assert ANCHOR in text, "cryptography's Fernet changed: update tests/support/broken_env.py"
    check = f"        import sys\n        if {when}:\n            raise ValueError({REFUSAL!r})\n"
    replace_file(fernet, text.replace(ANCHOR, check + ANCHOR, 1))
