"""The WhatsApp channel (Cloud API, through pywa): webhooks in, the same handlers as
Telegram, answers rendered within WhatsApp's limits."""
