"""`becoming serve` and `becoming worker`: the web app and the job workers."""

import click

from becoming.cli import (
    main,
    setup_django,
)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--no-worker", is_flag=True, help="Do not run background jobs in this process.")
def serve(host, port, no_worker):
    """Serve the web app and API (and run background jobs, unless --no-worker)."""
    setup_django()
    _serve(host, port, worker=not no_worker)


def _serve(host, port, worker=True):
    from django.conf import settings

    from becoming.web.server import serve_forever

    if settings.BECOMING_OUTBOX:
        from becoming.outbox.sink import start_outbox

        sink = start_outbox()
        click.echo(f"outbox: mail goes to a local test server on port {sink.port}; "
                   "read it on the Outbox page (Settings → Outbox)")
    click.echo(f"Becoming is at http://{host}:{port}/  (Ctrl-C stops it)")
    serve_forever(host, port, worker=worker)


@main.command()
def worker():
    """Run background jobs (imports, assessments) until stopped."""
    setup_django()
    from becoming.web.server import run_worker

    run_worker()
