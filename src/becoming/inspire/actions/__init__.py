"""Inspire's rules: peers (percentiles), goals (Kaplan–Meier on the stage history), stories
(real transitions, consent), champions. One module each."""
