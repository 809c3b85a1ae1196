"""The customer list (filter, sort, paginate from the Customer table only) and one customer.

The customer page is assembled from the sections apps register (``becoming.registry``):
this module knows none of them.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from becoming import registry
from becoming.web.access import workspace_view
from becoming.web.pagination import paginate, query_without

from . import actions
from .models import Attribute, Customer


@workspace_view("viewer")
def customer_list(request):
    ws = request.workspace
    found = actions.list_customers(ws, request.GET, user=request.user)
    qs, active, sort, dimensions = found["customers"], found["active"], found["sort"], found["dimensions"]
    qs = qs.select_related("owner").only(
        "id", "external_id", "name", "stages", "index", "assessed_on", "status", "arr",
        "renewal_date", "owner__email")
    page = paginate(qs, request.GET.get("page"), counted=not active)
    context = {
        "page": page, "dimensions": dimensions,
        "stage_filters": [(d, active.get(f"stage_{d.key}", "")) for d in dimensions],
        "attributes": dict(Attribute.objects.filter(workspace=ws).values_list("name", "type")),
        "active": active, "sort": sort, "query": query_without(request.GET, "page"),
        "sort_query": query_without(request.GET, "page", "sort"),
        "statuses": Customer.Status.choices, "members": actions.members(ws),
        # Other apps' tools under the filters (e.g. "Save as segment"), re-rendered with the table.
        "list_tools": [tool.template for tool in registry.CUSTOMER_LIST_TOOLS],
    }
    template = "customers/_table.html" if request.headers.get("HX-Request") else "customers/list.html"
    return render(request, template, context)


@workspace_view("viewer")
def customer_detail(request, pk):
    customer = get_object_or_404(Customer, pk=pk, workspace=request.workspace)
    sections = {"main": [], "side": []}
    for section in registry.CUSTOMER_SECTIONS:
        context = registry.resolve(section.context)(customer, request)
        if context is not None:
            html = render_to_string(section.template, {"customer": customer, **context}, request)
            sections[section.column].append(mark_safe(html))  # noqa: S308 (our own template)
    return render(request, "customers/detail.html", {
        "customer": customer,
        "attributes": [(k, plain_number(v)) for k, v in sorted(customer.attributes.items())],
        "contacts": customer.contacts.all(),
        "members": actions.members(customer.workspace), "statuses": Customer.Status.choices,
        "main_sections": sections["main"], "side_sections": sections["side"],
    })


@require_POST
@workspace_view("member")
def customer_account(request, pk):
    """The account card's form: owner, status, ARR and renewal date."""
    customer = get_object_or_404(Customer, pk=pk, workspace=request.workspace)
    post = request.POST
    try:
        actions.set_account(customer, owner=post.get("owner", ""), status=post.get("status", ""),
                            arr=post.get("arr", ""), renewal_date=post.get("renewal_date", ""))
        messages.success(request, "Account saved.")
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("customer", slug=request.workspace.slug, pk=pk)


def plain_number(value):
    """8.0 reads as 8: numbers are stored as floats whatever the file said."""
    return int(value) if isinstance(value, float) and value.is_integer() else value
