"""read_table: formats, header handling, and located errors."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from becoming.tabular import TabularError, read_table, row_position


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def test_csv_all_strings_headers_kept_and_blank_is_null(tmp_path):
    path = write(tmp_path, "c.csv", "\ufeffCustomer ID,Monthly Fee\n a1 ,10\n,\n")
    table = read_table(path)
    assert table.column_names == ["Customer ID", "Monthly Fee"]
    assert table.schema.types == [pa.string(), pa.string()]
    assert table.to_pylist() == [{"Customer ID": " a1 ", "Monthly Fee": "10"},
                                 {"Customer ID": None, "Monthly Fee": None}]
    assert row_position(table) == ("row", 2)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiter_sniffed(tmp_path, delimiter):
    path = write(tmp_path, "d.txt", f"a{delimiter}b\n1{delimiter}2\n")
    assert read_table(path).to_pylist() == [{"a": "1", "b": "2"}]


def test_tsv_and_quoted_newlines(tmp_path):
    assert read_table(write(tmp_path, "t.tsv", "a\tb\nx,y\tz\n")).to_pylist() == [
        {"a": "x,y", "b": "z"}]
    table = read_table(write(tmp_path, "q.csv", 'a,b\n"line1\nline2",2\n'))
    assert table.to_pylist() == [{"a": "line1\nline2", "b": "2"}]


def test_parquet_keeps_types(tmp_path):
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"n": [1, 2], "s": ["a", None]}), path)
    table = read_table(path)
    assert table.schema.field("n").type == pa.int64()
    assert row_position(table) == ("row", 1)


def test_json_lines_and_array(tmp_path):
    lines = write(tmp_path, "e.jsonl", '{"a": 1, "b": "x"}\n\n{"a": 2, "b": "y"}\n')
    assert read_table(lines).to_pylist() == [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]
    mixed = write(tmp_path, "m.ndjson", '{"a": 1}\n{"a": "two"}\n')
    assert read_table(mixed).to_pylist() == [{"a": "1"}, {"a": "two"}]
    array = write(tmp_path, "arr.json", json.dumps([{"a": 1}, {"a": None}]))
    assert read_table(array).to_pylist() == [{"a": "1"}, {"a": None}]


def error_of(path) -> TabularError:
    with pytest.raises(TabularError) as info:
        read_table(path)
    return info.value


def test_missing_file(tmp_path):
    assert str(error_of(tmp_path / "nope.csv")) == "nope.csv: file not found"


@pytest.mark.parametrize("data", ["", "\ufeff", "\n\n  \n"])
def test_empty_file(tmp_path, data):
    assert str(error_of(write(tmp_path, "e.csv", data))) == "e.csv: the file is empty"


def test_unknown_extension(tmp_path):
    message = str(error_of(write(tmp_path, "data.xlsx", "x")))
    assert message.startswith("data.xlsx: unknown file type '.xlsx'")
    assert ".csv" in message and ".parquet" in message


def test_not_utf8_names_row_and_offset(tmp_path):
    err = error_of(write(tmp_path, "u.csv", b"a,b\n1,2\n3,caf\xe9\n"))
    assert err.row == 3
    assert str(err) == ("u.csv, row 3: not valid UTF-8 text (byte offset 13); "
                        "save the file as UTF-8")


@pytest.mark.parametrize("line", ["4,5,6", "4"])
def test_ragged_row(tmp_path, line):
    err = error_of(write(tmp_path, "r.csv", f"a,b\n1,2\n{line}\n7,8\n"))
    assert err.row == 3
    assert str(err).startswith("r.csv, row 3: expected 2 fields like the header, found ")


def test_duplicate_header(tmp_path):
    err = error_of(write(tmp_path, "h.csv", "id,Name,name,Name\n1,2,3,4\n"))
    assert str(err) == ('h.csv, row 1, column "Name": duplicate column name '
                        "(columns 2 and 4); every column needs a distinct name")


def test_malformed_json_line(tmp_path):
    err = error_of(write(tmp_path, "j.jsonl", '{"a": 1}\n{"a": 2}\n{"a": \n'))
    assert err.row == 3
    assert str(err).startswith("j.jsonl, line 3: not valid JSON")


def test_json_line_not_object(tmp_path):
    err = error_of(write(tmp_path, "j.jsonl", '{"a": 1}\n[1, 2]\n'))
    assert str(err) == "j.jsonl, line 2: each line must be a JSON object {...}"


def test_corrupt_parquet(tmp_path):
    message = str(error_of(write(tmp_path, "bad.parquet", b"not parquet at all")))
    assert message.startswith("bad.parquet: cannot read as Parquet")


@pytest.mark.parametrize(("data", "message"), [
    ("id,name,\na-109,X,x\n", "column 3 has no name (a delimiter at the end of the header line?)"),
    ("id, ,name\n1,2,3\n", "column 2 has no name"),
    ("id;\t;name\n1;2;3\n", "column 2 has no name"),
    ('id,"",name\n1,2,3\n', "column 2 has no name"),
])
def test_blank_csv_header_is_refused(tmp_path, data, message):
    err = error_of(write(tmp_path, "c.csv", data))
    assert str(err) == f"c.csv: {message}; every column needs a name"


@pytest.mark.parametrize("data", ['{"id": 1, "": 2}\n', '[{"id": 1, " ": 2}]',
                                  '{"id": 1, "": 2}\n{"id": "x"}\n'])
def test_blank_json_key_is_refused(tmp_path, data):
    err = error_of(write(tmp_path, "j.jsonl", data))
    assert str(err) == "j.jsonl: column 2 has no name; every column needs a name"


def test_blank_parquet_column_is_refused(tmp_path):
    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"id": [1], "  ": [2]}), path)
    assert str(error_of(path)) == "p.parquet: column 2 has no name; every column needs a name"
