"""Let a person chat with the bot through the Telegram simulator from a terminal, as one user
or switching between several (each with their own Telegram account and chat). The loop and
the commands both channels share are in console.py; terminal_whatsapp.py is WhatsApp's."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Hashable, Sequence
from pathlib import Path

from bot.simulator.console import COMMANDS_HELP, ChatTerminal, Person, media_lines, people_help
from bot.simulator.server import BotApiSimulator, CallbackAnswer, SentMessage, SimUser

__all__ = ["HELP_TEXT", "Person", "people_help", "render_message", "run_terminal"]

HELP_TEXT = (
    "Ketik pesan lalu tekan Enter untuk mengirim ke bot. Ketik nomor (mis. 1) untuk menekan "
    "tombol [1] pada pesan terakhir yang bertombol, k1/k2/... untuk tombol papan ketik.\n"
    f"{COMMANDS_HELP}"
)

_KEYBOARD_RE = re.compile(r"[kK](\d+)")


def render_message(kind: str, message: SentMessage, saved: Path | None = None) -> list[str]:
    """Return the terminal lines showing a bot message that was sent, edited or deleted
    (saved: where its document or photo was written)."""
    if kind == "deleted":
        preview = message.text.splitlines()[0][:40] if message.text else ""
        return [f"🤖 Bot menghapus pesan: {preview}".rstrip()]
    lines = ["🤖 Bot (pesan diperbarui):" if kind == "edited" else "🤖 Bot:"]
    lines.extend(media_lines(message, saved))
    if message.text:
        lines.extend(message.text.splitlines() or [""])
    for number, button in enumerate(message.all_buttons(), start=1):
        if button.url is not None:
            lines.append(f"[{number}] {button.text} → {button.url}")
        else:
            lines.append(f"[{number}] {button.text}")
    if message.reply_keyboard:
        labels = [label for row in message.reply_keyboard for label in row]
        shown = "  ".join(f"[k{number}] {label}" for number, label in enumerate(labels, 1))
        lines.append(f"Papan ketik: {shown}")
    return lines


class _Terminal(ChatTerminal[SimUser, SentMessage]):
    """Chat on Telegram: numbers press the buttons of the latest message given buttons,
    k1, k2... the reply keyboard; a pressed button's notice is shown."""

    def __init__(
        self,
        sim: BotApiSimulator,
        user: SimUser,
        write: Callable[[str], None],
        *,
        people: Sequence[Person[SimUser]] = (),
        received_dir: Path | None = None,
        help_text: str = HELP_TEXT,
    ) -> None:
        self.sim = sim
        self.targets: dict[int, SentMessage] = {}  # chat -> latest message given buttons
        super().__init__(user, write, people=people, received_dir=received_dir, help_text=help_text)

    def chat_of(self, user: SimUser) -> Hashable:
        return user.chat_id

    def chat_of_message(self, message: SentMessage) -> Hashable:
        return message.chat_id

    def listen(self) -> Callable[[], None]:
        return self.sim.add_listener(self.on_event)

    def render(self, kind: str, message: SentMessage) -> list[str]:
        return render_message(kind, message, self.saved.get(message))

    def remember(self, kind: str, message: SentMessage) -> None:
        if kind != "deleted" and message.buttons:
            self.targets[message.chat_id] = message

    def visible(self, user: SimUser) -> list[SentMessage]:
        return [m for m in user.messages if not m.deleted]

    def on_screen(self) -> list[SentMessage]:
        target = self.button_target()
        return [target] if target is not None else []

    def button_target(self) -> SentMessage | None:
        current = self.targets.get(self.user.chat_id)
        if current is not None and current.buttons and not current.deleted:
            return current
        return self.user.latest_with_buttons()

    async def handle_other(self, line: str) -> bool:
        if (match := _KEYBOARD_RE.fullmatch(line)) and self.user.reply_keyboard:
            await self.tap_keyboard(int(match.group(1)))
            return True
        return False

    async def press(self, number: int) -> None:
        target = self.button_target()
        if target is None:
            self.write("Tidak ada pesan dengan tombol.")
            return
        buttons = target.all_buttons()
        if not 1 <= number <= len(buttons):
            self.write(f"Tidak ada tombol nomor {number}; pilih 1 sampai {len(buttons)}.")
            return
        button = buttons[number - 1]
        if button.callback_data is None:
            self.write(f"Tombol [{number}] adalah tautan: {button.url}")
            return
        before = self.user.last_callback_answer
        await self.user.press_data(button.callback_data, message=target)
        answer = self.user.last_callback_answer
        if answer is not None and answer is not before:
            self.show_answer(answer)

    def show_answer(self, answer: CallbackAnswer) -> None:
        if answer.text:
            prefix = "⚠️" if answer.show_alert else "🔔"
            self.write(f"{prefix} {answer.text}")

    async def tap_keyboard(self, number: int) -> None:
        keyboard = self.user.reply_keyboard or []
        labels = [label for row in keyboard for label in row]
        if not 1 <= number <= len(labels):
            self.write(f"Tidak ada tombol papan ketik k{number}.")
            return
        await self.user.tap(labels[number - 1])

    async def send_contact(self, phone: str) -> None:
        await self.user.send_contact(phone)


async def run_terminal(
    sim: BotApiSimulator,
    user: SimUser,
    *,
    read_line: Callable[[], Awaitable[str | None]] | None = None,
    write: Callable[[str], None] = print,
    people: Sequence[Person[SimUser]] = (),
    received_dir: Path | None = None,
    help_text: str | None = None,
) -> None:
    """Chat with the bot as user, reading lines and writing bot messages until /keluar or EOF.

    With people (user among them), /sebagai NAME switches to another person's chat, and bot
    messages to the others are announced in one line. Documents and photos the bot sends are
    written to received_dir, if given. help_text (HELP_TEXT and, with people, how to switch)
    is shown at the start and by /bantuan-demo.
    """
    if help_text is None:
        help_text = HELP_TEXT + (f"\n\n{people_help(people)}" if people else "")
    terminal = _Terminal(
        sim, user, write, people=people, received_dir=received_dir, help_text=help_text
    )
    await terminal.run(read_line)
