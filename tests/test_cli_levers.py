"""The levers part of the command-line contract: effects, next actions, playbooks."""

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "levers"))
from history import history  # noqa: E402

from becoming.levers.effects import COLUMNS  # noqa: E402

GOOD = """\
key: stuck_trying
name: Stuck at trying
trigger:
  criterion:
    event: {type: report_exported, within: 365d, at_least: 1}
holdout: 0.25
steps:
  - task: {title: Show them scheduled reports, due: 5d}
"""
BAD = """\
key: stuck
name: Stuck
trigger:
  score: {below: 140}
steps:
  - task: {due: 5d}
  - call: {who: champion}
"""


@pytest.mark.once
def test_playbook_validate_reports_lines(becoming, tmp_path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(GOOD)
    bad.write_text(BAD)
    out = becoming("playbook", "validate", good)
    assert out.stdout.strip() == f"{good}: valid playbook 'stuck_trying' (criterion trigger, 1 step(s), holdout 25%)"
    proc = becoming("playbook", "validate", bad, ok=False)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines == [
        f"{bad}:4: trigger.score.below: must be a number from 0 to 100",
        f"{bad}:6: steps[0].task.title: missing required field 'title'",
        f"{bad}:7: steps[1].call: unknown field 'call'",
    ]


@pytest.fixture(scope="module")
def shop(becoming, tmp_path_factory):
    from support import SMALL_MODEL

    folder = tmp_path_factory.mktemp("levers")
    slug = becoming("workspace", "create", "Lever Shop").stdout.strip()
    people, events = history(100, seed=9)
    people.to_csv(folder / "customers.csv", index=False)
    events.to_csv(folder / "events.csv", index=False)
    (folder / "model.yaml").write_text(SMALL_MODEL)
    becoming("import", "customers", folder / "customers.csv", "--workspace", slug)
    becoming("model", "apply", folder / "model.yaml", "--workspace", slug)
    becoming("import", "events", folder / "events.csv", "--workspace", slug, "--type-column", "type")
    becoming("assess", "--workspace", slug)
    return slug, folder


def test_effects_next_actions_and_playbook_apply(becoming, shop, tmp_path):
    slug, folder = shop
    out = tmp_path / "effects.csv"
    becoming("levers", "effects", "--workspace", slug, "--window", "90d", "--lookback", "30d",
             "--every", "1m", "-o", out)
    table = pd.read_csv(out)
    assert list(table.columns) == COLUMNS
    row = table.set_index("action").loc["engage.meeting"]
    assert row.dimension == "reporting" and row.ci_low > 0.3 and row.method == "mantel-haenszel"
    bad = becoming("levers", "effects", "--workspace", slug, "--every", "often", ok=False)
    assert bad.returncode == 1 and "--every" in bad.stderr

    ranked = pd.read_csv(pd.io.common.StringIO(
        becoming("next-actions", "--workspace", slug, "--k", "2").stdout))
    assert list(ranked.columns) == ["customer_id", "rank", "action", "dimension", "expected_gain", "reason"]
    assert len(ranked) > 0 and set(ranked["rank"]) <= {1, 2}
    assert ranked.reason.str.contains("Meetings moved").all()
    one = ranked.customer_id.iloc[0]
    mine = json.loads(becoming("next-actions", "--workspace", slug, "--customer", one,
                               "--format", "json").stdout)
    assert {r["customer_id"] for r in mine} == {one} and mine[0]["rank"] == 1

    playbook = folder / "playbook.yaml"
    playbook.write_text(GOOD)
    applied = becoming("playbook", "apply", playbook, "--workspace", slug).stdout
    assert applied.startswith("stuck_trying v1: ") and "held out" in applied
    assert int(applied.split(": ")[1].split()[0]) > 0
