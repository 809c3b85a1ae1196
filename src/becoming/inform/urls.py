"""Inform's pages under /w/<slug>/inform/, the public links of messages, the portal's reading."""

from django.urls import path
from django.views.generic import RedirectView

from . import views

urlpatterns = [
    path("inform/", views.library, name="inform_library"),
    path("inform/items/new/", views.item_edit, name="inform_item_new"),
    path("inform/items/<int:pk>/", views.item_detail, name="inform_item"),
    path("inform/items/<int:pk>/edit/", views.item_edit, name="inform_item_edit"),
    path("inform/items/<int:pk>/attended/", views.item_attended, name="inform_item_attended"),
    path("inform/import/", RedirectView.as_view(url="../../imports/?kind=content"), name="inform_import"),
    path("inform/sends/", views.issues, name="inform_issues"),
    path("inform/sends/new/", views.compose, name="inform_compose"),
    path("inform/sends/<int:pk>/", views.issue_detail, name="inform_issue"),
    path("inform/sends/<int:pk>/edit/", views.compose, name="inform_compose_edit"),
    path("inform/sends/<int:pk>/preview/", views.issue_preview, name="inform_preview"),
    path("inform/sends/<int:pk>/send/", views.issue_send, name="inform_send"),
    path("inform/effects/", views.effects, name="inform_effects"),
]

public_urlpatterns = [
    path("r/<str:token>/", views.track_click, name="inform_click"),
    path("o/<str:token>.gif", views.track_open, name="inform_open"),
    path("read/<str:token>/", views.read, name="inform_read"),
    path("u/<slug:slug>/<str:token>/", views.unsubscribe, name="inform_unsubscribe"),
]

portal_urlpatterns = [
    path("reading/<int:pk>/", views.portal_item, name="inform_portal_item"),
    path("events/<int:pk>/register/", views.portal_register, name="inform_portal_register"),
    path("events/<int:pk>/calendar.ics", views.portal_calendar, name="inform_portal_calendar"),
]
