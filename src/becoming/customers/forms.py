"""The column mapping of a customer file on the imports page."""

from django import forms

from becoming.web.forms import column_choices

from .actions import ID_GUESSES, NAME_GUESSES, guess_column


class CustomerMapForm(forms.Form):
    id_column = forms.ChoiceField(label="Customer id column")
    name_column = forms.ChoiceField(label="Name column", required=False)

    def __init__(self, columns, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_column"].choices = column_choices(columns)
        self.fields["name_column"].choices = column_choices(columns, "(no name column)")

    def action_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"id_column": data["id_column"], "name_column": data["name_column"] or None}


def guess_customer_columns(columns: list[str]) -> dict:
    return {"id_column": guess_column(columns, ID_GUESSES) or columns[0],
            "name_column": guess_column(columns, NAME_GUESSES) or ""}
