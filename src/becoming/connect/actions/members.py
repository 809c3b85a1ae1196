"""Who is in the community: opt-in with a record of consent (who, when, how), opt-out."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from becoming.customers.lookup import customer_pks
from becoming.customers.models import Customer
from becoming.tabular.read import TabularError, read_table

from ..models import Member


def opt_in(workspace, customers, *, how: str, by: str, note: str = "", capacity: int | None = None,
           working_on: str | None = None) -> dict:
    """Make ``customers`` members (again); returns counts of ``added`` and ``already``.

    Consent is recorded once per member (how, by whom, when); re-opting-in a member who had
    opted out records the new consent.
    """
    if how not in Member.Consent.values:
        raise ValidationError(f"how: one of {', '.join(Member.Consent.values)}")
    customers = list(customers)
    for customer in customers:
        if customer.workspace_id != workspace.pk:
            raise ValidationError(f"customer {customer.external_id}: not in this workspace")
    now = timezone.now()
    existing = {m.customer_id: m for m in Member.objects.filter(workspace=workspace,
                                                                 customer__in=customers)}
    added = already = 0
    with transaction.atomic():
        fresh = []
        for customer in customers:
            member = existing.get(customer.pk)
            if member is None:
                fresh.append(Member(workspace=workspace, customer=customer, consent_how=how,
                                    consent_at=now, consent_by=by[:300], consent_note=note[:500],
                                    capacity=capacity or 1, working_on=working_on or ""))
                added += 1
            elif not member.opted_in:
                member.opted_in, member.opted_out_at = True, None
                member.consent_how, member.consent_at, member.consent_by = how, now, by[:300]
                member.consent_note = note[:500]
                member.save()
                added += 1
            else:
                already += 1
        Member.objects.bulk_create(fresh, batch_size=1000)
    return {"added": added, "already": already}


def opt_in_customers(workspace, customers, *, user=None, base_url: str = "", note: str = "") -> str:
    """A segment's bulk action (``registry.BulkAction``): staff opt these customers into the
    community on their behalf, the consent recorded with the staff member's email."""
    by = getattr(user, "email", "") or "staff"
    result = opt_in(workspace, customers, how=Member.Consent.STAFF, by=by,
                    note=note or "opted in by staff, from a segment")
    added, already = result["added"], result["already"]
    return (f"Added {added} customer{'s' if added != 1 else ''} to the community"
            + (f"; {already} {'were members' if already != 1 else 'was a member'} already." if already else "."))


def opt_in_all(workspace, *, by: str) -> dict:
    customers = Customer.objects.filter(workspace=workspace)
    if not customers.exists():
        raise ValidationError("the workspace has no customers yet: import customers first")
    return opt_in(workspace, customers, how=Member.Consent.STAFF, by=by,
                  note="every customer of the workspace, opted in by staff")


def opt_in_file(workspace, path, *, customer_column: str, file_name: str | None = None) -> dict:
    """Opt in the customers a file lists (one external id a row): all of them or none."""
    name = file_name or str(path)
    try:
        table = read_table(path)
    except TabularError as exc:
        raise ValidationError(str(exc)) from None
    if customer_column not in table.column_names:
        raise ValidationError(f"{name}: no column {customer_column!r}; columns are: "
                              f"{', '.join(table.column_names)}")
    values = [None if v is None else str(v).strip() for v in table.column(customer_column).to_pylist()]
    known = customer_pks(workspace, [v for v in values if v])
    for row, value in enumerate(values, start=2):
        if not value:
            raise ValidationError(f"{name}, row {row}, column {customer_column}: empty customer id")
        if value not in known:
            raise ValidationError(f"{name}, row {row}, column {customer_column}: unknown customer "
                                  f"{value!r} (import customers first)")
    customers = Customer.objects.filter(workspace=workspace, pk__in=set(known.values()))
    return opt_in(workspace, customers, how=Member.Consent.IMPORT, by=name,
                  note=f"listed in column {customer_column}")


def opt_out(member: Member) -> Member:
    member.opted_in = False
    member.opted_out_at = timezone.now()
    member.save(update_fields=["opted_in", "opted_out_at"])
    return member


def set_profile(member: Member, *, capacity: int | None = None, working_on: str | None = None) -> Member:
    if capacity is not None:
        if not 0 <= capacity <= 10:
            raise ValidationError("capacity: between 0 and 10 introductions a round")
        member.capacity = capacity
    if working_on is not None:
        member.working_on = working_on.strip()[:5000]
    member.save(update_fields=["capacity", "working_on"])
    return member


def opted_in(workspace):
    return (Member.objects.filter(workspace=workspace, opted_in=True)
            .select_related("customer").order_by("customer__external_id"))


def may_be_introduced(workspace, customer_ids) -> list[int]:
    """Of these customers, the ones an introduction may be offered to now: opted-in members
    (the next-best-action list leaves the others out; ``registry.LeverAction.check``)."""
    wanted = list(customer_ids)
    allowed = set(Member.objects.filter(workspace=workspace, opted_in=True, customer_id__in=wanted)
                  .values_list("customer_id", flat=True))
    return [c for c in wanted if c in allowed]


def filter_members(workspace, params) -> tuple:
    """The members directory's one filter (page and API): (queryset, active filters).

    ``q``: words in the customer's name or external id; ``challenge``: words in what the
    member is working on; ``dimension`` and ``stage``: the stage index on a dimension of the
    latest assessment; ``attribute`` and ``value``: an attribute's exact value (e.g. the
    industry).
    """
    from django.db.models import Q

    qs = Member.objects.filter(workspace=workspace, opted_in=True).select_related("customer")
    active = {k: v for k in ("q", "challenge", "dimension", "stage", "attribute", "value")
              if (v := str(params.get(k) or "").strip())}
    if "q" in active:
        qs = qs.filter(Q(customer__name__icontains=active["q"])
                       | Q(customer__external_id__icontains=active["q"]))
    if "challenge" in active:
        qs = qs.filter(working_on__icontains=active["challenge"])
    if "dimension" in active and active.get("stage", "").isdigit():
        qs = qs.filter(**{f"customer__stages__{active['dimension']}": int(active["stage"])})
    else:
        active.pop("stage", None)
    if "attribute" in active and "value" in active:
        qs = qs.filter(**{f"customer__attributes__{active['attribute']}": active["value"]})
    return qs.order_by("customer__name", "customer__external_id"), active


def why_similar(workspace, a: Member, b: Member, *, text_attributes=()) -> dict:
    """Why two members are alike: the parts of the pair's value and the readable reason."""
    from .. import matching
    from .profiles import build_profiles

    if a.workspace_id != workspace.pk or b.workspace_id != workspace.pk:
        raise ValidationError("member: not in this workspace")
    if not text_attributes:  # the texts the latest round compared, so the page agrees with it
        from ..models import Round

        latest = Round.objects.filter(workspace=workspace).order_by("-created", "-id").first()
        text_attributes = (latest.params.get("text_attributes") or []) if latest else []
    profiles = build_profiles(workspace, [a, b], text_attributes=text_attributes)
    reasons = matching.Reasons(profiles)
    parts = reasons.parts(0, 1)
    return {"reason": reasons.why(0, 1), "parts": {k: round(v, 2) for k, v in parts.items()}}


def opt_in_ids(workspace, external_ids: list[str], *, by: str) -> dict:
    """Opt in customers named by external id (all of them, or none when one is unknown)."""
    known = customer_pks(workspace, external_ids)
    unknown = [e for e in external_ids if e not in known]
    if unknown:
        raise ValidationError(f"customer_ids: unknown customer {unknown[0]!r}"
                              f"{f' and {len(unknown) - 1} more' if len(unknown) > 1 else ''}")
    customers = Customer.objects.filter(workspace=workspace, pk__in=set(known.values()))
    return opt_in(workspace, customers, how=Member.Consent.STAFF, by=by, note="opted in through the API")


def join_from_portal(contact, *, working_on: str = "", join: bool = True) -> Member | None:
    """The customer joins (or leaves) the community itself, in the portal; consent is the
    signed-in contact's. ``working_on`` updates what the member says it works on."""
    customer = contact.customer
    member = Member.objects.filter(workspace_id=contact.workspace_id, customer=customer).first()
    if not join:
        return opt_out(member) if member and member.opted_in else member
    if member is None or not member.opted_in:
        opt_in(contact.workspace, [customer], how=Member.Consent.PORTAL,
               by=contact.email or contact.name or f"contact {contact.pk}", note="joined in the portal")
        member = Member.objects.get(workspace_id=contact.workspace_id, customer=customer)
    if working_on.strip():
        set_profile(member, working_on=working_on)
    return member


def industries(workspace, attribute: str) -> list[str]:
    """The values of the industry attribute among members, for the directory's filter."""
    values = (Member.objects.filter(workspace=workspace, opted_in=True)
              .values_list(f"customer__attributes__{attribute}", flat=True))
    return sorted({str(v) for v in values if v not in (None, "")})
