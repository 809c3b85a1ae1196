"""`becoming portal invite`: email a contact a portal sign-in link, and print it."""

import os

import click

from becoming.cli import get_workspace, main, run, setup_django, workspace_option


@main.group()
def portal():
    """The customer portal: contacts sign in with links emailed to them."""


@portal.command("invite")
@workspace_option
@click.option("--email", required=True, help="The contact's email.")
@click.option("--base-url", default=lambda: os.environ.get("BECOMING_BASE_URL", "http://127.0.0.1:8000"),
              show_default="$BECOMING_BASE_URL or http://127.0.0.1:8000",
              help="The address people reach Becoming at.")
def portal_invite(slug, email, base_url):
    """Email the contact a sign-in link (valid 7 days, once) and print it."""
    setup_django()
    from becoming.portal.actions import invite_contacts

    for contact, link in run(invite_contacts, get_workspace(slug), base_url, email=email):
        click.echo(f"{contact.email}\t{contact.customer.display_name}\t{link}")
