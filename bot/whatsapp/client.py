"""pywa's async client, pointed at the Graph API of the settings (or the simulator)."""

from __future__ import annotations

import httpx
from pywa_async.client import WhatsApp

from bot.settings import Settings

TIMEOUT = 30.0


def build_client(settings: Settings) -> tuple[WhatsApp, httpx.AsyncClient]:
    """Return the WhatsApp client of the settings' phone number, and its HTTP client (to
    close).

    pywa sets the Graph API's public address on the HTTP client it is given; the address in
    WHATSAPP_API_URL is put back after (tests and the demo use the loopback stand-in).
    """
    assert settings.whatsapp_token is not None and settings.whatsapp_app_secret is not None
    assert settings.whatsapp_verify_token is not None
    session = httpx.AsyncClient(
        timeout=TIMEOUT, limits=httpx.Limits(max_connections=32, max_keepalive_connections=16)
    )
    client = WhatsApp(
        phone_id=settings.whatsapp_phone_id,
        token=settings.whatsapp_token.get_secret_value(),
        session=session,
        verify_token=settings.whatsapp_verify_token.get_secret_value(),
        app_secret=settings.whatsapp_app_secret.get_secret_value(),
        api_version=float(settings.whatsapp_api_version),
        filter_updates=False,
        skip_duplicate_updates=False,  # the inbox keeps each message once, across processes
    )
    session.base_url = f"{settings.whatsapp_api_url.rstrip('/')}/v{settings.whatsapp_api_version}"
    return client, session
