"""The retry advice a status-code table gives (kept apart so importing it is cheap)."""

from __future__ import annotations

import enum

__all__ = ["Advice"]


class Advice(enum.Enum):
    """What a status-code table says about sending the same request again.

    Profile files name advice by these member names:

    * ``DO_NOT_REPEAT``: modify the request first; unchanged, it fails the same way.
    * ``MAY_REPEAT``: the same request may be sent again at any later time.
    * ``WAIT_RETRY_AFTER``: send it again after the time the Retry-After header gives.
    * ``NONE``: the table says nothing about repeating the request.
    """

    #: Modify the request before sending it again; repeating it unchanged will fail the same way.
    DO_NOT_REPEAT = "modify the request before sending it again"
    #: The same request may be sent again, unchanged, at any later time.
    MAY_REPEAT = "the request may be sent again unchanged at any later time"
    #: Send the request again after the time the Retry-After header gives.
    WAIT_RETRY_AFTER = "send the request again after the time given by Retry-After"
    #: The table says nothing about repeating the request.
    NONE = "the table gives no advice"

    def __repr__(self) -> str:
        return f"Advice.{self.name}"
