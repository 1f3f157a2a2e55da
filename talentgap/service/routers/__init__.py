"""One router per resource of the service."""

__all__: list[str] = []
