from django.apps import AppConfig


class SegmentsConfig(AppConfig):
    name = "becoming.segments"

    def ready(self):
        from becoming import registry as r

        r.add_nav(r.NavItem("Segments", "segments", 25, current=("segment*",)))
        r.add_customer_list_tool(r.CustomerListTool("segments", "segments/_list_tool.html", 10))
        r.add_demo_step(r.DemoStep("segments", "becoming.segments.demo:build", order=90))
