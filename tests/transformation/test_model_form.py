"""The model editor's form: errors in the model's own names next to the field, then a fix;
the form keeps the model it shows (form → YAML → the same model)."""

from html.parser import HTMLParser

import pytest
from support import SMALL_MODEL

from becoming.customers.actions import upsert_customer
from becoming.engine import parse_model
from becoming.transformation import editor
from becoming.transformation.actions import apply_model, current_version

pytestmark = pytest.mark.django_db

KEPT = SMALL_MODEL + """\
  - key: sharing
    name: Share what they learn
    weight: 0.5
    target: sharing
    stages:
      - {key: quiet, name: Quiet}
      - key: sharing
        name: Sharing
        when:
          - any:
              - event: {type: dashboard_shared, within: 30d, at_least: 2}
              - answer: {question: teaches_peers, at_least: 4}
          - attribute: {name: seats, at_least: 2, at_most: 50}
          - answer: {question: confidence, equals: 5}
"""


class Fields(HTMLParser):
    """The values a browser would post for a form: inputs, textareas, selected options."""

    def __init__(self):
        super().__init__()
        self.values, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") != "submit":
            self.values[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and ("selected" in a or self._select not in self.values):
            self.values[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.values[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data


def posted(html: str) -> dict:
    parser = Fields()
    parser.feed(html[html.index('class="model-form"'):])
    return parser.values


def test_the_form_round_trips_a_model_it_cannot_all_show():
    model = parse_model(KEPT)
    assert parse_model(editor.to_yaml(editor.model_data(editor.form_from_model(model)))) == model
    # Rows added and removed: the target follows its stage, new names get keys of their own.
    form = editor.form_from_model(model)
    editor.change_rows(form, "remove:0:1")  # Trying goes; the target (Regular) moves up
    editor.change_rows(form, "add-stage:0")
    form.dimensions[0].stages[-1].name = "Regular"
    form.dimensions[0].stages[-1].criteria[0].values.update(type="report_shared", at_least="1")
    dim = editor.model_data(form)["dimensions"][0]
    assert [s["key"] for s in dim["stages"]] == ["starting", "regular", "regular_2"]
    assert dim["target"] == "regular"


def test_an_error_names_the_stage_then_the_fix_applies(client, workspace, admin):
    upsert_customer(workspace, "C1", "Acme", {"plan": "pro", "seats": 4})
    apply_model(workspace, KEPT, admin)
    client.force_login(admin)
    url = f"/w/{workspace.slug}/model/form/"
    page = client.get(url).content.decode()
    assert "Report on their work" in page and "Kept as written" in page
    fields = posted(page)
    # Given the Regular stage's window mistyped
    assert fields["d0-s2-c0-within"] == "30d"
    fields.update({"d0-s2-c0-within": "90x", "op": "apply", "d0-s2-name": "Every month"})
    refused = client.post(url, fields).content.decode()
    assert "Report on their work → Every month: window &#x27;90x&#x27; is not a window; write e.g. 90d" in refused
    assert current_version(workspace).number == 1
    # When it is fixed, the form applies a new version whose YAML reads back as the model shown
    fields = posted(refused)
    assert fields["d0-s2-c0-within"] == "90x"  # what was typed stays in the field
    fields.update({"d0-s2-c0-within": "30d", "op": "apply", "note": "renamed a stage"})
    assert client.post(url, fields).status_code == 302
    version = current_version(workspace)
    assert version.number == 2 and version.note == "renamed a stage"
    expected = parse_model(KEPT.replace("name: Regular", "name: Every month"))
    assert version.parsed() == expected
