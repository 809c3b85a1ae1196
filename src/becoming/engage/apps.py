from django.apps import AppConfig


class EngageConfig(AppConfig):
    name = "becoming.engage"

    def ready(self):
        from becoming import registry as r

        r.add_nav(r.NavItem("Surveys", "surveys", 40, current=("survey*",)))
        r.add_nav(r.NavItem("Feedback", "feedback", 50, current=("feedback*",)))
        r.add_nav(r.NavItem("Themes", "themes", 60, current=("themes", "theme")))
        r.add_nav(r.NavItem("Meetings", "meetings", 70,
                            current=("meetings", "meeting_new", "quiet_customers")))
        r.add_customer_section(r.CustomerSection(
            "engage", "engage/inbox/_customer_engage.html",
            "becoming.engage.views.inbox:customer_section", 20))
        r.add_portal_section(r.PortalSection(
            "surveys", "Surveys waiting for you", "engage/portal/_surveys.html",
            "becoming.engage.views.portal:surveys_waiting", 30, column="side"))
        r.add_import_kind(r.ImportKind(
            "feedback", "Feedback", form="becoming.engage.forms:FeedbackMapForm",
            action="becoming.engage.actions.feedback:import_feedback",
            guess="becoming.engage.forms:guess_feedback_columns", order=30,
            help="open feedback: support tickets, reviews, research notes; themed on arrival"))
        r.add_job_kind("import_feedback", "becoming.engage.actions.feedback:import_feedback_job")
        r.add_import_kind(r.ImportKind(
            "social", "Social posts", form="becoming.engage.forms:SocialMapForm",
            action="becoming.engage.actions.social:import_social",
            guess="becoming.engage.forms:guess_social_columns", order=35,
            help="public posts and comments from social tools' exports; linked to customers by handle"))
        r.add_import_kind(r.ImportKind(
            "panel", "Panel (market research)", form="becoming.engage.forms:PanelMapForm",
            action="becoming.engage.actions.panel:import_panel",
            guess="becoming.engage.forms:guess_panel_columns", order=37,
            help="people to survey who are not customers: an email per row, every other column an attribute"))
        r.add_job_kind("import_panel", "becoming.engage.actions.panel:import_panel_job")
        r.add_demo_step(r.DemoStep("engage.market", "becoming.engage.demo:market_research", order=45))
        r.add_demo_step(r.DemoStep("engage.social", "becoming.engage.demo:social_posts", order=40))
        r.add_job_kind("import_social", "becoming.engage.actions.social:import_social_job")
        r.add_bulk_action(r.BulkAction(
            "engage.invite", "Invite to a survey", "becoming.engage.actions.surveys:invite_customers",
            form="becoming.engage.forms:BulkInviteForm", order=10,
            help="Emails each contact of these customers a personal link (once per survey)."))
        r.add_job_kind("discover_themes", "becoming.engage.actions.themes:discover_themes_job")
        r.add_timeline_source(r.TimelineSource(
            "meetings", "Meetings", "becoming.engage.timeline:meetings", 20,
            signal_types=("engage.visit", "engage.meeting", "engage.call")))
        r.add_timeline_source(r.TimelineSource(
            "feedback", "Feedback", "becoming.engage.timeline:feedback", 30))
        r.add_timeline_source(r.TimelineSource(
            "surveys", "Survey answers", "becoming.engage.timeline:survey_answers", 40,
            signal_types=("engage.survey_response",)))
