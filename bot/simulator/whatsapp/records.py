"""The records the simulated WhatsApp Cloud API keeps and hands to tests: the messages the bot
sent (as the phone shows them), their buttons, stored media, accepted calls, webhook posts and
Graph API errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, NamedTuple

from bot.simulator.records import Document

__all__ = [
    "FAILURE_TITLES",
    "ButtonKind",
    "Contact",
    "Document",
    "GraphCall",
    "GraphError",
    "MessageKind",
    "StoredMedia",
    "TemplateUse",
    "Undelivered",
    "WaButton",
    "WaLocation",
    "WaMessage",
    "WebhookPost",
]

# error code -> (title, details) of Meta's failed statuses and throttling errors
FAILURE_TITLES = {
    130429: ("Rate limit hit", "Cloud API message throughput has been reached."),
    131026: (
        "Message undeliverable",
        "Unable to deliver message: the recipient cannot receive WhatsApp messages.",
    ),
    131047: (
        "Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer "
        "last replied to this number.",
    ),
    131049: (
        "This message was not delivered to maintain healthy ecosystem engagement.",
        "Meta chose not to deliver this message.",
    ),
    131056: (
        "(Business Account, Consumer Account) pair rate limit hit",
        "Too many messages sent from this phone number to the same phone number in a short "
        "period of time.",
    ),
}

ButtonKind = Literal["reply", "row", "quick_reply"]
# "photo" for an image, as the Telegram simulator names it
MessageKind = Literal["text", "buttons", "list", "photo", "document", "location", "template"]


@dataclass(frozen=True)
class WaButton:
    """Describe one tappable choice: a reply button, a list row or a template quick reply.

    ``id`` is what the webhook carries back: the reply/row id, or the quick reply's payload.
    """

    title: str
    id: str
    description: str | None = None
    kind: ButtonKind = "reply"

    @property
    def label(self) -> str:
        """Return what a user reads: the title, or the description when the title is only a
        shortened form of it (it ends with "…" and the description starts with the rest)."""
        if (
            self.description
            and self.title.endswith("…")
            and self.description.startswith(self.title[:-1])
        ):
            return self.description
        return self.title

    @property
    def text(self) -> str:
        """Return the label (the name the Telegram simulator's Button uses)."""
        return self.label

    @property
    def callback_data(self) -> str:
        """Return the id (the name the Telegram simulator's Button uses)."""
        return self.id


class TemplateUse(NamedTuple):
    """Name the template a message used, its language code and its body parameters."""

    name: str
    language: str
    params: tuple[str, ...]


class WaLocation(NamedTuple):
    """Describe a location the bot sent."""

    latitude: float
    longitude: float
    name: str | None
    address: str | None


@dataclass(eq=False)
class WaMessage:
    """Hold one message the bot sent through /messages, as the recipient's phone shows it.

    ``raw`` is the body text exactly as sent (with WhatsApp markup); ``text`` is what the phone
    shows (markup removed; the caption for media, the rendered text for templates). ``status``
    is "delivered" for a delivered message ("sent", "delivered", "read" in turn while status
    webhooks are reported) and "failed" for one that was accepted but not delivered.
    """

    message_id: str
    to: str
    kind: MessageKind
    raw: str
    text: str
    header: str | None = None
    footer: str | None = None
    buttons: list[list[WaButton]] = field(default_factory=list)
    list_button: str | None = None
    sections: list[str | None] = field(default_factory=list)
    document: Document | None = None
    photo: bytes | None = None
    template: TemplateUse | None = None
    context_id: str | None = None
    status: str = "delivered"
    location: WaLocation | None = None
    media_id: str | None = None
    link: str | None = None
    preview_url: bool = False
    tracker: str | None = None
    timestamp: datetime | None = None
    payload: dict[str, Any] = field(default_factory=dict, repr=False)

    def button_labels(self) -> list[str]:
        """Return, row by row, the label a user reads on each button (see WaButton.label)."""
        return [button.label for row in self.buttons for button in row]

    def all_buttons(self) -> list[WaButton]:
        """Return all buttons, list rows and quick replies, row by row."""
        return [button for row in self.buttons for button in row]


@dataclass(frozen=True)
class StoredMedia:
    """Hold a media file known to the simulator: uploaded by the bot or sent by a user."""

    media_id: str
    data: bytes
    mime: str
    filename: str | None
    sha256: str  # hex digest of data
    uploaded_by: Literal["business", "user"]

    @property
    def size(self) -> int:
        """Return the size of the file in bytes."""
        return len(self.data)


@dataclass(frozen=True)
class GraphCall:
    """Record one accepted Graph API call.

    ``endpoint`` is "messages", "read", "media", "media_url", "media_download", "media_delete"
    or "phone"; ``payload`` is the JSON body (for an upload: filename, mime and size).
    """

    endpoint: str
    payload: dict[str, Any]
    wa_id: str | None = None
    message_id: str | None = None


@dataclass(frozen=True)
class Undelivered:
    """Record a message the API accepted but did not deliver (a failed status followed)."""

    message: WaMessage
    code: int
    title: str


@dataclass(frozen=True)
class WebhookPost:
    """Record one attempt to POST a webhook to the bot; status is None when no answer came."""

    body: bytes
    status: int | None
    attempt: int


class Contact(NamedTuple):
    """Identify a simulated WhatsApp user in webhooks: number, business-scoped id, name."""

    wa_id: str
    bsuid: str
    name: str


class GraphError(Exception):
    """Carry a Graph API error answer: an HTTP status and Meta's error object."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        details: str | None = None,
        title: str | None = None,
        subcode: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details if details is not None else message
        self.title = title
        self.subcode = subcode

    def to_json(self) -> dict[str, Any]:
        """Return the error as the Graph API's ``{"error": {...}}`` answer."""
        error: dict[str, Any] = {
            "message": self.message,
            "type": "OAuthException",
            "code": self.code,
            "error_data": {"messaging_product": "whatsapp", "details": self.details},
            "fbtrace_id": "SIMULATOR",
        }
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.title is not None:
            error["error_user_title"] = self.title
        return {"error": error}


def invalid(description: str, code: int = 100) -> GraphError:
    """Return the 400 error refusing a parameter; description names the limit broken."""
    prefix = (
        "(#100) Invalid parameter" if code == 100 else f"(#{code}) Parameter value is not valid"
    )
    return GraphError(400, code, f"{prefix}: {description}", details=description)
