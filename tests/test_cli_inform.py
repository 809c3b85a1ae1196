"""The inform command-line contract, through the installed entry point, on MovieLens small
(movies as items with their genres as tags, every rating a view)."""

import csv
import json

import pytest
from support import DATA, need_data

ML = DATA / "movielens-small"


@pytest.fixture(scope="module")
def movie_files(tmp_path_factory):
    """movies.csv with genres as ;-separated tags, and the ratings of the first 60 users."""
    need_data(ML / "ratings.csv")
    folder = tmp_path_factory.mktemp("ml")
    with (ML / "movies.csv").open(encoding="utf-8") as f, (folder / "movies.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["movieId", "title", "tags"])
        for row in csv.DictReader(f):
            writer.writerow([row["movieId"], row["title"], row["genres"].replace("|", ";")])
    seen: dict[str, set[str]] = {}
    with (ML / "ratings.csv").open(encoding="utf-8") as f, (folder / "ratings.csv").open("w", newline="") as out:
        reader = csv.DictReader(f)
        writer = csv.writer(out)
        writer.writerow(reader.fieldnames)
        for row in reader:
            if int(row["userId"]) <= 60:
                writer.writerow(row.values())
                seen.setdefault(row["userId"], set()).add(row["movieId"])
    return folder, seen


@pytest.mark.once
def test_import_recommend_and_evaluate_on_movielens(becoming, movie_files, tmp_path):
    folder, seen = movie_files
    slug = becoming("workspace", "create", "Movies").stdout.strip()

    out = becoming("import", "content", folder / "movies.csv", "--workspace", slug, "--id-column", "movieId",
                   "--title-column", "title", "--tags-column", "tags", "--kind", "video").stdout
    assert "9742 rows: 9742 items added" in out

    # The published ratings file holds one rating of a movie that is not in movies.csv:
    # the import names it and keeps nothing.
    bad = becoming("import", "interactions", ML / "ratings.csv", "--workspace", slug, "--customer-column",
                   "userId", "--item-column", "movieId", "--type", "view", "--time-column", "timestamp",
                   "--create-customers", ok=False)
    assert bad.returncode == 1
    assert 'ratings.csv, row 100838, column "movieId": unknown item \'999999\'' in bad.stderr

    # A reader the workspace does not know, without --create-customers.
    unknown = becoming("import", "interactions", folder / "ratings.csv", "--workspace", slug, "--customer-column",
                       "userId", "--item-column", "movieId", "--type", "view", ok=False)
    assert unknown.returncode == 1 and 'column "userId"' in unknown.stderr and "unknown customer" in unknown.stderr

    bad_time = tmp_path / "times.csv"
    bad_time.write_text("userId,movieId,when\n1,1,2024-01-01\n1,2,next tuesday\n")
    timed = becoming("import", "interactions", bad_time, "--workspace", slug, "--customer-column", "userId",
                     "--item-column", "movieId", "--type", "view", "--time-column", "when", "--create-customers",
                     ok=False)
    assert timed.returncode == 1 and 'row 3, column "when"' in timed.stderr and "next tuesday" in timed.stderr

    untitled = tmp_path / "untitled.csv"
    untitled.write_text("id,title\nA,An article\nB,\n")
    missing = becoming("import", "content", untitled, "--workspace", slug, "--id-column", "id",
                       "--title-column", "title", ok=False)
    assert missing.returncode == 1 and 'row 3, column "title": the title is missing' in missing.stderr

    out = becoming("import", "interactions", folder / "ratings.csv", "--workspace", slug, "--customer-column",
                   "userId", "--item-column", "movieId", "--type", "view", "--time-column", "timestamp",
                   "--create-customers").stdout
    rows = sum(len(v) for v in seen.values())
    assert f"{rows} rows: {rows} interactions added" in out and "60 customers created" in out

    result = becoming("recommend", "--workspace", slug, "--k", "10").stdout
    table = list(csv.DictReader(result.splitlines()))
    assert list(table[0]) == ["reader_id", "item_id", "rank", "score", "reason"]
    by_reader: dict[str, list[dict]] = {}
    for row in table:
        by_reader.setdefault(row["reader_id"], []).append(row)
    assert set(by_reader) == set(seen)
    for reader, recs in by_reader.items():
        assert [int(r["rank"]) for r in recs] == list(range(1, 11))
        assert not {r["item_id"] for r in recs} & seen[reader], f"reader {reader} got an item already seen"
        scores = [float(r["score"]) for r in recs]
        assert scores == sorted(scores, reverse=True)
        assert all(r["reason"] for r in recs)
    assert any("like yours" in r["reason"] for r in table)

    target = tmp_path / "recs.json"
    becoming("recommend", "--workspace", slug, "--k", "3", "--format", "json", "-o", target)
    assert len(json.loads(target.read_text())) == 3 * len(seen)

    out = becoming("inform", "evaluate", "--workspace", slug, "--k", "20", "--seed", "7").stdout
    scores = {line.split()[0]: (float(line.split()[1]), float(line.split()[2]))
              for line in out.splitlines()[2:]}
    assert set(scores) == {"Becoming", "EASE^R", "item-kNN", "popularity"}
    assert scores["Becoming"][0] > scores["popularity"][0] and scores["Becoming"][1] > scores["popularity"][1]
    assert scores["Becoming"][0] >= scores["item-kNN"][0]
