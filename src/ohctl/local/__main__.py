"""``python -m ohctl.local install [app] [agent]``: install the pinned servers (CI and setup use it)."""

import sys

from .install import main

if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or args[0] != "install":
        sys.exit("usage: python -m ohctl.local install [app] [agent]")
    main(args[1:])
