"""`becoming import panel` and `becoming surveys …`: market research from the command line —
the panel, a survey's audience, quotas and population shares, invitations, and results."""

import json
import os

import click

from becoming.cli import (
    existing_file,
    fail,
    get_workspace,
    import_group,
    main,
    run,
    setup_django,
    with_bar,
    workspace_option,
)

BASE_URL = click.option("--base-url", default=lambda: os.environ.get("BECOMING_BASE_URL", "http://127.0.0.1:8000"),
                        show_default="$BECOMING_BASE_URL or http://127.0.0.1:8000",
                        help="The address people reach Becoming at (for the links).")


@import_group.command("panel")
@click.argument("file")
@workspace_option
@click.option("--email-column", required=True, help="Column with each panelist's email (their identity).")
@click.option("--name-column", help="Column with each panelist's name.")
def import_panel(file, slug, email_column, name_column):
    """Add or update market-research panelists (people who are not customers); every other
    column becomes an attribute (industry, size…). All rows land or none."""
    setup_django()
    from becoming.engage.actions.panel import import_panel as do_import

    path = existing_file(file)
    result = with_bar("importing the panel", do_import, get_workspace(slug), path, email_column=email_column,
                      name_column=name_column, file_name=path.name)
    click.echo(f"{result['rows']} rows: {result['created']} panelists added, {result['updated']} updated; "
               f"attributes: {', '.join(result['attributes']) or 'none'}")


@main.group()
def surveys():
    """Surveys: market research with the panel, quotas and population shares."""


def _survey(slug, survey_id):
    from becoming.engage.models import Survey

    survey = Survey.objects.filter(workspace=get_workspace(slug), pk=survey_id).first()
    if survey is None:
        fail(f"no survey {survey_id} in workspace {slug!r}")
    return survey


@surveys.command("list")
@workspace_option
def surveys_list(slug):
    """One line per survey: id, status, audience, title."""
    setup_django()
    from becoming.engage.models import Survey

    for s in Survey.objects.filter(workspace=get_workspace(slug)).order_by("pk"):
        click.echo(f"{s.pk}\t{s.status}\t{s.audience}\t{s.title}")


@surveys.command("market")
@workspace_option
@click.option("--title", required=True, help="The survey's title.")
@click.option("--audience", type=click.Choice(["panel", "both"]), default="both", show_default=True,
              help="The panel only, or the panel and customers' contacts.")
def surveys_market(slug, title, audience):
    """Create a market-research survey from the model (per dimension: which stage describes
    you today) and print its id."""
    setup_django()
    from becoming.engage.actions.market import market_survey

    click.echo(run(market_survey, get_workspace(slug), title=title, audience=audience).pk)


@surveys.command("audience")
@click.argument("survey_id", type=int)
@click.argument("audience", type=click.Choice(["customers", "panel", "both"]))
@workspace_option
def surveys_audience(survey_id, audience, slug):
    """Set who a survey is for: customers' contacts, the panel, or both."""
    setup_django()
    from becoming.engage.actions.market import set_audience

    survey = run(set_audience, _survey(slug, survey_id), audience)
    click.echo(f"survey {survey.pk} is for: {survey.get_audience_display().lower()}")


@surveys.command("quota")
@click.argument("survey_id", type=int)
@workspace_option
@click.option("--attribute", required=True, help="The respondents' attribute the quota counts, e.g. industry.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many answers per value (cell).")
@click.option("--value", default="", help="Only this value's cell (default: every value of the attribute).")
@click.option("--remove", is_flag=True, help="Remove the quota instead.")
def surveys_quota(survey_id, slug, attribute, limit, value, remove):
    """Limit answers per attribute value; print every cell with its count and state."""
    if remove == (limit is not None):
        fail("give --limit, or --remove")
    setup_django()
    from becoming.engage.actions.market import quota_cells, set_quota

    survey = _survey(slug, survey_id)
    run(set_quota, survey, attribute, None if remove else limit, value)
    for cell in quota_cells(survey):
        click.echo(f"{cell['attribute']}={cell['value']}\t{cell['count']}/{cell['limit']}\t"
                   f"{'closed' if cell['closed'] else 'open'}")


@surveys.command("weights")
@click.argument("survey_id", type=int)
@workspace_option
@click.option("--attribute", required=True, help="The attribute the shares are of, e.g. industry.")
@click.option("--shares", help='Population shares in %, e.g. "Retail=40,Energy=35,Farming=25".')
@click.option("--remove", is_flag=True, help="Stop weighting by this attribute.")
def surveys_weights(survey_id, slug, attribute, shares, remove):
    """Set the population shares the panel's answers are raked to."""
    if remove == bool(shares):
        fail("give --shares, or --remove")
    setup_django()
    from becoming.engage.actions.market import parse_shares, set_weights

    survey = run(set_weights, _survey(slug, survey_id), attribute, None if remove else run(parse_shares, shares))
    for name, values in sorted(survey.weights.items()):
        click.echo(f"{name}: " + ", ".join(f"{v}={s * 100:.1f}%" for v, s in values.items()))


@surveys.command("invite")
@click.argument("survey_id", type=int)
@workspace_option
@click.option("--panel", is_flag=True, help="Invite the panel (those not invited yet).")
@click.option("--where", multiple=True, help="With --panel: only panelists with attribute=value (repeatable).")
@BASE_URL
def surveys_invite(survey_id, slug, panel, where, base_url):
    """Email personal links to the panel; a mail server that fails changes nothing."""
    import smtplib

    if not panel:
        fail("say whom to invite: --panel (contacts are invited on the survey's Distribute page or the API)")
    setup_django()
    from becoming.engage.actions.panel import panel_where
    from becoming.engage.actions.surveys import invite

    survey = _survey(slug, survey_id)
    filters = {}
    for item in where:
        attribute, sep, value = item.partition("=")
        if not sep or not attribute.strip():
            fail(f"--where takes attribute=value, not {item!r}")
        filters[attribute.strip()] = value.strip()
    people = panel_where(survey.workspace, filters)
    try:
        result = run(invite, survey, [], base_url, panelists=people)
    except (smtplib.SMTPException, OSError) as exc:
        fail(f"the mail server refused or could not be reached ({exc}); nothing was changed, try again")
    click.echo(f"{result['invited']} panelists invited, {result['sent']} emails sent")


@surveys.command("results")
@click.argument("survey_id", type=int)
@workspace_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def surveys_results(survey_id, slug, fmt):
    """Quota cells, and customers against the market per dimension (weighted and unweighted)."""
    setup_django()
    from becoming.engage.actions.market import customers_vs_market, quota_cells

    survey = _survey(slug, survey_id)
    cells, compared = quota_cells(survey), customers_vs_market(survey)
    if fmt == "json":
        click.echo(json.dumps({"quotas": cells, **compared}, indent=2))
        return
    for cell in cells:
        click.echo(f"quota {cell['attribute']}={cell['value']}: {cell['count']}/{cell['limit']} "
                   f"{'closed' if cell['closed'] else 'open'}")
    w = compared["weighting"]
    click.echo(f"{compared['customers']} customer answers, {compared['market']} panel answers; "
               f"effective sample size {w['effective_n']}")
    for row in compared["rows"]:
        c, m, u = row["customers"]["mean"], row["weighted"]["mean"], row["market"]["mean"]
        click.echo(f"{row['label']}: customers {c if c is not None else '—'}, market {m if m is not None else '—'} "
                   f"weighted ({u if u is not None else '—'} unweighted)")
