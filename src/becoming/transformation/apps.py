from django.apps import AppConfig


class TransformationConfig(AppConfig):
    name = "becoming.transformation"
