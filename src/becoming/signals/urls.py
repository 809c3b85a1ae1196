"""Signals have no pages of their own: they show on the customer page through the section
registered in apps.py, and come in through the imports page and the API."""

urlpatterns: list = []
