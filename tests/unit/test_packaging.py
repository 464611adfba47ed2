"""What ``pip install ohctl`` brings: the SDK alone (httpx, pydantic and a few small libraries), and an
extra for each other part (``[cli]``, ``[local]``, ``[mcp]``, ``[all]``). A part whose extra is missing
says which extra to install, in one line.

The missing packages are simulated in a subprocess by an import hook that refuses them, so these tests
run offline in the development environment (which has every extra)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from email.parser import Parser
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from ohctl import _extras
from ohctl._require import MissingExtraError, missing, require

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
CORE = {"httpx", "sniffio", "pydantic", "typing-extensions", "ijson", "websockets", "platformdirs"}
EXTRA_PACKAGES = {
    "cli": {"click", "rich", "jq", "jinja2", "keyring", "platformdirs", "jsonschema"},
    "local": {"uv"},
    "mcp": {"mcp"},
    "schema": {"jsonschema"},
    "report": {"matplotlib"},
}
EVERY_EXTRA_MODULE = sorted({m for modules in _extras.EXTRAS.values() for m in modules} - {"platformdirs"})


# -- the metadata ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def wheel_metadata(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The METADATA the wheel gets, made by the build backend from pyproject.toml."""
    out = tmp_path_factory.mktemp("metadata")
    code = "import sys; from hatchling.build import prepare_metadata_for_build_wheel as p; print(p(sys.argv[1]))"
    name = subprocess.run(
        [sys.executable, "-c", code, str(out)], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    return Parser().parsestr((out / name / "METADATA").read_text())


def requirements(meta: Any, extra: str | None) -> set[str]:
    """The distributions the wheel requires: without extras (None), or those ``extra`` adds."""
    found = set()
    for line in meta.get_all("Requires-Dist") or []:
        req = Requirement(line)
        if extra is None and req.marker is None:
            found.add(canonicalize_name(req.name))
        elif extra is not None and req.marker is not None and req.marker.evaluate({"extra": extra}):
            if not req.marker.evaluate({"extra": ""}):
                found.add(canonicalize_name(req.name))
    return found


def test_a_plain_install_requires_the_sdk_core_only(wheel_metadata: Any) -> None:
    assert requirements(wheel_metadata, None) == CORE


def test_each_extra_brings_its_part(wheel_metadata: Any) -> None:
    assert set(wheel_metadata.get_all("Provides-Extra")) == {
        "cli",
        "local",
        "mcp",
        "schema",
        "report",
        "all",
        "dev",
        "docs",
    }
    for extra, packages in EXTRA_PACKAGES.items():
        assert requirements(wheel_metadata, extra) == packages, extra
    assert requirements(wheel_metadata, "all") == set().union(*EXTRA_PACKAGES.values())
    # The modules ohctl._extras names (for the messages and the command's check) are these packages.
    assert {extra: set(modules) for extra, modules in _extras.EXTRAS.items()} == EXTRA_PACKAGES


def test_the_console_script_checks_its_extra_before_importing_the_command_line() -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"] == {"ohctl": "ohctl._entry:main"}
    main_module = ast.parse((SRC / "ohctl" / "__main__.py").read_text())
    imported = [n.module for n in ast.walk(main_module) if isinstance(n, ast.ImportFrom)]
    assert imported == ["_entry"]  # python -m ohctl: the same check


def _closure(names: set[str]) -> set[str]:
    """The distributions ``names`` pull in, transitively, as installed here (the dev lock's versions)."""
    seen: set[str] = set()
    todo = [Requirement(n) for n in names]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name in seen:
            continue
        seen.add(name)
        for line in metadata.distribution(req.name).requires or []:
            dep = Requirement(line)
            wanted = ["", *sorted(req.extras)]
            if dep.marker is None or any(dep.marker.evaluate({"extra": e}) for e in wanted):
                todo.append(dep)
    return seen


def test_a_plain_install_is_a_fraction_of_everything(wheel_metadata: Any) -> None:
    """What ``pip install ohctl`` installs (the core's dependencies, transitively): none of the extras'
    packages nor what they alone need (a keyring's cryptography, mcp's web server, uv's 38 MB binary)."""
    core = _closure(requirements(wheel_metadata, None))
    everything = _closure(requirements(wheel_metadata, None) | requirements(wheel_metadata, "all"))
    assert not core & {"click", "rich", "jq", "jinja2", "keyring", "uv", "mcp", "cryptography", "starlette"}, core
    assert len(core) * 2 < len(everything), (sorted(core), sorted(everything - core))


# -- the library imports only the core when it loads ----------------------------------------------
# Modules that belong to a part with an extra, or run in another interpreter: the command line, the
# GitHub Action's script (it is the command line's), the MCP server proper (loaded only through
# ohctl.mcp's guard), and the launchers the local server's own Python runs.
COMMAND_LINE = ("ohctl.cli", "ohctl.github.action", "ohctl.github.workflow", "ohctl.mcp.server", "ohctl.local.launch")
# The core's distributions by import name, and what they bring that ohctl uses (httpx's anyio).
CORE_MODULES = {"httpx", "sniffio", "pydantic", "pydantic_core", "typing_extensions", "ijson", "websockets"}
CORE_MODULES |= {"platformdirs", "anyio"}


def _module_level_imports(tree: ast.Module) -> set[str]:
    """Top-level packages imported when the module loads (not in a function, not for type checking)."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def test_no_library_module_needs_an_extra_to_load() -> None:
    wrong = []
    for path in sorted((SRC / "ohctl").rglob("*.py")):
        name = ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
        if name.startswith(COMMAND_LINE):
            continue
        third_party = {
            m for m in _module_level_imports(ast.parse(path.read_text())) if m not in sys.stdlib_module_names
        }
        outside = sorted(third_party - CORE_MODULES - {"ohctl"})
        if outside:
            wrong.append(f"{name}: {outside}")
    assert not wrong, f"import these lazily (ohctl._require.require) or declare them in the core: {wrong}"


# -- without the extras, in a subprocess ----------------------------------------------------------
BLOCKER = """
import sys
BLOCKED = set({blocked!r})
for _name in [m for m in sys.modules if m.split(".")[0] in BLOCKED]:
    del sys.modules[_name]

class _Blocker:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}} (not installed in this test)", name=name)
        return None

sys.meta_path.insert(0, _Blocker())
"""


def run_without(
    blocked: list[str], code: str, tmp_path: Path, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter in which ``blocked`` cannot be imported, with a config dir,
    caches and state of its own, and nothing on PATH (no uv found there)."""
    (tmp_path / "bin").mkdir(exist_ok=True)
    base = {
        "PATH": str(tmp_path / "bin"),
        "HOME": str(tmp_path / "home"),
        "PYTHONPATH": str(SRC),
        "OHCTL_CONFIG_DIR": str(tmp_path / "config"),
        "OHCTL_SERVER_CACHE": str(tmp_path / "servers"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
    }
    script = BLOCKER.format(blocked=sorted(blocked)) + textwrap.dedent(code)
    return subprocess.run(
        [sys.executable, "-c", script],
        env={**base, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_command(blocked: list[str], args: list[str], tmp_path: Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """``python -m ohctl ARGS`` (the console script's own entry) without ``blocked``."""
    code = f"import runpy\nsys.argv = ['ohctl', *{args!r}]\nrunpy.run_module('ohctl', run_name='__main__')\n"
    return run_without(blocked, code, tmp_path, **kwargs)


SDK_WITHOUT_EXTRAS = """
import asyncio, json
import httpx
from ohctl import AsyncOpenHands, OpenHands
import ohctl
from ohctl._config import resolve

seen = []
def answer(request):
    seen.append(request.url.path)
    return httpx.Response(200, json={"id": "user-1"})

http = httpx.Client(transport=httpx.MockTransport(answer))
client = OpenHands(api_key="k", base_url="http://127.0.0.1:9", http_client=http)
me = client.users.me().id

async def amain():
    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    async with AsyncOpenHands(api_key="k", base_url="http://127.0.0.1:9", http_client=http) as aclient:
        return (await aclient.users.me()).id

ame = asyncio.run(amain())
plain = resolve(api_key="k", base_url=None)  # no profile stored: the hosted Cloud
ohctl.save_profile("work", base_url="http://127.0.0.1:8", api_key="file-key")  # no keyring: the 0600 file
stored = ohctl.load_profile("work")
for part in ("ohctl.types", "ohctl.legacy", "ohctl.cloud", "ohctl.batch", "ohctl.github", "ohctl.local", "ohctl.mcp"):
    __import__(part)
print(json.dumps({
    "me": me, "ame": ame, "paths": seen, "base_url": plain.base_url, "cloud": ohctl.CLOUD_URL,
    "keyring": ohctl.keyring_available(), "stored": [stored.api_key, stored.key_source],
}))
"""


def test_the_sdk_works_without_any_extra(tmp_path: Path) -> None:
    result = run_without(EVERY_EXTRA_MODULE, SDK_WITHOUT_EXTRAS, tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["me"] == out["ame"] == "user-1"
    assert out["paths"] == ["/api/v1/users/me"] * 2
    assert out["base_url"] == out["cloud"]
    assert out["keyring"] is False
    assert out["stored"] == ["file-key", str(tmp_path / "config" / "credentials.json")]


def test_a_key_kept_in_the_keyring_without_keyring_installed_names_the_extra(tmp_path: Path) -> None:
    """The profile was saved where keyring was installed; this environment has no keyring package."""
    config = tmp_path / "config"
    config.mkdir()
    profiles = {"default": "work", "profiles": {"work": {"base_url": "http://127.0.0.1:8", "key_store": "keyring"}}}
    (config / "profiles.json").write_text(json.dumps(profiles))
    code = """
    import ohctl
    try:
        ohctl.OpenHands()
    except ohctl.OhctlError as exc:
        print(type(exc).__name__, isinstance(exc, ImportError), exc.extra, exc, sep="|")
    """
    result = run_without(["keyring"], code, tmp_path)
    assert result.returncode == 0, result.stderr
    kind, is_import_error, extra, text = result.stdout.strip().split("|")
    assert (kind, is_import_error, extra) == ("MissingExtraError", "True", "cli")
    assert "profile 'work'" in text and "keyring" in text and "pip install 'ohctl[cli]'" in text


@pytest.mark.parametrize("blocked", [["click"], ["rich", "jq"], EVERY_EXTRA_MODULE], ids=lambda b: "+".join(b))
def test_the_command_without_its_extra_says_which_to_install(blocked: list[str], tmp_path: Path) -> None:
    result = run_command(blocked, ["--help"], tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "pip install 'ohctl[cli]'" in lines[0] and "ohctl[all]" in lines[0], result.stderr
    assert all(name in lines[0] for name in blocked if name in EXTRA_PACKAGES["cli"] - {"keyring"})


def test_the_command_runs_without_the_keyring(tmp_path: Path) -> None:
    """keyring is optional to the command line (keys go to the 0600 file): not a reason to refuse."""
    result = run_command(["keyring"], ["--version"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ohctl, version ")


@pytest.mark.parametrize("args", [["local", "up"], ["demo"]], ids=" ".join)
def test_the_local_server_without_uv_names_the_local_extra(args: list[str], tmp_path: Path) -> None:
    result = run_command(["uv"], args, tmp_path)
    assert result.returncode == 1, result
    assert "pip install 'ohctl[local]'" in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert not (tmp_path / "servers" / "openhands-ai-1.11.0").exists()


def test_the_mcp_server_without_mcp_names_the_mcp_extra(tmp_path: Path) -> None:
    env = {"OPENHANDS_BASE_URL": "http://127.0.0.1:9", "OHCTL_KEYRING": "0"}
    result = run_command(["mcp"], ["mcp"], tmp_path, env=env)
    assert result.returncode == 1, result
    assert "pip install 'ohctl[mcp]'" in result.stderr and "Traceback" not in result.stderr, result.stderr


# -- the helper -----------------------------------------------------------------------------------
def test_require_names_the_extra_of_a_missing_module() -> None:
    with pytest.raises(MissingExtraError) as caught:
        require("ohctl_no_such_module", extra="local", purpose="Testing")
    error = caught.value
    assert isinstance(error, ImportError) and error.name == "ohctl_no_such_module" and error.extra == "local"
    assert str(error) == (
        "Testing needs the `ohctl_no_such_module` package, from the ohctl[local] extra: "
        "pip install 'ohctl[local]' (or 'ohctl[all]')"
    )
    assert require("json", extra="cli").__name__ == "json"


def test_require_lets_a_broken_installed_module_fail_as_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed package that fails to import something of its own is not a missing extra."""
    (tmp_path / "ohctl_broken_pkg.py").write_text("import ohctl_missing_inner_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError) as caught:
        require("ohctl_broken_pkg", extra="cli")
    assert not isinstance(caught.value, MissingExtraError)
    assert caught.value.name == "ohctl_missing_inner_dependency"


def test_an_unknown_extra_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="no extra 'gui'"):
        missing("tkinter", extra="gui")


def test_a_template_without_jinja2_names_the_cli_extra(tmp_path: Path) -> None:
    """``ohctl.templates`` (prompts for run, batch and the Action; GitHub comments) needs jinja2."""
    code = """
    from ohctl import templates
    found = templates.find("fix-issue")  # finding reads files only
    try:
        templates.render(found, {"issue": "1"})
    except ImportError as exc:
        print(type(exc).__name__, exc.extra, exc, sep="|")
    """
    result = run_without(["jinja2"], code, tmp_path)
    assert result.returncode == 0, result.stderr
    kind, extra, text = result.stdout.strip().split("|")
    assert (kind, extra) == ("MissingExtraError", "cli") and "pip install 'ohctl[cli]'" in text
