"""The Engage part of the command-line contract: feedback in, themes found, themes out."""

import json

import pandas as pd
import pytest

TOPICS = {
    "billing": ["I was charged twice for my subscription this month", "The invoice amount is wrong again",
                "Why did my bill go up without notice?", "Please refund the duplicate payment on my card",
                "Your billing page shows the wrong VAT number", "My credit card was billed the wrong amount"],
    "mobile": ["The mobile app crashes when I open the camera", "The app keeps logging me out on my phone",
               "Push notifications on Android stopped working", "The iPhone app is very slow to start",
               "I cannot upload photos from the mobile app", "The app freezes on the login screen"],
    "reports": ["Exporting reports to Excel loses the formatting", "I need to schedule a weekly report by email",
                "The dashboard charts do not load for large date ranges", "Can reports filter by region?",
                "Report totals do not match the raw data", "Add a PDF export for the monthly report"],
}


@pytest.fixture(scope="module")
def shop(becoming, tmp_path_factory):
    folder = tmp_path_factory.mktemp("engage")
    slug = becoming("workspace", "create", "Feedback Shop").stdout.strip()
    customers = folder / "customers.csv"
    customers.write_text("id,name\nA,Alpha\nB,Beta\nC,Gamma\n")
    becoming("import", "customers", customers, "--workspace", slug)
    rows = [(f"t{i}-{k}", "ABC"[k % 3], text, f"2026-0{1 + k % 6}-1{k % 9}")
            for i, texts in enumerate(TOPICS.values()) for k, text in enumerate(texts)]
    feedback = folder / "feedback.csv"
    pd.DataFrame(rows, columns=["ticket", "account", "body", "created"]).to_csv(feedback, index=False)
    return slug, folder, feedback


ARGS = ["--text-column", "body", "--id-column", "ticket", "--customer-column", "account",
        "--channel", "support", "--time-column", "created"]


def test_import_discover_export(becoming, shop, tmp_path):
    slug, _, feedback = shop
    first = becoming("import", "feedback", feedback, "--workspace", slug, *ARGS)
    assert "18 rows: 18 feedback added, 0 already present" in first.stdout
    again = becoming("import", "feedback", feedback, "--workspace", slug, *ARGS)
    assert "18 rows: 0 feedback added, 18 already present" in again.stdout
    found = becoming("themes", "discover", "--workspace", slug, "--themes", "3")
    assert "18 feedback items in 3 themes" in found.stdout
    out = tmp_path / "themes.csv"
    becoming("export", "themes", "--workspace", slug, "-o", out)
    table = pd.read_csv(out)
    assert {"feedback_id", "theme", "theme_label", "text"} <= set(table.columns)
    assert sorted(table.feedback_id) == sorted(f"t{i}-{k}" for i in range(3) for k in range(6))
    # Each topic lands in one theme of its own: the themes recover the topics.
    topic_of = {text: topic for topic, texts in TOPICS.items() for text in texts}
    groups = table.assign(topic=table.text.map(topic_of)).groupby("topic").theme.nunique()
    assert groups.to_dict() == {"billing": 1, "mobile": 1, "reports": 1}
    assert table.theme.nunique() == 3
    ids_before = dict(zip(table.feedback_id, table.theme))
    becoming("themes", "discover", "--workspace", slug, "--themes", "3")
    out2 = tmp_path / "themes.json"
    becoming("export", "themes", "--workspace", slug, "--format", "json", "-o", out2)
    after = {r["feedback_id"]: r["theme"] for r in json.loads(out2.read_text())}
    assert after == ids_before, "rediscovery on the same feedback keeps the theme ids"
    auto = becoming("themes", "discover", "--workspace", slug, "--themes", "auto", "--granularity", "0.2")
    assert "18 feedback items in" in auto.stdout


def test_row_numbers_are_ids_without_an_id_column(becoming, shop, tmp_path):
    slug, folder, _ = shop
    path = folder / "plain.csv"
    path.write_text("comment\nThe app crashes when I rotate my phone\nMy invoice is wrong\n")
    becoming("import", "feedback", path, "--workspace", slug, "--text-column", "comment", "--channel", "review")
    out = tmp_path / "t.csv"
    becoming("export", "themes", "--workspace", slug, "-o", out)
    rows = pd.read_csv(out, dtype=str)
    assert set(rows[rows.channel == "review"].feedback_id) == {"2", "3"}


@pytest.mark.parametrize("content, args, expect", [
    ("body\nfine\n   \n", [], ["row 3", '"body"', "empty"]),
    ("body,account\nfine,ZZZ\n", ["--customer-column", "account"], ["row 2", '"account"', "ZZZ"]),
    ("text\nfine\n", [], ["'body'", "columns are: text"]),
    ("body,when\nfine,yesterday\n", ["--time-column", "when"], ["row 2", '"when"', "yesterday"]),
])
def test_bad_feedback_files_import_nothing(becoming, shop, tmp_path, content, args, expect):
    slug, folder, _ = shop
    path = tmp_path / "bad.csv"
    path.write_text(content)
    before = becoming("export", "themes", "--workspace", slug).stdout.count("\n")
    bad = becoming("import", "feedback", path, "--workspace", slug, "--text-column", "body", *args, ok=False)
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1
    for part in expect:
        assert part in bad.stderr
    assert becoming("export", "themes", "--workspace", slug).stdout.count("\n") == before


def test_huge_and_non_utf8_texts(becoming, shop, tmp_path):
    slug, _, _ = shop
    huge = tmp_path / "huge.csv"
    huge.write_text("body\nshort one\n" + "x" * 100_000 + "\n")
    bad = becoming("import", "feedback", huge, "--workspace", slug, "--text-column", "body", ok=False)
    assert "row 3" in bad.stderr and "100,000 characters" in bad.stderr
    latin = tmp_path / "latin.csv"
    latin.write_bytes("body\nCaf\xe9 au lait is great\n".encode("latin-1"))
    bad = becoming("import", "feedback", latin, "--workspace", slug, "--text-column", "body", ok=False)
    assert bad.returncode == 1 and "UTF-8" in bad.stderr


def test_themes_option_is_checked(becoming, shop):
    slug, _, _ = shop
    bad = becoming("themes", "discover", "--workspace", slug, "--themes", "many", ok=False)
    assert bad.returncode == 1 and "many" in bad.stderr
    empty = becoming("workspace", "create", "Quiet").stdout.strip()
    none = becoming("themes", "discover", "--workspace", empty, ok=False)
    assert none.returncode == 1 and "at least two" in none.stderr


def test_import_social_links_scores_and_is_idempotent(becoming, tmp_path):
    slug = becoming("workspace", "create", "Social Shop").stdout.strip()
    customers = tmp_path / "customers.csv"
    customers.write_text("id,name,twitter_handle\nA,Alpha,@alpha_ops\nB,Beta,\n")
    becoming("import", "customers", customers, "--workspace", slug)
    links = tmp_path / "links.csv"
    links.write_text("handle,customer_id\nbeta_ceo,B\n")
    posts = tmp_path / "posts.csv"
    posts.write_text(
        "who,body,link,at,network\n"
        "@Alpha_Ops,I love the new reports dashboard it is great,https://x.example/1,2026-03-01,X\n"
        "beta_ceo,The app is terrible and keeps crashing,https://x.example/2,2026-03-02,LinkedIn\n"
        "someone,Anyone tried Fieldwise for farm data?,https://x.example/3,2026-03-03,Reddit\n"
        "someone,Anyone tried Fieldwise for farm data?,https://x.example/3,2026-03-03,Reddit\n")
    args = ["import", "social", posts, "--workspace", slug, "--text-column", "body", "--author-column", "who",
            "--url-column", "link", "--time-column", "at", "--platform-column", "network", "--link-file", links]
    first = becoming(*args)
    assert "4 rows: 4 posts added, 0 already present; 2 linked to customers, 2 market voice" in first.stdout
    again = becoming(*args)
    assert "4 rows: 0 posts added, 4 already present" in again.stdout
    out = tmp_path / "themes.csv"
    becoming("export", "themes", "--workspace", slug, "-o", out)
    rows = pd.read_csv(out, dtype=str)
    social = rows[rows.channel == "social"]
    assert len(social) == 4
    assert sorted(social.customer_id.fillna("-")) == ["-", "-", "A", "B"]

    bad = tmp_path / "bad.csv"
    bad.write_text("who,body\nx,fine\ny,\n")
    failed = becoming("import", "social", bad, "--workspace", slug, "--text-column", "body", ok=False)
    assert "bad.csv" in failed.stderr and "3" in failed.stderr and '"body"' in failed.stderr
    both = becoming("import", "social", posts, "--workspace", slug, "--text-column", "body",
                    "--platform-column", "network", "--platform", "X", ok=False)
    assert "not both" in both.stderr
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("handle,customer_id\nzed,NOPE\n")
    mapped = becoming("import", "social", posts, "--workspace", slug, "--text-column", "body",
                      "--link-file", unknown, ok=False)
    assert "unknown.csv" in mapped.stderr and "NOPE" in mapped.stderr
