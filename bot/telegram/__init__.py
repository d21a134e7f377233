"""The Telegram channel: the PTB bot and its JobQueue, update -> request, outcome ->
messages, the aiohttp transport, durable polling and the webhook route."""
