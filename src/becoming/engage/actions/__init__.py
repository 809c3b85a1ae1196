"""Engage's rules: every page, API handler and command calls one of these.

Import the module you need (``from becoming.engage.actions import feedback``); this package
re-exports nothing.
"""
