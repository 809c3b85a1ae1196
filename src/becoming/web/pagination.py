"""One page of a list, for every list page: counted when cheap, windowed when filtered."""

from django.conf import settings
from django.core.paginator import Paginator


class Window:
    """One page of a filtered list, found without counting every match.

    Counting a JSON or text filter scans the whole table once more; fetching one row past
    the page tells whether there is a next page, which is all the pager needs.
    """

    def __init__(self, qs, number: int, size: int):
        rows = list(qs[(number - 1) * size:number * size + 1])
        self.object_list = rows[:size]
        self.number = number
        self.has_next = len(rows) > size
        self.has_previous = number > 1
        self.next_page_number = number + 1
        self.previous_page_number = number - 1
        self.start_index = (number - 1) * size + 1 if rows else 0
        self.end_index = (number - 1) * size + len(self.object_list)
        self.paginator = None


def paginate(qs, raw_number, counted: bool, size: int | None = None):
    size = size or settings.CUSTOMERS_PER_PAGE
    if counted:  # the whole list: an index-only count
        return Paginator(qs, size).get_page(raw_number)
    number = int(raw_number) if str(raw_number or "").isdigit() and int(raw_number) > 0 else 1
    return Window(qs, number, size)


def query_without(params, *names) -> str:
    """The query string without some parameters (to build pager and sort links)."""
    copy = params.copy()
    for name in names:
        copy.pop(name, None)
    return copy.urlencode()
