"""Outcomes have no tables of their own: churn, renewals and revenue are signals of kind
"outcome" in the signal store, so the engine and every analysis read them like any signal.
"""
