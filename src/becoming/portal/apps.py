from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "becoming.portal"

    def ready(self):
        from becoming import registry as r

        r.add_nav(r.NavItem("Portal", "portal_staff", 90, current=("portal_staff*",)))
        r.add_demo_step(r.DemoStep("portal", "becoming.portal.demo:build_portal", 50))
