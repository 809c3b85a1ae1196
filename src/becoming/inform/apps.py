from django.apps import AppConfig


class InformConfig(AppConfig):
    name = "becoming.inform"

    def ready(self):
        from becoming import registry as r

        r.add_nav(r.NavItem("Library", "inform_library", 45, current=("inform*",)))
        r.add_customer_section(r.CustomerSection(
            "inform", "inform/_customer.html", "becoming.inform.views:customer_section", 30))
        r.add_portal_section(r.PortalSection(
            "inform_reading", "Recommended reading", "inform/portal/_reading.html",
            "becoming.inform.views:portal_reading", 30))
        r.add_portal_section(r.PortalSection(
            "inform_webinars", "Upcoming webinars", "inform/portal/_webinars.html",
            "becoming.inform.views:portal_webinars", 40, column="side"))
        r.add_import_kind(r.ImportKind(
            "content", "Content", form="becoming.inform.forms:ContentMapForm",
            action="becoming.inform.actions.content:import_content",
            guess="becoming.inform.forms:guess_content_columns", order=40,
            help="articles, case studies, webinars…: one row per item of the library"))
        r.add_import_kind(r.ImportKind(
            "interactions", "Reading", form="becoming.inform.forms:InteractionMapForm",
            action="becoming.inform.actions.interactions:import_interactions",
            guess="becoming.inform.forms:guess_interaction_columns", order=41,
            help="who viewed, clicked, downloaded, registered or attended which item"))
        for type_, label in (("inform.view", "Reading"), ("inform.click", "Clicks on content"),
                             ("inform.download", "Downloads"),
                             ("inform.register", "Webinar registrations"),
                             ("inform.attend", "Webinars attended")):
            r.add_lever_action(r.LeverAction(type_, label))
        r.add_job_kind("import_content", "becoming.inform.actions.content:import_content_job")
        r.add_job_kind("import_interactions", "becoming.inform.actions.interactions:import_interactions_job")
        r.add_demo_step(r.DemoStep("inform", "becoming.inform.demo:build", 30, before_history=True))
        r.add_job_kind("inform_send", "becoming.inform.actions.mail:send_issue_job")
