"""The exception tree's module lists exactly the public exceptions, and the errors that quote a body
use the one placeholder."""

from __future__ import annotations

import inspect

import ohctl
from ohctl import _errors


def test_errors_all_lists_exactly_the_public_exceptions() -> None:
    classes = {
        name
        for name, value in vars(_errors).items()
        if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == _errors.__name__
    }
    public = {name for name, (module, _) in ohctl._LAZY.items() if module == "._errors"}
    assert set(_errors.__all__) == classes == public
    assert len(_errors.__all__) == len(set(_errors.__all__))
