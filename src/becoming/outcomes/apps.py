from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "becoming.outcomes"

    def ready(self):
        from becoming import registry as r

        r.add_nav(r.NavItem("Outcomes", "outcomes", 80, current=("outcomes*",)))
        r.add_customer_section(r.CustomerSection(
            "outcomes", "outcomes/_customer.html", "becoming.outcomes.views:customer_section", 10,
            column="side"))
        r.add_job_kind("import_outcomes", "becoming.outcomes.actions.imports:import_outcomes_job")
        r.add_timeline_source(r.TimelineSource(
            "outcomes", "Outcomes", "becoming.outcomes.timeline:outcomes", 60))
