"""The GitHub Action without a server: action.yml and its script agree (every input is read, every
output is written), no input is pasted into shell code, inputs are parsed with clear errors, and
step outputs cannot be forged by a value."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from ohctl.github import GitHubConfigError, IssueRef
from ohctl.github.action import OUTPUT_NAMES, InputError, Inputs, main
from ohctl.github.workflow import append_summary, read_outputs, write_outputs

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text())
    return data


def test_every_input_reaches_the_script(action: dict[str, Any]) -> None:
    [install, step] = action["runs"]["steps"]
    assert action["runs"]["using"] == "composite" and step["id"] == "run"
    env = step["env"]
    read = set(Inputs.__dataclass_fields__)
    for name in action["inputs"]:
        if name == "ohctl-version":
            assert install["env"]["OHCTL_REQUIREMENT"] == "${{ inputs.ohctl-version }}"
            continue
        var = "INPUT_" + name.upper().replace("-", "_")
        assert env[var] == f"${{{{ inputs.{name} }}}}", name
        assert name.replace("-", "_") in read, name
    assert "python -m ohctl.github.action" in step["run"].replace('"$RUNNER_TEMP/ohctl-venv/bin/python"', "python")


def test_no_input_is_pasted_into_shell_code(action: dict[str, Any]) -> None:
    for step in action["runs"]["steps"]:
        assert "${{" not in step["run"], step["run"]  # expressions go through env, never the script text


def test_outputs_are_the_ones_the_script_writes(action: dict[str, Any]) -> None:
    assert set(action["outputs"]) == set(OUTPUT_NAMES)
    for name, spec in action["outputs"].items():
        assert spec["value"] == f"${{{{ steps.run.outputs.{name} }}}}"
        assert spec["description"]
    assert action["inputs"]["api-key"]["required"] is True


def test_the_example_workflow_uses_real_inputs(action: dict[str, Any]) -> None:
    workflow = yaml.safe_load((ROOT / "examples" / "github-workflow.yml").read_text())
    steps = workflow["jobs"]["fix"]["steps"]
    [uses] = [s for s in steps if "uses" in s and "ohctl" in s["uses"]]
    assert set(uses["with"]) <= set(action["inputs"])
    assert workflow[True]["issues"]["types"] == ["labeled"]  # YAML reads the key `on` as True
    assert workflow["permissions"]["issues"] == "write"
    used = re.findall(r"steps\.openhands\.outputs\.([\w-]+)", (ROOT / "examples" / "github-workflow.yml").read_text())
    assert used and set(used) <= set(OUTPUT_NAMES)


def inputs(**values: str) -> Inputs:
    return Inputs.from_env({"INPUT_" + k.upper(): v for k, v in values.items()})


def test_the_task_is_exactly_one_of_prompt_file_template(tmp_path: Path) -> None:
    assert inputs(prompt="Fix it").prompt_text() == "Fix it"
    with pytest.raises(InputError, match="exactly one"):
        inputs().prompt_text()
    with pytest.raises(InputError, match="exactly one"):
        inputs(prompt="a", template="fix-issue").prompt_text()
    task = tmp_path / "task.md"
    task.write_text("From a file\n")
    assert inputs(prompt_file=str(task)).prompt_text() == "From a file\n"
    with pytest.raises(InputError, match="no file"):
        inputs(prompt_file=str(tmp_path / "nope.md")).prompt_text()


def test_a_template_with_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OHCTL_CONFIG_DIR", str(tmp_path))
    text = inputs(template="fix-issue", variables="# the issue\n\nissue = 42\n", repository="octo/app").prompt_text()
    assert "Fix issue #42 of the repository octo/app." in text
    with pytest.raises(InputError, match="needs the variable 'issue'"):
        inputs(template="fix-issue").prompt_text()
    with pytest.raises(InputError, match="not NAME=VALUE"):
        inputs(template="fix-issue", variables="issue 42").prompt_text()


def test_inputs_from_the_environment() -> None:
    got = inputs(wait="false", timeout="90", comment_on="7", sandbox_id="sb")
    assert (got.wait, got.timeout, got.sandbox_id) == (False, 90.0, "sb")
    assert got.issue({"GITHUB_REPOSITORY": "octo/app"}) == IssueRef("octo/app", 7)
    assert inputs(comment_on="octo/other#3").issue({}) == IssueRef("octo/other", 3)
    assert inputs().issue({}) is None and inputs().wait is True
    with pytest.raises(GitHubConfigError):
        inputs(comment_on="7").issue({})  # no GITHUB_REPOSITORY outside Actions
    with pytest.raises(InputError, match="timeout"):
        inputs(timeout="soon")


def test_stall_after_is_a_duration_or_off_and_15_minutes_by_default() -> None:
    assert inputs().stall_after == 900.0
    assert inputs(stall_after="90s").stall_after == 90.0 and inputs(stall_after="2h").stall_after == 7200.0
    assert inputs(stall_after="120").stall_after == 120.0  # a number is seconds
    assert inputs(stall_after="off").stall_after is None and inputs(stall_after="Never").stall_after is None
    for bad in ("soon", "0", "-5m"):
        with pytest.raises(InputError, match="stall-after"):
            inputs(stall_after=bad)


def test_a_bad_input_is_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main({"INPUT_PROMPT": "a", "INPUT_TEMPLATE": "b"}) == 2
    assert capsys.readouterr().out.startswith("::error::ohctl action input: give exactly one")


def test_outputs_cannot_be_forged_by_a_value(tmp_path: Path) -> None:
    out = tmp_path / "output"
    out.write_text("earlier=1\n")
    write_outputs(str(out), {"status": "finished\ncost=0\nurl<<EOF", "cost": "0.12"})
    assert read_outputs(str(out)) == {"earlier": "1", "status": "finished\ncost=0\nurl<<EOF", "cost": "0.12"}
    write_outputs(None, {"x": "y"})  # outside Actions: nothing to write, no error
    summary = tmp_path / "summary"
    append_summary(str(summary), "# one\n\n")
    append_summary(str(summary), "two")
    assert summary.read_text() == "# one\ntwo\n"


def test_no_api_key_points_at_the_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OHCTL_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv("OHCTL_KEYRING", "0")
    for var in ("OPENHANDS_API_KEY", "OPENHANDS_CLOUD_API_KEY", "OH_API_KEY", "OPENHANDS_BASE_URL", "OHCTL_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    assert main({"INPUT_PROMPT": "Fix it"}) == 4  # the hosted Cloud needs a key: refused before any request
    out = capsys.readouterr().out
    assert out.startswith("::error::No API key") and out.count("\n") == 1  # one workflow command line
    assert out.rstrip().endswith("(check the api-key input (e.g. ${{ secrets.OPENHANDS_API_KEY }}) and base-url)")
