"""WhatsApp's sending rates: the throughput of a business phone number (messages per second)
and the pair rate (a burst of messages to one user within a few seconds).

Both are measured on a monotonic clock (the simulator's ``rate_clock``, time.monotonic by
default), not on its wall clock, so a test that freezes ``sim.clock`` is not throttled for
sending many messages "at the same instant".
"""

from __future__ import annotations

from collections import deque

from bot.simulator.whatsapp.records import GraphError

__all__ = [
    "DEFAULT_PAIR_BURST",
    "DEFAULT_PAIR_WINDOW",
    "DEFAULT_THROUGHPUT",
    "SendRates",
    "pair_rate_error",
    "throughput_error",
]

DEFAULT_THROUGHPUT = 80  # messages per second per business phone number
DEFAULT_PAIR_BURST = 45  # messages to one user ...
DEFAULT_PAIR_WINDOW = 6.0  # ... within this many seconds


def throughput_error(details: str) -> GraphError:
    """Return Meta's answer when the phone number's throughput is exceeded (130429)."""
    return GraphError(429, 130429, "(#130429) Rate limit hit", details=details)


def pair_rate_error(details: str) -> GraphError:
    """Return Meta's answer when one user gets too many messages too fast (131056)."""
    return GraphError(
        400,
        131056,
        "(#131056) (Business Account, Consumer Account) pair rate limit hit",
        details=details,
    )


class SendRates:
    """Count accepted messages and refuse those over the throughput or pair rate."""

    def __init__(self) -> None:
        self._all: deque[float] = deque()
        self._pairs: dict[str, deque[float]] = {}

    def check(
        self, wa_id: str, *, now: float, throughput: int, pair_burst: int, pair_window: float
    ) -> None:
        """Count one message to wa_id at now (seconds), or raise the throttling GraphError
        without counting it."""
        while self._all and self._all[0] <= now - 1.0:
            self._all.popleft()
        if len(self._all) >= throughput:
            raise throughput_error(
                f"more than {throughput} messages in one second from this phone number"
            )
        pair = self._pairs.setdefault(wa_id, deque())
        while pair and pair[0] <= now - pair_window:
            pair.popleft()
        if len(pair) >= pair_burst:
            raise pair_rate_error(
                f"more than {pair_burst} messages to {wa_id} within {pair_window:g} s"
            )
        self._all.append(now)
        pair.append(now)
