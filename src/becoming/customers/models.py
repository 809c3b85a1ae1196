"""Customer accounts, their contacts, and the typed attributes imported with them."""

from django.conf import settings
from django.db import models

from becoming.workspaces.models import Workspace


class AttributeType(models.TextChoices):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    BOOLEAN = "boolean"


class Attribute(models.Model):
    """A customer attribute's name (exactly as the column header) and its type."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="attributes")
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=10, choices=AttributeType.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="one_attribute_name")]
        ordering = ["name"]


class Customer(models.Model):
    class Kind(models.TextChoices):
        COMPANY = "company"
        PERSON = "person"

    class Status(models.TextChoices):
        """Where the account is in its life with the business. Churned accounts leave the
        assessed population (dashboard counts, stage distributions, index averages) but keep
        their page, snapshots and signals."""

        TRIAL = "trial", "Trial"
        ACTIVE = "active", "Active"
        CHURNED = "churned", "Churned"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="customers")
    external_id = models.CharField(max_length=200)
    name = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMPANY)
    # Values keyed by attribute name; dates as ISO strings. Types live in Attribute.
    attributes = models.JSONField(default=dict, blank=True)
    # The latest assessment, denormalised so the customer list can filter and sort on it:
    # {dimension key: stage index}, and the transformation index (0-100).
    stages = models.JSONField(default=dict, blank=True)
    index = models.FloatField(null=True, blank=True)
    assessed_on = models.DateField(null=True, blank=True)
    # The account as a customer-success manager runs it: who owns it (a member of the
    # workspace), its lifecycle status, its annual recurring revenue (in Workspace.currency)
    # and the next renewal.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="owned_customers")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    arr = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    renewal_date = models.DateField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "external_id"], name="one_external_id")
        ]
        indexes = [
            models.Index(fields=["workspace", "name"]),
            models.Index(fields=["workspace", "index"]),
            models.Index(fields=["workspace", "status"]),
            models.Index(fields=["workspace", "renewal_date"]),
        ]

    def __str__(self) -> str:
        return self.name or self.external_id

    @property
    def display_name(self) -> str:
        return self.name or self.external_id


class Contact(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="contacts")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    title = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]


class CustomerStage(models.Model):
    """A customer's stage on one dimension in the latest assessment (the stage's position in
    the dimension's ladder, 0 first).

    The same as ``Customer.stages``, one row per dimension, so that the customer list can
    sort and filter on any dimension's stage through an index, instead of reading the JSON of
    every customer. Written by the assessment, with ``Customer.stages``.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+",
                                  db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="stage_rows",
                                 db_index=False)
    dimension = models.CharField(max_length=100)
    stage_index = models.SmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "dimension"],
                                               name="one_stage_per_dimension")]
        # Sorted by a stage: walk this in order; filtered by a stage: one range of it.
        indexes = [models.Index(fields=["workspace", "dimension", "stage_index", "customer"],
                                name="customer_stage_order")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.dimension}={self.stage_index}"
