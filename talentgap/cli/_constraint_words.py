"""A plan's binding constraints in a planner's words, with their currency and units.

The planning functions word their constraints table
(:attr:`~talentgap.planning.QuotaPlan.constraints`) with
:func:`talentgap.planning._constraint_sentences.constraint_sentences`, without a
currency (they know none); the command line calls the same function with the
run's currency, so the report, ``plan_binding.csv``, ``QuotaPlan.binding`` and
``POST /v1/plan`` say the same thing about the same plan. ``plain_constraints``
is the command line's name for it.
"""

from __future__ import annotations

from talentgap.planning._constraint_sentences import constraint_sentences

__all__ = ["plain_constraints"]

plain_constraints = constraint_sentences
