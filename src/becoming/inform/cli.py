"""`becoming import content|interactions`, `becoming recommend`, `becoming inform evaluate|send`."""

import click

from becoming.cli import (
    existing_file,
    get_workspace,
    import_group,
    main,
    parse_date,
    run,
    setup_django,
    with_bar,
    workspace_option,
)

TYPES = ("view", "click", "download", "register", "attend")


@import_group.command("content")
@click.argument("file")
@workspace_option
@click.option("--id-column", required=True, help="Column with the item's id in its source.")
@click.option("--title-column", required=True, help="Column with the title.")
@click.option("--kind-column", help="Column with each item's kind (article, case study, webinar…).")
@click.option("--kind", help="One kind for every row (default: article).")
@click.option("--url-column", help="Column with the item's web address.")
@click.option("--body-column", help="Column with the body (Markdown).")
@click.option("--summary-column", help="Column with a short summary.")
@click.option("--tags-column", help="Column with tags separated by ; or ,.")
@click.option("--published-column", help="Column with when it was published (ISO 8601).")
@click.option("--dimension-column", help="Column with the dimension the item targets (key or name).")
@click.option("--stage-column", help="Column with the stage it helps readers move on from.")
def import_content(file, slug, id_column, title_column, kind_column, kind, url_column, body_column,
                   summary_column, tags_column, published_column, dimension_column, stage_column):
    """Add or update items of the content library (an id already present updates its item)."""
    if kind_column and kind:
        raise click.UsageError("give --kind-column or --kind, not both")
    if bool(dimension_column) != bool(stage_column):
        raise click.UsageError("--dimension-column and --stage-column go together")
    setup_django()
    from becoming.inform.actions.content import import_content as do_import

    path = existing_file(file)
    result = with_bar("importing content", do_import, get_workspace(slug), path, id_column=id_column,
                      title_column=title_column, kind_column=kind_column, kind=kind, url_column=url_column,
                      body_column=body_column, summary_column=summary_column, tags_column=tags_column,
                      published_column=published_column, dimension_column=dimension_column,
                      stage_column=stage_column, file_name=path.name)
    click.echo(f"{result['rows']} rows: {result['added']} items added, {result['updated']} updated")


@import_group.command("interactions")
@click.argument("file")
@workspace_option
@click.option("--customer-column", required=True, help="Column with the reader's customer external id.")
@click.option("--item-column", required=True, help="Column with the item's id.")
@click.option("--contact-column", help="Column with the reader (a contact's key or email).")
@click.option("--type-column", help="Column with each row's type: " + ", ".join(TYPES) + ".")
@click.option("--type", "type_", type=click.Choice(TYPES), help="One type for every row.")
@click.option("--time-column", help="Column with when it happened (default: now).")
@click.option("--time-format", help="strptime format of the time column.")
@click.option("--create-customers", is_flag=True, help="Create customers the file names but the workspace lacks.")
def import_interactions(file, slug, customer_column, item_column, contact_column, type_column, type_,
                        time_column, time_format, create_customers):
    """Add readings (views, clicks, downloads, registrations, attendance) as inform.* signals."""
    if bool(type_column) == bool(type_):
        raise click.UsageError("give --type-column or --type (exactly one)")
    setup_django()
    from becoming.inform.actions.interactions import import_interactions as do_import

    path = existing_file(file)
    result = with_bar("importing reading", do_import, get_workspace(slug), path,
                      customer_column=customer_column, item_column=item_column,
                      contact_column=contact_column, type_column=type_column, type=type_,
                      time_column=time_column, time_format=time_format,
                      create_customers=create_customers, file_name=path.name)
    created = f", {result['customers_created']} customers created" if result["customers_created"] else ""
    click.echo(f"{result['rows']} rows: {result['added']} interactions added, "
               f"{result['duplicates']} already present{created}")


@main.command("recommend")
@workspace_option
@click.option("--for", "for_", type=click.Choice(["customers", "contacts"]), default="customers",
              show_default=True, help="Who the readers are.")
@click.option("--k", default=20, show_default=True, type=click.IntRange(1, 1000), help="Items per reader.")
@click.option("--as-of", help="Recommend as of this date (reading and stages known then).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "parquet"]), default="csv", show_default=True)
@click.option("-o", "--output", help="File to write (default: standard output).")
def recommend(slug, for_, k, as_of, fmt, output):
    """Each reader's best unseen items: reader_id, item_id, rank, score, reason."""
    as_of_date = parse_date(as_of)
    setup_django()
    from becoming.inform.actions.recommend import recommend as do_recommend
    from becoming.web.export import write_table

    if fmt == "parquet" and not output:
        raise click.UsageError("--format parquet needs -o FILE")
    table = with_bar("recommending", do_recommend, get_workspace(slug), for_, k, as_of_date)
    write_table(table, fmt, output)


@main.group()
def inform():
    """Inform: the content library, recommendations and digests."""


@inform.command("evaluate")
@workspace_option
@click.option("--k", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--holdout", default=0.2, show_default=True, type=click.FloatRange(0, 1, min_open=True, max_open=True),
              help="Share of each reader's items held out.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the random holdout.")
def evaluate(slug, k, holdout, seed):
    """Recall@k and NDCG@k of Becoming's recommender, EASE^R, item-kNN and popularity."""
    setup_django()
    from becoming.inform.actions.recommend import evaluate as do_evaluate

    rows = run(do_evaluate, get_workspace(slug), k, holdout, seed)
    click.echo(f"{rows[0]['readers']} readers, {rows[0]['held_out']} held-out items, seed {seed}")
    click.echo(f"{'recommender':<14} {'Recall@' + str(k):>10} {'NDCG@' + str(k):>10}")
    for row in rows:
        click.echo(f"{row['model']:<14} {row['recall']:>10.4f} {row['ndcg']:>10.4f}")


@inform.command("sync-feed")
@click.argument("source")
@workspace_option
@click.option("--kind", default="article", show_default=True, help="The kind of the feed's items.")
def sync_feed(source, slug, kind):
    """Add or update library items from an RSS or Atom feed (a file or an http(s) URL)."""
    setup_django()
    from becoming.inform.actions.feeds import sync_feed as do_sync

    result = run(do_sync, get_workspace(slug), source, kind)
    click.echo(f"{result['entries']} entries: {result['added']} items added, {result['updated']} updated")
