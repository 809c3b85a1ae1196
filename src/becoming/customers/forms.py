"""The column mapping of a customer file on the imports page."""

import re

from django import forms

from becoming.web.forms import column_choices

from .actions import ID_GUESSES, NAME_GUESSES, guess_column

# The account's columns, guessed by name. A churn flag is never guessed: marking customers
# churned takes them out of the dashboard, so it is chosen on purpose.
ACCOUNT_GUESSES = {
    "owner_column": re.compile(r"^(owner|owner[ _-]?email|account[ _-]?owner|csm)$", re.I),
    "status_column": re.compile(r"^(status|lifecycle|lifecycle[ _-]?status)$", re.I),
    "arr_column": re.compile(r"^(arr|annual[ _-]?recurring[ _-]?revenue)$", re.I),
    "renewal_column": re.compile(r"^(renewal|renewal[ _-]?date|renews|renews[ _-]?on)$", re.I),
}
ACCOUNT_FIELDS = {
    "owner_column": "Owner column (a member's email)",
    "status_column": "Status column (trial, active, churned)",
    "churn_column": "Churn flag column (Yes/No: yes makes them churned)",
    "arr_column": "ARR column",
    "renewal_column": "Renewal date column",
}


class CustomerMapForm(forms.Form):
    id_column = forms.ChoiceField(label="Customer id column")
    name_column = forms.ChoiceField(label="Name column", required=False)

    def __init__(self, columns, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_column"].choices = column_choices(columns)
        self.fields["name_column"].choices = column_choices(columns, "(no name column)")
        for name, label in ACCOUNT_FIELDS.items():
            self.fields[name] = forms.ChoiceField(label=label, required=False,
                                                  choices=column_choices(columns, "(none)"))

    def action_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"id_column": data["id_column"], "name_column": data["name_column"] or None,
                **{name: data.get(name) or None for name in ACCOUNT_FIELDS}}


def guess_customer_columns(columns: list[str]) -> dict:
    return {"id_column": guess_column(columns, ID_GUESSES) or columns[0],
            "name_column": guess_column(columns, NAME_GUESSES) or "",
            **{name: guess_column(columns, pattern) or ""
               for name, pattern in ACCOUNT_GUESSES.items()}}
