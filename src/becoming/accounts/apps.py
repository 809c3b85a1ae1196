from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "becoming.accounts"

    def ready(self):
        from becoming import registry as r

        r.add_nav(r.NavItem("My accounts", "my_accounts", 15))
        r.add_nav(r.NavItem("Alerts", "alerts", 16, badge="becoming.accounts.actions:unread_count"))
        r.add_customer_section(r.CustomerSection(
            "timeline", "accounts/_timeline.html", "becoming.accounts.views:timeline_section", 12))
        r.add_customer_section(r.CustomerSection(
            "notes", "accounts/_notes.html", "becoming.accounts.views:notes_section", 5,
            column="side"))
        r.add_timeline_source(r.TimelineSource(
            "notes", "Notes", "becoming.accounts.timeline:notes", 70))
        r.add_assessment_hook("becoming.accounts.actions:after_assessment")
        r.add_demo_step(r.DemoStep("accounts", "becoming.accounts.demo:accounts", 5,
                                   before_history=True))
        r.add_demo_step(r.DemoStep("accounts.notes", "becoming.accounts.demo:notes", 90))

        from django.db.models.signals import post_delete

        from becoming.workspaces.models import Membership

        from .actions import release_accounts

        # Someone who leaves a workspace stops owning its accounts (they show as unowned).
        post_delete.connect(release_accounts, sender=Membership,
                            dispatch_uid="becoming.accounts.release_accounts")
