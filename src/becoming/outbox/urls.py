from django.urls import path

from . import views

urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/clear/", views.clear, name="outbox_clear"),
    path("outbox/<str:key>/", views.message, name="outbox_message"),
    path("outbox/<str:key>/html/", views.message_html, name="outbox_html"),
]
