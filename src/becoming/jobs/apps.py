from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "becoming.jobs"

    def ready(self):
        from becoming import registry as r

        r.add_nav(r.NavItem("Imports", "imports", 90, current=("imports", "import_map")))
