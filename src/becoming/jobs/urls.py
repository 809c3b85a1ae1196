from django.urls import path

from . import views

urlpatterns = [
    path("imports/", views.import_start, name="imports"),
    path("imports/<int:upload_id>/map/", views.import_map, name="import_map"),
    path("jobs/<int:pk>/", views.job_status, name="job"),
]
