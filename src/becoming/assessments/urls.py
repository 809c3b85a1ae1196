from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("assess/", views.assess_now, name="assess"),
]
