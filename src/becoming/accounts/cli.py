"""`becoming customers note|notes` and `becoming alerts check|list|read|dismiss|settings`."""

import click

from becoming.cli import get_workspace, main, run, setup_django, workspace_option
from becoming.customers.cli import customers_group


@customers_group.command("note")
@click.argument("external_id")
@click.argument("text")
@workspace_option
@click.option("--author", help="The email of the member who writes it (default: none).")
def customer_note(external_id, text, slug, author):
    """Add a note TEXT to customer EXTERNAL_ID."""
    setup_django()
    from becoming.accounts.actions import add_note, author_by_email
    from becoming.customers.actions import find_customer

    ws = get_workspace(slug)
    note = run(add_note, run(find_customer, ws, external_id), text, run(author_by_email, ws, author))
    click.echo(f"note {note.pk} added to {external_id}")


@customers_group.command("notes")
@click.argument("external_id")
@workspace_option
@click.option("--limit", type=int, default=50, show_default=True, help="At most this many, newest first.")
def customer_notes(external_id, slug, limit):
    """List the notes on customer EXTERNAL_ID, newest first."""
    setup_django()
    from becoming.accounts.actions import notes
    from becoming.customers.actions import find_customer

    ws = get_workspace(slug)
    for n in notes(run(find_customer, ws, external_id))[:limit]:
        author = n.author.email if n.author else "-"
        click.echo(f"{n.created:%Y-%m-%d %H:%M}\t{author}\t{n.text}")


@main.group()
def alerts():
    """Alerts on accounts: stage drops and renewals coming, mailed to their owners."""


@alerts.command("check")
@workspace_option
@click.option("--no-email", is_flag=True, help="Create the alerts but mail nobody.")
def alerts_check(slug, no_email):
    """Create alerts for renewals within the window and the latest stage drops; mail owners
    (and retry mail that failed before)."""
    setup_django()
    from becoming.accounts.actions import check_alerts

    result = run(check_alerts, get_workspace(slug), send=not no_email)
    click.echo(f"{result['created']} new alerts; {result['emailed']} owners emailed"
               + ("; mail failed, run again to retry" if result["mail_failed"] else ""))
    if result["mail_failed"]:
        raise SystemExit(1)


@alerts.command("list")
@workspace_option
@click.option("--show", type=click.Choice(["open", "unread", "all"]), default="open", show_default=True,
              help="Which alerts.")
@click.option("--limit", type=int, default=100, show_default=True, help="At most this many, newest first.")
def alerts_list(slug, show, limit):
    """List alerts: id, date, customer, owner, message."""
    setup_django()
    from becoming.accounts.actions import alert_row, list_alerts

    for a in run(list_alerts, get_workspace(slug), show=show)[:limit]:
        row = alert_row(a)
        click.echo(f"{row['id']}\t{row['created']:%Y-%m-%d}\t{row['customer_id']}\t"
                   f"{row['owner'] or '-'}\t{row['message']}")


def _mark(slug, alert_id, action):
    setup_django()
    from django.core.exceptions import ValidationError

    from becoming.accounts.actions import mark_alert
    from becoming.accounts.models import Alert

    def find():
        found = Alert.objects.filter(workspace=get_workspace(slug), pk=alert_id).first()
        if found is None:
            raise ValidationError(f"alert {alert_id}: no such alert in this workspace")
        return found

    run(mark_alert, run(find), action)
    click.echo(f"alert {alert_id}: {action}")


@alerts.command("read")
@click.argument("alert_id", type=int)
@workspace_option
def alerts_read(alert_id, slug):
    """Mark alert ALERT_ID read."""
    _mark(slug, alert_id, "read")


@alerts.command("dismiss")
@click.argument("alert_id", type=int)
@workspace_option
def alerts_dismiss(alert_id, slug):
    """Dismiss alert ALERT_ID."""
    _mark(slug, alert_id, "dismiss")


@alerts.command("settings")
@workspace_option
@click.option("--renewal-days", type=int, help="Alert this many days before a renewal (1-365).")
def alerts_settings(slug, renewal_days):
    """Show (or change) the workspace's alert settings."""
    setup_django()
    from becoming.accounts.actions import alert_settings, set_renewal_days

    ws = get_workspace(slug)
    found = run(set_renewal_days, ws, renewal_days) if renewal_days is not None else alert_settings(ws)
    click.echo(f"renewal alerts {found.renewal_days} days before the renewal date")
