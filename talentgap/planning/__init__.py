"""Training quota allocation and policy-target arithmetic."""

__all__: list[str] = []
