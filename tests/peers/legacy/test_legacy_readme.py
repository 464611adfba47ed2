"""The documentation's V0 example (the ```py block of "Older servers: the legacy V0 API", in
docs/legacy-and-cloud.md), run as written
against the real V0 server. Only what cannot be the same here is substituted, each with its reason;
every substituted text must still be in the block, so the test breaks when the page changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.harness import Peer
from tests.support.legacy_harness import V0_KEY
from tests.support.readme_blocks import blocks, name, page_of, section
from tests.support.scripted_llm import FINISH_MESSAGE, ScriptedLLM

HEADING = "Older servers: the legacy V0 API (`ohctl.legacy`)"


def substitutions(peer: Peer, llm: ScriptedLLM) -> list[tuple[str, str, str]]:
    url = f'"{peer.base_url}", "{V0_KEY}", auth="session-key"'
    return [
        (
            'base_url="http://localhost:3000"',
            f'base_url="{peer.base_url}", api_key="{V0_KEY}", auth="session-key"',
            "the suite's V0 server has its own port and a session key",
        ),
        ('ohctl.connect("http://localhost:3000")', f"ohctl.connect({url})", "the same server and key"),
        (
            'llm_model="anthropic/claude-sonnet-4-5", llm_api_key="sk-..."',
            f'llm_model="openai/scripted", llm_api_key="x", llm_base_url="{llm.base_url}"',
            "no network and no account here: the suite's scripted model",
        ),
        ('repository="me/repo", branch="main"', 'conversation_instructions="Be brief."', "nothing to clone"),
        ("timeout=900", "timeout=120", "fail within the suite's budget"),
    ]


def test_the_readme_v0_example_runs(
    v0_server: Peer, v0_llm: ScriptedLLM, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    page = page_of(HEADING)
    body = section(HEADING, page.read_text(encoding="utf-8"))  # with its code blocks
    found = [b for b in blocks(body) if b.language == "py"]
    assert len(found) == 1, f"{name(page)}'s {HEADING!r} section has no ```py example"
    code = found[0].code
    for old, new, why in substitutions(v0_server, v0_llm):
        assert old in code, f"the V0 example no longer contains {old!r} (substituted: {why})"
        code = code.replace(old, new)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, f"{name(page)} (V0 example)", "exec"), {"__name__": "readme_v0_example"})
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "finished"
    assert out[1].startswith("finished ") and out[1].endswith(FINISH_MESSAGE)
    assert any(" action:run " in line for line in out[2:-2])
    saved = tmp_path / out[-2]  # relative to the working directory, as the example wrote it
    assert saved.parent == tmp_path / "out" and saved.stat().st_size > 0
    assert out[-1] == "LegacyOpenHands"
