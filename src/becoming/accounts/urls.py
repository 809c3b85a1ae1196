from django.urls import path

from . import views

urlpatterns = [
    path("my-accounts/", views.my_accounts, name="my_accounts"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/settings/", views.alert_settings, name="alert_settings"),
    path("alerts/<int:pk>/<str:action>/", views.alert_action, name="alert_action"),
    path("customers/<int:pk>/notes/", views.note_add, name="customer_note_add"),
]
