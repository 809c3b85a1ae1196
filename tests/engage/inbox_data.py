"""Data of the feedback/themes/meetings tests (importable as `inbox_data`).

Three obvious topics, a dozen-odd short texts each, spread over customers at different stages.
"""

import datetime as dt

from django.utils import timezone

BILLING = [
    "The invoice amount was wrong again this month",
    "We were charged twice on our credit card",
    "Billing is confusing, the invoice does not match the quote",
    "Please fix the double charge on our last invoice",
    "Our invoice shows the wrong VAT number",
    "Refund for the duplicate payment still missing",
    "Invoices arrive late and the totals are wrong",
    "Charged for seats we cancelled, please refund",
    "The billing page shows an incorrect price",
    "Why did our monthly bill go up without notice",
    "Payment failed but the card was charged anyway",
    "Need a corrected invoice for accounting",
    "We were overcharged on the annual plan invoice",
]
MOBILE = [
    "The mobile app crashes when I open it on my phone",
    "iPhone app keeps crashing after the update",
    "Android app freezes on the login screen",
    "The app on my phone closes itself every few minutes",
    "Mobile app is very slow and crashes on startup",
    "Cannot log in on the Android app since yesterday",
    "App crashes whenever I take a photo",
    "The phone app drains my battery and then crashes",
    "Push notifications on the mobile app stopped working",
    "The iOS app shows a blank screen and crashes",
    "Mobile app logs me out and crashes constantly",
    "The tablet app crashes when rotating the screen",
    "After updating the app on my phone it will not start",
]
REPORTS = [
    "We would love to export reports to Excel",
    "Please add more charts to the reporting dashboard",
    "Scheduled weekly reports by email would help us",
    "Custom report builder with our own columns please",
    "The dashboard needs a chart of usage per team",
    "Export the monthly report as PDF",
    "We need better analytics and reporting on usage",
    "Could reports be filtered by department",
    "Add a trend chart to the weekly report",
    "Share dashboards and reports with our managers",
    "More detailed reporting on adoption per user",
    "Reports should include a year over year comparison",
    "Download the dashboard data as CSV for analysis",
]
TOPICS = {"billing": BILLING, "mobile": MOBILE, "reports": REPORTS}


def make_customers(workspace, n: int = 9):
    """Customers C00..C08 with a revenue attribute; stage 0 for the first third, 2 for the last."""
    from becoming.customers.models import Attribute, Contact, Customer

    Attribute.objects.get_or_create(workspace=workspace, name="revenue", defaults={"type": "number"})
    Attribute.objects.get_or_create(workspace=workspace, name="plan", defaults={"type": "text"})
    out = []
    for i in range(n):
        c = Customer.objects.create(workspace=workspace, external_id=f"C{i:02d}", name=f"Customer {i:02d}",
                                    attributes={"revenue": float(1000 * (i + 1)), "plan": "pro"},
                                    stages={"reporting": 0 if i < n // 3 else (1 if i < 2 * n // 3 else 2)})
        Contact.objects.create(workspace=workspace, customer=c, name=f"Contact {i:02d}", email=f"c{i}@example.test")
        out.append(c)
    return out


def feedback_rows(workspace, customers, topics=TOPICS, days_ago=None):
    """Feedback rows without embeddings (for listing only): one per text, round-robin customers."""
    from becoming.engage.models import Feedback

    now = timezone.now()
    rows = []
    n = 0
    for topic, texts in topics.items():
        for text in texts:
            rows.append(Feedback(workspace=workspace, customer=customers[n % len(customers)] if customers else None,
                                 channel="support" if topic == "billing" else "nps", text=text, source_id=f"r{n}",
                                 time=now - dt.timedelta(days=days_ago if days_ago is not None else n, minutes=n)))
            n += 1
    return Feedback.objects.bulk_create(rows)


def feedback_csv(customers) -> str:
    """A file of all topic texts; billing goes to the first third of customers (starting),
    reports to the last third (leading), mobile to everyone."""
    import csv
    import io

    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["id", "text", "customer_id", "time"])
    today = dt.date.today()
    third = len(customers) // 3
    groups = {"billing": customers[:third], "mobile": customers, "reports": customers[2 * third:]}
    n = 0
    for topic, texts in TOPICS.items():
        for j, text in enumerate(texts):
            who = groups[topic][j % len(groups[topic])]
            w.writerow([f"F{n}", text, who.external_id, (today - dt.timedelta(days=j * 5)).isoformat()])
            n += 1
    return out.getvalue()
