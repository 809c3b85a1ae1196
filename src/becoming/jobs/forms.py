"""The upload form of the imports page: the kinds come from the apps' import registry."""

from django import forms

from becoming import registry


class UploadForm(forms.Form):
    kind = forms.ChoiceField(widget=forms.RadioSelect)
    file = forms.FileField(help_text="CSV, TSV, JSON lines or Parquet")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = sorted(registry.IMPORT_KINDS.values(), key=lambda k: k.order)
        self.fields["kind"].choices = [(k.key, k.label) for k in kinds]
        self.fields["kind"].initial = kinds[0].key if kinds else None
