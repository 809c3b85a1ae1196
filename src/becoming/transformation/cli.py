"""`becoming model validate|apply|diff|rollback`."""

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
@click.option("--note", default="", help="What changed (kept with the version); default: the file's name.")
def model_apply(file, slug, note):
    """Validate a model file and make it the workspace's next model version."""
    setup_django()
    from becoming.transformation.actions import apply_model

    text = existing_file(file).read_text(encoding="utf-8", errors="replace")
    version = run(apply_model, get_workspace(slug), text, note=note or f"from {file}")
    click.echo(f"applied as version {version.number}")


@model.command("diff")
@workspace_option
@click.option("--version", "number", type=click.IntRange(min=1), required=True,
              help="The version to compare with the one before it.")
def model_diff(slug, number):
    """Print what a model version changed against the version before it (a unified diff)."""
    setup_django()
    from becoming.transformation.actions import version_diff

    diff = version_diff(get_workspace(slug), number)
    if diff is None:
        raise click.ClickException(f"there is no version {number} of this workspace's model")
    for line in diff["lines"]:
        click.echo(line["text"])


@model.command("rollback")
@workspace_option
@click.option("--version", "number", type=click.IntRange(min=1), required=True,
              help="The version to make current again.")
def model_rollback(slug, number):
    """Make an earlier model version current again (as a new version; nothing is lost)."""
    setup_django()
    from becoming.transformation.actions import rollback_model

    version = run(rollback_model, get_workspace(slug), number)
    click.echo(f"version {number} is current again, as version {version.number}")
