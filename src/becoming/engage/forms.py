"""Engage's forms: feedback import mapping, themes, meetings and surveys.

They check shapes; `becoming.engage.actions` checks meaning.
"""

import re

from django import forms
from django.utils import timezone
from django.utils.text import slugify

from becoming.customers.models import Contact, Customer
from becoming.web.forms import column_choices

from .models import Meeting, Question, Survey

GRANULARITY_HELP = "Fewer, broader themes on the left; more, finer ones on the right."
# Header names that usually hold each part of a feedback file, matched case-insensitively.
FEEDBACK_GUESSES = {
    "text_column": re.compile(r"^(text|feedback|comments?|message|body|verbatim|review|notes?|"
                              r"description|content|answer)$", re.IGNORECASE),
    "id_column": re.compile(r"^(id|feedback[ _-]?id|ticket[ _-]?id|ticket)$", re.IGNORECASE),
    "customer_column": re.compile(r"^(customer[ _-]?id|customer|account[ _-]?id|account)$", re.IGNORECASE),
    "time_column": re.compile(r"^(time|timestamp|date|created|created[ _-]?at)$", re.IGNORECASE),
}


def guess_feedback_columns(columns: list[str]) -> dict:
    """The import page's first guess of the mapping: the text (else the first column), an id,
    a customer and a time column where a header names one."""
    guesses = {name: next((c for c in columns if pattern.match(c.strip())), "")
               for name, pattern in FEEDBACK_GUESSES.items()}
    if not guesses["text_column"] and columns:
        guesses["text_column"] = columns[0]
    return guesses


class FeedbackMapForm(forms.Form):
    text_column = forms.ChoiceField(label="Text column")
    id_column = forms.ChoiceField(label="Feedback id column", required=False,
                                  help_text="Rows already imported with the same id are skipped.")
    customer_column = forms.ChoiceField(label="Customer id column", required=False)
    time_column = forms.ChoiceField(label="Time column", required=False)
    channel = forms.SlugField(label="Channel name", max_length=50, initial="import",
                              help_text="Where it came from: support, nps, sales…")

    def __init__(self, columns, data=None, initial=None):
        super().__init__(data, initial=initial)
        self.fields["text_column"].choices = column_choices(columns)
        for name in ("id_column", "customer_column", "time_column"):
            self.fields[name].choices = column_choices(columns, "(none)")

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


# -- surveys ---------------------------------------------------------------------------------


def key_from_text(text: str) -> str:
    """A question key from its text: "Do you teach peers?" -> do_you_teach_peers."""
    key = slugify(text).replace("-", "_")[:50].strip("_")
    return key or "question"


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "intro", "link_days"]
        labels = {"intro": "Introduction", "link_days": "Links work for (days)"}
        widgets = {"intro": forms.Textarea(attrs={"rows": 3})}

    def clean_link_days(self):
        days = self.cleaned_data["link_days"]
        if not 1 <= days <= 365:
            raise forms.ValidationError("between 1 and 365 days")
        return days


class QuestionForm(forms.Form):
    text = forms.CharField(max_length=500)
    kind = forms.ChoiceField(choices=Question.Kind.choices, initial=Question.Kind.SCALE_5)
    key = forms.CharField(
        max_length=100, required=False,
        help_text="What the model's answer criteria use; left empty, made from the text.")
    help = forms.CharField(max_length=500, required=False, label="Help text")
    choices = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="One per line, for choice questions.")
    required = forms.BooleanField(required=False)

    def clean_key(self):
        key = self.cleaned_data["key"].strip()
        if key and not re.fullmatch(r"[A-Za-z0-9_-]+", key):
            raise forms.ValidationError("letters, digits, _ and - only")
        return key

    def clean(self):
        data = super().clean()
        if "text" in data and not data.get("key"):
            data["key"] = key_from_text(data["text"])
        lines = [line.strip() for line in data.get("choices", "").splitlines()]
        data["choices"] = [line for line in lines if line]
        if data.get("kind") in (Question.Kind.SINGLE, Question.Kind.MULTIPLE) and not data["choices"]:
            self.add_error("choices", "a choice question needs at least one choice, one per line")
        if data.get("kind") not in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            data["choices"] = []
        return data


SOCIAL_GUESSES = {
    "text_column": re.compile(r"^(text|post|tweet|caption|message|body|content|comments?|review)$", re.IGNORECASE),
    "author_column": re.compile(r"^(author|handle|user(name)?|screen[ _-]?name|from|by)$", re.IGNORECASE),
    "url_column": re.compile(r"^(url|link|permalink|post[ _-]?url)$", re.IGNORECASE),
    "time_column": FEEDBACK_GUESSES["time_column"],
    "platform_column": re.compile(r"^(platform|network|source|site)$", re.IGNORECASE),
    "id_column": re.compile(r"^(id|post[ _-]?id)$", re.IGNORECASE),
}


def guess_social_columns(columns: list[str]) -> dict:
    """The import page's first guess for a social export: text, author, address, time,
    platform and id columns where a header names one."""
    guesses = {name: next((c for c in columns if pattern.match(c.strip())), "")
               for name, pattern in SOCIAL_GUESSES.items()}
    if not guesses["text_column"] and columns:
        guesses["text_column"] = next((c for c in columns if c not in guesses.values()), columns[0])
    return guesses


class SocialMapForm(forms.Form):
    text_column = forms.ChoiceField(label="Text column")
    author_column = forms.ChoiceField(label="Author column", required=False,
                                      help_text="A handle or email address: links the post to a customer.")
    url_column = forms.ChoiceField(label="Address (URL) column", required=False)
    time_column = forms.ChoiceField(label="Time column", required=False)
    platform_column = forms.ChoiceField(label="Platform column", required=False)
    platform = forms.CharField(label="Platform name", max_length=50, required=False,
                               help_text="Instead of a platform column: e.g. LinkedIn.")
    id_column = forms.ChoiceField(label="Post id column", required=False,
                                  help_text="Without one, the file name and row number identify a post.")
    links = forms.CharField(label="Links to customers", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="Optional, one per line: handle, customer id[, contact email] "
                                      "(as the command line's --link-file).")

    def __init__(self, columns, data=None, initial=None):
        super().__init__(data, initial=initial)
        self.fields["text_column"].choices = column_choices(columns)
        for name in ("author_column", "url_column", "time_column", "platform_column", "id_column"):
            self.fields[name].choices = column_choices(columns, "(none)")

    def clean(self):
        data = super().clean()
        if data.get("platform_column") and data.get("platform"):
            raise forms.ValidationError("Give the platform as a column or as a name, not both.")
        return data

    def action_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"text_column": data["text_column"], "platform": data["platform"].strip() or None,
                "links": data["links"].strip() or None,
                **{name: data[name] or None for name in
                   ("author_column", "url_column", "time_column", "platform_column", "id_column")}}


class BulkInviteForm(forms.Form):
    """The options of the "Invite to a survey" bulk action (segments)."""

    survey = forms.ModelChoiceField(queryset=Survey.objects.none(), label="Survey",
                                    empty_label="Choose a survey…")

    def __init__(self, workspace, data=None):
        super().__init__(data=data)
        field = self.fields["survey"]
        field.queryset = (Survey.objects.filter(workspace=workspace, questions__isnull=False)  # type: ignore[attr-defined]
                          .exclude(status=Survey.Status.CLOSED).distinct().order_by("title"))


PANEL_GUESSES = {
    "email_column": re.compile(r"^(e-?mail|e-?mail[ _-]?address|address)$", re.IGNORECASE),
    "name_column": re.compile(r"^(name|full[ _-]?name|person|respondent)$", re.IGNORECASE),
}


def guess_panel_columns(columns: list[str]) -> dict:
    """The import page's first guess for a panel file: the email and name columns."""
    guesses = {name: next((c for c in columns if pattern.match(c.strip())), "")
               for name, pattern in PANEL_GUESSES.items()}
    if not guesses["email_column"] and columns:
        guesses["email_column"] = columns[0]
    return guesses


class PanelMapForm(forms.Form):
    email_column = forms.ChoiceField(label="Email column",
                                     help_text="Identifies a panelist: importing again updates them.")
    name_column = forms.ChoiceField(label="Name column", required=False,
                                    help_text="Every other column becomes an attribute (industry, size…).")

    def __init__(self, columns, data=None, initial=None):
        super().__init__(data, initial=initial)
        self.fields["email_column"].choices = column_choices(columns)
        self.fields["name_column"].choices = column_choices(columns, "(none)")

    def action_kwargs(self) -> dict:
        return {"email_column": self.cleaned_data["email_column"], "name_column": self.cleaned_data["name_column"] or None}
