"""What the outcomes app does; the pages, the API and the command line call only these.

- ``imports``: outcomes in (files, the API) and the import job;
- ``window``: the report's window (``parse_window``) and ``today``;
- ``report``: the outcome report (``build_report``), cached for the pages (``cached_report``);
- ``pages``: what the report page, its CSV download and the dashboard panel show;
- ``customer``: one customer's outcomes, for the customer page.

Only the light modules are imported here: ``report`` and ``pages`` load pandas, DuckDB and
the statistics, so callers import them by name when they need them.
"""

from .imports import KINDS, add_outcomes, import_outcomes, import_outcomes_job
from .window import parse_window, today

__all__ = ["KINDS", "add_outcomes", "import_outcomes", "import_outcomes_job", "parse_window",
           "today"]
