"""Uploads: a size limit, and no file left behind that nothing refers to."""

import os
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from becoming.jobs import actions


@pytest.fixture(autouse=True)
def own_uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


def csv_file(name="c.csv", extra=b""):
    return SimpleUploadedFile(name, b"id,name\nA-1,Acme\n" + extra, content_type="text/csv")


def test_a_file_over_the_limit_is_refused_and_nothing_kept(settings, workspace, owner):
    settings.UPLOAD_MAX_MB = 1
    big = csv_file(extra=b"B-2,Beta\n" * 150_000)
    with pytest.raises(ValidationError, match="more than this server takes"):
        actions.save_upload(workspace, "customers", big, owner)
    assert list(actions.upload_dir(workspace).iterdir()) == []
    assert actions.save_upload(workspace, "customers", csv_file(), owner).columns == ["id", "name"]


def test_orphan_files_are_removed_and_recorded_ones_kept(workspace, owner):
    kept = actions.save_upload(workspace, "customers", csv_file(), owner)
    folder = actions.upload_dir(workspace)
    old, fresh = folder / "dead-old.csv", folder / "dead-fresh.csv"
    for path in (old, fresh):
        path.write_text("id\nX\n")
    os.utime(old, (time.time() - 2 * actions.ORPHAN_AGE_S,) * 2)
    os.utime(kept.path, (time.time() - 2 * actions.ORPHAN_AGE_S,) * 2)
    assert actions.remove_orphan_uploads(workspace) == 1
    assert not old.exists() and fresh.exists() and os.path.exists(kept.path)


def test_an_unreadable_file_leaves_nothing(workspace, owner):
    bad = SimpleUploadedFile("x.parquet", b"not parquet at all")
    with pytest.raises(ValidationError):
        actions.save_upload(workspace, "customers", bad, owner)
    assert list(actions.upload_dir(workspace).iterdir()) == []
