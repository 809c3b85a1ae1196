from django.urls import path

from . import views

urlpatterns = [
    path("model/", views.model_edit, name="model"),
    path("model/form/", views.model_form, name="model_form"),
    path("model/preview/", views.model_preview, name="model_preview"),
    path("model/versions/<int:number>/diff/", views.model_diff, name="model_diff"),
    path("model/versions/<int:number>/rollback/", views.model_rollback, name="model_rollback"),
]
