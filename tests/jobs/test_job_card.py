"""The job card people watch: figures rounded, a failed job never 'waiting for a worker'."""

from becoming.jobs.models import Job


def test_a_finished_job_shows_rounded_figures(client, member, workspace):
    job = Job.objects.create(workspace=workspace, kind="assess", status=Job.Status.DONE,
                             result={"customers": 7043, "index": 48.217857142857234})
    client.force_login(member)
    body = client.get(f"/w/{workspace.slug}/jobs/{job.pk}/").content.decode()
    assert "48.2<" in body and "48.21" not in body and "7,043" in body


def test_a_failed_job_does_not_say_it_waits_for_a_worker(client, member, workspace):
    job = Job.objects.create(workspace=workspace, kind="import_customers", status=Job.Status.FAILED,
                             error="row 3, column 'seats': 'many' is not a number")
    client.force_login(member)
    body = client.get(f"/w/{workspace.slug}/jobs/{job.pk}/").content.decode()
    assert "row 3" in body and "waiting for a worker" not in body
    queued = Job.objects.create(workspace=workspace, kind="assess")
    assert "waiting for a worker" in client.get(f"/w/{workspace.slug}/jobs/{queued.pk}/").content.decode()
