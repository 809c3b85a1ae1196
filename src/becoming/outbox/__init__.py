"""The outbox: a loopback SMTP sink and a page showing every message it received.

For the demo and for development only (``BECOMING_OUTBOX``): `becoming demo` starts the sink,
points Django's SMTP backend at it, and staff read each message — survey invitations,
digests, introductions, sign-in links — with its links clickable, so every loop that starts
with an email can be walked on one machine.
"""
