"""Engage's pages under /w/<slug>/ (surveys, feedback, themes, meetings) and the public
respondent pages of a survey at /s/<token>/."""

from django.urls import path
from django.views.generic import RedirectView

from .views import inbox, surveys

urlpatterns = [
    path("surveys/", surveys.survey_list, name="surveys"),
    path("surveys/new/", surveys.survey_new, name="survey_new"),
    path("surveys/self-assessment/", surveys.survey_self_assessment, name="survey_self_assessment"),
    path("surveys/market-research/", surveys.survey_market_new, name="survey_market_new"),
    path("surveys/panel/", surveys.panel_list, name="survey_panel"),
    path("surveys/<int:pk>/", surveys.survey_detail, name="survey"),
    path("surveys/<int:pk>/questions/", surveys.question_add, name="survey_question_add"),
    path("surveys/<int:pk>/questions/<int:question>/delete/", surveys.question_delete, name="survey_question_delete"),
    path("surveys/<int:pk>/status/", surveys.survey_status, name="survey_status"),
    path("surveys/<int:pk>/distribute/", surveys.survey_distribute, name="survey_distribute"),
    path("surveys/<int:pk>/distribute/preview/", surveys.survey_preview, name="survey_preview"),
    path("surveys/<int:pk>/results/", surveys.survey_results, name="survey_results"),
    path("surveys/<int:pk>/market/", surveys.survey_market, name="survey_market"),
    path("feedback/", inbox.feedback_list, name="feedback"),
    # Feedback files go through the imports page, like every other file.
    path("feedback/import/", RedirectView.as_view(url="../../imports/?kind=feedback"), name="feedback_import"),
    path("themes/", inbox.theme_board, name="themes"),
    path("themes/discover/", inbox.theme_discover, name="themes_discover"),
    path("themes/<int:pk>/", inbox.theme_detail, name="theme"),
    path("themes/<int:pk>/title/", inbox.theme_title, name="theme_title"),
    path("themes/<int:pk>/rename/", inbox.theme_rename, name="theme_rename"),
    path("themes/<int:pk>/merge/", inbox.theme_merge, name="theme_merge"),
    path("themes/<int:pk>/split/", inbox.theme_split, name="theme_split"),
    path("themes/<int:pk>/dimension/", inbox.theme_dimension, name="theme_dimension"),
    path("meetings/", inbox.meeting_list, name="meetings"),
    path("meetings/new/", inbox.meeting_new, name="meeting_new"),
    path("meetings/customers/", inbox.meeting_customers, name="meeting_customers"),
    path("meetings/contacts/", inbox.meeting_contacts, name="meeting_contacts"),
    path("meetings/quiet/", inbox.quiet_customers, name="quiet_customers"),
]

public_urlpatterns = [
    path("s/<str:token>/", surveys.respond, name="respond"),
    path("s/<str:token>/save/", surveys.respond_save, name="respond_save"),
]
