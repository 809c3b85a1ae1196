"""`/api/v1/`: the NinjaAPI, its authentication and error handlers; each app adds a router.

Handlers are thin: they parse, call one action and return its result. Operation ids are part
of the published contract (clients are generated from them), so they keep the names they were
first published under: ``becoming_api_<group>_<function>``, where an app's ``api`` module may
set ``OPERATION_GROUP`` (the apps split out of the first API module keep "routes").
"""

import sys

from django.core.exceptions import ValidationError
from ninja import NinjaAPI

from becoming.apps import API_APPS, app_modules
from becoming.engine import ModelError

from .auth import TokenAuth


class BecomingAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        view = operation.view_func
        module = sys.modules[view.__module__]
        group = getattr(module, "OPERATION_GROUP", view.__module__.split(".")[1])
        return f"becoming_api_{group}_{view.__name__}"


api = BecomingAPI(title="Becoming API", version="1", auth=TokenAuth(), urls_namespace="api-v1")


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


def _mount() -> None:
    import importlib

    for name in app_modules("api", API_APPS):
        api.add_router("", importlib.import_module(name).router)


_mount()
