"""Forecast editions: store each forecast run, and score it later against what happened.

>>> from talentgap.editions import EditionStore, score_edition
>>> EditionStore("editions.sqlite")
EditionStore('editions.sqlite')
"""

from talentgap.editions.scoring import EditionScores, direction_accuracy, score_edition
from talentgap.editions.stocks import StockScores, score_stocks
from talentgap.editions.store import EditionStore

__all__ = ["EditionStore", "EditionScores", "score_edition", "direction_accuracy",
           "StockScores", "score_stocks"]
