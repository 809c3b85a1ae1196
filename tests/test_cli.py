"""The command-line contract, through the installed `becoming` entry point in a subprocess.

Each module gets its own application database (a SQLite file, or a throwaway PostgreSQL
database when DATABASE_URL points at PostgreSQL) and its own data directory.
"""

import json
from pathlib import Path

import pandas as pd
import pytest
from support import TELCO, need_data

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "src" / "becoming" / "examples" / "telco.yaml"


@pytest.fixture(scope="module")
def telco(becoming):
    """A workspace with the Telco customers, the example model, and today's assessment."""
    need_data(TELCO)
    slug = becoming("workspace", "create", "Telco").stdout.strip()
    becoming("import", "customers", TELCO, "--workspace", slug, "--id-column", "customerID")
    becoming("model", "apply", EXAMPLE, "--workspace", slug)
    becoming("assess", "--workspace", slug, "--as-of", "2026-01-31")
    return slug


def test_workspace_and_user(becoming):
    slug = becoming("workspace", "create", "Northwind Foods").stdout.strip()
    assert slug == "northwind-foods"
    out = becoming("user", "create", "Lead@Northwind.test", "--workspace", slug, "--role", "admin",
                   "--password-stdin", stdin="plum-orbit-cactus-42\n")
    assert "lead@northwind.test is admin" in out.stdout
    bad = becoming("user", "create", "x@y.test", "--workspace", "nope", "--role", "admin", ok=False)
    assert bad.returncode == 1 and "no workspace with slug 'nope'" in bad.stderr


def test_import_customers_infers_types(becoming, telco, cli_env):
    again = becoming("import", "customers", TELCO, "--workspace", telco, "--id-column", "customerID")
    assert "7043 customers: 0 created, 7043 updated" in again.stdout


def test_export_matches_pandas_by_hand(becoming, telco, tmp_path):
    out = tmp_path / "a.csv"
    becoming("export", "assessments", "--workspace", telco, "-o", out)
    got = pd.read_csv(out)
    assert {"customer_id", "dimension", "stage", "stage_index", "target", "progress", "index"} <= set(got.columns)
    assert len(got) == 7043 * 3
    raw = pd.read_csv(TELCO)
    two_year = raw.Contract.eq("Two year") & raw.tenure.ge(24)
    longer = raw.Contract.isin(["One year", "Two year"])
    settled = raw.tenure.ge(12)
    expected = pd.Series("month_to_month", index=raw.index)
    expected[settled] = "settled"
    expected[settled & longer] = "committed"
    expected[settled & longer & two_year] = "partner"
    commitment = got[got.dimension == "commitment"].set_index("customer_id").stage
    differ = commitment.loc[raw.customerID].to_numpy() != expected.to_numpy()
    assert not differ.any(), raw[differ].head().to_string() + str(commitment.loc[raw.customerID][differ].head())
    assert commitment.value_counts().to_dict() == expected.value_counts().to_dict()


@pytest.mark.parametrize("fmt", ["json", "parquet"])
def test_export_formats(becoming, telco, tmp_path, fmt):
    out = tmp_path / f"a.{fmt}"
    becoming("export", "assessments", "--workspace", telco, "--format", fmt, "-o", out)
    frame = pd.read_json(out) if fmt == "json" else pd.read_parquet(out)
    assert len(frame) == 7043 * 3 and frame.stage_index.min() == 0


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def events_for(ids, rows=3, day="2026-01-10"):
    lines = ["customer,event,at,amount,event_id"]
    for cid in ids:
        for k in range(rows):
            lines.append(f"{cid},report_exported,{day}T10:0{k}:00Z,{k + 1},{cid}-{day}-{k}")
    return "\n".join(lines) + "\n"


EVENT_ARGS = ["--customer-column", "customer", "--type-column", "event", "--time-column", "at",
              "--value-column", "amount", "--id-column", "event_id"]


def test_import_events_is_idempotent(becoming, telco, tmp_path):
    path = write(tmp_path, "ev.csv", events_for(["7590-VHVEG", "5575-GNVDE"]))
    first = becoming("import", "events", path, "--workspace", telco, *EVENT_ARGS)
    assert "6 rows: 6 events added, 0 already present" in first.stdout
    second = becoming("import", "events", path, "--workspace", telco, *EVENT_ARGS)
    assert "6 rows: 0 events added, 6 already present" in second.stdout


def test_unknown_customer_is_refused_then_created(becoming, telco, tmp_path):
    path = write(tmp_path, "ev.csv", events_for(["7590-VHVEG", "NEW-1"], rows=1, day="2026-01-11"))
    bad = becoming("import", "events", path, "--workspace", telco, *EVENT_ARGS, ok=False)
    assert bad.returncode == 1
    assert "row 3" in bad.stderr and '"customer"' in bad.stderr and "NEW-1" in bad.stderr
    ok = becoming("import", "events", path, "--workspace", telco, *EVENT_ARGS, "--create-customers")
    assert "2 events added" in ok.stdout and "1 customers created" in ok.stdout


@pytest.mark.parametrize("content, args, expect", [
    ("customer,event,at\n7590-VHVEG,x,2026-13-45\n", [], ['row 2', '"at"', "2026-13-45"]),
    ("customer,event,at\n7590-VHVEG,x,2026-01-01,extra\n", [], ["row 2"]),
    ("customer,event,at\n7590-VHVEG,x,2026-01-01\n", ["--value-column", "amount"], ["amount"]),
    ("customer,event,at,v\n7590-VHVEG,x,2026-01-01,abc\n", ["--value-column", "v"], ["row 2", '"v"', "abc"]),
])
def test_bad_event_files_write_nothing(becoming, telco, tmp_path, content, args, expect):
    before = becoming("import", "events", write(tmp_path, "probe.csv", events_for(["7590-VHVEG"])),
                      "--workspace", telco, *EVENT_ARGS).stdout
    path = write(tmp_path, "bad.csv", content)
    bad = becoming("import", "events", path, "--workspace", telco, "--customer-column", "customer",
                   "--type-column", "event", "--time-column", "at", *args, ok=False)
    assert bad.returncode == 1 and bad.stderr.startswith("error: ")
    assert len(bad.stderr.strip().splitlines()) == 1
    for part in expect:
        assert part in bad.stderr
    assert "bad.csv" in bad.stderr
    after = becoming("import", "events", tmp_path / "probe.csv", "--workspace", telco, *EVENT_ARGS).stdout
    assert "0 events added" in after and "0 events added" in before or "3 events added" in before


def test_bad_customer_file_writes_nothing(becoming, tmp_path):
    slug = becoming("workspace", "create", "Atomic").stdout.strip()
    path = write(tmp_path, "c.csv", "id,name,seats\nA,Alpha,3\nB,Beta,4\nA,Again,5\n")
    bad = becoming("import", "customers", path, "--workspace", slug, ok=False)
    assert bad.returncode == 1 and "row 4" in bad.stderr and "repeats row 2" in bad.stderr
    missing = becoming("import", "customers", path, "--workspace", slug, "--id-column", "nope", ok=False)
    assert "no column 'nope'" in missing.stderr
    good = write(tmp_path, "g.csv", "id,name,seats\nA,Alpha,3\n")
    assert "1 created" in becoming("import", "customers", good, "--workspace", slug).stdout


BAD_MODELS = {
    "unknown attribute type": ("attributes:\n  plan: colour\n", "attributes.plan"),
    "window": ("window '90x'", "within"),
}


def test_model_validate_reports_lines(becoming, tmp_path):
    text = EXAMPLE.read_text()
    broken = text.replace("target: secured", "target: nowhere", 1)
    broken = broken.replace("{key: exposed, name: Exposed}", "{key: exposed, name: Exposed}\n      - {key: exposed, name: Again}", 1)
    broken = broken.replace("attributes:\n  SeniorCitizen: number", "attributes:\n  SeniorCitizen: numeric", 1)
    path = write(tmp_path, "m.yaml", broken)
    out = becoming("model", "validate", path, ok=False)
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert any("target" in line and "nowhere" in line for line in lines)
    assert any("exposed" in line and "m.yaml:" in line for line in lines)
    assert any("SeniorCitizen" in line for line in lines)
    assert all(line.startswith(f"{path}:") for line in lines)


def test_model_window_error_names_line(becoming, tmp_path):
    text = EXAMPLE.read_text().replace("attribute: {name: tenure, at_least: 12}",
                                       "event: {type: login, within: 90x, at_least: 1}", 1)
    path = write(tmp_path, "w.yaml", text)
    out = becoming("model", "validate", path, ok=False)
    line_no = next(i for i, line in enumerate(text.splitlines(), 1) if "90x" in line)
    assert f"w.yaml:{line_no}:" in out.stderr and "90x" in out.stderr


def test_model_apply_refuses_unknown_attribute(becoming, telco, tmp_path):
    text = EXAMPLE.read_text().replace("name: TechSupport", "name: Tech Support", 1)
    out = becoming("model", "apply", write(tmp_path, "u.yaml", text), "--workspace", telco, ok=False)
    assert out.returncode == 1 and "Tech Support" in out.stderr


def test_assess_as_of_and_history(becoming, telco, tmp_path):
    out = becoming("assess", "--workspace", telco, "--as-of", "2026-02-28", "--history", "2")
    assert "as of 2026-02-28" in out.stdout
    first = tmp_path / "jan.json"
    becoming("export", "assessments", "--workspace", telco, "--as-of", "2026-01-31", "--format", "json", "-o", first)
    rows = json.loads(first.read_text())
    assert {r["as_of"] for r in rows} == {"2026-01-31"}


def test_usage_errors_exit_non_zero(becoming):
    assert becoming("import", "events", "x.csv", "--workspace", "w", ok=False).returncode != 0
    missing = becoming("model", "validate", "/nonexistent.yaml", ok=False)
    assert missing.returncode == 1 and "no such file" in missing.stderr


def test_outcomes_report_churn_by_stage_matches_pandas(becoming, telco, tmp_path):
    """Issue 4's Telco check: churn rate per stage, through the CLI, equals pandas by hand."""
    out = becoming("import", "outcomes", TELCO, "--workspace", telco, "--customer-column", "customerID",
                   "--kind", "churn", "--flag-column", "Churn")
    assert "1869 rows: 1869 churn outcomes added" in out.stdout
    becoming("assess", "--workspace", telco, "--as-of", "2026-01-31")
    report = tmp_path / "report.csv"
    becoming("outcomes", "report", "--workspace", telco, "--outcome", "churn", "--as-of", "2026-01-31",
             "-o", report)
    got = pd.read_csv(report)
    assert {"dimension", "stage", "customers", "churned", "churn_rate", "ci_low", "ci_high"} <= set(got.columns)
    raw = pd.read_csv(TELCO)
    settled = raw.tenure.ge(12)
    longer = raw.Contract.isin(["One year", "Two year"])
    partner = raw.Contract.eq("Two year") & raw.tenure.ge(24)
    stage = pd.Series("month_to_month", index=raw.index)
    stage[settled] = "settled"
    stage[settled & longer] = "committed"
    stage[settled & longer & partner] = "partner"
    table = raw.assign(stage=stage, churned=raw.Churn.eq("Yes"))[["customerID", "stage", "churned"]]
    # Customers other tests of this module created (no attributes: first stage, no churn).
    exported = tmp_path / "a.csv"
    becoming("export", "assessments", "--workspace", telco, "-o", exported)
    extra = set(pd.read_csv(exported).customer_id) - set(raw.customerID)
    table = pd.concat([table, pd.DataFrame({"customerID": sorted(extra), "stage": "month_to_month", "churned": False})])
    by_hand = table.groupby("stage").churned.agg(["size", "sum", "mean"])
    rows = got[got.dimension == "commitment"].set_index("stage")
    for name, expected in by_hand.iterrows():
        assert rows.loc[name, "customers"] == expected["size"]
        assert rows.loc[name, "churned"] == expected["sum"]
        assert abs(rows.loc[name, "churn_rate"] - expected["mean"]) < 1e-12
        assert rows.loc[name, "ci_low"] < expected["mean"] < rows.loc[name, "ci_high"]
    again = becoming("import", "outcomes", TELCO, "--workspace", telco, "--customer-column", "customerID",
                     "--kind", "churn", "--flag-column", "Churn")
    assert "0 churn outcomes added" in again.stdout


def test_outcomes_bad_input(becoming, telco, tmp_path):
    path = write(tmp_path, "o.csv", "id,churned\n7590-VHVEG,maybe\n")
    bad = becoming("import", "outcomes", path, "--workspace", telco, "--customer-column", "id",
                   "--kind", "churn", "--flag-column", "churned", ok=False)
    assert bad.returncode == 1 and "row 2" in bad.stderr and '"churned"' in bad.stderr and "maybe" in bad.stderr
    window = becoming("outcomes", "report", "--workspace", telco, "--window", "12x", ok=False)
    assert window.returncode == 1 and "12x" in window.stderr
    revenue = becoming("import", "outcomes", path, "--workspace", telco, "--customer-column", "id",
                       "--kind", "revenue", "--time-column", "churned", ok=False)
    assert "--value-column" in revenue.stderr
