"""Playbooks: validate, version, dry-run and apply; each enrolment and step becomes a signal.

Commit order (as for imports, see becoming.signals.actions): the playbook's version, its
enrolments and the tasks its steps create commit in the database first; the signals
(``playbook.enrolled`` or ``playbook.holdout``, and one ``playbook.step`` per step done) go to
the store last, each keyed by the enrolment (``playbook-<pk>``, ``playbook-<pk>-step-<n>``),
so re-sending them is harmless. A crash in between leaves enrolments without signals:
:func:`send_enrolment_signals` (called by every apply) restores them. Steps with outside
effects (a survey's mail) run after the database commit; a failure there is reported in the
result and does not undo the enrolment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os

import duckdb
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from becoming import registry
from becoming.assessments.actions import assess_workspace
from becoming.assessments.models import Snapshot, StageChange
from becoming.customers.models import Customer
from becoming.engine import Dimension, Model, ModelError, Stage
from becoming.engine.windows import window_days
from becoming.signals.actions import ingest_batch
from becoming.transformation.actions import current_version, format_issue

from ..models import Enrolment, EnrolmentStep, Playbook, PlaybookVersion
from ..playbook_schema import Playbook as PlaybookSpec
from ..playbook_schema import parse_playbook
from .effects import today

REENROL_DAYS = 90  # a customer enters the same playbook at most once in this many days
DEFAULT_CHANGE_WINDOW = "30d"


def step_kinds() -> set[str]:
    return set(registry.PLAYBOOK_STEPS)


def check_text(text: str) -> tuple[PlaybookSpec | None, list]:
    """(the playbook, []) or (None, every issue with its line): the form only, no workspace."""
    try:
        return parse_playbook(text, step_kinds()), []
    except ModelError as exc:
        return None, exc.errors


def validate(text: str, workspace=None) -> PlaybookSpec:
    """The parsed playbook, or ValidationError with line-precise messages.

    With a workspace, dimensions and stages are checked against its model and each step's
    options by the step's own check (e.g. the survey exists)."""
    model = None
    if workspace is not None:
        version = current_version(workspace)
        if version is None:
            raise ValidationError("this workspace has no transformation model yet: apply one first")
        model = version.parsed()
    try:
        spec = parse_playbook(text, step_kinds(), model)
    except ModelError as exc:
        raise ValidationError([format_issue(i) for i in exc.errors]) from None
    if workspace is not None:
        problems = []
        for i, step in enumerate(spec.steps):
            check = registry.PLAYBOOK_STEPS[step.kind].check
            for message in (registry.resolve(check)(workspace, step.options) if check else []):
                where = f"line {step.line}: " if step.line else ""
                problems.append(f"{where}steps[{i}].{step.kind}: {message}")
        if problems:
            raise ValidationError(problems)
    return spec


def save_version(workspace, text: str, user=None) -> PlaybookVersion:
    """Store the text as the playbook's next version (the same text again is not a new one)."""
    spec = validate(text, workspace)
    with transaction.atomic():
        playbook, _ = Playbook.objects.get_or_create(workspace=workspace, key=spec.key,
                                                     defaults={"name": spec.name})
        if playbook.name != spec.name:
            playbook.name = spec.name
            playbook.save(update_fields=["name"])
        latest = playbook.versions.order_by("-number").first()
        if latest is not None and latest.text == text:
            return latest
        number = (playbook.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        return PlaybookVersion.objects.create(playbook=playbook, number=number, text=text,
                                              created_by=user)


# -- who matches a trigger today --------------------------------------------------------------


def matching_customers(workspace, spec: PlaybookSpec, on: dt.date | None = None) -> list[int]:
    """Ids of the customers the trigger picks today (before leaving out recent enrolments)."""
    on = on or today()
    version = current_version(workspace)
    if version is None:
        raise ValidationError("this workspace has no transformation model yet: apply one first")
    model = version.parsed()
    if spec.trigger == "criterion":
        return _criterion_matches(workspace, spec, on)
    if spec.trigger == "score":
        return _score_matches(workspace, spec)
    dim = next(d for d in model.dimensions if d.key == spec.when["dimension"])
    keys = [s.key for s in dim.stages]
    if spec.trigger == "stage_change":
        since = on - dt.timedelta(days=window_days(spec.when.get("within") or DEFAULT_CHANGE_WINDOW))
        changes = StageChange.objects.filter(workspace=workspace, dimension=dim.key, as_of__gt=since,
                                             as_of__lte=on)
        if "to" in spec.when:
            changes = changes.filter(to_stage=spec.when["to"])
        found = [(c, a, b) for c, a, b in changes.values_list("customer_id", "from_index", "to_index")
                 if "to" in spec.when or (b > a) == (spec.when.get("direction") == "up")]
        current = _current_stages(workspace, dim.key)
        return sorted({c for c, _, b in found if current.get(c) == b})
    # days_at_stage
    index = keys.index(spec.when["stage"])
    current = _current_stages(workspace, dim.key)
    at = [c for c, s in current.items() if s == index]
    arrived = dict(StageChange.objects.filter(workspace=workspace, dimension=dim.key, to_index=index,
                                              customer_id__in=at)
                   .values_list("customer_id").annotate(last=Max("as_of")))
    first = (Snapshot.objects.filter(workspace=workspace).order_by("as_of")
             .values_list("as_of", flat=True).first())
    need = int(spec.when["at_least"])
    out = []
    for c in at:
        arrived_on: dt.date | None = arrived.get(c) or first
        if arrived_on is not None and (on - arrived_on).days >= need:
            out.append(c)
    return sorted(out)


def _current_stages(workspace, dimension: str) -> dict[int, int]:
    return {pk: stages.get(dimension) for pk, stages in
            Customer.objects.filter(workspace=workspace).values_list("id", "stages")
            if stages and stages.get(dimension) is not None}


def _criterion_matches(workspace, spec: PlaybookSpec, on: dt.date) -> list[int]:
    """A one-dimension model whose upper stage is the criterion, run by the engine."""
    assert spec.criterion is not None
    model = Model(vision="playbook trigger", dimensions=(Dimension(
        key="trigger", name="Trigger", target="met",
        stages=(Stage("unmet", "Unmet"), Stage("met", "Met", when=(spec.criterion,)))),))
    try:
        table = assess_workspace(workspace, model, on)[0].table
    except ModelError as exc:
        raise ValidationError([format_issue(i) for i in exc.errors]) from None
    ids = table.column("customer_id").to_pylist()
    stages = table.column("stage__trigger").to_pylist()
    return sorted(int(c) for c, s in zip(ids, stages) if s == 1)


def _score_matches(workspace, spec: PlaybookSpec) -> list[int]:
    """Customers whose index crossed the line between the two latest assessments."""
    dates = list(Snapshot.objects.filter(workspace=workspace).values_list("as_of", flat=True)
                 .distinct().order_by("-as_of")[:2])
    if len(dates) < 2:
        return []
    paths = []
    for day in dates:
        snap = Snapshot.objects.filter(workspace=workspace, as_of=day).order_by("-created").first()
        if snap is None or not os.path.exists(snap.path):
            return []
        paths.append(snap.path)
    con = duckdb.connect()
    below = "below" in spec.when
    line = float(spec.when.get("below", spec.when.get("above", 0)))
    cond = "n.index < $1 AND p.index >= $1" if below else "n.index > $1 AND p.index <= $1"
    rows = con.execute(
        f"SELECT n.customer_id FROM read_parquet($2) n JOIN read_parquet($3) p USING (customer_id) "
        f"WHERE {cond}", [line, paths[0], paths[1]]).fetchall()
    con.close()
    return sorted(int(r[0]) for r in rows)


def in_holdout(key: str, customer_id: int, share: float) -> bool:
    """A stable coin toss per playbook and customer: the same customer stays on its side."""
    digest = hashlib.sha256(f"{key}:{customer_id}".encode()).digest()
    return int.from_bytes(digest[:8], "little") / 2 ** 64 < share


def dry_run(workspace, text: str, on: dt.date | None = None) -> dict:
    """Who would be enrolled today (and who of them held out); nothing is stored."""
    spec = validate(text, workspace)
    on = on or today()
    ids = _eligible(workspace, spec, on)
    names = dict(Customer.objects.filter(workspace=workspace, id__in=ids)
                 .values_list("id", "name"))
    external = dict(Customer.objects.filter(workspace=workspace, id__in=ids)
                    .values_list("id", "external_id"))
    rows = [{"customer_pk": c, "customer_id": external[c], "name": names[c] or external[c],
             "holdout": in_holdout(spec.key, c, spec.holdout)} for c in ids]
    return {"key": spec.key, "name": spec.name, "on": on, "customers": rows,
            "enrol": sum(not r["holdout"] for r in rows), "holdout": sum(r["holdout"] for r in rows),
            "steps": [registry.PLAYBOOK_STEPS[s.kind].label for s in spec.steps]}


def _eligible(workspace, spec: PlaybookSpec, on: dt.date) -> list[int]:
    matches = matching_customers(workspace, spec, on)
    recent = set(Enrolment.objects.filter(
        workspace=workspace, playbook__key=spec.key,
        enrolled_on__gt=on - dt.timedelta(days=REENROL_DAYS)).values_list("customer_id", flat=True))
    return [c for c in matches if c not in recent]


def apply(workspace, text: str, user=None, on: dt.date | None = None) -> dict:
    """Save the version, enrol today's matches, run the steps, then write the signals."""
    version = save_version(workspace, text, user)
    spec = validate(text, workspace)
    on = on or today()
    ids = _eligible(workspace, spec, on)
    customers = {c.pk: c for c in Customer.objects.filter(workspace=workspace, id__in=ids)}
    with transaction.atomic():
        enrolments = [Enrolment.objects.create(
            workspace=workspace, playbook=version.playbook, version=version, customer=customers[c],
            enrolled_on=on, holdout=in_holdout(spec.key, c, spec.holdout)) for c in ids]
    done, failed = 0, []
    for enrolment in enrolments:
        if enrolment.holdout:
            continue
        for n, step in enumerate(spec.steps):
            fn = registry.resolve(registry.PLAYBOOK_STEPS[step.kind].target)
            try:
                result = fn(workspace, enrolment.customer, step.options, enrolment)
            except Exception as exc:  # one customer's failed step must not stop the others
                failed.append(f"{enrolment.customer.external_id}: {step.kind}: {exc}")
                continue
            EnrolmentStep.objects.create(enrolment=enrolment, number=n, kind=step.kind,
                                         result=str(result or "")[:500])
            done += 1
    send_enrolment_signals(workspace, version.playbook, enrolments)
    return {"playbook": spec.key, "version": version.number, "enrolled": len(enrolments),
            "treated": sum(not e.holdout for e in enrolments),
            "holdout": sum(e.holdout for e in enrolments), "steps": done, "failed": failed}


def send_enrolment_signals(workspace, playbook: Playbook, enrolments=None) -> int:
    """Append the signals of these enrolments (default: all of the playbook's) and of their
    steps done, keyed so that what the store has already is not added twice."""
    events = []
    ids = None if enrolments is None else [e.pk for e in enrolments]
    qs = playbook.enrolments.select_related("customer", "version").prefetch_related("steps")
    for e in (qs if ids is None else qs.filter(pk__in=ids)):
        when = dt.datetime.combine(e.enrolled_on, dt.time(9))
        props = {"playbook": playbook.key, "version": e.version.number}
        events.append({"customer_id": e.customer.external_id, "kind": "event",
                       "type": "playbook.holdout" if e.holdout else "playbook.enrolled",
                       "time": when, "id": f"playbook-{e.pk}", "properties": props})
        for step in e.steps.all():
            events.append({"customer_id": e.customer.external_id, "kind": "event",
                           "type": "playbook.step", "time": when,
                           "id": f"playbook-{e.pk}-step-{step.number}",
                           "properties": {**props, "step": step.kind}})
    added = 0
    for start in range(0, len(events), 5000):
        added += ingest_batch(workspace, events[start:start + 5000])["added"]
    return added


def playbooks(workspace) -> list[dict]:
    out = []
    for p in Playbook.objects.filter(workspace=workspace).prefetch_related("versions"):
        latest = p.versions.order_by("-number").first()
        out.append({"playbook": p, "version": latest.number if latest else None,
                    "enrolled": p.enrolments.filter(holdout=False).count(),
                    "holdout": p.enrolments.filter(holdout=True).count()})
    return out


def playbook_detail(workspace, key: str) -> dict:
    playbook = Playbook.objects.filter(workspace=workspace, key=key).first()
    if playbook is None:
        raise ValidationError(f"no playbook {key!r} in this workspace")
    versions = list(playbook.versions.order_by("-number"))
    enrolments = playbook.enrolments.select_related("customer", "version").order_by(
        "-enrolled_on", "customer__name")
    return {"playbook": playbook, "versions": versions, "text": versions[0].text if versions else "",
            "enrolments": enrolments}


def run_playbooks(workspace, on: dt.date | None = None) -> dict:
    """Apply the latest version of every playbook of the workspace (enrol today's matches);
    what a daily job runs so that playbooks keep enrolling as customers change."""
    results = {}
    for playbook in Playbook.objects.filter(workspace=workspace):
        latest = playbook.versions.order_by("-number").first()
        if latest is None:
            continue
        try:
            results[playbook.key] = apply(workspace, latest.text, on=on)
        except ValidationError as exc:  # e.g. the model changed under the playbook
            results[playbook.key] = {"error": "; ".join(exc.messages)}
    return results


def run_playbooks_job(job, progress) -> dict:
    return run_playbooks(job.workspace)
