"""`becoming workspace` and `becoming user`."""

import sys

import click

from becoming.cli import (
    fail,
    get_workspace,
    main,
    run,
    setup_django,
    workspace_option,
)


@main.group()
def workspace():
    """Workspaces (tenants)."""


@workspace.command("create")
@click.argument("name")
@click.option("--currency", default="USD", show_default=True,
              help="ISO 4217 code money is shown in (revenue, ARR).")
def workspace_create(name, currency):
    """Create a workspace and print its slug."""
    setup_django()
    from becoming.workspaces.actions import create_workspace

    click.echo(run(create_workspace, name, currency).slug)


@workspace.command("update")
@workspace_option
@click.option("--name", default=None, help="A new name (the slug stays).")
@click.option("--currency", default=None, help="ISO 4217 code money is shown in, like EUR.")
def workspace_update(slug, name, currency):
    """Rename a workspace or change its currency."""
    setup_django()
    from becoming.workspaces.actions import update_workspace

    if name is None and currency is None:
        raise click.UsageError("give --name, --currency or both")
    ws = run(update_workspace, get_workspace(slug), name=name, currency=currency)
    click.echo(f"{ws.slug}: {ws.name}, money in {ws.currency}")


@main.group()
def user():
    """People who sign in."""


@user.command("create")
@click.argument("email")
@workspace_option
@click.option("--role", required=True, type=click.Choice(["owner", "admin", "member", "viewer"]))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def user_create(email, slug, role, password_stdin):
    """Create a user (or update their role) in a workspace."""
    setup_django()
    from becoming.workspaces.actions import add_member

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    if password_stdin and not password:
        fail("no password on standard input")
    membership = run(add_member, get_workspace(slug), email, role, password)
    click.echo(f"{membership.user.email} is {membership.role} of {slug}")
