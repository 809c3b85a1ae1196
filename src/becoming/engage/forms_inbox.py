"""Forms of the feedback, themes and meetings pages. They check shapes; the actions check meaning."""

from django import forms
from django.utils import timezone

from becoming.customers.models import Contact, Customer

from .models import Meeting

GRANULARITY_HELP = "Fewer, broader themes on the left; more, finer ones on the right."


def _column_choices(columns, blank=None):
    choices = [(c, c) for c in columns]
    return [("", blank)] + choices if blank else choices


class FeedbackUploadForm(forms.Form):
    file = forms.FileField(help_text="CSV, TSV, JSON lines or Parquet; one row per piece of feedback")


class FeedbackMapForm(forms.Form):
    text_column = forms.ChoiceField(label="Text column")
    id_column = forms.ChoiceField(label="Feedback id column", required=False,
                                  help_text="Rows already imported with the same id are skipped.")
    customer_column = forms.ChoiceField(label="Customer id column", required=False)
    time_column = forms.ChoiceField(label="Time column", required=False)
    channel = forms.SlugField(label="Channel name", max_length=50, initial="import",
                              help_text="Where it came from: support, nps, sales…")

    GUESSES = {
        "text_column": ("text", "feedback", "comment", "message", "body", "verbatim"),
        "id_column": ("id", "feedback_id", "ticket_id"),
        "customer_column": ("customer_id", "customer", "account_id", "account"),
        "time_column": ("time", "timestamp", "date", "created", "created_at"),
    }

    def __init__(self, columns, *args, **kwargs):
        lowered = {c.lower(): c for c in columns}
        initial = kwargs.pop("initial", {}) or {}
        for name, guesses in self.GUESSES.items():
            found = next((lowered[g] for g in guesses if g in lowered), "")
            initial.setdefault(name, found or (columns[0] if name == "text_column" and columns else ""))
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["text_column"].choices = _column_choices(columns)
        for name in ("id_column", "customer_column", "time_column"):
            self.fields[name].choices = _column_choices(columns, "(none)")

    def action_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "text_column": data["text_column"],
            "id_column": data["id_column"] or None,
            "customer_column": data["customer_column"] or None,
            "time_column": data["time_column"] or None,
            "channel": data["channel"],
        }


class DiscoverForm(forms.Form):
    how = forms.ChoiceField(choices=[("auto", "Automatic count"), ("fixed", "A fixed number")],
                            initial="auto", widget=forms.RadioSelect)
    granularity = forms.FloatField(min_value=0, max_value=1, initial=0.5, required=False,
                                   help_text=GRANULARITY_HELP,
                                   widget=forms.NumberInput(attrs={"type": "range", "step": "0.05",
                                                                   "min": "0", "max": "1"}))
    n_themes = forms.IntegerField(min_value=1, max_value=500, required=False, label="Number of themes")

    def clean(self):
        data = super().clean()
        if data.get("how") == "fixed" and not data.get("n_themes"):
            raise forms.ValidationError("Give the number of themes, or choose the automatic count.")
        return data

    def params(self) -> dict:
        data = self.cleaned_data
        if data["how"] == "fixed":
            return {"n_themes": data["n_themes"], "granularity": 0.5}
        granularity = data.get("granularity")
        return {"n_themes": None, "granularity": 0.5 if granularity is None else granularity}


class RenameForm(forms.Form):
    name = forms.CharField(max_length=200, required=False,
                           help_text="Empty brings back the discovered label.")


class MeetingForm(forms.Form):
    customer = forms.IntegerField(widget=forms.HiddenInput, error_messages={
        "required": "Choose the customer."})
    kind = forms.ChoiceField(choices=Meeting.Kind.choices, initial=Meeting.Kind.MEETING)
    when = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                          format="%Y-%m-%dT%H:%M"),
                               input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])
    contacts = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    staff = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    title = forms.CharField(max_length=200, required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}),
                            help_text="Becomes feedback, themed with the rest.")
    next_steps = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, workspace, members, *args, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("when", timezone.localtime().replace(second=0, microsecond=0))
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["staff"].choices = [(str(u.pk), u.get_full_name() or u.email) for u in members]
        self.members = {str(u.pk): u for u in members}
        customer = self.chosen_customer()
        self.fields["contacts"].choices = [
            (str(c.pk), c.name or c.email) for c in (customer.contacts.all() if customer else [])]

    def chosen_customer(self):
        raw = self.data.get("customer") if self.is_bound else self.initial.get("customer")
        if not str(raw or "").isdigit():
            return None
        return Customer.objects.filter(workspace=self.workspace, pk=int(raw)).first()

    def clean_customer(self):
        customer = Customer.objects.filter(workspace=self.workspace, pk=self.cleaned_data["customer"]).first()
        if customer is None:
            raise forms.ValidationError("Choose the customer.")
        return customer

    def clean(self):
        data = super().clean()
        customer = data.get("customer")
        if customer is not None:
            data["contacts"] = list(Contact.objects.filter(
                customer=customer, pk__in=[int(p) for p in data.get("contacts", []) if p.isdigit()]))
        data["staff"] = [self.members[p] for p in data.get("staff", []) if p in self.members]
        return data
