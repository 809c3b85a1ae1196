"""The `becoming` command line: thin wrappers over the same actions the pages and API call.

This module holds only what every command shares — the `main`, `import` and `export` groups,
workspace lookup, errors, progress bars — and mounts each app's `cli.py` (see
``becoming.apps.CLI_APPS``), whose commands attach themselves to these groups.

Exit codes: 0 success, 1 a problem with the input or the data (one line on stderr), 2 a usage
error (click's own).
"""

import datetime as dt
import os
import sys
from pathlib import Path

import click


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "becoming.settings")
    import django

    django.setup()
    _migrate_if_needed()


def _migrate_if_needed() -> None:
    """Apply migrations when some migration file is not recorded as applied.

    Compares file names with the recorded ones instead of building the migration graph
    (which imports every migration module: a fifth of a command's start-up); ``migrate``,
    called when anything is missing, does the real work.
    """
    from django.apps import apps
    from django.core.management import call_command
    from django.db import DatabaseError, connection

    on_disk = set()
    for config in apps.get_app_configs():
        folder = Path(config.path) / "migrations"
        on_disk |= {(config.label, p.stem) for p in folder.glob("[0-9]*.py")}
    try:  # not django.db.migrations: importing it costs as much as the graph
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = set(cursor.fetchall())
    except DatabaseError:  # a new database: no table yet
        applied = set()
    if on_disk - applied:
        call_command("migrate", verbosity=0, interactive=False)


def fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def run(fn, *args, **kwargs):
    """Call an action; turn the errors a user can fix into one line on stderr and exit 1."""
    from django.core.exceptions import ValidationError

    from becoming.engine import ModelError

    try:
        return fn(*args, **kwargs)
    except ValidationError as exc:
        fail("; ".join(exc.messages))
    except ModelError as exc:
        fail(str(exc).replace("\n", "; "))


def workspace_option(fn):
    return click.option("--workspace", "slug", required=True, help="The workspace's slug.")(fn)


def get_workspace(slug):
    from becoming.workspaces.actions import get_workspace as get

    return run(get, slug)


class Bar:
    """A progress callback that draws on stderr when it is a terminal, silent otherwise."""

    def __init__(self, label: str):
        self.label = label
        self.tty = sys.stderr.isatty()
        self.total = 0

    def __call__(self, done, total=None, message=None):
        if total:
            self.total = total
        if not self.tty:
            return
        pct = f"{100 * done / self.total:5.1f}%" if self.total else ""
        click.echo(f"\r{self.label}: {pct} {message or ''}".ljust(70), err=True, nl=False)

    def close(self):
        if self.tty:
            click.echo("", err=True)


def with_bar(label, fn, *args, **kwargs):
    bar = Bar(label)
    try:
        return run(fn, *args, progress=bar, **kwargs)
    finally:
        bar.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="becoming")
def main():
    """Becoming: who do we want our customers to become?"""


@main.group("import")
def import_group():
    """Load customers, events, feedback and outcomes from files (CSV, Parquet, JSON lines)."""


@main.group("export")
def export_group():
    """Write data out as CSV, JSON or Parquet."""


def parse_date(value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-01-31") from None


def existing_file(path) -> Path:
    p = Path(path)
    if not p.is_file():
        fail(f"{path}: no such file")
    return p


def _mount() -> None:
    import importlib

    from becoming.apps import CLI_APPS, app_modules

    for name in app_modules("cli", CLI_APPS):
        importlib.import_module(name)


_mount()
