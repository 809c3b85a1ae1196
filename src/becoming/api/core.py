"""`/api/v1/`: the NinjaAPI, its authentication and error handlers; each app adds a router.

Handlers are thin: they parse, call one action and return its result. Operation ids are part
of the published contract (clients are generated from them), so they keep the names they were
first published under: ``becoming_api_<group>_<function>``, where an app's ``api`` module may
set ``OPERATION_GROUP`` (the apps split out of the first API module keep "routes").
"""

import json
import smtplib
import sys

from django.core.exceptions import ValidationError
from django.db import DataError
from django.http import Http404
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as RequestInvalid
from ninja.openapi.docs import Swagger, _csrf_needed

from becoming.apps import API_APPS, app_modules
from becoming.engine import ModelError

from .auth import TokenAuth


class OfflineSwagger(Swagger):
    """Swagger UI from the copy django-ninja ships (served as static files, see settings),
    never its CDN: the docs page works offline. django-ninja only uses that copy when it is an
    installed app, which would import it (and pydantic) in every command's start-up."""

    def render_page(self, request, api, **kwargs):
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        return render(request, self.template, {
            "swagger_settings": json.dumps(self.settings, indent=1), "api": api,
            "add_csrf": _csrf_needed(api)})


class BecomingAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        view = operation.view_func
        module = sys.modules[view.__module__]
        group = getattr(module, "OPERATION_GROUP", view.__module__.split(".")[1])
        return f"becoming_api_{group}_{view.__name__}"


    def get_openapi_schema(self, *args, **kwargs):
        """The schema, with the error answers every operation can give listed on each."""
        schema = super().get_openapi_schema(*args, **kwargs)
        document_errors(schema)
        return schema


# What an operation can answer besides its own responses: a bad request (parameters or body
# that do not validate), no or a wrong token, a role too low, an object of another workspace.
ERRORS = {
    400: "The request is not valid: `message` says why, `details` where",
    401: "No token, or a token that is not valid",
    403: "The token's role cannot do this",
    404: "No such object in this token's workspace",
    503: "A server Becoming needs (the mail server) did not answer; nothing was marked sent",
}


def document_errors(schema: dict) -> None:
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                if status not in responses and str(status) not in responses:
                    responses[status] = {"description": description, **error}


api = BecomingAPI(title="Becoming API", version="1", auth=TokenAuth(), urls_namespace="api-v1",
                  docs=OfflineSwagger())


@api.exception_handler(ValidationError)
def on_validation_error(request, exc):
    # An action's error may carry its own summary and structured details (a model's lines).
    message = getattr(exc, "summary", None) or "; ".join(exc.messages)
    details = getattr(exc, "details", None) or [{"message": m} for m in exc.messages]
    return api.create_response(request, {"message": message, "details": details}, status=400)


@api.exception_handler(ModelError)
def on_model_error(request, exc):
    details = [{"line": i.line, "field": i.field, "message": i.message} for i in exc.errors]
    return api.create_response(request, {"message": "the model is not valid", "details": details}, status=400)


def _error(request, status: int, message: str, details: list | None = None):
    return api.create_response(request, {"message": message, "details": details or []},
                               status=status)


@api.exception_handler(RequestInvalid)
def on_request_invalid(request, exc):
    """Parameters or a body that do not match the schema: 400, each problem with its field."""
    details = [{"field": ".".join(str(p) for p in e.get("loc", ())[1:]) or None,
                "message": e.get("msg", "not valid")} for e in exc.errors]
    summary = "; ".join(f"{d['field']}: {d['message']}" if d["field"] else d["message"]
                        for d in details[:5])
    return _error(request, 400, summary or "the request is not valid", details)


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(OverflowError)
def on_overflow(request, exc):
    # A path or query number past what the database holds (SQLite raises OverflowError).
    return _error(request, 400, "a number in the request is out of range")


@api.exception_handler(DataError)
def on_data_error(request, exc):
    # The same on PostgreSQL ("integer out of range"), and values a column cannot hold.
    return _error(request, 400, "a value in the request is out of range for its field")


def on_mail_down(request, exc):
    # Invitations are marked sent only after the mail server took them: a retry is safe.
    return _error(request, 503, f"the mail server did not answer ({exc}); try again later")


api.add_exception_handler(smtplib.SMTPException, on_mail_down)
api.add_exception_handler(ConnectionError, on_mail_down)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, "not found in this workspace")


def _mount() -> None:
    import importlib

    for name in app_modules("api", API_APPS):
        api.add_router("", importlib.import_module(name).router)


_mount()
