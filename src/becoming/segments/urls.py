from django.urls import path

from . import views

urlpatterns = [
    path("segments/", views.segment_list, name="segments"),
    path("segments/save/", views.segment_save, name="segment_save"),
    path("segments/current/", views.segment_detail, name="segment_current"),
    path("segments/current/export.csv", views.segment_export, name="segment_current_export"),
    path("segments/current/bulk/<str:key>/", views.segment_bulk, name="segment_current_bulk"),
    path("segments/<int:pk>/", views.segment_detail, name="segment"),
    path("segments/<int:pk>/export.csv", views.segment_export, name="segment_export"),
    path("segments/<int:pk>/bulk/<str:key>/", views.segment_bulk, name="segment_bulk"),
    path("segments/<int:pk>/rename/", views.segment_rename, name="segment_rename"),
    path("segments/<int:pk>/delete/", views.segment_delete, name="segment_delete"),
]
