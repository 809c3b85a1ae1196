from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "becoming.outbox"

    def ready(self):
        from becoming import registry as r

        r.add_nav(r.NavItem("Outbox", "outbox", 95, current=("outbox*",), role="member",
                            menu="settings", setting="BECOMING_OUTBOX"))
