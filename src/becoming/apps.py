"""Which apps make up Becoming, and the one shape a domain app has.

A *domain app* (customers, signals, transformation, assessments, and every lever) has
``models.py``, ``actions.py`` (or ``actions/``), ``api.py`` (a django-ninja ``router``),
``cli.py`` (click commands), ``views.py`` (or ``views/``), ``urls.py``, ``templates/<app>/``
and tests under ``tests/<app>/``. The API, the command line and the URL configuration mount
every app listed here; an app plugs into the nav, the customer page, imports and jobs
through ``becoming.registry`` in its ``AppConfig.ready()``. This module imports nothing, so
the command line can read it without starting Django.
"""

DOMAIN_APPS = (
    "customers", "signals", "transformation", "assessments", "engage", "outcomes", "inform", "connect", "portal", "inspire", "levers",
    "accounts", "segments",
)
# Apps with pages, commands or an API of their own that are not a domain of the business.
CORE_APPS = ("workspaces", "jobs", "web", "outbox")
# Apps whose `api.py` router is mounted under /api/v1/, in this order.
API_APPS = DOMAIN_APPS + ("jobs",)
# Apps whose `cli.py` adds commands to `becoming`: every app above, and the demo builder.
CLI_APPS = ("workspaces",) + DOMAIN_APPS + ("web", "demo")


def app_modules(part: str, apps=DOMAIN_APPS + CORE_APPS) -> list[str]:
    """Dotted names of ``becoming.<app>.<part>`` for the apps that have that part."""
    import importlib.util

    return [f"becoming.{a}.{part}" for a in apps
            if importlib.util.find_spec(f"becoming.{a}.{part}") is not None]
