"""Schemas every app's API shares: errors, jobs, the result of a batch of signals.

Each app keeps its own schemas in its ``api.py``.
"""

from typing import Any

from ninja import Schema

PAGE_MAX = 500
# Past this, an offset is a mistake, not a page: refused with 400 before any query runs.
OFFSET_MAX = 1_000_000_000


class ErrorDetail(Schema):
    message: str
    line: int | None = None
    field: str | None = None


class Error(Schema):
    message: str
    details: list[ErrorDetail] = []


class EventResult(Schema):
    received: int
    added: int
    duplicates: int
    customers_created: int


class JobOut(Schema):
    id: int
    kind: str
    status: str
    done: int
    total: int
    percent: int
    message: str
    result: dict[str, Any]
    error: str
