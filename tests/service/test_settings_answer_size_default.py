"""max_answer_size: a default that refuses nothing the other defaults allow; field order."""

from __future__ import annotations

import dataclasses

from talentgap.service.schemas import MAX_LEVELS
from talentgap.service.settings import ServiceSettings

#: The fields in the order positional callers have relied on.
_EARLIER_ORDER = ["token", "rate_limit", "rate_window", "max_body_bytes", "max_cells",
                  "max_horizon", "horizon_at_load", "max_plan_size", "plan_workers",
                  "plan_queue", "plan_timeout", "cors_origins", "access_log_level"]


def test_the_default_answer_size_admits_a_full_default_page_at_the_most_levels():
    settings = ServiceSettings()
    largest = settings.max_cells * settings.max_horizon * (1 + MAX_LEVELS)
    assert largest == 440_000
    assert settings.max_answer_size >= largest


def test_an_operator_can_still_lower_the_answer_size():
    assert ServiceSettings(max_answer_size=100_000).max_answer_size == 100_000


def test_positional_construction_in_the_earlier_order_keeps_its_meaning():
    names = [f.name for f in dataclasses.fields(ServiceSettings)]
    assert names[:len(_EARLIER_ORDER)] == _EARLIER_ORDER
    assert names[-1] == "max_answer_size"
    values = [None, 5, 30.0, 2_000, 50, 8, 12, 6_000_000, 0, 2, 90.0, ("https://a.example",),
              "WARNING"]
    settings = ServiceSettings(*values)
    assert [getattr(settings, n) for n in _EARLIER_ORDER] == values
    assert settings.max_horizon == 8 and settings.max_cells == 50
    assert settings.max_answer_size == ServiceSettings().max_answer_size
