"""`becoming import feedback`, `becoming import social`, `becoming themes discover`, `becoming export themes`."""

import click

from becoming.cli import (
    existing_file,
    export_group,
    fail,
    get_workspace,
    import_group,
    main,
    run,
    setup_django,
    with_bar,
    workspace_option,
)


@import_group.command("feedback")
@click.argument("file")
@workspace_option
@click.option("--text-column", required=True, help="Column with the feedback text.")
@click.option("--id-column", help="Column with the item's id in its source (default: its row number).")
@click.option("--customer-column", help="Column with the customer's external id.")
@click.option("--channel", default="import", show_default=True, help="Where it came from, e.g. support.")
@click.option("--time-column", help="Column with when it was said (default: now).")
def import_feedback(file, slug, text_column, id_column, customer_column, channel, time_column):
    """Add open feedback (support tickets, reviews, research) to the inbox, themed on arrival."""
    setup_django()
    from becoming.engage.actions.feedback import import_feedback as do_import

    path = existing_file(file)
    result = with_bar("importing feedback", do_import, get_workspace(slug), path, text_column=text_column,
                      id_column=id_column, customer_column=customer_column, channel=channel,
                      time_column=time_column, file_name=path.name)
    click.echo(f"{result['rows']} rows: {result['added']} feedback added, {result['skipped']} already present")


@import_group.command("social")
@click.argument("file")
@workspace_option
@click.option("--text-column", required=True, help="Column with the post's text.")
@click.option("--author-column", help="Column with the author's handle or email address.")
@click.option("--url-column", help="Column with the post's address.")
@click.option("--time-column", help="Column with when it was posted (default: now).")
@click.option("--platform-column", help="Column naming the platform of each post.")
@click.option("--platform", help="The platform of every post, e.g. LinkedIn (instead of --platform-column).")
@click.option("--id-column", help="Column with the post's id (default: the file name and row number).")
@click.option("--link-file", help="CSV mapping handles to customers: columns handle, customer_id[, contact_email].")
def import_social(file, slug, text_column, author_column, url_column, time_column, platform_column, platform,
                  id_column, link_file):
    """Add public posts and comments (feedback on channel social), linked to customers where
    the author is known, the rest kept as market voice; sentiment and themes on arrival."""
    setup_django()
    from becoming.engage.actions.social import import_social as do_import

    path = existing_file(file)
    links = existing_file(link_file) if link_file else None
    result = with_bar("importing posts", do_import, get_workspace(slug), path, text_column=text_column,
                      author_column=author_column, url_column=url_column, time_column=time_column,
                      platform_column=platform_column, platform=platform, id_column=id_column,
                      link_file=links, file_name=path.name)
    click.echo(f"{result['rows']} rows: {result['added']} posts added, {result['skipped']} already present; "
               f"{result['linked']} linked to customers, {result['market_voice']} market voice")


@import_group.command("feed")
@click.argument("url")
@workspace_option
@click.option("--platform", help="Name the posts' platform (default: the feed's title).")
@click.option("--link-file", help="CSV mapping handles to customers: columns handle, customer_id[, contact_email].")
def import_feed(url, slug, platform, link_file):
    """Add the entries of an RSS or Atom feed as social posts (reading it again adds only new ones)."""
    setup_django()
    from becoming.engage.actions.social import import_feed as do_import

    links = existing_file(link_file) if link_file else None
    result = with_bar("reading the feed", do_import, get_workspace(slug), url, platform=platform, link_file=links)
    click.echo(f"{result['rows']} entries: {result['added']} posts added, {result['skipped']} already present; "
               f"{result['linked']} linked to customers, {result['market_voice']} market voice")


@main.group()
def themes():
    """Themes in customers' open feedback."""


@themes.command("discover")
@workspace_option
@click.option("--themes", "count", default="auto", show_default=True, help="How many themes, or auto.")
@click.option("--granularity", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="With auto: towards fewer, broader themes (0) or more, finer ones (1).")
def themes_discover(slug, count, granularity):
    """Group all feedback into themes (keeping the names and merges staff made)."""
    if count != "auto" and not count.isdigit():
        fail(f"--themes takes a number or auto, not {count!r}")
    setup_django()
    from becoming.engage.actions.themes import discover_themes

    result = with_bar("finding themes", discover_themes, get_workspace(slug),
                      None if count == "auto" else int(count), granularity)
    click.echo(f"{result['feedback']} feedback items in {result['themes']} themes")


@export_group.command("themes")
@workspace_option
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option("-o", "--output", help="File to write (default: standard output).")
def export_themes(slug, fmt, output):
    """One row per feedback item: feedback_id, theme, theme_label, text, customer_id, channel, time."""
    setup_django()
    from becoming.engage.actions.themes import export_rows
    from becoming.web.export import write_table

    write_table(run(export_rows, get_workspace(slug)), fmt, output)


from becoming.engage import cli_surveys  # noqa: E402,F401  (the market-research commands)
