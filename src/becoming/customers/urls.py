from django.urls import path

from . import views

urlpatterns = [
    path("customers/", views.customer_list, name="customers"),
    path("customers/<int:pk>/", views.customer_detail, name="customer"),
    path("customers/<int:pk>/account/", views.customer_account, name="customer_account"),
]
