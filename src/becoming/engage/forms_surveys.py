"""Forms of the survey pages. They check shapes; `becoming.engage.actions.surveys` checks meaning."""

import re

from django import forms
from django.utils.text import slugify

from .models import Question, Survey


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
