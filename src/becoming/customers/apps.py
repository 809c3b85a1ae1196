from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "becoming.customers"

    def ready(self):
        from becoming import registry as r

        r.add_nav(r.NavItem("Customers", "customers", 20, current=("customers", "customer")))
        r.add_import_kind(r.ImportKind(
            "customers", "Customers", form="becoming.customers.forms:CustomerMapForm",
            action="becoming.customers.actions:import_customers",
            guess="becoming.customers.forms:guess_customer_columns", order=10,
            help="one row per customer; other columns become attributes"))
        r.add_job_kind("import_customers", "becoming.customers.actions:import_customers_job")
