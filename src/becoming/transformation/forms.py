"""The model editor's form: it checks the shape; validation is the engine's."""

from django import forms


class ModelForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"spellcheck": "false", "rows": 30}),
                           strip=False)
    note = forms.CharField(max_length=300, required=False, strip=True)
