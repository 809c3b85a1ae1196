"""Content and reading through the shared imports flow: guessed mapping, dry run, job."""

from django.core.files.uploadedfile import SimpleUploadedFile


def test_reading_file_through_the_imports_flow(library_ws, owner):
    from becoming.inform.models import Interaction
    from becoming.jobs.actions import (
        dry_run_import,
        mapping_form,
        run_job,
        save_upload,
        start_import,
    )

    file = SimpleUploadedFile("reads.csv", b"customer_id,item_id,event,timestamp\nC1,weekly,download,2026-02-01\n"
                                          b"C2,news,click,2026-02-02\n")
    upload = save_upload(library_ws, "interactions", file, owner)
    form = mapping_form(upload)
    assert form.initial["customer_column"] == "customer_id" and form.initial["item_column"] == "item_id"
    form = mapping_form(upload, {"customer_column": "customer_id", "item_column": "item_id", "type_column": "event",
                                 "type": "view", "time_column": "timestamp", "time_format": ""})
    assert form.is_valid(), form.errors
    options = form.action_kwargs()
    assert dry_run_import(upload, options)["rows"] == 2
    assert not Interaction.objects.filter(source="import").exists()
    job = run_job(start_import(upload, options, owner).pk)
    assert job.status == "done", job.error
    assert set(Interaction.objects.filter(source="import").values_list("type", flat=True)) == {"download", "click"}


def test_content_file_through_the_imports_flow(library_ws, owner):
    from becoming.inform.models import Item
    from becoming.jobs.actions import mapping_form, run_job, save_upload, start_import

    file = SimpleUploadedFile("library.csv", b"id,title,type,tags,dimension,stage\n"
                              b"x1,Reports in ten minutes,Video,reports;video,reporting,trying\n")
    upload = save_upload(library_ws, "content", file, owner)
    form = mapping_form(upload, {**mapping_form(upload).initial, "kind": "article"})
    assert form.is_valid(), form.errors
    job = run_job(start_import(upload, form.action_kwargs(), owner).pk)
    assert job.status == "done", job.error
    item = Item.objects.get(external_id="x1")
    assert (item.kind, item.tags, item.stage, item.toward) == ("video", ["reports", "video"], "trying", "regular")
