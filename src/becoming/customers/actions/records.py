"""One customer at a time: upserts with typed attributes, attribute renames and drops, contacts,
deletion, and the account fields (owner, lifecycle status, ARR, renewal)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from becoming.tabular.infer import convert_value

from ..models import Attribute, AttributeType, Contact, Customer

BATCH = 2000  # rows per bulk update
NAME_MAX: int = Attribute._meta.get_field("name").max_length or 200


def _json_value(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def check_attribute_name(name, where: str) -> None:
    """Refuse a name no criterion, filter or DuckDB column could use: blank or too long."""
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(f"{where}: an attribute needs a name that is not blank")
    if len(name) > NAME_MAX:
        raise ValidationError(f"{where}: an attribute name has at most {NAME_MAX} characters")


@transaction.atomic
def upsert_customer(workspace, external_id: str, name: str | None = None,
                    attributes: dict | None = None, kind: str | None = None) -> tuple[Customer, bool]:
    """Create or update one customer by external id; attribute values are checked against types.

    ``kind`` (company or person) changes only when given.
    """
    external_id = (external_id or "").strip()
    if not external_id:
        raise ValidationError("external_id: must not be blank")
    clean = {}
    known = dict(Attribute.objects.filter(workspace=workspace).values_list("name", "type"))
    for key, raw in (attributes or {}).items():
        check_attribute_name(key, f"attributes[{key!r}]")
        type_ = known.get(key) or _type_of(raw)
        try:
            value = convert_value(type_, raw)
        except ValueError as exc:
            raise ValidationError(f"attributes.{key}: {exc}") from None
        if key not in known:
            # Not create(): a concurrent request may be adding the same new attribute.
            Attribute.objects.get_or_create(workspace=workspace, name=key, defaults={"type": type_})
            known[key] = type_
        clean[key] = _json_value(value)
    customer, created = Customer.objects.get_or_create(workspace=workspace, external_id=external_id)
    customer.attributes = {**customer.attributes, **clean}
    customer.attributes = {k: v for k, v in customer.attributes.items() if v is not None}
    if name is not None:
        customer.name = name
    if kind:
        if kind not in Customer.Kind.values:
            raise ValidationError(f"kind: one of {', '.join(Customer.Kind.values)}, not {kind!r}")
        customer.kind = kind
    customer.save()
    return customer, created


def _type_of(raw) -> str:
    if isinstance(raw, bool):
        return AttributeType.BOOLEAN
    if isinstance(raw, (int, float)):
        return AttributeType.NUMBER
    return AttributeType.TEXT


def rename_attribute(workspace, old: str, new: str) -> int:
    """Rename attribute ``old`` to ``new`` on the Attribute row and in every customer's JSON.

    All or nothing; returns how many customers held a value. Refuses an unknown ``old`` and a
    ``new`` that is blank or already taken (ignoring case: DuckDB, which runs assessments,
    does not tell ``Plan`` from ``plan``).
    """
    check_attribute_name(new, f"attribute {new!r}")
    with transaction.atomic():
        attribute = _locked_attribute(workspace, old)
        if new == old:
            return 0
        taken = (Attribute.objects.filter(workspace=workspace, name__iexact=new)
                 .exclude(pk=attribute.pk).values_list("name", flat=True).first())
        if taken is not None:
            raise ValidationError(f"attribute {old!r} cannot be renamed to {new!r}: "
                                  f"the workspace already has an attribute {taken!r}")
        attribute.name = new
        attribute.save(update_fields=["name"])
        return _rewrite_attributes(workspace, old, lambda attrs: _renamed(attrs, old, new))


def drop_attribute(workspace, name: str) -> int:
    """Delete attribute ``name`` and its value from every customer; all or nothing.

    Returns how many customers held a value. Refuses an unknown name.
    """
    with transaction.atomic():
        _locked_attribute(workspace, name).delete()
        return _rewrite_attributes(workspace, name, lambda attrs: _without(attrs, name))


def _locked_attribute(workspace, name: str) -> Attribute:
    # Row lock (PostgreSQL) so two renames of one attribute cannot interleave.
    attribute = Attribute.objects.select_for_update().filter(workspace=workspace, name=name).first()
    if attribute is None:
        raise ValidationError(f"attribute {name!r}: no such attribute in this workspace")
    return attribute


def _renamed(attrs: dict, old: str, new: str) -> dict:
    return {(new if key == old else key): value for key, value in attrs.items()}


def _without(attrs: dict, key: str) -> dict:
    return {k: value for k, value in attrs.items() if k != key}


def _rewrite_attributes(workspace, key: str, change) -> int:
    """Apply ``change`` to the attributes of every customer holding ``key``, BATCH at a time.

    Walks primary keys in order (keyset pagination) so memory stays bounded whatever the
    workspace size. Filtering on the key in Python, not with ``has_key``, keeps one code
    path for both databases and for odd keys (a blank legacy name, quotes, dots).
    """
    qs = Customer.objects.filter(workspace=workspace).order_by("pk")
    last, changed = 0, 0
    while batch := list(qs.filter(pk__gt=last).values_list("pk", "attributes")[:BATCH]):
        last = batch[-1][0]
        rows = [Customer(pk=pk, attributes=change(attrs)) for pk, attrs in batch if key in attrs]
        Customer.objects.bulk_update(rows, ["attributes"], batch_size=BATCH)
        changed += len(rows)
    return changed


@transaction.atomic
def delete_customer(customer: Customer) -> None:
    """Delete a customer, their contacts and their signals.

    The row goes first inside the transaction, the signals last: if deleting signals fails
    the row comes back, and signals of a deleted customer are never read (every read joins
    on customers).
    """
    from becoming.signals.actions import store_for

    pk, workspace = customer.pk, customer.workspace
    customer.delete()
    store_for(workspace).delete_customers([pk])


def add_contact(customer: Customer, name: str = "", email: str = "", title: str = "") -> Contact:
    return customer.contacts.create(workspace=customer.workspace, name=name, email=email, title=title)


def remove_contact(contact: Contact) -> None:
    contact.delete()


# -- the account: owner, lifecycle status, ARR, renewal ----------------------------------------

UNSET = object()  # "leave as it is", as opposed to None ("clear it")
CHURN_TRUE = {"yes", "true", "1", "y", "churned"}
CHURN_FALSE = {"no", "false", "0", "n", ""}


def find_customer(workspace, external_id: str) -> Customer:
    """The workspace's customer with this external id; ValidationError when there is none."""
    found = Customer.objects.filter(workspace=workspace, external_id=external_id).first()
    if found is None:
        raise ValidationError(f"customer {external_id!r}: no such customer in this workspace")
    return found


def workspace_member(workspace, email: str, where: str = "owner"):
    """The user with this email among the workspace's members; ValidationError otherwise."""
    from becoming.workspaces.models import Membership

    email = (email or "").strip()
    membership = (Membership.objects.select_related("user")
                  .filter(workspace=workspace, user__email__iexact=email).first())
    if membership is None:
        raise ValidationError(f"{where}: {email!r} is not a member of this workspace")
    return membership.user


def members(workspace) -> list:
    """The workspace's members (users), by email: who can own an account."""
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(memberships__workspace=workspace)
                .order_by("email").only("id", "email", "first_name", "last_name"))


def parse_status(raw, where: str = "status") -> str:
    """A lifecycle status from text, case-insensitively (Trial, ACTIVE, churned)."""
    value = str(raw or "").strip().lower()
    if value not in Customer.Status.values:
        raise ValidationError(f"{where}: one of {', '.join(Customer.Status.values)}, not {raw!r}")
    return value


def parse_churn(raw, where: str = "churn") -> bool:
    """A churn flag: Yes/No, true/false, 1/0 (any case)."""
    value = str(raw if raw is not None else "").strip().lower()
    if isinstance(raw, float) and raw.is_integer():
        value = str(int(raw))
    if value in CHURN_TRUE:
        return True
    if value in CHURN_FALSE:
        return False
    raise ValidationError(f"{where}: Yes or No (true/false, 1/0), not {raw!r}")


def parse_arr(raw, where: str = "arr"):
    """Annual recurring revenue as a Decimal with cents; None for blank."""
    from decimal import Decimal, InvalidOperation

    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).replace(",", "").strip()).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValidationError(f"{where}: a number, not {raw!r}") from None
    if value < 0 or not value.is_finite() or value >= Decimal("1e12"):
        raise ValidationError(f"{where}: a number from 0 to 999,999,999,999, not {raw!r}")
    return value


def parse_day(raw, where: str = "renewal_date") -> dt.date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip()[:10])
    except ValueError:
        raise ValidationError(f"{where}: a date like 2026-01-31, not {raw!r}") from None


def set_account(customer: Customer, *, owner=UNSET, status=UNSET, arr=UNSET,
                renewal_date=UNSET) -> Customer:
    """Change what is given of the account: ``owner`` by email ("" or None clears it),
    ``status`` (trial, active, churned), ``arr`` (a number, None clears), ``renewal_date``
    (a date or ISO text, None clears). Checks everything before writing anything."""
    changed: dict = {}
    if owner is not UNSET:
        changed["owner"] = workspace_member(customer.workspace, owner) if owner else None
    if status is not UNSET:
        changed["status"] = parse_status(status)
    if arr is not UNSET:
        changed["arr"] = parse_arr(arr)
    if renewal_date is not UNSET:
        changed["renewal_date"] = parse_day(renewal_date)
    for name, value in changed.items():
        setattr(customer, name, value)
    if changed:
        customer.save(update_fields=[*changed, "updated"])
    return customer


@transaction.atomic
def update_customer(customer: Customer, name: str | None = None, attributes: dict | None = None,
                    kind: str | None = None, account: dict | None = None) -> Customer:
    """Change a customer's name, kind, attributes and account fields (see
    :func:`set_account`; ``account`` holds only the fields to change). All or nothing."""
    customer, _ = upsert_customer(customer.workspace, customer.external_id, name, attributes,
                                  kind=kind)
    return set_account(customer, **(account or {}))
