from django.apps import AppConfig


class ConnectConfig(AppConfig):
    name = "becoming.connect"

    def ready(self):
        from becoming import registry as r

        r.add_bulk_action(r.BulkAction(
            "connect.opt_in", "Add to the Connect community",
            "becoming.connect.actions.members:opt_in_customers", order=20,
            help="Opts these customers into introductions and gatherings on their behalf; "
                 "the consent is recorded with your email."))

        # For the lever-effect analysis: names people read, and only members may be offered them.
        for type_, label in (("connect.accepted", "Introductions accepted"),
                             ("connect.met", "Introductions that met"),
                             ("connect.attended", "Gatherings attended"),
                             ("connect.post", "Forum posts")):
            r.add_lever_action(r.LeverAction(
                type_, label, "becoming.connect.actions.members:may_be_introduced"))

        r.add_nav(r.NavItem("Community", "connect_members", 75, current=("connect_*",)))
        r.add_job_kind("connect_send_round", "becoming.connect.actions.introductions:send_round_job")
        r.add_job_kind("connect_follow_ups", "becoming.connect.actions.introductions:follow_ups_job")
        r.add_portal_section(r.PortalSection(
            "connect", "Community", "connect/_portal.html",
            "becoming.connect.views:portal_section", 40))
        r.add_demo_step(r.DemoStep("connect", "becoming.connect.demo:build", 60, before_history=True))
