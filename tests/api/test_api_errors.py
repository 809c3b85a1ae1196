"""Every client error has the documented shape: 400/401/403/404 with `message` and `details`."""

import pytest
from test_api import Api

pytestmark = pytest.mark.django_db


def shaped(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"message", "details"} and body["message"], body
    return body


def test_unknown_object_is_a_shaped_404(workspace):
    shaped(Api(workspace).get("/customers/nobody"), 404)
    shaped(Api(workspace).get("/jobs/987654"), 404)


def test_a_body_that_does_not_validate_is_a_400_naming_the_field(workspace):
    body = shaped(Api(workspace).post("/customers", {"external_id": "C-1", "kind": "robot"}), 400)
    assert any(d["field"] == "body.kind" for d in body["details"]), body
    assert "kind" in body["message"]


def test_a_wrong_token_is_a_shaped_401(client):
    shaped(client.get("/api/v1/customers", HTTP_AUTHORIZATION="Bearer nope"), 401)


def test_a_role_too_low_is_a_shaped_403(workspace):
    body = shaped(Api(workspace, role="viewer").post("/model/validate", {"yaml": "x: 1"}), 403)
    assert "member" in body["message"]


@pytest.mark.parametrize("path", ["/customers", "/stage-changes"])
@pytest.mark.parametrize("offset", [-1, 10**12, "many"])
def test_out_of_range_paging_is_a_400_not_a_500(workspace, path, offset):
    shaped(Api(workspace).get(path, offset=offset), 400)
    shaped(Api(workspace).get(path, limit=10**6), 400)


def test_the_schema_documents_the_error_answers(workspace):
    schema = Api(workspace).get("/openapi.json").json()
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            assert {"400", "401", "403", "404", "503"} <= set(op["responses"]), (path, method)


def test_a_mail_server_that_does_not_answer_is_a_503_and_nothing_is_marked_sent(workspace, settings):
    from becoming.customers.actions import add_contact, upsert_customer
    from becoming.engage.actions.surveys import add_question, create_survey
    from becoming.engage.models import Invitation

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens on discard
    customer, _ = upsert_customer(workspace, "C-1")
    contact = add_contact(customer, name="Pat", email="pat@c.test")
    survey = create_survey(workspace, title="How is it going?")
    add_question(survey, key="q", text="How?", kind="scale_5")
    body = shaped(Api(workspace).post(f"/surveys/{survey.pk}/invitations",
                                      {"contact_ids": [contact.pk]}), 503)
    assert "mail server" in body["message"]
    assert not Invitation.objects.filter(survey=survey, sent__isnull=False).exists()
    # Nothing changed, so inviting again is the retry: no invitation, the survey still a draft.
    assert not Invitation.objects.filter(survey=survey).exists()
    survey.refresh_from_db()
    assert survey.status == "draft"
