"""What Fieldwise's customers say: topics, phrasings, and who says what.

Less mature customers talk about getting started; mature ones about integrations and
predictions. Each text is a phrasing of one topic with a little context around it, so theme
discovery has real work to do.
"""

import numpy as np

# topic: (maturity it is typical of, 0 = starting .. 1 = leading; phrasings)
TOPICS = {
    "onboarding": (0.1, [
        "Setting up our first site took far longer than we expected",
        "We need help onboarding the technicians on the night shift",
        "The initial setup wizard is confusing for new plants",
        "Getting started was hard, our team did not know where to begin",
        "Could you run an onboarding session for our maintenance crew?",
    ]),
    "training": (0.2, [
        "Our technicians need more training on work orders",
        "Is there a training course for new maintenance planners?",
        "We would love video tutorials for the mobile app",
        "Training material in German and Spanish would help our teams",
        "The team needs a refresher on how to schedule preventive work",
    ]),
    "mobile_offline": (0.35, [
        "The mobile app does not work offline in the basement of the plant",
        "Technicians lose their work when the app drops the connection",
        "Please add offline mode to the mobile app, coverage is bad on the shop floor",
        "Syncing work orders on the phone fails without wifi",
    ]),
    "excel_reports": (0.4, [
        "We export every report to Excel because the filters are too limited",
        "Reports should be scheduled and emailed to the plant manager every Monday",
        "Exporting reports to Excel loses the formatting",
        "We need custom columns in the maintenance cost report",
    ]),
    "spare_parts": (0.45, [
        "Spare parts inventory is not linked to work orders",
        "We keep running out of spare parts, we need stock alerts",
        "Tracking spare parts across warehouses is painful",
        "Reorder points for critical spare parts would save us downtime",
    ]),
    "pricing_sites": (0.5, [
        "Pricing per site makes it expensive to roll out to small plants",
        "The cost of adding another site is hard to justify to finance",
        "We would expand to more plants with a volume discount",
        "Per-site licences are blocking our rollout",
    ]),
    "sap_integration": (0.7, [
        "We need an integration with SAP PM for our work orders",
        "Syncing assets with SAP is still manual and error prone",
        "An ERP connector for SAP would remove double entry",
        "Our IT team asks for a supported SAP integration",
    ]),
    "sensor_setup": (0.65, [
        "Connecting vibration sensors takes a specialist every time",
        "Sensor onboarding should be plug and play",
        "We struggle to connect our existing temperature sensors",
        "Pairing new sensors with assets is slow and fiddly",
    ]),
    "false_alarms": (0.85, [
        "Predictive alerts have too many false positives on the compressors",
        "The failure predictions cry wolf too often, the team ignores them",
        "We need to tune alert thresholds per asset to cut false alarms",
        "Too many false alarms from the anomaly detection on pumps",
    ]),
    "api_limits": (0.9, [
        "The API rate limits are too low for our data warehouse sync",
        "We need webhooks when a work order closes",
        "Please document the API for bulk asset updates",
        "Our data team wants a streaming export of sensor readings",
    ]),
    "benchmarking": (0.9, [
        "We would like to benchmark our uptime against similar plants",
        "How do other food plants run predictive maintenance? We want to learn from peers",
        "A peer group of reliability engineers in our industry would be valuable",
        "We want to share our predictive maintenance playbook with other customers",
    ]),
}
OPENERS = ["", "", "Honestly, ", "One thing: ", "Feedback from our plant: ", "As discussed, ", "Quick note — "]
CLOSERS = ["", "", " Thanks.", " This matters a lot to us.", " It is our top request.",
           " Happy to talk about it.", " Otherwise all good."]


def pick_topics(rng, maturity: np.ndarray) -> list[str]:
    """One topic per customer-utterance, likelier the closer it is to the customer's maturity."""
    names = list(TOPICS)
    centres = np.array([TOPICS[n][0] for n in names])
    weights = np.exp(-((maturity[:, None] - centres[None, :]) ** 2) / 0.03)
    weights /= weights.sum(axis=1, keepdims=True)
    return [names[rng.choice(len(names), p=w)] for w in weights]


def say(rng, topic: str) -> str:
    phrasing = TOPICS[topic][1][rng.integers(len(TOPICS[topic][1]))]
    return f"{OPENERS[rng.integers(len(OPENERS))]}{phrasing}.{CLOSERS[rng.integers(len(CLOSERS))]}".replace("..", ".")
