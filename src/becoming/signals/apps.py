from django.apps import AppConfig


class SignalsConfig(AppConfig):
    name = "becoming.signals"
