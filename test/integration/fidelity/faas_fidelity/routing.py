"""Placeholder: filled in by its owner in this change."""


def apply() -> None:
    pass
