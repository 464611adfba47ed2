"""Importing a package that comes with an ohctl extra: ``require`` returns the module, or raises
MissingExtraError, whose message (``_extras.message``) names the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from ._errors import OhctlError
from ._extras import message


class MissingExtraError(OhctlError, ImportError):
    """A package of an ohctl extra is not installed; the message says which extra to install.
    ``module`` is the missing module, ``extra`` the extra that provides it."""

    def __init__(self, text: str, *, module: str, extra: str) -> None:
        super().__init__(text)
        self.name = module  # as ImportError.name: the module that could not be imported
        self.module = module
        self.extra = extra


def missing(module: str, *, extra: str, purpose: str | None = None) -> MissingExtraError:
    """The error for ``module`` (from ``extra``) not installed; ``purpose`` says what needed it."""
    return MissingExtraError(message(module, extra=extra, purpose=purpose), module=module, extra=extra)


def require(module: str, *, extra: str, purpose: str | None = None) -> ModuleType:
    """Import ``module`` (provided by ``extra``), or raise MissingExtraError naming the extra."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        # Only the module itself (or a package above it) missing is the extra's absence: one that is
        # installed but fails inside is a real error, and propagates unchanged.
        if exc.name is not None and (module == exc.name or module.startswith(exc.name + ".")):
            raise missing(module, extra=extra, purpose=purpose) from exc
        raise


__all__ = ["MissingExtraError", "missing", "require"]
