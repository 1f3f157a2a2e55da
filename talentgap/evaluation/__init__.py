"""Forecast accuracy metrics, backtesting and plots."""

__all__: list[str] = []
