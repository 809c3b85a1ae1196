"""Form pieces every app's pages share, and the sign-in form."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

TIME_FORMATS = [
    ("", "ISO 8601 or epoch seconds (detected)"),
    ("%Y-%m-%d", "2024-03-31"),
    ("%Y-%m-%d %H:%M:%S", "2024-03-31 14:05:00"),
    ("%d/%m/%Y", "31/03/2024"),
    ("%m/%d/%Y", "03/31/2024"),
    ("%d.%m.%Y", "31.03.2024"),
]


class EmailLoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Email", max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


def column_choices(columns, blank=None):
    """A file's columns as choices, with an optional blank first choice labelled ``blank``."""
    choices = [(c, c) for c in columns]
    return [("", blank)] + choices if blank else choices
