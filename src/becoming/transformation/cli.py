"""`becoming model validate|apply`."""

import sys

import click

from becoming.cli import (
    existing_file,
    get_workspace,
    main,
    run,
    setup_django,
    workspace_option,
)


@main.group()
def model():
    """The transformation model."""


@model.command("validate")
@click.argument("file")
def model_validate(file):
    """Check a model file; print each problem with its line."""
    from becoming.engine import ModelError, parse_model

    text = existing_file(file).read_text(encoding="utf-8", errors="replace")
    try:
        parsed = parse_model(text)
    except ModelError as exc:
        for issue in exc.errors:
            where = f"{file}:{issue.line}" if issue.line else file
            click.echo(f"{where}: {issue.field}: {issue.message}", err=True)
        sys.exit(1)
    stages = sum(len(d.stages) for d in parsed.dimensions)
    click.echo(f"{file}: valid ({len(parsed.dimensions)} dimensions, {stages} stages)")


@model.command("apply")
@click.argument("file")
@workspace_option
def model_apply(file, slug):
    """Validate a model file and make it the workspace's next model version."""
    setup_django()
    from becoming.transformation.actions import apply_model

    text = existing_file(file).read_text(encoding="utf-8", errors="replace")
    version = run(apply_model, get_workspace(slug), text, note=f"from {file}")
    click.echo(f"applied as version {version.number}")
