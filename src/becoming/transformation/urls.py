from django.urls import path

from . import views

urlpatterns = [
    path("model/", views.model_edit, name="model"),
    path("model/preview/", views.model_preview, name="model_preview"),
]
