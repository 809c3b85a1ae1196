"""Pure data ingest: read user files, infer attribute types, normalise events, store signals.

No Django here: the application calls into this package, never the other way round.
"""

from .events import SIGNAL_SCHEMA, prepare_events
from .infer import AttributeColumn, convert_value, infer_attributes
from .read import TabularError, read_table, require_plain, row_position
from .store import SignalStore

__all__ = [
    "SIGNAL_SCHEMA", "AttributeColumn", "SignalStore", "TabularError", "convert_value",
    "infer_attributes", "prepare_events", "read_table", "require_plain", "row_position",
]
