from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "becoming.workspaces"

    def ready(self):
        from becoming import registry as r

        r.add_nav(r.NavItem("Members", "members", 10, role="admin", menu="settings"))
        r.add_nav(r.NavItem("API tokens", "tokens", 20, role="admin", menu="settings"))
