"""Run the engine for a workspace, keep the snapshot, and record who moved."""

import datetime as dt
import os
import uuid

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from becoming import registry
from becoming.customers.actions import engine_customers, load_customers
from becoming.customers.models import Customer, CustomerStage
from becoming.engine import (
    AssessmentResult,
    ModelError,
    assess,
    compile_model,
    explain,
    long_stages,
)
from becoming.engine.spark import ENGINES
from becoming.signals.actions import store_for
from becoming.transformation.actions import (
    current_model,
    current_version,
    format_issue,
    validate_text,
)
from becoming.transformation.models import ModelVersion

from .models import Snapshot, StageChange

UPDATE_BATCH = 5000


def duckdb_config() -> dict:
    """DuckDB's limits for assessments (settings BECOMING_DUCKDB_MEMORY and _THREADS): past
    the memory limit it spills to a folder under the data directory rather than take the
    machine's memory (80% of it, left to itself)."""
    settings.DUCKDB_TEMP.mkdir(exist_ok=True)
    return {"memory_limit": settings.DUCKDB_MEMORY, "threads": settings.DUCKDB_THREADS,
            "temp_directory": str(settings.DUCKDB_TEMP)}


def assess_workspace(workspace, model, as_of: dt.date, customer_id: int | None = None,
                     engine: str = "duckdb"):
    """Run ``model`` over the workspace's customers and signals as of a date.

    The one place that opens an engine over a workspace: returns ``(result, connection)``.
    On DuckDB the connection's ``customers`` table and ``signals`` view stay there for
    follow-up queries; on Spark (``engine="spark"``, every customer) the connection is a
    fresh DuckDB one for the follow-up work on the result. With ``customer_id``, only that
    customer is assessed (on DuckDB).
    """
    if engine == "spark" and customer_id is None:
        return _assess_on_spark(workspace, model, as_of), duckdb.connect(config=duckdb_config())
    if engine not in ENGINES:
        raise ValidationError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    con = duckdb.connect(config=duckdb_config())
    con.execute("SET enable_progress_bar = false")  # else a long query draws on the terminal
    load_customers(workspace, con, "customers", customer_id=customer_id)
    store_for(workspace).register(con, "signals")
    return assess(model, as_of, con), con


def _assess_on_spark(workspace, model, as_of: dt.date) -> AssessmentResult:
    """The same compiled model on Apache Spark (SPARK_MASTER, else local[*]).

    Spark reads the customers exported as Parquet next to the signal store (removed
    afterwards), and the store's current snapshot: its Parquet files as listed by the Delta
    log, or the Delta table itself through delta-spark with BECOMING_SPARK_DELTA. On a
    cluster the executors must reach both paths (a shared file system or object storage).
    """
    from django.conf import settings

    from becoming.engine import spark as engine

    try:
        session = engine.spark_session(settings.SPARK_MASTER or None, delta=settings.SPARK_DELTA)
    except engine.EngineUnavailable as exc:
        raise ValidationError(str(exc)) from None
    store = store_for(workspace)
    path = workspace.data_dir / f"customers-{uuid.uuid4().hex}.parquet"
    pq.write_table(engine_customers(workspace), path)
    try:
        customers = session.read.parquet(path.as_uri())
        if settings.SPARK_DELTA and store.version() >= 0:  # the connector needs a table
            signals = engine.read_signals(session, delta_path=store.path)
        else:
            signals = engine.read_signals(session, store.files())
        return engine.assess(model, as_of, session, customers, signals)
    finally:
        path.unlink(missing_ok=True)


def run_assessment(workspace, as_of: dt.date | None = None, progress=None,
                   engine: str | None = None) -> Snapshot:
    """Assess every customer as of a date with the current model; returns the stored snapshot.

    ``engine``: duckdb or spark; by default the BECOMING_ENGINE setting.
    """
    from django.conf import settings

    report = progress or (lambda *a, **k: None)
    as_of = as_of or dt.date.today()
    engine = engine or settings.ENGINE
    version = current_version(workspace)
    if version is None:
        raise ValidationError("this workspace has no transformation model yet: apply one first")
    model = version.parsed()
    report(0, total=3, message=f"assessing as of {as_of}" + (" on Spark" if engine == "spark" else ""))
    result, con = assess_workspace(workspace, model, as_of, engine=engine)
    report(1, message="saving the snapshot")
    path = _write(workspace, version.number, as_of, result.table)
    snapshot = Snapshot.objects.create(
        workspace=workspace, model_version=version, as_of=as_of, path=str(path),
        customers=result.table.num_rows, summary=summarise(model, con, result.table, workspace),
    )
    report(2, message="recording stage changes")
    _record_changes(snapshot, model, con)
    if not Snapshot.objects.filter(workspace=workspace, as_of__gt=as_of).exists():
        _update_customers(snapshot, model, con)
    for hook in registry.ASSESSMENT_HOOKS:  # e.g. alerts on stage drops and renewals
        registry.resolve(hook)(snapshot)
    report(3, message="done")
    return snapshot


def _write(workspace, version: int, as_of: dt.date, table: pa.Table):
    folder = workspace.data_dir / "assessments"
    folder.mkdir(exist_ok=True)
    path = folder / f"{as_of.isoformat()}-v{version}-{dt.datetime.now():%Y%m%d%H%M%S%f}.parquet"
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)  # readers never see a half-written snapshot
    return path


def summarise(model, con, table: pa.Table, workspace=None) -> dict:
    """What the dashboard charts: the mean index, customers per stage of each dimension, and
    how many customers that is. With ``workspace``, its churned customers are left out (they
    stay in the snapshot, so their page and history keep them) and counted in ``churned``."""
    ids = (Customer.objects.filter(workspace=workspace, status=Customer.Status.CHURNED)
           .values_list("id", flat=True) if workspace is not None else [])
    # Wrapped from numpy's buffer: pa.array() of a list or an array imports pandas (0.3 s).
    values = np.fromiter(ids, dtype=np.int64)
    churned = pa.Table.from_arrays([pa.Array.from_buffers(
        pa.int64(), len(values), [None, pa.py_buffer(values)])], names=["customer_id"])
    con.register("result_all", table)
    con.register("result_churned", churned)
    con.execute("CREATE OR REPLACE TEMP VIEW result_summary AS SELECT * FROM result_all "
                "WHERE customer_id NOT IN (SELECT customer_id FROM result_churned)")
    row = con.execute('SELECT avg("index"), count(*) FROM result_summary').fetchone()
    dimensions: dict[str, list[int]] = {}
    for dim in model.dimensions:
        col = f"stage__{dim.key}"
        counts = dict(con.execute(f'SELECT "{col}", count(*) FROM result_summary GROUP BY 1').fetchall())
        dimensions[dim.key] = [counts.get(i, 0) for i in range(len(dim.stages))]
    con.execute("DROP VIEW result_summary")
    con.unregister("result_all")
    con.unregister("result_churned")
    customers = row[1] if row else 0
    return {"index": row[0] if row else None, "dimensions": dimensions, "customers": customers,
            "churned": table.num_rows - customers}


def _record_changes(snapshot: Snapshot, model, con) -> None:
    """Compare with the snapshot just before this one (same model version) and store movers."""
    previous = (
        Snapshot.objects.filter(workspace=snapshot.workspace, as_of__lt=snapshot.as_of,
                                model_version=snapshot.model_version)
        .order_by("-as_of", "-created").first()
    )
    if previous is None or not os.path.exists(previous.path):
        return
    changes = []
    for dim in model.dimensions:
        col = f"stage__{dim.key}"
        rows = con.execute(
            f'SELECT n.customer_id, p."{col}", n."{col}" FROM read_parquet(?) n '
            f'JOIN read_parquet(?) p USING (customer_id) WHERE n."{col}" <> p."{col}"',
            [snapshot.path, previous.path],
        ).fetchall()
        keys = [s.key for s in dim.stages]
        changes += [
            StageChange(
                workspace=snapshot.workspace, customer_id=cid, dimension=dim.key,
                from_stage=keys[a], to_stage=keys[b], from_index=a, to_index=b,
                as_of=snapshot.as_of, previous_as_of=previous.as_of,
            )
            for cid, a, b in rows
        ]
    StageChange.objects.filter(workspace=snapshot.workspace, as_of=snapshot.as_of).delete()
    StageChange.objects.bulk_create(changes, batch_size=UPDATE_BATCH)


STAGED = "becoming_assessed"


def _update_customers(snapshot: Snapshot, model, con) -> None:
    """Put the snapshot's stages on its customers, so the list can filter and sort on them:
    ``Customer.stages`` (JSON, for display), ``index`` and ``assessed_on``, and one
    ``CustomerStage`` row per dimension (indexed, for sorting and filtering).

    Only what differs from the snapshot already on the customers is written (a day's
    assessment moves few customers; rewriting a million rows costs seconds): DuckDB compares
    the two snapshots' files, the changed rows go to a temporary table (COPY on PostgreSQL),
    and a few set-based statements apply them. One transaction.
    """
    workspace, dims = snapshot.workspace, [d.key for d in model.dimensions]
    with transaction.atomic():
        base = Snapshot.objects.filter(workspace=workspace, on_customers=True).exclude(
            pk=snapshot.pk).first()
        full = (base is None or base.model_version_id != snapshot.model_version_id
                or not os.path.exists(base.path))
        stage_cols = ", ".join(f'"stage__{d}"' for d in dims)
        pairs = ", ".join(f"'{d}': \"stage__{d}\"" for d in dims)
        query = (f'SELECT customer_id, "index", CAST(to_json({{{pairs}}}) AS VARCHAR), {stage_cols} '
                 "FROM read_parquet(?) n")
        params = [snapshot.path]
        if base is not None and not full:
            same = " AND ".join(f'p."{c}" IS NOT DISTINCT FROM n."{c}"'
                                for c in ["index", *(f"stage__{d}" for d in dims)])
            query += (" WHERE NOT EXISTS (SELECT 1 FROM read_parquet(?) p "
                      f"WHERE p.customer_id = n.customer_id AND {same})")
            params.append(base.path)
        rows = con.execute(query, params)
        with connection.cursor() as cursor:
            _stage_rows(cursor, rows, len(dims))
            _apply(cursor, workspace, dims, full)
            last = con.execute("SELECT max(customer_id) FROM read_parquet(?)", [snapshot.path]).fetchone()
            # Every assessed customer's date; rows already on it are left alone.
            cursor.execute(
                f"UPDATE {_q(Customer._meta.db_table)} SET assessed_on = %s WHERE workspace_id = %s "
                "AND id <= %s AND (assessed_on IS NULL OR assessed_on <> %s)",
                [snapshot.as_of, workspace.pk, (last or [0])[0] or 0, snapshot.as_of])
            cursor.execute(f"DROP TABLE {STAGED}")
        Snapshot.objects.filter(workspace=workspace, on_customers=True).update(on_customers=False)
        Snapshot.objects.filter(pk=snapshot.pk).update(on_customers=True)


def _stage_rows(cursor, rows, dims: int) -> None:
    """The changed customers (id, index, stages JSON, one stage column per dimension) into a
    temporary table, a slice at a time."""
    cols = ", ".join(f"s{i} smallint" for i in range(dims))
    cursor.execute(f"DROP TABLE IF EXISTS {STAGED}")
    cursor.execute(f"CREATE TEMPORARY TABLE {STAGED} (id bigint PRIMARY KEY, "
                   f"idx double precision, stages text, {cols})")
    marks = ", ".join(["%s"] * (dims + 3))
    while part := rows.fetchmany(UPDATE_BATCH * 10):
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {STAGED} FROM STDIN") as copy:
                for row in part:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {STAGED} VALUES ({marks})", part)
    cursor.execute(f"ANALYZE {STAGED}")


def _apply(cursor, workspace, dims: list[str], full: bool) -> None:
    """Write the staged rows: statements that start from the (few) staged rows and find
    each customer or stage row by its key, on SQLite and PostgreSQL alike."""
    customers, stages = _q(Customer._meta.db_table), _q(CustomerStage._meta.db_table)
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    pick = "(SELECT t.{} FROM " + STAGED + " t WHERE t.id = {}.{})"
    cursor.execute(
        f"UPDATE {customers} SET stages = {cast % pick.format('stages', customers, 'id')}, "
        f"{_q('index')} = {pick.format('idx', customers, 'id')} "
        f"WHERE id IN (SELECT id FROM {STAGED}) AND workspace_id = %s", [workspace.pk])
    if full:  # another model (or none) before: its rows go
        cursor.execute(f"DELETE FROM {stages} WHERE workspace_id = %s", [workspace.pk])
    for i, dim in enumerate(dims):
        if not full:
            cursor.execute(
                f"UPDATE {stages} SET stage_index = {pick.format(f's{i}', stages, 'customer_id')} "
                f"WHERE customer_id IN (SELECT id FROM {STAGED}) AND dimension = %s", [dim])
        # Customers deleted since they were assessed are left out by the join.
        cursor.execute(
            f"INSERT INTO {stages} (workspace_id, customer_id, dimension, stage_index) "
            f"SELECT c.workspace_id, t.id, %s, t.s{i} FROM {STAGED} t JOIN {customers} c "
            f"ON c.id = t.id AND c.workspace_id = %s"
            + ("" if full else f" WHERE NOT EXISTS (SELECT 1 FROM {stages} s "
                                 "WHERE s.customer_id = t.id AND s.dimension = %s)")
            + " ORDER BY t.id", [dim, workspace.pk] + ([] if full else [dim]))


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def month_ends(months: int, today: dt.date | None = None) -> list[dt.date]:
    """The last day of each of the `months` months before today's month, oldest first."""
    today = today or dt.date.today()
    first = today.replace(day=1)
    out = []
    for _ in range(months):
        first_prev = (first - dt.timedelta(days=1)).replace(day=1)
        out.append(first - dt.timedelta(days=1))
        first = first_prev
    return sorted(out)


def rebuild_history(workspace, months: int = 12, today: dt.date | None = None, progress=None,
                    engine: str | None = None) -> list[Snapshot]:
    """Recompute month-end snapshots for the past `months` months and today, from the signals."""
    report = progress or (lambda *a, **k: None)
    today = today or dt.date.today()
    dates = month_ends(months, today) + [today]
    Snapshot.objects.filter(workspace=workspace).delete()
    StageChange.objects.filter(workspace=workspace).delete()
    snapshots = []
    for i, day in enumerate(dates):
        report(i, total=len(dates), message=f"assessing as of {day}")
        snapshots.append(run_assessment(workspace, day, engine=engine))
    report(len(dates), total=len(dates), message="done")
    return snapshots


def assess_job(job, progress, as_of=None):
    snap = run_assessment(job.workspace, dt.date.fromisoformat(as_of) if as_of else None, progress)
    return {"snapshot": snap.pk, "customers": snap.customers, "index": snap.summary.get("index")}


def history_job(job, progress, months=12):
    snaps = rebuild_history(job.workspace, months, progress=progress)
    return {"snapshots": len(snaps)}


def latest_snapshot(workspace, as_of: dt.date | None = None) -> Snapshot | None:
    qs = Snapshot.objects.filter(workspace=workspace)
    if as_of:
        qs = qs.filter(as_of__lte=as_of)
    return qs.order_by("-as_of", "-created").first()


def customer_row(snapshot: Snapshot, customer_id: int) -> dict | None:
    con = duckdb.connect()
    rel = con.execute("SELECT * FROM read_parquet(?) WHERE customer_id = ?", [snapshot.path, customer_id])
    names = [d[0] for d in rel.description]
    row = rel.fetchone()
    return dict(zip(names, row)) if row else None


def explain_customer(snapshot: Snapshot, customer_id: int):
    """Per dimension: stage, target, progress, and what the next stage still needs."""
    row = customer_row(snapshot, customer_id)
    if row is None:
        return None
    model = snapshot.model_version.parsed()
    return explain(model, compile_model(model, snapshot.as_of), row)


def export_rows(workspace, as_of: dt.date | None = None) -> pa.Table:
    """One row per customer and dimension of the latest snapshot on or before `as_of`."""
    snapshot = latest_snapshot(workspace, as_of)
    if snapshot is None:
        raise ValidationError("no assessment yet: run `becoming assess` first")
    model = snapshot.model_version.parsed()
    result = AssessmentResult(pq.read_table(snapshot.path), compile_model(model, snapshot.as_of))
    long = long_stages(result)
    ext = dict(Customer.objects.filter(workspace=workspace).values_list("id", "external_id"))
    external = pa.array([ext.get(i) for i in long.column("customer_id").to_pylist()], pa.string())
    long = long.set_column(0, "customer_id", external)
    return long.append_column("as_of", pa.array([snapshot.as_of] * long.num_rows, pa.date32()))


def assess_customer(workspace, customer, as_of: dt.date | None = None) -> dict | None:
    """One customer's assessment with explanations.

    From the snapshot of exactly that date (or the latest when no date is given); otherwise
    computed live for this one customer with the current model.
    """
    snapshot = latest_snapshot(workspace, as_of)
    version: ModelVersion | None
    if snapshot and (as_of is None or snapshot.as_of == as_of):
        model, version, day = snapshot.model_version.parsed(), snapshot.model_version, snapshot.as_of
        row = customer_row(snapshot, customer.pk)
    else:
        version = current_version(workspace)
        if version is None:
            return None
        model, day = version.parsed(), as_of or dt.date.today()
        row = _live_row(workspace, model, day, customer.pk)
    if row is None:
        return None
    dims = explain(model, compile_model(model, day), row)
    return {
        "customer_id": customer.external_id, "as_of": day, "model_version": version.number,
        "index": row["index"], "dimensions": [_dimension_out(d) for d in dims],
    }


def _live_row(workspace, model, as_of, customer_pk) -> dict | None:
    table = assess_workspace(workspace, model, as_of, customer_id=customer_pk)[0].table
    return table.to_pylist()[0] if table.num_rows else None


def _dimension_out(d) -> dict:
    return {
        "dimension": d.dimension, "stage": d.stage, "stage_index": d.stage_index,
        "target": d.target, "progress": d.progress, "next_stage": d.next_stage,
        "criteria": [
            {"label": c.label, "observed": _plain(c.observed), "threshold": c.threshold,
             "met": c.met != c.negated, "missing": c.missing or None}
            for c in d.criteria
        ],
    }


def _plain(value):
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def stage_change_row(change: StageChange) -> dict:
    return {"customer_id": change.customer.external_id, "dimension": change.dimension,
            "from_stage": change.from_stage, "to_stage": change.to_stage,
            "direction": change.direction, "as_of": change.as_of,
            "previous_as_of": change.previous_as_of}


def stage_changes(workspace, dimension: str = "", direction: str = "", since: dt.date | None = None,
                  external_id: str = ""):
    """Stage changes of a workspace, newest first, filtered as asked."""
    from django.db.models import F

    qs = StageChange.objects.filter(workspace=workspace).order_by("-as_of", "customer_id", "dimension")
    if dimension:
        qs = qs.filter(dimension=dimension)
    if direction == "up":
        qs = qs.filter(to_index__gt=F("from_index"))
    elif direction == "down":
        qs = qs.filter(to_index__lt=F("from_index"))
    if since:
        qs = qs.filter(as_of__gte=since)
    if external_id:
        qs = qs.filter(customer__external_id=external_id)
    return qs


# -- previewing an edited model ---------------------------------------------------------------


def preview_distribution(workspace, text: str, as_of: dt.date | None = None) -> dict:
    """Customers per stage under `text`, beside the numbers of the latest snapshot.

    Returns {"as_of", "index", "customers", "dimensions": [{key, name, target_index,
    stages: [{key, name, count, today, change}]}]}; `today` and `change` are None where the
    latest snapshot has no such dimension or stage (matched by keys, not positions). Raises
    ValidationError with line-precise messages when the text is not a valid model for this
    workspace's data. Nothing is stored.
    """
    model, issues = validate_text(text, workspace)
    if issues:
        raise ValidationError([format_issue(i) for i in issues])
    as_of = as_of or dt.date.today()
    try:
        result, con = assess_workspace(workspace, model, as_of)
    except ModelError as exc:
        raise ValidationError([format_issue(i) for i in exc.errors]) from None
    assert model is not None  # validate_text returns a model when there are no issues
    summary = summarise(model, con, result.table, workspace)
    today = _today_counts(latest_snapshot(workspace))
    dims = []
    for dim in model.dimensions:
        counts = summary["dimensions"][dim.key]
        before = today.get(dim.key, {})
        dims.append({
            "key": dim.key, "name": dim.name, "target_index": dim.target_index,
            "stages": [{"key": s.key, "name": s.name, "count": counts[i], "today": before.get(s.key),
                        "change": None if s.key not in before else counts[i] - before[s.key]}
                       for i, s in enumerate(dim.stages)],
        })
    return {"as_of": as_of, "index": summary["index"], "customers": summary["customers"],
            "dimensions": dims}


def _today_counts(snapshot: Snapshot | None) -> dict[str, dict[str, int]]:
    """{dimension key: {stage key: customers}} of a snapshot."""
    if snapshot is None:
        return {}
    model = snapshot.model_version.parsed()
    out = {}
    for dim in model.dimensions:
        counts = snapshot.summary.get("dimensions", {}).get(dim.key, [])
        out[dim.key] = {s.key: (counts[i] if i < len(counts) else 0) for i, s in enumerate(dim.stages)}
    return out


# -- what the pages show ---------------------------------------------------------------------

def index_series(workspace) -> dict:
    """The transformation index per as-of date; the newest snapshot of a date wins."""
    points: dict = {}
    for as_of, summary in (Snapshot.objects.filter(workspace=workspace)
                           .order_by("as_of", "created").values_list("as_of", "summary")):
        if summary.get("index") is not None:
            points[as_of.isoformat()] = round(summary["index"], 1)
    return {"labels": list(points), "values": list(points.values())}


def distributions(snapshot: Snapshot) -> list[dict]:
    """Per dimension of the snapshot's model: stage names, customers per stage, the target."""
    model = snapshot.model_version.parsed()
    counts = snapshot.summary.get("dimensions", {})
    return [
        {
            "key": dim.key, "name": dim.name, "target": dim.target_index,
            "target_name": dim.stages[dim.target_index].name,
            "labels": [s.name for s in dim.stages],
            "values": (counts.get(dim.key) or [0] * len(dim.stages)),
            "reached": sum((counts.get(dim.key) or [])[dim.target_index:]),
        }
        for dim in model.dimensions
    ]


def recent_movers(workspace, limit: int) -> list[StageChange]:
    """The latest stage changes, churned customers left out (as from the dashboard's counts),
    named (see :func:`named_changes`)."""
    return named_changes(workspace, (
        StageChange.objects.filter(workspace=workspace).select_related("customer")
        .exclude(customer__status=Customer.Status.CHURNED)
        .only("customer__name", "customer__external_id", "dimension", "from_stage",
              "to_stage", "from_index", "to_index", "as_of")
        .order_by("-as_of", "-id")[:limit]))


def named_changes(workspace, changes) -> list[StageChange]:
    """``changes`` with ``dimension_name``, ``from_name`` and ``to_name`` set from the current
    model, so pages show "Adoption: Trying → Adopting", never keys. A dimension or stage the
    model no longer has keeps its key."""
    model = current_model(workspace)
    names = model.names() if model else {}
    out = list(changes)
    for c in out:
        dimension, stages = names.get(c.dimension, (c.dimension, {}))
        c.dimension_name = dimension  # type: ignore[attr-defined]
        c.from_name = stages.get(c.from_stage, c.from_stage)  # type: ignore[attr-defined]
        c.to_name = stages.get(c.to_stage, c.to_stage)  # type: ignore[attr-defined]
    return out


def ladders(snapshot: Snapshot | None, customer_id: int) -> list[dict]:
    """Per dimension of a customer: every stage of the snapshot's model, with the explanation."""
    explanation = explain_customer(snapshot, customer_id) if snapshot else None
    if snapshot is None or not explanation:
        return []
    model = snapshot.model_version.parsed()
    by_key = {e.dimension: e for e in explanation}
    out = []
    for dim in model.dimensions:
        exp = by_key.get(dim.key)
        if exp is None:
            continue
        out.append({"dimension": dim, "explanation": exp, "stages": dim.stages,
                    "stage_index": exp.stage_index, "next_index": (exp.stage_index or 0) + 1,
                    "target_index": dim.target_index,
                    "percent": min(100, round(100 * (exp.progress or 0)))})
    return out
