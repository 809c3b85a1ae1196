from django.urls import path

from . import views

urlpatterns = [
    path("", views.report_page, name="outcomes"),
    path("report.csv", views.report_csv, name="outcomes_csv"),
    path("report.json", views.report_json, name="outcomes_json"),
    path("panel/", views.panel, name="outcomes_panel"),
]
