"""Inform's rules: the library (content), reading (interactions), recommendations, mail.

Split by subject; each module's docstring says what it owns.
"""
