"""Let a person chat with the bot through the simulator from a terminal, as one user or
switching between several (each with their own Telegram account and chat)."""

from __future__ import annotations

import asyncio
import mimetypes
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.simulator.server import BotApiSimulator, CallbackAnswer, SentMessage, SimUser

__all__ = ["HELP_TEXT", "Person", "people_help", "render_message", "run_terminal"]

HELP_TEXT = (
    "Ketik pesan lalu tekan Enter untuk mengirim ke bot. Ketik nomor (mis. 1) untuk menekan "
    "tombol [1] pada pesan terakhir yang bertombol, k1/k2/... untuk tombol papan ketik.\n"
    "Perintah: /file PATH (kirim dokumen), /foto PATH (kirim foto), "
    "/lokasi LINTANG BUJUR, /kontak NOMOR, /bantuan-demo (bantuan ini), "
    "/keluar (atau Ctrl-D) untuk berhenti."
)
SWITCH_COMMANDS = ("/sebagai", "/as")
HELP_COMMAND = "/bantuan-demo"
MAX_SHOWN = 5  # messages shown when entering a chat

_KEYBOARD_RE = re.compile(r"[kK](\d+)")


@dataclass(frozen=True)
class Person:
    """Someone the terminal can chat as: their own simulated Telegram user and chat."""

    name: str  # typed after /sebagai and shown in notices, e.g. "verifikator"
    user: SimUser
    about: str = ""  # who they are, in a few words
    aliases: tuple[str, ...] = ()  # other names for /sebagai or /as, e.g. ("verifier",)


def people_help(people: Sequence[Person]) -> str:
    """Return the help lines about switching between people."""
    lines = [
        "Orang dalam demo, masing-masing dengan akun Telegram dan chat sendiri; pindah dengan "
        f"{SWITCH_COMMANDS[0]} NAMA (atau {SWITCH_COMMANDS[1]} NAME):"
    ]
    for person in people:
        names = " / ".join((person.name, *person.aliases))
        about = f": {person.about}" if person.about else ""
        lines.append(f"  {names} (id {person.user.id}){about}")
    lines.append(
        "Pesan bot untuk orang lain tampil sebagai satu baris 📨; pindah ke chat orang itu "
        "untuk membacanya dan menekan tombolnya."
    )
    return "\n".join(lines)


def render_message(kind: str, message: SentMessage, saved: Path | None = None) -> list[str]:
    """Return the terminal lines showing a bot message that was sent, edited or deleted
    (saved: where its document or photo was written)."""
    if kind == "deleted":
        preview = message.text.splitlines()[0][:40] if message.text else ""
        return [f"🤖 Bot menghapus pesan: {preview}".rstrip()]
    lines = ["🤖 Bot (pesan diperbarui):" if kind == "edited" else "🤖 Bot:"]
    where = f" → disimpan di {saved}" if saved is not None else ""
    if message.document is not None:
        document = message.document
        lines.append(f"[dokumen: {document.filename}, {len(document.data)} bytes]{where}")
    if message.photo is not None:
        lines.append(f"[foto: {len(message.photo)} bytes]{where}")
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


async def _read_stdin(prompt: str = "> ") -> str | None:
    """Read one line from standard input without blocking the event loop."""
    try:
        return await asyncio.to_thread(input, prompt)
    except EOFError:
        return None


def _read_file(argument: str) -> bytes | None:
    """Return the contents of the file at argument, or None if it is not a readable file."""
    path = Path(argument).expanduser()
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


def _received_name(message: SentMessage) -> str:
    """Return a file name for a document or photo the bot sent (no folders in it)."""
    if message.document is not None:
        name = Path(message.document.filename).name
        return name if name not in ("", ".", "..") else "dokumen"
    photo = message.photo or b""
    return "foto.png" if photo.startswith(b"\x89PNG") else "foto.jpg"


def _free_path(folder: Path, name: str) -> Path:
    """Return folder/name, or folder/stem-2.suffix and so on if that is taken."""
    path = folder / name
    number = 2
    while path.exists():
        path = folder / f"{Path(name).stem}-{number}{Path(name).suffix}"
        number += 1
    return path


class _Terminal:
    def __init__(
        self,
        sim: BotApiSimulator,
        user: SimUser,
        write: Callable[[str], None],
        *,
        people: Sequence[Person] = (),
        received_dir: Path | None = None,
        help_text: str = HELP_TEXT,
    ) -> None:
        self.sim = sim
        self.user = user
        self.write = write
        self.people = list(people)
        self.help_text = help_text
        self.received_dir = received_dir
        self.by_name = {
            name.casefold(): person
            for person in self.people
            for name in (person.name, *person.aliases)
        }
        self.by_chat = {person.user.chat_id: person for person in self.people}
        self.targets: dict[int, SentMessage] = {}  # chat -> latest message given buttons
        self.unseen: dict[int, list[SentMessage]] = {}  # chat -> messages sent while away
        self.saved: dict[SentMessage, Path] = {}

    @property
    def person(self) -> Person | None:
        """Return whom the terminal chats as (None when it has no people)."""
        return self.by_chat.get(self.user.chat_id)

    def prompt(self) -> str:
        person = self.person
        return f"{person.name}> " if person is not None else "> "

    def on_event(self, kind: str, message: SentMessage) -> None:
        chat = message.chat_id
        ours = chat == self.user.chat_id
        other = None if ours else self.by_chat.get(chat)
        if not ours and other is None:
            return
        if kind == "sent":
            self.save_received(message)
        if kind != "deleted" and message.buttons:
            self.targets[chat] = message
        if ours:
            self.write("\n".join(render_message(kind, message, self.saved.get(message))))
        elif kind == "sent" and other is not None:
            self.unseen.setdefault(chat, []).append(message)
            command = SWITCH_COMMANDS[0]
            self.write(f"📨 pesan baru untuk {other.name} (baca dengan {command} {other.name})")

    def save_received(self, message: SentMessage) -> None:
        """Write a document or photo the bot sent into the received folder."""
        if self.received_dir is None:
            return
        data = message.document.data if message.document is not None else message.photo
        if data is None:
            return
        try:
            self.received_dir.mkdir(parents=True, exist_ok=True)
            path = _free_path(self.received_dir, _received_name(message))
            path.write_bytes(data)
        except OSError as exc:
            self.write(f"⚠️ Berkas dari bot tidak bisa disimpan: {exc}")
            return
        self.saved[message] = path

    def button_target(self) -> SentMessage | None:
        current = self.targets.get(self.user.chat_id)
        if current is not None and current.buttons and not current.deleted:
            return current
        return self.user.latest_with_buttons()

    def switch(self, name: str) -> None:
        """Continue as the person called name, showing their chat's latest messages."""
        names = ", ".join(person.name for person in self.people)
        if not name:
            self.write(f"Format: {SWITCH_COMMANDS[0]} NAMA (pilih: {names})")
            return
        person = self.by_name.get(name.casefold())
        if person is None:
            self.write(f"Tidak ada orang bernama {name!r}; pilih: {names}.")
            return
        if person.user is self.user:
            self.write(f"Anda sudah di chat {person.name}.")
            return
        self.user = person.user
        self.enter(person)

    def enter(self, person: Person) -> None:
        """Say whose chat this is and show what arrived there (or its latest message)."""
        about = f": {person.about}" if person.about else ""
        self.write(f"👤 Sekarang Anda {person.name} (id {person.user.id}){about}")
        chat = person.user.chat_id
        shown = [m for m in self.unseen.pop(chat, []) if not m.deleted]
        if not shown:  # nothing new: the latest message
            shown = [m for m in person.user.messages if not m.deleted][-1:]
        hidden = max(0, len(shown) - MAX_SHOWN)
        shown = shown[hidden:]
        target = self.button_target()
        if target is not None and target not in shown:
            shown = sorted([*shown, target], key=lambda m: m.message_id)
        if not shown:
            self.write("Belum ada pesan di chat ini sejak demo dimulai; ketik /start untuk mulai.")
            return
        if hidden:
            self.write(f"({hidden} pesan sebelumnya tidak ditampilkan)")
        for message in shown:
            self.write("\n".join(render_message("sent", message, self.saved.get(message))))

    async def handle(self, line: str) -> None:
        command, _, argument = line.partition(" ")
        argument = argument.strip()
        if line.isdigit():
            await self.press(int(line))
        elif (match := _KEYBOARD_RE.fullmatch(line)) and self.user.reply_keyboard:
            await self.tap_keyboard(int(match.group(1)))
        elif command == HELP_COMMAND:
            self.write(self.help_text)
        elif command in SWITCH_COMMANDS and self.people:
            self.switch(argument)
        elif command == "/file":
            await self.send_file(argument, photo=False)
        elif command == "/foto":
            await self.send_file(argument, photo=True)
        elif command == "/lokasi":
            await self.send_location(argument)
        elif command == "/kontak":
            if not argument:
                self.write("Format: /kontak NOMOR (contoh: /kontak +6281234567890)")
                return
            await self.user.send_contact(argument)
        else:
            await self.user.send(line)

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

    async def send_file(self, argument: str, *, photo: bool) -> None:
        if not argument:
            self.write("Format: /foto PATH" if photo else "Format: /file PATH")
            return
        data = await asyncio.to_thread(_read_file, argument)
        if data is None:
            self.write(f"Berkas tidak ditemukan: {argument}")
            return
        name = Path(argument).name
        if photo:
            await self.user.send_photo(data)
        else:
            mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            await self.user.send_document(name, data, mime)

    async def send_location(self, argument: str) -> None:
        parts = argument.replace(",", " ").split()
        try:
            latitude, longitude = (float(part) for part in parts)
        except ValueError:
            self.write("Format: /lokasi LINTANG BUJUR (contoh: /lokasi -6.2 106.8)")
            return
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            self.write("Koordinat di luar jangkauan.")
            return
        await self.user.send_location(latitude, longitude)


async def run_terminal(
    sim: BotApiSimulator,
    user: SimUser,
    *,
    read_line: Callable[[], Awaitable[str | None]] | None = None,
    write: Callable[[str], None] = print,
    people: Sequence[Person] = (),
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

    async def read_stdin() -> str | None:
        return await _read_stdin(terminal.prompt())

    reader = read_line if read_line is not None else read_stdin
    remove = sim.add_listener(terminal.on_event)
    write(help_text)
    if terminal.person is not None:
        terminal.enter(terminal.person)
    try:
        while True:
            line = await reader()
            if line is None:
                break
            line = line.strip()
            if not line:
                continue
            if line == "/keluar":
                break
            try:
                await terminal.handle(line)
            except TimeoutError:
                write("⚠️ Bot tidak menjawab dalam batas waktu.")
    finally:
        remove()
        write("Sampai jumpa!")
