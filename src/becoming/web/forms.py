"""Form pieces every app's pages share, and the sign-in form."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from becoming.workspaces import throttle

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

    def clean(self):
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not (email and password):
            return super().clean()
        # Checked before the password, so a locked account costs no hashing and answers the
        # same whether the password is right, wrong, or the account does not exist.
        if throttle.locked(self.request, email):
            raise ValidationError(
                f"Too many failed sign-ins. Please wait {throttle.lockout_minutes()} minutes "
                "and try again.", code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle.failed(self.request, email)
            raise
        throttle.succeeded(self.request, email)
        return cleaned


def column_choices(columns, blank=None):
    """A file's columns as choices, with an optional blank first choice labelled ``blank``."""
    choices = [(c, c) for c in columns]
    return [("", blank)] + choices if blank else choices
