"""Feedback inbox, themes board and meetings, under /w/<slug>/."""

from django.urls import path

from .views import inbox

urlpatterns = [
    path("feedback/", inbox.feedback_list, name="feedback"),
    path("feedback/import/", inbox.feedback_import, name="feedback_import"),
    path("feedback/import/<str:name>/", inbox.feedback_import_map, name="feedback_import_map"),
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
