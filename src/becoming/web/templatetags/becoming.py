"""Small template helpers for the staff pages."""

from django import template

from becoming.workspaces.models import Membership

register = template.Library()


@register.filter
def can(membership, role: str) -> bool:
    """{% if membership|can:"admin" %} — hide what a role may not do."""
    return bool(membership) and membership.can(role)


@register.filter
def get(mapping, key):
    if mapping is None:
        return None
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def stage_name(dimension, index):
    """The name of stage `index` of a dimension, or "—" when not assessed."""
    if index is None or index == "":
        return "—"
    try:
        return dimension.stages[int(index)].name
    except (IndexError, ValueError, TypeError):
        return f"stage {index}"


@register.filter
def dict_get(row, key):
    return row.get(key) if isinstance(row, dict) else None


@register.simple_tag(takes_context=True)
def user_workspaces(context):
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return list(Membership.objects.filter(user=request.user).select_related("workspace")
                .order_by("workspace__name").only("role", "workspace__name", "workspace__slug"))


@register.simple_tag
def sort_link(current: str, field: str) -> str:
    """The sort value a column header links to: ascending first, then descending."""
    return f"-{field}" if current == field else field


@register.filter
def words(key) -> str:
    """import_customers -> Import customers."""
    return str(key).replace("_", " ").capitalize()


@register.filter
def get_stage(stages, index):
    """The name of stages[index]; "" when out of range."""
    try:
        return stages[int(index)].name
    except (IndexError, ValueError, TypeError):
        return ""


@register.simple_tag(takes_context=True)
def nav_items(context, menu: str = "main") -> list[dict]:
    """The registered nav items of a menu this member may see, the current one marked."""
    from becoming.registry import nav_for

    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return nav_for(context.get("membership"), match.url_name if match else None, menu)


@register.filter
def tidy(value):
    """A value as a person reads it: whole numbers with thousands separators, other numbers
    rounded to one decimal, lists joined; anything else as it is."""
    from django.contrib.humanize.templatetags.humanize import intcomma

    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return intcomma(value)
    if isinstance(value, float):
        if value != value:  # NaN
            return "—"
        return intcomma(round(value)) if float(value).is_integer() else intcomma(f"{value:,.1f}".replace(",", ""))
    if isinstance(value, list | tuple):
        return ", ".join(str(tidy(v)) for v in value)
    return value


@register.filter
def money(value, currency: str = "") -> str:
    """An amount with the workspace's currency: "USD 48,200" (cents below 100); "—" when
    unknown."""
    if value is None or value == "":
        return "—"
    amount = float(value)
    text = f"{amount:,.0f}" if abs(amount) >= 100 else f"{amount:,.2f}"
    return f"{currency} {text}".strip()
