"""What every loopback server of the simulators shares: ``async with`` starts and stops it."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Served:
    """A server with ``start()`` and ``stop()`` that is also an async context manager."""

    async def start(self) -> None:
        """Start serving (a subclass listens on a free loopback port)."""
        raise NotImplementedError

    async def stop(self) -> None:
        """Stop serving and let go of every connection."""
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        """Start the server."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        await self.stop()
