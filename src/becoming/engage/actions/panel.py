"""The market-research panel: people to survey who are not customers (a prospect list, a
bought panel), each with attributes such as industry and size that quotas and weighting use.

A panelist is known by their email address within a workspace: importing a file again updates
the people it names (their name, and the attributes it carries) and adds the new ones.
"""

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from becoming.customers.actions import check_attribute_name
from becoming.tabular.infer import infer_attributes
from becoming.tabular.read import TabularError, read_table, require_plain, row_position

from ..models import Panelist

BATCH = 1000


def cell_value(value) -> str:
    """An attribute's value as the text a quota cell or a population share names: ``50.0``
    and ``50`` are the same cell, booleans are ``true``/``false``, missing is ``""``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _json_value(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _clean_email(raw, where: str) -> str:
    email = str(raw or "").strip().lower()
    if not email:
        raise ValidationError(f"{where}: the email address is empty")
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(f"{where}: {email!r} is not an email address") from None
    return email


def import_panel(workspace, path, *, email_column: str, name_column: str | None = None,
                 file_name: str | None = None, progress=None, dry_run: bool = False) -> dict:
    """Create or update panelists from a file: every row lands or none does.

    Every column other than the email and name becomes an attribute named as its header.
    Errors name the file, row and column.
    """
    report = progress or (lambda *a, **k: None)
    label = file_name or Path(path).name
    try:
        table = read_table(path)
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    names = table.column_names
    for option, column in (("email", email_column), ("name", name_column)):
        if column and column not in names:
            raise ValidationError(f"{label}: no column {column!r} for the panelist's {option}; "
                                  f"columns are: {', '.join(names)}")
        if column:
            try:
                require_plain(table, column, label)
            except TabularError as exc:
                raise ValidationError(str(exc)) from None
    row_label, first = row_position(table)
    attributes = infer_attributes(table, exclude=(email_column, name_column or ""))
    for name in attributes:
        check_attribute_name(name, f'{label}, column "{name}"')
    values = {name: col.values.to_pylist() for name, col in attributes.items()}
    person_names = (table.column(name_column).cast("string").to_pylist() if name_column
                    else [None] * table.num_rows)
    people = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(table.column(email_column).cast("string").to_pylist()):
        where = f'{label}, {row_label} {first + n}, column "{email_column}"'
        email = _clean_email(raw, where)
        if email in seen:
            raise ValidationError(f"{where}: {email} is also on {row_label} {seen[email]}")
        seen[email] = first + n
        people.append({"email": email,
                       "name": None if person_names[n] is None else str(person_names[n]).strip()[:200],
                       "attributes": {k: _json_value(v[n]) for k, v in values.items() if v[n] is not None}})
    report(0, total=len(people), message="saving panelists")
    with transaction.atomic():
        summary = _save(workspace, people, report)
        if dry_run:  # every check ran; keep nothing
            transaction.set_rollback(True)
    return {"rows": len(people), **summary, "attributes": list(attributes)}


def import_panel_job(job, progress, path, **options):
    return import_panel(job.workspace, path, progress=progress, **options)


@transaction.atomic
def upsert_panelists(workspace, items: Iterable[dict]) -> dict:
    """Create or update panelists from dicts of email, name (optional) and attributes: all or
    none. Errors name the item (``items[3].email``)."""
    people, seen = [], set()
    for n, item in enumerate(items):
        email = _clean_email(item.get("email"), f"items[{n}].email")
        if email in seen:
            raise ValidationError(f"items[{n}].email: {email} appears twice")
        seen.add(email)
        attributes = item.get("attributes") or {}
        for key in attributes:
            check_attribute_name(key, f"items[{n}].attributes")
        people.append({"email": email, "name": item.get("name"), "attributes": dict(attributes)})
    return _save(workspace, people, lambda *a, **k: None)


def _save(workspace, people: list[dict], report) -> dict:
    """Write people (dicts of email, name or None, attributes) in batches; an existing
    panelist keeps the attributes the new row does not mention."""
    existing = {p.email: p for p in Panelist.objects.filter(workspace=workspace, email__in=[p["email"] for p in people])}
    new, changed, now = [], [], timezone.now()
    for person in people:
        panelist = existing.get(person["email"])
        if panelist is None:
            new.append(Panelist(workspace=workspace, email=person["email"], name=person["name"] or "",
                                attributes=person["attributes"]))
            continue
        panelist.attributes = {**panelist.attributes, **person["attributes"]}
        panelist.updated = now  # bulk_update does not apply auto_now
        if person["name"] is not None:
            panelist.name = person["name"]
        changed.append(panelist)
    for start in range(0, len(new), BATCH):
        Panelist.objects.bulk_create(new[start:start + BATCH])
        report(start + len(new[start:start + BATCH]))
    Panelist.objects.bulk_update(changed, ["name", "attributes", "updated"], batch_size=BATCH)
    return {"created": len(new), "updated": len(changed)}


def search_panel(workspace, q: str = "") -> QuerySet[Panelist]:
    """The workspace's panelists matching ``q`` in their name or email."""
    qs = Panelist.objects.filter(workspace=workspace)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(email__icontains=q))
    return qs.order_by("email")


def panel_where(workspace, where: dict[str, str] | None = None) -> list[Panelist]:
    """The panelists whose attributes have these values (compared as cell values)."""
    people = list(Panelist.objects.filter(workspace=workspace).order_by("pk"))
    for attribute, value in (where or {}).items():
        people = [p for p in people if cell_value(p.attributes.get(attribute)) == cell_value(value)]
    return people
