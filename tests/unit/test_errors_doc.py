"""The documentation's error tree and batch limits say what the package does.

- Every ``OhctlError`` subclass defined anywhere in ``ohctl`` is exported from ``ohctl``.
- Every exported error class is in the "Errors" section (docs/sdk/errors.md), nested under its real parent
  (a class with two error parents may sit under either), and the section names no other class.
- The batch limits the documentation states (README.md and every page) are the ``MAX_*`` constants of
  ``ohctl._ids``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import ohctl
from ohctl import _ids
from tests.support.readme_blocks import pages, section


def _all_modules() -> list[str]:
    names = ["ohctl"]
    for info in pkgutil.walk_packages(ohctl.__path__, prefix="ohctl."):
        names.append(info.name)
    return names


def _defined_error_classes() -> dict[str, type[ohctl.OhctlError]]:
    found: dict[str, type[ohctl.OhctlError]] = {}
    for name in _all_modules():
        module = importlib.import_module(name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, ohctl.OhctlError) and obj.__module__.startswith("ohctl"):
                found[obj.__qualname__] = obj
    return found


def _exported_error_classes() -> dict[str, type[ohctl.OhctlError]]:
    out: dict[str, type[ohctl.OhctlError]] = {}
    for name in ohctl.__all__:
        obj = getattr(ohctl, name)
        if inspect.isclass(obj) and issubclass(obj, ohctl.OhctlError):
            out[name] = obj
    return out


def _readme_tree() -> dict[str, str | None]:
    """class name -> the class it is nested under in the Errors list (docs/sdk/errors.md) (None at the top)."""
    body = section("Errors")
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in body.splitlines():
        item = re.match(r"^( *)- `(\w+)`", line)
        if not item:
            continue
        indent, name = len(item.group(1)), item.group(2)
        assert name not in parents, f"the Errors list names {name} twice"
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parents[name] = stack[-1][1] if stack else None
        stack.append((indent, name))
    return parents


def test_every_error_class_is_exported() -> None:
    defined = _defined_error_classes()
    assert "OhctlError" in defined and len(defined) > 20  # the walk found the tree
    exported = _exported_error_classes()
    missing = sorted(set(defined) - set(exported))
    assert not missing, f"OhctlError subclasses not exported from ohctl (add them to ohctl.__all__): {missing}"
    for name, cls in exported.items():
        assert defined[name] is cls


def test_readme_lists_every_exported_error() -> None:
    tree = _readme_tree()
    exported = _exported_error_classes()
    missing = sorted(set(exported) - set(tree))
    assert not missing, f"the Errors section (docs/sdk/errors.md) does not mention: {missing}"
    unknown = sorted(set(tree) - set(_defined_error_classes()))
    assert not unknown, f"the Errors section (docs/sdk/errors.md) names classes ohctl does not define: {unknown}"


def test_readme_error_tree_matches_the_classes() -> None:
    tree = _readme_tree()
    classes = _defined_error_classes()
    assert tree["OhctlError"] is None
    wrong = []
    for name, parent in tree.items():
        if name == "OhctlError":
            continue
        cls = classes[name]
        error_parents = {b.__name__ for b in cls.__bases__ if issubclass(b, ohctl.OhctlError)}
        if parent not in error_parents:
            wrong.append(f"{name} is under {parent} in docs/sdk/errors.md; its error bases are {sorted(error_parents)}")
    assert not wrong, "\n".join(wrong)


def test_readme_states_the_other_bases() -> None:
    """Classes that are also a built-in exception (or a second ohctl error) say so: ``(also a `X`)``."""
    body = section("Errors")
    for name, cls in _defined_error_classes().items():
        others = [b.__name__ for b in cls.__bases__[1:]]
        line = next(ln for ln in body.splitlines() if re.match(rf"^ *- `{name}`", ln))
        for other in others:
            assert f"(also a `{other}`)" in line, (
                f"docs/sdk/errors.md should say {name} is also a {other}: {line.strip()}"
            )


def test_readme_batch_limits_are_the_constants() -> None:
    # Every page as one line: sentences may wrap, and a statement may live on any page.
    text = " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in pages())
    stated = re.search(
        r"(\d+) ids per call for conversations; (\d+) per call for start tasks, sandboxes and events", text
    )
    assert stated, "no page states the batch limits any more"
    assert int(stated.group(1)) == _ids.MAX_CONVERSATION_IDS == 99
    assert int(stated.group(2)) == _ids.MAX_START_TASK_IDS == _ids.MAX_SANDBOX_IDS == _ids.MAX_EVENT_IDS == 100

    intro = re.search(r"\((\d+) conversation ids per call, (\d+) start-task, sandbox or event ids\)", text)
    assert intro, "the feature list (docs/index.md) no longer states the batch limits"
    assert int(intro.group(1)) == _ids.MAX_CONVERSATION_IDS
    assert int(intro.group(2)) == _ids.MAX_START_TASK_IDS == _ids.MAX_SANDBOX_IDS == _ids.MAX_EVENT_IDS

    per_batch = re.search(r"wait_many\(ids\)` watches many conversations with one batch call per (\d+)", text)
    assert per_batch and int(per_batch.group(1)) == _ids.MAX_CONVERSATION_IDS

    # Any other "N ids" statement must be one of the limits, so a stale number cannot hide elsewhere.
    limits = {_ids.MAX_CONVERSATION_IDS, _ids.MAX_START_TASK_IDS, _ids.MAX_SANDBOX_IDS, _ids.MAX_EVENT_IDS}
    for number in re.findall(r"(\d+) (?:[\w-]+ )?ids\b", text):
        assert int(number) in limits, f"the documentation states a batch size of {number}, which is no MAX_* limit"
