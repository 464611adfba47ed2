"""The ``ohctl`` console script and ``python -m ohctl``: checks that the command line's extra is
installed before importing it, so that ``pip install ohctl`` (the SDK alone) followed by ``ohctl``
says what to install in one line instead of a traceback."""

from __future__ import annotations

import sys
from typing import Any

USAGE_EXIT = 2  # the documented exit code of a usage problem (cli.exit_codes.Exit.USAGE)


def main(argv: list[str] | None = None) -> Any:
    from ._extras import absent, install_hint  # standard library only: the check costs nothing

    # keyring is left out: without it keys go to the 0600 file, which the command line handles.
    gone = [name for name in absent("cli") if name != "keyring"]
    if gone:
        missing = ", ".join(gone)
        print(
            f"ohctl: the command line needs the ohctl[cli] extra ({missing} missing): {install_hint('cli')}",
            file=sys.stderr,
        )
        return USAGE_EXIT
    from .cli.main import main as cli_main

    return cli_main(argv)
