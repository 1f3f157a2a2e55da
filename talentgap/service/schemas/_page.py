"""Pages of a whole-model read: ``limit`` and ``offset`` of ``/v1/gap`` and ``/v1/forecast``.

A request that names no cells reads every cell of the model, in the model's
order, one page at a time: at most ``limit`` cells (default and ceiling the
service's ``max_cells``, GET /v1/model) from position ``offset``. The answer
says where the page lies (:class:`Page`) and where the next one starts.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["Page", "MAX_OFFSET", "LIMIT_WORDS", "OFFSET_WORDS"]

#: The largest ``offset`` a request may give (a position past the last cell is an empty page).
MAX_OFFSET = 10**9

#: The description of a request's ``limit``; ``what`` names the rows ("cells", "series").
LIMIT_WORDS = (
    "Most {what} in this answer, >= 1 and at most max_cells (GET /v1/model); default "
    "max_cells. Pages through the {what} the request reads: every {one} of the model when "
    "``{field}`` is omitted, in the model's order (the fitted model's, the same in every "
    "request), else the {what} the entries select, in their order. Without limit and "
    "offset, a request naming {what} answers them all, or is refused (422) when they are "
    "more than max_cells: give limit or offset to read them a page at a time.")
#: The description of a request's ``offset``.
OFFSET_WORDS = (
    "Position of the first {one} of this answer among the {what} the request reads (0: "
    "the first), >= 0 and at most 10^9; default 0. Take it from the previous answer's "
    "``page.next``; past the last {one}, the answer is an empty page (no rows, "
    "``page.next`` null), not an error.")


class Page(BaseModel):
    """Where an answer's cells (or series) lie among those the request reads."""

    total: int = Field(ge=0, description="Cells (series for POST /v1/forecast) the request "
                       "reads: every one of the model when it names none (n_cells of GET "
                       "/v1/model), else those its entries select.", examples=[34000])
    offset: int = Field(ge=0, le=MAX_OFFSET, description="Position of the answer's first "
                        "cell among them (the request's offset).", examples=[0])
    limit: int = Field(ge=1, description="Most cells in one answer: the "
                       "request's limit, else max_cells (GET /v1/model).", examples=[1000])
    next: int | None = Field(ge=1, description="The offset of the next page (offset + "
                             "limit, below total), to send as "
                             "``offset`` with the same request otherwise unchanged; null "
                             "when this answer holds the last cell.", examples=[1000])
