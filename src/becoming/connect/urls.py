"""Connect's pages under /w/<slug>/connect/, the member pages under /portal/connect/, and
the public pages of the mailed links."""

from django.urls import path

from . import views

urlpatterns = [
    path("connect/", views.member_list, name="connect_members"),
    path("connect/rounds/", views.round_list, name="connect_rounds"),
    path("connect/rounds/new/", views.round_new, name="connect_round_new"),
    path("connect/rounds/<int:pk>/", views.round_detail, name="connect_round"),
    path("connect/rounds/<int:pk>/send/", views.round_send, name="connect_round_send"),
    path("connect/rounds/<int:pk>/pairs/<int:pair>/", views.pair_review, name="connect_pair"),
    path("connect/gatherings/", views.gathering_list, name="connect_gatherings"),
    path("connect/gatherings/new/", views.gathering_new, name="connect_gathering_new"),
    path("connect/gatherings/<int:pk>/", views.gathering_detail, name="connect_gathering"),
    path("connect/gatherings/<int:pk>/invitation.ics", views.gathering_ics, name="connect_gathering_ics"),
    path("connect/gatherings/<int:pk>/seats/<int:seat>/", views.seat_update, name="connect_seat"),
    path("connect/forum/", views.forum, name="connect_forum"),
    path("connect/forum/topics/", views.forum_topic_new, name="connect_topic_new"),
    path("connect/forum/<int:pk>/", views.forum_thread, name="connect_thread"),
    path("connect/forum/<int:pk>/moderate/", views.forum_moderate, name="connect_moderate"),
]

portal_urlpatterns = [
    path("connect/forum/", views.portal_forum, name="connect_portal_forum"),
    path("connect/forum/<int:pk>/", views.portal_thread, name="connect_portal_thread"),
    path("connect/introductions/<int:pk>/", views.portal_answer, name="connect_portal_answer"),
    path("connect/join/", views.portal_join, name="connect_portal_join"),
]

public_urlpatterns = [
    path("connect/i/<str:token>/", views.answer_page, name="connect_answer"),
    path("connect/rate/<str:token>/", views.rate_page, name="connect_rate"),
]
