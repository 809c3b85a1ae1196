"""`becoming demo`: build the demo workspace and serve it."""

import click

from becoming.cli import (
    main,
    setup_django,
    with_bar,
)


@main.command()
@click.option("--port", default=8000, show_default=True, help="Port to serve the demo on.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--seed", default=7, show_default=True, help="Seed for the generated data.")
@click.option("--no-serve", is_flag=True, help="Build the demo workspace and stop.")
def demo(port, host, seed, no_serve):
    """Build the demo workspace (once) and serve it."""
    setup_django()
    from becoming.demo.build import DEMO_EMAIL, DEMO_PASSWORD, ensure_demo

    workspace = with_bar("building the demo", ensure_demo, seed=seed)
    click.echo(f"demo workspace: {workspace.slug}")
    click.echo(f"sign in as {DEMO_EMAIL} with password {DEMO_PASSWORD}")
    from becoming.portal.actions import demo_link

    found = demo_link(workspace, f"http://{host}:{port}")
    if found:
        contact, link = found
        click.echo(f"a customer's portal, as {contact.name} of {contact.customer.display_name} "
                   f"(works once, for 7 days): {link}")
    if not no_serve:
        from django.conf import settings

        from becoming.web.cli import _serve

        # The demo's mail goes to a local sink, read on the Outbox page: nothing leaves the machine.
        settings.BECOMING_OUTBOX = True
        click.echo(f"outbox: http://{host}:{port}/w/{workspace.slug}/outbox/")
        _serve(host, port)
