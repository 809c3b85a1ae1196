"""Customers by external id, in statements that fit any database's parameter limit.

``filter(external_id__in=ids)`` with a million ids fails on SQLite ("too many SQL
variables": older builds allow 999 parameters) and makes huge statements elsewhere, so every
lookup by a list goes through :func:`chunks`.
"""

from collections.abc import Iterable, Iterator, Sequence

from django.db import connection

from .models import Customer

# PostgreSQL has no documented limit short of 65,535 bind parameters; 10,000 keeps each
# statement small enough to plan fast.
_DEFAULT_CHUNK = 10_000


def chunk_size() -> int:
    """The most values one ``IN (...)`` list may hold, with room for the statement's other
    parameters (workspace and the like)."""
    limit = connection.features.max_query_params
    return min(_DEFAULT_CHUNK, limit - 20) if limit else _DEFAULT_CHUNK


def chunks(values: Sequence) -> Iterator[Sequence]:
    size = chunk_size()
    for start in range(0, len(values), size):
        yield values[start:start + size]


def customer_pks(workspace, external_ids: Iterable[str]) -> dict[str, int]:
    """``{external id: primary key}`` of the workspace's customers among ``external_ids``
    (unknown ids are absent)."""
    wanted = sorted(set(external_ids))
    found: dict[str, int] = {}
    for part in chunks(wanted):
        found.update(Customer.objects.filter(workspace=workspace, external_id__in=part)
                     .values_list("external_id", "id"))
    return found
