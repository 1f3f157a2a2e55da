"""Forecasting estimators, reconciliation and persistence."""

__all__: list[str] = []
