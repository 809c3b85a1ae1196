"""Connect's part of the demo workspace (filled in below)."""


def build(demo) -> None:
    return None
