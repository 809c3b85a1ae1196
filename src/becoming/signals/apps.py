from django.apps import AppConfig


class SignalsConfig(AppConfig):
    name = "becoming.signals"

    def ready(self):
        from becoming import registry as r

        r.add_customer_section(r.CustomerSection(
            "signals", "signals/_customer.html", "becoming.signals.views:customer_section", 30))
        r.add_import_kind(r.ImportKind(
            "events", "Events", form="becoming.signals.forms:EventMapForm",
            action="becoming.signals.actions:import_events",
            guess="becoming.signals.forms:guess_event_columns", order=20,
            help="one row per product event: customer, type, time, value"))
        r.add_job_kind("import_events", "becoming.signals.actions:import_events_job")
        r.add_timeline_source(r.TimelineSource(
            "events", "Product events", "becoming.signals.timeline:events", 50))
