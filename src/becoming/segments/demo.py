"""Demo segments: a few saved filters people would keep, over the demo's attributes and model."""

from becoming.segments.actions import create_segment
from becoming.segments.models import Segment
from becoming.transformation.actions import current_model


def build(demo) -> None:
    ws = demo.workspace
    model = current_model(ws)
    wanted = [("Enterprise accounts", {"attr": "Plan", "value": "enterprise"}),
              ("EMEA, by index", {"attr": "Region", "value": "EMEA", "sort": "-index"})]
    if model is not None and model.dimensions:
        first = model.dimensions[0]
        wanted.append((f"{first.name}: still {first.stages[0].name.lower()}",
                       {f"stage_{first.key}": "0"}))
    for name, params in wanted:
        if not Segment.objects.filter(workspace=ws, name=name).exists():
            create_segment(ws, name, params)
