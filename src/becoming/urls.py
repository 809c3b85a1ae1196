"""The URL configuration: each app's ``urls.py`` is mounted here, nothing is listed by hand.

An app's ``urlpatterns`` live under ``/w/<workspace slug>/``; its optional
``public_urlpatterns`` (pages for people who do not sign in, like a survey's respondent
page) live at the site's root; its optional ``portal_urlpatterns`` (pages for a customer's
signed-in contacts, see ``becoming.portal.access``) live under ``/portal/``.
"""

import importlib

from django.contrib.auth import views as auth_views
from django.urls import include, path

from becoming.api.core import api
from becoming.apps import CORE_APPS, DOMAIN_APPS, app_modules
from becoming.web.forms import EmailLoginForm
from becoming.web.views import home

_modules = [importlib.import_module(m) for m in app_modules("urls", DOMAIN_APPS + CORE_APPS)]

urlpatterns = [
    path("", home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html",
                                                authentication_form=EmailLoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("w/<slug:slug>/", include([p for m in _modules for p in getattr(m, "urlpatterns", [])])),
    path("portal/", include([p for m in _modules for p in getattr(m, "portal_urlpatterns", [])])),
    *[p for m in _modules for p in getattr(m, "public_urlpatterns", [])],
    path("api/v1/", api.urls),
]
