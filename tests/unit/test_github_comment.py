"""The comment ohctl posts: the hidden marker, the built-in templates, the user's own, the sandbox,
and that no key ever reaches the rendered text."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import ohctl
from ohctl.github import CommentContext, GitHubConfigError, from_summary, marker, render
from ohctl.github.comment import MARKER_PREFIX, builtin_names

CID = "0123456789abcdef0123456789abcdef"
URL = f"https://app.example.com/conversations/{CID}"


def summary(**update: object) -> ohctl.types.ConversationSummary:
    created = datetime(2026, 1, 1, tzinfo=timezone.utc)
    data: dict[str, object] = {
        "id": CID,
        "title": "Fix the parser",
        "sandbox_status": "RUNNING",
        "execution_status": "finished",
        "outcome": "finished",
        "repository": "octo/app",
        "branch": "main",
        "git_provider": "github",
        "pr_numbers": [12, 13],
        "cost": 0.4567,
        "prompt_tokens": 1000,
        "completion_tokens": 234,
        "event_count": 40,
        "first_user_message": "Fix it",
        "last_agent_message": "Opened two PRs.\n\nBoth pass the tests.",
        "created_at": created,
        "updated_at": created + timedelta(minutes=3, seconds=7),
        **update,
    }
    return ohctl.types.ConversationSummary.model_validate(data)


def test_the_default_comment_shows_link_status_outcome_prs_cost_and_duration() -> None:
    body = render(from_summary(summary(), URL))
    first, rest = body.split("\n", 1)
    assert first == marker(CID) and first.startswith(MARKER_PREFIX) and first.endswith("-->")
    assert f"[conversation 01234567]({URL})" in rest
    assert "OpenHands finished" in rest
    assert "| Status | finished |" in rest and "| Outcome | finished |" in rest
    assert "octo/app#12, octo/app#13" in rest  # GitHub links these across repositories by itself
    assert "$0.46 (1,234 tokens)" in rest
    assert "| Duration | 3m 07s |" in rest
    assert "> Opened two PRs.\n>\n> Both pass the tests." in rest


def test_started_failed_and_still_running_read_differently() -> None:
    started = render(CommentContext(phase="started", conversation_id=CID, url=URL, repository="octo/app"))
    assert "is working on this" in started and URL in started and "`octo/app`" in started
    failed = render(from_summary(summary(outcome="failed", pr_numbers=[]), URL, elapsed=5))
    assert "OpenHands failed" in failed and "| Pull requests | none |" in failed and "| Duration | 5s |" in failed
    running = render(from_summary(summary(outcome=None), URL))
    assert "still running" in running


def test_brief_is_one_line() -> None:
    body = render(from_summary(summary(), URL, elapsed=3700), "brief")
    assert body.splitlines()[1:] == [
        f"OpenHands finished: [conversation 01234567]({URL}) · PR octo/app#12, octo/app#13 · $0.46 · 1h 01m"
    ]
    assert set(builtin_names()) >= {"default", "brief"}


def test_prs_on_another_provider_are_plain_numbers() -> None:
    context = from_summary(summary(git_provider="gitlab"), URL)
    assert context.pr_refs == ["#12", "#13"]


def test_no_key_reaches_the_comment() -> None:
    key = "sk-oh-very-secret-key-123"
    context = from_summary(summary(last_agent_message=f"I used the key {key} to log in"), URL)
    body = render(context, secrets=[key, "ghs_tok3n_value", "", "abc"])
    assert key not in body and "<redacted> to log in" in body
    assert "session_api_key" not in context.variables() and "api_key" not in context.variables()


def test_your_own_template_by_name_or_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OHCTL_CONFIG_DIR", str(tmp_path / "config"))
    mine = tmp_path / "config" / "github" / "mine.md.j2"
    mine.parent.mkdir(parents=True)
    mine.write_text("{{ outcome }} {{ pr_numbers | join('+') }} {{ short_id }}\n")
    assert render(from_summary(summary(), URL), "mine").splitlines()[1] == "finished 12+13 01234567"
    path = tmp_path / "comment.md.j2"
    path.write_text("cost {{ '%.3f' | format(cost) }}")
    assert render(from_summary(summary(), URL), str(path), with_marker=False) == "cost 0.457\n"


def test_template_errors_say_what_is_wrong(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OHCTL_CONFIG_DIR", str(tmp_path))
    context = from_summary(summary(), URL)
    with pytest.raises(GitHubConfigError, match="no comment template named 'nope'; known: brief, default"):
        render(context, "nope")
    with pytest.raises(GitHubConfigError, match="no comment template file"):
        render(context, str(tmp_path / "missing.md.j2"))
    bad = tmp_path / "bad.md.j2"
    bad.write_text("{{ nothing_like_this }}")
    with pytest.raises(GitHubConfigError, match=r"nothing_like_this.*it may use .*conversation_id"):
        render(context, str(bad))
    # A template from a repository runs sandboxed: no reaching into Python objects.
    bad.write_text("{{ url.__class__.__mro__ }}")
    with pytest.raises(GitHubConfigError, match="broken"):
        render(context, str(bad))


def test_a_long_last_message_is_cut() -> None:
    context = from_summary(summary(last_agent_message="x" * 10_000), URL)
    assert context.last_agent_message is not None and len(context.last_agent_message) == 3000
