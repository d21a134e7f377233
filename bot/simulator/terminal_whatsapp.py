"""Let a person chat with the bot through the WhatsApp simulator from a terminal, as one user
or switching between several (each with their own WhatsApp number and chat).

WhatsApp shows reply buttons, list rows and template quick replies; the terminal numbers them
[1], [2]... across every message with buttons of the bot's latest answer (a long list may come
as several messages), and a typed number presses that choice. There is no reply keyboard and
no notice over the chat when a button is pressed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.simulator.console import COMMANDS_HELP, ChatTerminal, Person, media_lines, people_help
from bot.simulator.whatsapp import WaButton, WaMessage, WaUser, WhatsAppSimulator

__all__ = ["WA_HELP_TEXT", "render_wa_message", "run_whatsapp_terminal", "whatsapp_people_help"]

WA_HELP_TEXT = (
    "Ketik pesan lalu tekan Enter untuk mengirim ke bot. Ketik nomor (mis. 1) untuk menekan "
    "tombol atau memilih baris daftar [1] pada jawaban terakhir bot (bila jawaban itu beberapa "
    "pesan bertombol, nomornya berlanjut dari pesan ke pesan).\n"
    f"{COMMANDS_HELP}"
)
UNNUMBERED = "[·]"  # a choice of an older answer: no number presses it any more


def whatsapp_people_help(people: Sequence[Person[WaUser]]) -> str:
    """Return the help lines about switching between people, each with a WhatsApp number."""
    return people_help(people, account="nomor WhatsApp", id_word="nomor")


def _choice(mark: str, button: WaButton) -> str:
    label = button.label
    if button.description and button.description != label:
        return f"{mark} {label} — {button.description}"
    return f"{mark} {label}"


def render_wa_message(
    message: WaMessage, first: int | None = 1, saved: Path | None = None
) -> list[str]:
    """Return the terminal lines showing a message the bot sent on WhatsApp: its text, then
    its choices numbered from first (None: shown as [·], no number presses them); a list
    shows the label of its button first. saved: where its document or photo was written."""
    template = message.kind == "template"
    lines = ["🤖 Bot (templat pesan):" if template else "🤖 Bot:"]
    if message.header:
        lines.append(message.header)
    lines.extend(media_lines(message, saved))
    if message.location is not None:
        lines.append(f"[lokasi: {message.location.latitude}, {message.location.longitude}]")
    if message.text:
        lines.extend(message.text.splitlines() or [""])
    if message.footer:
        lines.append(message.footer)
    if message.kind == "list" and message.list_button:
        lines.append(f"☰ {message.list_button}")
    for index, button in enumerate(message.all_buttons()):
        lines.append(_choice(f"[{first + index}]" if first is not None else UNNUMBERED, button))
    return lines


@dataclass
class _Screen:
    """The messages with buttons of one answer, whose choices the numbers press in turn."""

    epoch: int  # the terminal's action the answer came after
    messages: list[WaMessage] = field(default_factory=list)

    def first_number(self, message: WaMessage) -> int | None:
        """Return the number of message's first choice (None: not on this screen)."""
        number = 1
        for shown in self.messages:
            if shown is message:
                return number
            number += len(shown.all_buttons())
        return None

    def choices(self) -> list[tuple[WaButton, WaMessage]]:
        return [(button, m) for m in self.messages for button in m.all_buttons()]


class _WhatsAppTerminal(ChatTerminal[WaUser, WaMessage]):
    """Chat on WhatsApp: numbers press the choices of the latest answer with buttons."""

    id_word = "nomor"

    def __init__(
        self,
        sim: WhatsAppSimulator,
        user: WaUser,
        write: Callable[[str], None],
        *,
        people: Sequence[Person[WaUser]] = (),
        received_dir: Path | None = None,
        help_text: str = WA_HELP_TEXT,
    ) -> None:
        self.sim = sim
        self.epoch = 0  # counts the lines handled: an answer with buttons after a new line
        self.screens: dict[str, _Screen] = {}  # chat -> what the numbers press there
        super().__init__(user, write, people=people, received_dir=received_dir, help_text=help_text)

    def chat_of(self, user: WaUser) -> Hashable:
        return user.wa_id

    def chat_of_message(self, message: WaMessage) -> Hashable:
        return message.to

    def listen(self) -> Callable[[], None]:
        def delivered(message: WaMessage) -> None:
            self.on_event("sent", message)

        self.sim.listeners.append(delivered)

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self.sim.listeners.remove(delivered)

        return remove

    def screen(self, wa_id: str) -> _Screen:
        """Return the screen of a chat (at first: the latest answer the user was sent)."""
        found = self.screens.get(wa_id)
        if found is None:
            user = self.sim.user(wa_id)
            found = self.screens[wa_id] = _Screen(-1, list(reversed(user.on_screen())))
        return found

    def render(self, kind: str, message: WaMessage) -> list[str]:
        first = self.screen(message.to).first_number(message) if message.buttons else 1
        return render_wa_message(message, first, self.saved.get(message))

    def remember(self, kind: str, message: WaMessage) -> None:
        """Put a message with buttons on its chat's screen: after the others if it is part of
        the same answer (no line typed, and the person did nothing, since they came), else
        on a screen of its own."""
        if not message.buttons:
            return
        screen = self.screens.get(message.to)
        answer = self.sim.user(message.to).answer
        if (
            screen is not None
            and screen.epoch == self.epoch
            and all(any(m is shown for m in answer) for shown in screen.messages)
        ):
            screen.messages.append(message)  # the same answer goes on
        else:
            self.screens[message.to] = _Screen(self.epoch, [message])

    def visible(self, user: WaUser) -> list[WaMessage]:
        return user.messages

    def on_screen(self) -> list[WaMessage]:
        return list(self.screen(self.user.wa_id).messages)

    async def handle(self, line: str) -> None:
        self.epoch += 1
        await super().handle(line)

    async def press(self, number: int) -> None:
        choices = self.screen(self.user.wa_id).choices()
        if not choices:
            self.write("Tidak ada pesan dengan tombol.")
            return
        if not 1 <= number <= len(choices):
            self.write(f"Tidak ada pilihan nomor {number}; pilih 1 sampai {len(choices)}.")
            return
        button, message = choices[number - 1]
        await self.user.press_data(button.id, message)

    async def send_contact(self, phone: str) -> None:
        await self.user.send_contact(phone, self.user.name)


async def run_whatsapp_terminal(
    sim: WhatsAppSimulator,
    user: WaUser,
    *,
    read_line: Callable[[], Awaitable[str | None]] | None = None,
    write: Callable[[str], None] = print,
    people: Sequence[Person[WaUser]] = (),
    received_dir: Path | None = None,
    help_text: str | None = None,
) -> None:
    """Chat with the bot on WhatsApp as user, reading lines and writing bot messages until
    /keluar or EOF; people, received_dir and help_text as for terminal.run_terminal."""
    if help_text is None:
        help_text = WA_HELP_TEXT + (f"\n\n{whatsapp_people_help(people)}" if people else "")
    terminal = _WhatsAppTerminal(
        sim, user, write, people=people, received_dir=received_dir, help_text=help_text
    )
    await terminal.run(read_line)
