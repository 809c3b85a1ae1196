"""The extension points: how an app plugs into the nav, the customer page, imports and jobs.

Each app fills these in its ``AppConfig.ready()`` (see docs/adding-a-lever.md); nothing else
imports another app's views. Entries name their code by dotted path ("module:attribute") so
registering imports nothing: the code loads when it is first used, which keeps start-up fast
and import cycles impossible.

Entry shapes:

- ``NavItem``: a link in the staff navigation. ``url_name`` is reversed with the workspace
  slug; ``current`` lists the url names that highlight it (a trailing ``*`` matches a prefix);
  ``menu`` is "main" or "settings"; ``role`` hides it from lesser roles; ``setting`` names a
  Django setting that must be true for the item to show (e.g. the demo's outbox); ``badge``
  (optional, "module:fn") is called with the membership and returns a number shown beside
  the label (e.g. unread alerts), 0 or None for none.
- ``CustomerSection``: a card on the customer page. ``context`` is called with
  ``(customer, request)`` and returns the template's context, or None to leave the section
  out; ``column`` is "main" or "side".
- ``ImportKind``: a kind of file the imports page accepts. ``form`` is a form class taking
  ``(columns, data=None, initial=None)`` with ``action_kwargs()``; ``guess`` returns initial
  values from the columns; ``action`` is called as
  ``action(workspace, path, file_name=..., dry_run=..., progress=..., **form.action_kwargs())``.
  Its job kind is ``import_<key>``.
- ``PortalSection``: a card on a customer's portal (what a signed-in contact sees). ``context``
  is called with ``(contact, request)`` and returns the template's context, or None to leave
  the section out. Only what a member of that customer may see belongs in it.
- ``DemoStep``: a part of the demo workspace an app builds. ``target`` is called as
  ``fn(demo)`` with a ``becoming.demo.context.DemoContext``; steps with ``before_history``
  run after the product events are stored and before the month-end snapshots are rebuilt
  (so the signals they add shape the history), the others after Engage's demo data.
- ``PlaybookStep``: a kind of step a playbook (``becoming.levers``) can take for an enrolled
  customer, written in the playbook's YAML as ``- <key>: {options}``. ``target`` is called as
  ``fn(workspace, customer, options, enrolment)`` and returns a short text saying what it did;
  ``check`` (optional) is called as ``fn(workspace, options)`` when a playbook is validated
  against a workspace and returns a list of problems (text) with the options.
- ``LeverAction``: a signal type the lever-effect analysis offers as an action, with the name
  people read. ``check`` (optional) is called as ``fn(workspace, customer_ids)`` and returns
  the ids to whom the action can be offered now (e.g. introductions only for contacts who opted
  in); the next-best-action list leaves the others out.
- ``TimelineSource``: a kind of entry on a customer's merged timeline (signals, meetings,
  stage changes...). ``target`` is called as ``fn(customer, since, until, limit)`` (aware
  datetimes or None, an int) and returns at most ``limit`` entries, newest first, each a
  dict ``{"time": aware datetime, "title": str, "detail": str, "url": str or ""}``.
  ``signal_types`` names signal types the source shows in its own words, which the plain
  signals source then leaves out (no entry twice).
- Assessment hooks: ``"module:fn"`` called as ``fn(snapshot)`` after an assessment is stored
  (e.g. alerts on stage drops). A hook's failure is its own: it must not raise.
- ``BulkAction``: something staff can do to every customer of a segment or of the filtered
  customer list at once (``becoming.segments``). ``target`` is called as
  ``fn(workspace, customers, *, user, base_url, **form.cleaned_data)`` with a queryset of
  customers and returns a short text saying what it did (raise ValidationError when it cannot);
  ``form`` (optional) is a form class taking ``(workspace, data=None)`` whose fields are the
  action's options (e.g. which survey).
- ``CustomerListTool``: a template included under the customer list's filters, with the list
  page's context (``active`` filters, ``query``), e.g. "Save as segment".
- Job kinds: ``name -> "module:function"``; the function is called as
  ``fn(job, progress, **job.params)`` and returns a dict (the job's result).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int
    current: tuple[str, ...] = ()
    role: str = "viewer"
    menu: str = "main"
    setting: str = ""
    badge: str = ""

    def is_current(self, url_name: str | None) -> bool:
        names = self.current or (self.url_name,)
        if not url_name:
            return False
        return any(
            url_name.startswith(n[:-1]) if n.endswith("*") else url_name == n for n in names
        )


@dataclass(frozen=True)
class CustomerSection:
    key: str
    template: str
    context: str
    order: int
    column: str = "main"


@dataclass(frozen=True)
class ImportKind:
    key: str
    label: str
    form: str
    action: str
    guess: str = ""
    help: str = ""
    order: int = 100
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PortalSection:
    key: str
    label: str
    template: str
    context: str
    order: int
    column: str = "main"


@dataclass(frozen=True)
class DemoStep:
    key: str
    target: str
    order: int
    before_history: bool = False


@dataclass(frozen=True)
class PlaybookStep:
    key: str
    label: str
    target: str
    check: str = ""


@dataclass(frozen=True)
class LeverAction:
    type: str
    label: str
    check: str = ""


@dataclass(frozen=True)
class TimelineSource:
    key: str
    label: str
    target: str
    order: int = 100
    signal_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class BulkAction:
    key: str
    label: str
    target: str
    form: str = ""
    order: int = 100
    role: str = "member"
    help: str = ""


@dataclass(frozen=True)
class CustomerListTool:
    key: str
    template: str
    order: int = 100


NAV: list[NavItem] = []
CUSTOMER_SECTIONS: list[CustomerSection] = []
IMPORT_KINDS: dict[str, ImportKind] = {}
JOB_KINDS: dict[str, str] = {}
PORTAL_SECTIONS: list[PortalSection] = []
DEMO_STEPS: list[DemoStep] = []
PLAYBOOK_STEPS: dict[str, PlaybookStep] = {}
LEVER_ACTIONS: dict[str, LeverAction] = {}
TIMELINE_SOURCES: list[TimelineSource] = []
ASSESSMENT_HOOKS: list[str] = []
BULK_ACTIONS: list[BulkAction] = []
CUSTOMER_LIST_TOOLS: list[CustomerListTool] = []


def _keep_unique(entries: list, entry, key: Callable) -> None:
    # ready() can run twice in tests that reload apps: registering the same entry is a no-op.
    entries[:] = [e for e in entries if key(e) != key(entry)] + [entry]


def add_nav(item: NavItem) -> None:
    _keep_unique(NAV, item, lambda e: e.url_name)
    NAV.sort(key=lambda e: (e.order, e.label))


def add_customer_section(section: CustomerSection) -> None:
    _keep_unique(CUSTOMER_SECTIONS, section, lambda e: e.key)
    CUSTOMER_SECTIONS.sort(key=lambda e: (e.order, e.key))


def add_portal_section(section: PortalSection) -> None:
    _keep_unique(PORTAL_SECTIONS, section, lambda e: e.key)
    PORTAL_SECTIONS.sort(key=lambda e: (e.order, e.key))


def add_demo_step(step: DemoStep) -> None:
    _keep_unique(DEMO_STEPS, step, lambda e: e.key)
    DEMO_STEPS.sort(key=lambda e: (e.order, e.key))


def add_bulk_action(action: BulkAction) -> None:
    _keep_unique(BULK_ACTIONS, action, lambda e: e.key)
    BULK_ACTIONS.sort(key=lambda e: (e.order, e.key))


def add_customer_list_tool(tool: CustomerListTool) -> None:
    _keep_unique(CUSTOMER_LIST_TOOLS, tool, lambda e: e.key)
    CUSTOMER_LIST_TOOLS.sort(key=lambda e: (e.order, e.key))


def add_import_kind(kind: ImportKind) -> None:
    IMPORT_KINDS[kind.key] = kind


def add_playbook_step(step: PlaybookStep) -> None:
    PLAYBOOK_STEPS[step.key] = step


def add_lever_action(action: LeverAction) -> None:
    LEVER_ACTIONS[action.type] = action


def add_timeline_source(source: TimelineSource) -> None:
    _keep_unique(TIMELINE_SOURCES, source, lambda e: e.key)
    TIMELINE_SOURCES.sort(key=lambda e: (e.order, e.key))


def add_assessment_hook(target: str) -> None:
    _keep_unique(ASSESSMENT_HOOKS, target, lambda e: e)


def add_job_kind(name: str, target: str) -> None:
    JOB_KINDS[name] = target


def resolve(target: str) -> Any:
    """"package.module:attribute" → the attribute (imported on first use)."""
    module, _, attribute = target.partition(":")
    found: Any = importlib.import_module(module)
    for part in attribute.split("."):
        found = getattr(found, part)
    return found


def nav_for(membership, url_name: str | None, menu: str = "main") -> list[dict]:
    """The nav items a member may see, with the current one marked."""
    return [
        {"item": item, "current": item.is_current(url_name),
         "badge": resolve(item.badge)(membership) if item.badge else None}
        for item in NAV
        if item.menu == menu and membership is not None and membership.can(item.role)
        and (not item.setting or getattr(settings, item.setting, False))
    ]
