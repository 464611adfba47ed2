"""The documentation's command lines against the real command tree.

The generated reference pages (``docs/cli/reference/``, ``scripts/gen_cli_docs.py``) must be current;
and every ``ohctl`` command line of a shell block (```bash, ```sh, ```shell, ```console) in README.md,
CONTRIBUTING.md and the ``docs/`` pages must name only commands and options that exist, where click
accepts them: the root group's options (``--profile``, ``--org``...) before the command, a command's
options after it. Arguments (``ID``, ``<...>``, ``"$ID"``) are not checked.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import click
import pytest

from tests.support.readme_blocks import blocks, name, pages

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "gen_cli_docs.py"
SHELLS = {"bash", "sh", "shell", "console"}
_HEREDOC = re.compile(r"<<-?\s*(['\"]?)(\w+)\1")
_REDIRECT = re.compile(r"^\d*(>>?|<<?<?|>&|<&|&>>?)(.*)$")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_WRAPPERS = {"time", "exec", "nohup", "env", "sudo", "command", "uvx", "xargs", "!"}
_COMMAND_NAME = re.compile(r"[a-z][a-z0-9_-]*")
SUBSTITUTION = "SUBSTITUTION"  # what a $(...) of a line stands for once its command is taken out


@pytest.fixture(scope="module")
def gen_cli_docs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_cli_docs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_cli_docs"] = module
    spec.loader.exec_module(module)
    return module


def test_the_generated_reference_is_current(gen_cli_docs: ModuleType) -> None:
    expected = gen_cli_docs.render()
    stale = [p.relative_to(ROOT).as_posix() for p in gen_cli_docs.stale(expected)]
    assert not stale, f"stale: {stale}; run: python scripts/gen_cli_docs.py"
    pages = {p.name for p in expected if p.parent == gen_cli_docs.REFERENCE}
    assert {"index.md", "run.md", "settings.md"} <= pages  # one page per top-level command, and the index


def test_check_mode_names_a_stale_page_and_writes_nothing(
    gen_cli_docs: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    reference = tmp_path / "reference"
    reference.mkdir()
    mkdocs = tmp_path / "mkdocs.yml"
    mkdocs.write_text("nav:\n  - A:\n      # cli-reference-start\n      # cli-reference-end\n")
    monkeypatch.setattr(gen_cli_docs, "REFERENCE", reference)
    monkeypatch.setattr(gen_cli_docs, "MKDOCS", mkdocs)
    monkeypatch.setattr(gen_cli_docs, "ROOT", tmp_path)
    assert gen_cli_docs.main([]) == 0
    assert gen_cli_docs.main(["--check"]) == 0
    assert "      - ohctl run: cli/reference/run.md\n" in mkdocs.read_text()
    (reference / "run.md").write_text("old\n")
    (reference / "gone.md").write_text("a command that no longer exists\n")
    assert gen_cli_docs.main(["--check"]) == 1
    assert "reference/gone.md, reference/run.md" in capsys.readouterr().err
    assert (reference / "run.md").read_text() == "old\n"
    assert gen_cli_docs.main([]) == 0
    assert not (reference / "gone.md").exists()
    assert "Usage: ohctl run [OPTIONS]" in (reference / "run.md").read_text()


# --- shell blocks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    page: str
    line: int
    text: str
    message: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.text!r}: {self.message}"


def shell_lines(text: str) -> Iterator[tuple[int, str]]:
    """Each command line of the page's shell blocks with its line number: continuation lines joined, a
    console block's output and heredoc bodies left out, a ``$ `` prompt removed."""
    for block in blocks(text):
        if block.language in SHELLS:
            yield from commands_of(block.code.splitlines(), block.first_line, console=block.language == "console")


def commands_of(body: list[str], first: int, *, console: bool) -> Iterator[tuple[int, str]]:
    index = 0
    while index < len(body):
        number, line = first + index, body[index]
        index += 1
        if line.startswith("$ "):
            line = line[2:]
        elif console:
            continue  # output
        while (line.endswith("\\") or not balanced(line)) and index < len(body):
            line = (line[:-1] if line.endswith("\\") else line + "\n") + body[index].removeprefix("> ")
            index += 1
        heredoc = _HEREDOC.search(line)
        if heredoc:
            while index < len(body) and body[index].strip() != heredoc.group(2):
                index += 1
            index += 1
        yield number, line


def balanced(line: str) -> bool:
    try:
        shlex.split(strip_comment(line))
    except ValueError:
        return False
    return True


def strip_comment(line: str) -> str:
    quote = None
    for at, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (at == 0 or line[at - 1].isspace()):
            return line[:at]
    return line


def segments(line: str) -> list[str]:
    """A command line cut into simple commands: at ``|``, ``||``, ``&&``, ``;`` and ``&``, with every
    ``$(...)`` and backquoted command a command of its own (replaced by a word in the outer one)."""
    out: list[str] = []
    current: list[str] = []
    quote = None
    at = 0
    while at < len(line):
        char = line[at]
        if quote == "'":
            quote = None if char == "'" else quote
        elif char == "\\":
            current.append(line[at : at + 2])
            at += 2
            continue
        elif line.startswith("$(", at) or (char == "`" and quote is None):
            closing = "`" if char == "`" else ")"
            start = at + (1 if char == "`" else 2)
            depth, end = 1, start
            while end < len(line) and depth:
                depth += (line[end] == "(") - (line[end] == ")") if closing == ")" else -(line[end] == "`")
                end += 1
            out.extend(segments(line[start : end - 1]))
            current.append(SUBSTITUTION)
            at = end
            continue
        elif quote == '"':
            quote = None if char == '"' else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (not current or current[-1].isspace()):
            break
        elif char in "|;&" and not (char == "&" and (line[at - 1 : at] in ("<", ">") or line[at + 1 : at + 2] == ">")):
            out.append("".join(current))
            current = []
            while at + 1 < len(line) and line[at + 1] in "|&":
                at += 1
            at += 1
            continue
        current.append(char)
        at += 1
    out.append("".join(current))
    return [s for s in out if s.strip()]


def words_of(segment: str) -> list[str]:
    """A simple command's words, redirections (``> out``, ``2>&1``, ``<<'EOF'``) left out."""
    words: list[str] = []
    skip = False
    for word in shlex.split(segment):
        redirect = _REDIRECT.match(word)
        if skip:
            skip = False
        elif redirect:
            skip = not redirect.group(2)
        else:
            words.append(word)
    return words


def ohctl_arguments(words: list[str]) -> list[str] | None:
    """The arguments of ``ohctl`` when the simple command runs it (also as ``python -m ohctl``,
    ``uv run ohctl``, after ``VAR=value`` or ``time``), else None (``pip install ohctl`` does not)."""
    at = 0
    while at < len(words) and (_ASSIGNMENT.match(words[at]) or words[at] in _WRAPPERS):
        at += 1
    rest = words[at:]
    if rest and rest[0].rsplit("/", 1)[-1] == "ohctl":
        return rest[1:]
    if len(rest) >= 3 and rest[0].rsplit("/", 1)[-1].startswith("python") and rest[1:3] == ["-m", "ohctl"]:
        return rest[3:]
    if len(rest) >= 3 and rest[0] in ("uv", "pipx") and rest[1] == "run" and rest[2] == "ohctl":
        return rest[3:]
    return None


def root_context() -> click.Context:
    from ohctl.cli.main import cli

    return click.Context(cli, info_name="ohctl", **cli.context_settings)


def find_option(ctx: click.Context, name: str) -> click.Option | None:
    for param in ctx.command.get_params(ctx):
        if isinstance(param, click.Option) and name in (*param.opts, *param.secondary_opts):
            return param
    return None


def takes_value(option: click.Option, following: str | None) -> int:
    """How many of the next words the option takes as its value(s)."""
    if option.is_flag or option.count:
        return 0
    if option._flag_needs_value and (following is None or following.startswith("-")):
        return 0  # an option whose value is optional, given without one (--json, --sandbox)
    return max(option.nargs, 1)


def check_invocation(arguments: list[str], ctx: click.Context | None = None) -> str | None:
    """What is wrong with ``ohctl ARGUMENTS`` (a command or option that does not exist where it is),
    or None. Option values and arguments are not checked; a placeholder where a command name goes
    ends the check."""
    ctx = ctx or root_context()
    at = 0
    while at < len(arguments):
        word = arguments[at]
        at += 1
        following = arguments[at] if at < len(arguments) else None
        if word == "--":
            return None  # the rest are arguments
        if word.startswith("--"):
            name, equals, _ = word.partition("=")
            option = find_option(ctx, name)
            if option is None:
                return f"`{ctx.command_path}` has no option {name}"
            at += 0 if equals else takes_value(option, following)
        elif word.startswith("-") and len(word) > 1 and not re.fullmatch(r"-\d[\d.]*", word):
            for offset, letter in enumerate(word[1:], start=2):
                option = find_option(ctx, f"-{letter}")
                if option is None:
                    return f"`{ctx.command_path}` has no option -{letter}"
                needed = takes_value(option, following)
                if needed:
                    at += needed - (1 if offset < len(word) else 0)  # -L5: the value is in the word
                    break
        elif isinstance(ctx.command, click.Group):
            if not _COMMAND_NAME.fullmatch(word):
                return None  # a placeholder (COMMAND, <command>, $NAME...): nothing more to check
            sub = ctx.command.get_command(ctx, word)
            if sub is None:
                return f"`{ctx.command_path}` has no command {word!r}"
            ctx = click.Context(sub, info_name=word, parent=ctx, **sub.context_settings)
    return None


def problems(text: str, page: str) -> tuple[list[Problem], int]:
    """The page's wrong ``ohctl`` command lines, and how many it has."""
    found: list[Problem] = []
    checked = 0
    for number, line in shell_lines(text):
        try:
            invocations = [a for s in segments(line) if (a := ohctl_arguments(words_of(s))) is not None]
        except ValueError as exc:
            if "ohctl" in line:
                found.append(Problem(page, number, line, f"cannot parse it: {exc}"))
            continue
        for arguments in invocations:
            checked += 1
            message = check_invocation(arguments)
            if message:
                found.append(Problem(page, number, line, message))
    return found, checked


def test_every_documented_command_line_names_real_commands_and_options() -> None:
    found: list[Problem] = []
    checked = 0
    for path in pages():
        page_problems, page_checked = problems(path.read_text(encoding="utf-8"), name(path))
        found += page_problems
        checked += page_checked
    assert not found, "\n".join(str(p) for p in found)
    assert checked > 50  # the README alone has more: a parser that finds none would pass anything


PAGE = """\
# A page

Some text with `ohctl frobnicate` inline (not a shell block: not checked).

```bash
ohctl list --no-such-option
ohctl frobnicate            # a command that does not exist
ohctl --org ORG list --json id,title | jq .   # fine
ohctl list --profile work   # a root option after the command: click refuses it
```
"""


def test_a_made_up_option_or_command_is_reported_with_its_page_and_line() -> None:
    found, checked = problems(PAGE, "docs/page.md")
    assert checked == 4
    assert [str(p) for p in found] == [
        "docs/page.md:6: 'ohctl list --no-such-option': `ohctl list` has no option --no-such-option",
        "docs/page.md:7: 'ohctl frobnicate            # a command that does not exist': "
        "`ohctl` has no command 'frobnicate'",
        "docs/page.md:9: 'ohctl list --profile work   # a root option after the command: click refuses it': "
        "`ohctl list` has no option --profile",
    ]


def test_what_click_would_accept_is_accepted() -> None:
    from ohctl.cli.main import cli

    lines = [
        'ID=$(ohctl run --wait --timeout 1800 "Bump it")  # a substitution is a command of its own',
        'curl -H "Authorization: Bearer $(ohctl auth token)" https://example.com',
        "ohctl exec ID -- pytest -q --no-such-pytest-option   # after --: arguments",
        "ohctl local logs --sandbox [ID] -n5 -f && ohctl local logs --sandbox -f",
        "ohctl run --repo octo/app --comment octo/app#7 --follow 'a # is not a comment here'",
        "ohctl batch results x.db --json > results.jsonl 2>&1; ohctl settings profiles show NAME --json=name",
        "OHCTL_PROFILE=work python -m ohctl list -L 5 | head",
        "ohctl COMMAND --help && ohctl <command> --help   # placeholders",
        "pip install ohctl --upgrade   # not a call of ohctl",
    ]
    page = "```bash\n" + "\n".join(lines) + "\nohctl run \\\n  --no-such-option x\n```\n"
    page += "```console\n$ ohctl list\nID  TITLE --not-an-option\n```\n"
    found, checked = problems(page, "p.md")
    assert [str(p) for p in found] == [
        "p.md:11: 'ohctl run   --no-such-option x': `ohctl run` has no option --no-such-option"
    ]
    assert checked == 13
    # click agrees on the lines without placeholders: it parses each one into a context without error
    for arguments in (["list", "-L", "5"], ["local", "logs", "--sandbox", "-n5", "-f"], ["--org", "O", "list"]):
        ctx = cli.make_context("ohctl", list(arguments))
        while isinstance(ctx.command, click.Group) and ctx._protected_args:
            name, *rest = [*ctx._protected_args, *ctx.args]
            sub = ctx.command.get_command(ctx, name)
            assert sub is not None
            ctx = sub.make_context(name, rest, parent=ctx)
        assert check_invocation(list(arguments)) is None
