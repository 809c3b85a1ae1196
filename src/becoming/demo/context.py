"""What a demo step (``becoming.registry.DemoStep``) gets: the demo's accounts and their story.

Each step draws from its own random generator, seeded from the demo's seed and the step's
key, so adding or changing one app's demo data never changes another's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class DemoContext:
    workspace: Any
    seed: int
    today: dt.date
    start: dt.date               # the first day of the demo's history (DAYS days before today)
    customer_ids: np.ndarray     # Customer primary keys, in external-id order (FW-10001, ...)
    traits: dict                 # latent traits per account (see build._accounts)
    maturity: np.ndarray         # accounts × days, in [0, 1]: how mature each account is each day
    churn: np.ndarray            # per account, the day index it churned, or a value ≥ days
    report: Any = field(default=lambda **k: None)

    def rng(self, key: str) -> np.random.Generator:
        digest = hashlib.sha256(f"{self.seed}:{key}".encode()).digest()
        return np.random.default_rng(int.from_bytes(digest[:8], "little"))
