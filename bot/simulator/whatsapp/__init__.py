"""Loopback stand-in for the WhatsApp Cloud API (Graph API) and simulated WhatsApp users."""

from bot.simulator.whatsapp.markup import strip_markup
from bot.simulator.whatsapp.records import (
    Document,
    GraphCall,
    GraphError,
    StoredMedia,
    TemplateUse,
    Undelivered,
    WaButton,
    WaLocation,
    WaMessage,
    WebhookPost,
)
from bot.simulator.whatsapp.server import WhatsAppSimulator
from bot.simulator.whatsapp.templates import WaTemplate
from bot.simulator.whatsapp.users import WaUser
from bot.simulator.whatsapp.webhooks import HeldBatch

__all__ = [
    "Document",
    "GraphCall",
    "GraphError",
    "HeldBatch",
    "StoredMedia",
    "TemplateUse",
    "Undelivered",
    "WaButton",
    "WaLocation",
    "WaMessage",
    "WaTemplate",
    "WaUser",
    "WebhookPost",
    "WhatsAppSimulator",
    "strip_markup",
]
