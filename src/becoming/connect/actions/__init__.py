"""Connect's rules: members and consent, rounds of introductions, gatherings, the forum."""
