"""Product events on a customer's merged timeline (``registry.TimelineSource``)."""

import datetime as dt

import duckdb

from becoming import registry

from .actions import store_for


def events(customer, since, until, limit: int) -> list[dict]:
    """The customer's signals of kind event, newest first, but those another source shows in
    its own words (a meeting is on the timeline as a meeting, not as ``engage.meeting``)."""
    store = store_for(customer.workspace)
    if not store.files():
        return []
    covered = sorted({t for s in registry.TIMELINE_SOURCES for t in s.signal_types})
    con = duckdb.connect()
    store.register(con, "signals")
    sql = "SELECT time, type, value FROM signals WHERE customer_id = ? AND kind = 'event'"
    params: list = [customer.pk]
    if covered:
        sql += f" AND type NOT IN ({', '.join('?' * len(covered))})"
        params += covered
    for op, moment in ((">=", since), ("<", until)):
        if moment is not None:
            sql += f" AND time {op} ?"
            params.append(moment.astimezone(dt.UTC).replace(tzinfo=None))  # stored naive UTC
    sql += " ORDER BY time DESC, event_id DESC LIMIT ?"
    params.append(int(limit))
    return [{"time": time, "title": type_.replace("_", " ").replace(".", ": ").capitalize(),
             "detail": "" if value is None else f"value {value:g}", "url": ""}
            for time, type_, value in con.execute(sql, params).fetchall()]
