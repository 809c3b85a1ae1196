"""Inform's forms: the import mappings (content, reading), an item, the composer.

They check shapes; ``becoming.inform.actions`` checks meaning.
"""

import re

from django import forms

from becoming.web.forms import TIME_FORMATS, column_choices

from .models import Interaction, Issue, Item

CONTENT_GUESSES = {
    "id_column": re.compile(r"^(id|item[ _-]?id|content[ _-]?id|slug|guid)$", re.IGNORECASE),
    "title_column": re.compile(r"^(title|name|headline)$", re.IGNORECASE),
    "kind_column": re.compile(r"^(kind|type|format|content[ _-]?type)$", re.IGNORECASE),
    "url_column": re.compile(r"^(url|link|href|address)$", re.IGNORECASE),
    "body_column": re.compile(r"^(body|text|content|markdown)$", re.IGNORECASE),
    "summary_column": re.compile(r"^(summary|description|abstract|excerpt)$", re.IGNORECASE),
    "tags_column": re.compile(r"^(tags?|topics?|genres?|categories|category)$", re.IGNORECASE),
    "published_column": re.compile(r"^(published|date|published[ _-]?at|time)$", re.IGNORECASE),
    "dimension_column": re.compile(r"^(dimension)$", re.IGNORECASE),
    "stage_column": re.compile(r"^(stage|from[ _-]?stage)$", re.IGNORECASE),
}
INTERACTION_GUESSES = {
    "customer_column": re.compile(r"^(customer[ _-]?id|customer|account[ _-]?id|account|user[ _-]?id)$",
                                  re.IGNORECASE),
    "item_column": re.compile(r"^(item[ _-]?id|item|content[ _-]?id|article[ _-]?id|movie[ _-]?id)$",
                              re.IGNORECASE),
    "contact_column": re.compile(r"^(contact|contact[ _-]?id|email|reader)$", re.IGNORECASE),
    "type_column": re.compile(r"^(type|event|action|interaction)$", re.IGNORECASE),
    "time_column": re.compile(r"^(time|timestamp|date|created|created[ _-]?at)$", re.IGNORECASE),
}


def _guess(columns, patterns) -> dict:
    return {name: next((c for c in columns if pattern.match(c.strip())), "") for name, pattern in patterns.items()}


def guess_content_columns(columns: list[str]) -> dict:
    return _guess(columns, CONTENT_GUESSES)


def guess_interaction_columns(columns: list[str]) -> dict:
    guesses = _guess(columns, INTERACTION_GUESSES)
    guesses["type"] = "view"
    return guesses


class ContentMapForm(forms.Form):
    id_column = forms.ChoiceField(label="Item id column", help_text="An id already in the library updates that item.")
    title_column = forms.ChoiceField(label="Title column")
    kind_column = forms.ChoiceField(label="Kind column", required=False)
    kind = forms.ChoiceField(label="Kind of every row (without a kind column)", choices=Item.Kind.choices,
                             initial=Item.Kind.ARTICLE)
    url_column = forms.ChoiceField(label="Web address column", required=False)
    summary_column = forms.ChoiceField(label="Summary column", required=False)
    body_column = forms.ChoiceField(label="Body column (Markdown)", required=False)
    tags_column = forms.ChoiceField(label="Tags column", required=False, help_text="Tags separated by ; or ,")
    published_column = forms.ChoiceField(label="Published column", required=False)
    dimension_column = forms.ChoiceField(label="Targeted dimension column", required=False)
    stage_column = forms.ChoiceField(label="Targeted stage column", required=False)

    def __init__(self, columns, data=None, initial=None):
        super().__init__(data, initial=initial)
        self.fields["id_column"].choices = column_choices(columns)
        self.fields["title_column"].choices = column_choices(columns)
        for name in ("kind_column", "url_column", "summary_column", "body_column", "tags_column",
                     "published_column", "dimension_column", "stage_column"):
            self.fields[name].choices = column_choices(columns, "(none)")

    def clean(self):
        data = super().clean()
        if bool(data.get("dimension_column")) != bool(data.get("stage_column")):
            raise forms.ValidationError("Targeting needs both a dimension column and a stage column.")
        return data

    def action_kwargs(self) -> dict:
        d = self.cleaned_data
        out = {name: d.get(name) or None for name in (
            "id_column", "title_column", "kind_column", "url_column", "summary_column", "body_column",
            "tags_column", "published_column", "dimension_column", "stage_column")}
        out["kind"] = None if d.get("kind_column") else d.get("kind")
        return out


class InteractionMapForm(forms.Form):
    customer_column = forms.ChoiceField(label="Customer id column")
    item_column = forms.ChoiceField(label="Item id column")
    contact_column = forms.ChoiceField(label="Contact column (key or email)", required=False)
    type_column = forms.ChoiceField(label="Type column", required=False)
    type = forms.ChoiceField(label="Type of every row (without a type column)", choices=Interaction.Type.choices)
    time_column = forms.ChoiceField(label="Time column", required=False)
    time_format = forms.ChoiceField(label="Time format", choices=TIME_FORMATS, required=False)
    create_customers = forms.BooleanField(label="Create customers the file names but the workspace lacks",
                                          required=False)

    def __init__(self, columns, data=None, initial=None):
        super().__init__(data, initial=initial)
        self.fields["customer_column"].choices = column_choices(columns)
        self.fields["item_column"].choices = column_choices(columns)
        for name in ("contact_column", "type_column", "time_column"):
            self.fields[name].choices = column_choices(columns, "(none)")

    def action_kwargs(self) -> dict:
        d = self.cleaned_data
        return {"customer_column": d["customer_column"], "item_column": d["item_column"],
                "contact_column": d.get("contact_column") or None,
                "type_column": d.get("type_column") or None,
                "type": None if d.get("type_column") else d.get("type"),
                "time_column": d.get("time_column") or None, "time_format": d.get("time_format") or None,
                "create_customers": bool(d.get("create_customers"))}


class ItemForm(forms.Form):
    title = forms.CharField(max_length=300)
    kind = forms.ChoiceField(choices=Item.Kind.choices, initial=Item.Kind.ARTICLE)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    url = forms.URLField(label="Web address", required=False, max_length=1000, assume_scheme="https")
    body = forms.CharField(label="Body (Markdown)", widget=forms.Textarea(attrs={"rows": 8}), required=False)
    tags = forms.CharField(required=False, help_text="Separated by commas")
    language = forms.CharField(max_length=20, required=False)
    published = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    dimension = forms.ChoiceField(label="Helps on dimension", required=False)
    stage = forms.CharField(label="From stage", required=False, max_length=100)
    toward = forms.CharField(label="Toward stage", required=False, max_length=100,
                             help_text="Blank: the next stage")
    starts = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    place = forms.CharField(label="Place or link", required=False, max_length=300)

    def __init__(self, *args, model=None, **kwargs):
        super().__init__(*args, **kwargs)
        dims = [(d.key, d.name) for d in model.dimensions] if model is not None else []
        self.fields["dimension"].choices = [("", "(not targeted)")] + dims
        self.stage_choices = {d.key: [(s.key, s.name) for s in d.stages] for d in model.dimensions} \
            if model is not None else {}


class ComposeForm(forms.Form):
    kind = forms.ChoiceField(choices=Issue.Kind.choices, initial=Issue.Kind.DIGEST,
                             widget=forms.RadioSelect)
    subject = forms.CharField(max_length=200)
    intro = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    count = forms.IntegerField(label="Items per reader (digest)", min_value=1, max_value=20, initial=5)
    items = forms.CharField(required=False, widget=forms.HiddenInput)
