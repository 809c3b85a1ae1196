from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "becoming.assessments"

    def ready(self):
        from becoming import registry as r

        r.add_nav(r.NavItem("Dashboard", "dashboard", 10))
        r.add_customer_section(r.CustomerSection(
            "standing", "assessments/_customer_standing.html",
            "becoming.assessments.views:standing_section", 10))
        r.add_customer_section(r.CustomerSection(
            "history", "assessments/_customer_history.html",
            "becoming.assessments.views:history_section", 40, column="side"))
        r.add_job_kind("assess", "becoming.assessments.actions:assess_job")
        r.add_job_kind("history", "becoming.assessments.actions:history_job")
        r.add_timeline_source(r.TimelineSource(
            "stages", "Stage changes", "becoming.assessments.timeline:stage_changes", 10))
