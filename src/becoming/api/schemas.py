"""The API's typed boundary: what comes in and what goes out."""

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field


class ErrorDetail(Schema):
    message: str
    line: int | None = None
    field: str | None = None


class Error(Schema):
    message: str
    details: list[ErrorDetail] = []


class CustomerIn(Schema):
    external_id: str = Field(min_length=1, max_length=200)
    name: str | None = None
    kind: str | None = Field(default=None, pattern="^(company|person)$")
    attributes: dict[str, Any] = {}


class CustomerPatch(Schema):
    name: str | None = None
    kind: str | None = Field(default=None, pattern="^(company|person)$")
    attributes: dict[str, Any] = {}


class CustomerOut(Schema):
    external_id: str
    name: str
    kind: str
    attributes: dict[str, Any]
    stages: dict[str, int]
    index: float | None
    assessed_on: dt.date | None


class ContactIn(Schema):
    name: str = ""
    email: str = Field(default="", pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
    title: str = ""


class ContactOut(ContactIn):
    id: int


class CustomerPage(Schema):
    count: int
    next_offset: int | None
    items: list[CustomerOut]


class EventIn(Schema):
    customer_id: str = Field(description="The customer's external id")
    kind: str = Field(default="event", pattern="^(event|answer)$",
                      description="`answer` for a survey answer: type is the question key, value the answer")
    type: str = Field(min_length=1)
    time: dt.datetime
    value: float | None = None
    id: str | None = Field(default=None, description="Unique id; an event re-sent with the same id is not doubled")
    properties: dict[str, Any] | None = None


class EventBatch(Schema):
    events: list[EventIn] = Field(max_length=10000)
    create_customers: bool = False


class OutcomeIn(Schema):
    customer_id: str = Field(description="The customer's external id")
    type: str = Field(pattern="^(churn|renewal|revenue)$")
    time: dt.datetime
    value: float | None = Field(default=None, description="Revenue per month, or a renewal's amount")
    id: str | None = None


class OutcomeBatch(Schema):
    outcomes: list[OutcomeIn] = Field(max_length=10000)


class EventResult(Schema):
    received: int
    added: int
    duplicates: int
    customers_created: int


class ModelIn(Schema):
    model: dict[str, Any] | None = Field(default=None, description="The model as JSON")
    yaml: str | None = Field(default=None, description="Or the model as YAML text")
    note: str = ""


class ModelOut(Schema):
    version: int
    created: dt.datetime
    yaml: str
    model: dict[str, Any]


class Validation(Schema):
    valid: bool
    errors: list[ErrorDetail]


class CriterionOut(Schema):
    label: str
    observed: Any
    threshold: str
    met: bool
    missing: str | None


class DimensionOut(Schema):
    dimension: str
    stage: str
    stage_index: int
    target: str
    progress: float
    next_stage: str | None
    criteria: list[CriterionOut]


class AssessmentOut(Schema):
    customer_id: str
    as_of: dt.date
    model_version: int
    index: float
    dimensions: list[DimensionOut]


class StageChangeOut(Schema):
    customer_id: str
    dimension: str
    from_stage: str
    to_stage: str
    direction: str
    as_of: dt.date
    previous_as_of: dt.date


class StageChangePage(Schema):
    count: int
    next_offset: int | None
    items: list[StageChangeOut]


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
