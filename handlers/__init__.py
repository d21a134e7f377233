"""Telegram handlers, one module per feature; each is thin: update -> service -> reply."""
