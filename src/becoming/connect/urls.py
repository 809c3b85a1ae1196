"""Connect's pages under /w/<slug>/connect/ and the public pages of the mailed links."""

from django.urls import path

from . import views

urlpatterns = [
    path("connect/", views.member_list, name="connect_members"),
    path("connect/rounds/", views.round_list, name="connect_rounds"),
    path("connect/rounds/new/", views.round_new, name="connect_round_new"),
    path("connect/rounds/<int:pk>/", views.round_detail, name="connect_round"),
    path("connect/rounds/<int:pk>/send/", views.round_send, name="connect_round_send"),
    path("connect/rounds/<int:pk>/pairs/<int:pair>/", views.pair_review, name="connect_pair"),
]

public_urlpatterns = [
    path("connect/i/<str:token>/", views.answer_page, name="connect_answer"),
    path("connect/rate/<str:token>/", views.rate_page, name="connect_rate"),
]
