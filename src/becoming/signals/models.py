"""Signals have no tables in the application database: they live in the workspace's
columnar store (``becoming.tabular.store.SignalStore``, reached through ``actions.store_for``).
"""
