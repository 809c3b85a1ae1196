from django.apps import AppConfig


class InspireConfig(AppConfig):
    name = "becoming.inspire"

    def ready(self):
        from becoming import registry as r

        r.add_nav(r.NavItem("Goals", "inspire_goals", 85, current=("inspire_goal*", "inspire_peer*")))
        r.add_nav(r.NavItem("Stories", "inspire_stories", 86, current=("inspire_stor*",)))
        r.add_nav(r.NavItem("Champions", "inspire_champions", 87, current=("inspire_champion*",)))
        r.add_customer_section(r.CustomerSection(
            "inspire", "inspire/_customer.html", "becoming.inspire.views:customer_section", 15))
        r.add_portal_section(r.PortalSection(
            "goals", "Your goals", "inspire/portal/_goals.html", "becoming.inspire.views:portal_goals", 10))
        r.add_portal_section(r.PortalSection(
            "peers", "Customers like you", "inspire/portal/_peers.html",
            "becoming.inspire.views:portal_peers", 20, column="side"))
        r.add_portal_section(r.PortalSection(
            "stories", "Stories of peers", "inspire/portal/_stories.html",
            "becoming.inspire.views:portal_stories", 40))
        r.add_job_kind("propose_goals", "becoming.inspire.actions.goals:propose_goals_job")
        r.add_job_kind("draft_stories", "becoming.inspire.actions.stories:draft_stories_job")
        r.add_demo_step(r.DemoStep("inspire", "becoming.inspire.demo:build_inspire", 40))
