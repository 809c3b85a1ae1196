"""The column mapping of an events file on the imports page."""

from django import forms

from becoming.customers.actions import ID_GUESSES, guess_column
from becoming.web.forms import TIME_FORMATS, column_choices


class EventMapForm(forms.Form):
    customer_column = forms.ChoiceField(label="Customer id column")
    type_column = forms.ChoiceField(label="Event type column", required=False)
    type_value = forms.CharField(label="…or one type for every row", required=False,
                                 max_length=100)
    time_column = forms.ChoiceField(label="Time column")
    time_format = forms.ChoiceField(label="Time format", choices=TIME_FORMATS, required=False)
    value_column = forms.ChoiceField(label="Value column", required=False)
    id_column = forms.ChoiceField(label="Event id column", required=False)
    create_customers = forms.BooleanField(label="Create customers that do not exist yet",
                                          required=False)

    def __init__(self, columns, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("customer_column", "time_column"):
            self.fields[name].choices = column_choices(columns)
        for name in ("type_column", "value_column", "id_column"):
            self.fields[name].choices = column_choices(columns, "(none)")

    def clean(self):
        data = super().clean()
        if not data.get("type_column") and not data.get("type_value"):
            raise forms.ValidationError("Choose the event type column, or type one event type.")
        return data

    def action_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "customer_column": data["customer_column"],
            "type_column": data["type_column"] or None,
            "type_value": (data["type_value"] or None) if not data["type_column"] else None,
            "time_column": data["time_column"],
            "time_format": data["time_format"] or None,
            "value_column": data["value_column"] or None,
            "id_column": data["id_column"] or None,
            "create_customers": data["create_customers"],
        }


def guess_event_columns(columns: list[str]) -> dict:
    lowered = {c.lower(): c for c in columns}
    return {
        "customer_column": guess_column(columns, ID_GUESSES) or lowered.get("customer") or columns[0],
        "type_column": lowered.get("type") or lowered.get("event") or lowered.get("event_type", ""),
        "time_column": (lowered.get("time") or lowered.get("timestamp") or lowered.get("date")
                        or columns[0]),
        "value_column": lowered.get("value", ""),
    }
