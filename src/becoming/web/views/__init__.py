"""The staff pages: thin views over the domain actions, one module per area."""

from .customers import customer_detail, customer_list
from .dashboard import assess_now, dashboard, home, job_status
from .imports import import_map, import_start
from .model import model_edit, model_preview
from .team import members, tokens

__all__ = [
    "assess_now", "customer_detail", "customer_list", "dashboard", "home", "import_map",
    "import_start", "job_status", "members", "model_edit", "model_preview", "tokens",
]
