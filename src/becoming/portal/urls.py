"""The portal's pages for contacts under /portal/, and its staff page under /w/<slug>/portal/."""

from django.urls import path

from . import views

urlpatterns = [
    path("portal/", views.staff, name="portal_staff"),
    path("portal/invite/", views.invite, name="portal_invite"),
    path("portal/view-as/<int:contact>/", views.view_as, name="portal_view_as"),
]

portal_urlpatterns = [
    path("", views.home, name="portal_home"),
    path("sign-in/", views.sign_in, name="portal_sign_in"),
    path("sign-in/<str:token>/", views.sign_in_link, name="portal_sign_in_link"),
    path("sign-out/", views.sign_out, name="portal_sign_out"),
    path("self-assessment/", views.self_assessment, name="portal_self_assessment"),
]
