"""Loopback stand-in for the Telegram Bot API, simulated users and a terminal chat."""

from bot.simulator.server import (
    ApiCall,
    BotApiError,
    BotApiSimulator,
    Button,
    CallbackAnswer,
    Document,
    SentMessage,
    SimUser,
)

__all__ = [
    "ApiCall",
    "BotApiError",
    "BotApiSimulator",
    "Button",
    "CallbackAnswer",
    "Document",
    "SentMessage",
    "SimUser",
]
