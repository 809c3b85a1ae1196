from django.urls import path

from . import views

urlpatterns = [
    path("outcomes/", views.report_page, name="outcomes"),
    path("outcomes/report.csv", views.report_csv, name="outcomes_csv"),
    path("outcomes/report.json", views.report_json, name="outcomes_json"),
    path("outcomes/panel/", views.panel, name="outcomes_panel"),
]
