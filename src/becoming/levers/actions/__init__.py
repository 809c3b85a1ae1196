"""Levers' rules: effects (what moves customers), next best actions, the work queue, playbooks.

Submodules: ``effects`` (the lever-effect analysis of a workspace), ``nba`` (next actions),
``queue`` (accept, snooze, dismiss, tasks), ``playbooks`` (validate, version, dry run, apply),
``steps`` (the playbook steps this app provides).
"""
