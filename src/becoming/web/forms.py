"""Forms of the staff pages. They check shapes; the actions check meaning."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from becoming.jobs.models import Upload
from becoming.workspaces.models import Role

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


class ModelForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"spellcheck": "false", "rows": 30}),
                           strip=False)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(choices=Upload.Kind.choices, widget=forms.RadioSelect,
                             initial=Upload.Kind.CUSTOMERS)
    file = forms.FileField(help_text="CSV, TSV, JSON lines or Parquet")


def _column_choices(columns, blank=None):
    choices = [(c, c) for c in columns]
    return [("", blank)] + choices if blank else choices


class CustomerMapForm(forms.Form):
    id_column = forms.ChoiceField(label="Customer id column")
    name_column = forms.ChoiceField(label="Name column", required=False)

    def __init__(self, columns, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_column"].choices = _column_choices(columns)
        self.fields["name_column"].choices = _column_choices(columns, "(no name column)")

    def action_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"id_column": data["id_column"], "name_column": data["name_column"] or None}


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
            self.fields[name].choices = _column_choices(columns)
        for name in ("type_column", "value_column", "id_column"):
            self.fields[name].choices = _column_choices(columns, "(none)")

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


class MemberForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100)
