from django.apps import AppConfig


class TransformationConfig(AppConfig):
    name = "becoming.transformation"

    def ready(self):
        from becoming import registry as r

        r.add_nav(r.NavItem("Model", "model", 30, current=("model", "model_preview", "model_form")))
