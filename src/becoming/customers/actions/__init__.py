"""Customers: the rules of the customers app, by subject (see each module).

- ``records``: one customer at a time (upsert, attributes, contacts, deletion, account fields);
- ``imports``: customer files in, of any size, in one transaction;
- ``listing``: the customer list's filter and sort (pages, API, segments);
- ``loading``: the customers as the engine reads them.
"""

from .imports import (
    ID_GUESSES,
    NAME_GUESSES,
    guess_column,
    import_customers,
    import_customers_job,
)
from .listing import (
    StageSorted,
    filter_customers,
    list_customers,
    search_customers,
    sort_customers,
    typed,
)
from .loading import (
    DUCKDB_TYPES,
    engine_customers,
    load_customers,
)
from .records import (
    CHURN_FALSE,
    CHURN_TRUE,
    UNSET,
    add_contact,
    check_attribute_name,
    delete_customer,
    drop_attribute,
    find_customer,
    members,
    parse_arr,
    parse_churn,
    parse_day,
    parse_status,
    remove_contact,
    rename_attribute,
    set_account,
    update_customer,
    upsert_customer,
    workspace_member,
)

__all__ = [
    "ID_GUESSES",
    "NAME_GUESSES",
    "guess_column",
    "import_customers",
    "import_customers_job",
    "StageSorted",
    "filter_customers",
    "list_customers",
    "search_customers",
    "sort_customers",
    "typed",
    "DUCKDB_TYPES",
    "engine_customers",
    "load_customers",
    "CHURN_FALSE",
    "CHURN_TRUE",
    "UNSET",
    "add_contact",
    "check_attribute_name",
    "delete_customer",
    "drop_attribute",
    "find_customer",
    "members",
    "parse_arr",
    "parse_churn",
    "parse_day",
    "parse_status",
    "remove_contact",
    "rename_attribute",
    "set_account",
    "update_customer",
    "upsert_customer",
    "workspace_member",
]
