"""`becoming inspire peers|goals|stories`: customers among their peers, goals from what peers
did, and the real transitions stories are made of."""

import click

from becoming.cli import get_workspace, main, parse_date, run, setup_django, workspace_option

FORMAT = click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
OUTPUT = click.option("-o", "--output", help="File to write (default: standard output).")
PEER_ATTRIBUTE = click.option("--peer-attribute", "attributes", multiple=True,
                              help="A customer attribute peers share (repeatable); none: everyone is a peer.")


@main.group()
def inspire():
    """Peers, goals and stories: who customers could become."""


@inspire.command("peers")
@workspace_option
@PEER_ATTRIBUTE
@click.option("--min-peers", default=30, show_default=True, type=click.IntRange(min=1),
              help="A smaller peer group falls back to the whole workspace (peer_group all).")
@click.option("--as-of", help="The latest snapshot on or before this date (default: the latest).")
@FORMAT
@OUTPUT
def peers(slug, attributes, min_peers, as_of, fmt, output):
    """One row per customer and dimension: customer_id, dimension, stage_index, peer_group,
    peers, percentile, peers_ahead."""
    setup_django()
    from becoming.inspire.actions.peers import peer_rows
    from becoming.web.export import write_table

    write_table(run(peer_rows, get_workspace(slug), list(attributes), min_peers, parse_date(as_of)), fmt, output)


@inspire.command("goals")
@workspace_option
@PEER_ATTRIBUTE
@click.option("--as-of", help="Propose from the latest snapshot on or before this date.")
@FORMAT
@OUTPUT
def goals(slug, attributes, as_of, fmt, output):
    """One row per customer and dimension below the top stage: customer_id, dimension,
    goal_stage, goal_date, stretch_stage, stretch_date, peers, basis."""
    setup_django()
    from becoming.inspire.actions.goals import goal_rows
    from becoming.web.export import write_table

    write_table(run(goal_rows, get_workspace(slug), list(attributes), parse_date(as_of)), fmt, output)


@inspire.command("stories")
@workspace_option
@click.option("--since", help="Moves on or after this date (YYYY-MM-DD).")
@FORMAT
@OUTPUT
def stories(slug, since, fmt, output):
    """One row per move up in the history: customer_id, dimension, from_stage, to_stage,
    moved_on, days_taken, signals_before, consent."""
    setup_django()
    from becoming.inspire.actions.stories import story_rows
    from becoming.web.export import write_table

    write_table(run(story_rows, get_workspace(slug), parse_date(since)), fmt, output)
