"""The terminal chat both channels share: a person types, the bot's messages are printed.

A channel's terminal (terminal.py for Telegram, terminal_whatsapp.py for WhatsApp) says how
its messages look, which chat a message belongs to and what a typed number presses; this
module reads lines, runs the terminal's commands (/file, /foto, /lokasi, /kontak, /sebagai,
/bantuan-demo, /keluar), switches between people, announces messages to the people not
chatted as, and saves the documents and photos the bot sends.
"""

from __future__ import annotations

import asyncio
import mimetypes
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from bot.simulator.records import Document

__all__ = [
    "COMMANDS_HELP",
    "HELP_COMMAND",
    "MAX_SHOWN",
    "SWITCH_COMMANDS",
    "BotMessage",
    "ChatTerminal",
    "ChatUser",
    "Person",
    "media_lines",
    "people_help",
]

SWITCH_COMMANDS = ("/sebagai", "/as")
HELP_COMMAND = "/bantuan-demo"
EXIT_COMMAND = "/keluar"
MAX_SHOWN = 5  # messages shown when entering a chat
COMMANDS_HELP = (
    "Perintah: /file PATH (kirim dokumen), /foto PATH (kirim foto), "
    "/lokasi LINTANG BUJUR, /kontak NOMOR, /bantuan-demo (bantuan ini), "
    "/keluar (atau Ctrl-D) untuk berhenti."
)


class ChatUser(Protocol):
    """What the terminal does as a simulated user, on either channel."""

    @property
    def id(self) -> int | str: ...

    async def send(self, text: str, /) -> Any: ...

    async def send_photo(self, data: bytes, /) -> Any: ...

    async def send_document(self, filename: str, data: bytes, mime_type: str, /) -> Any: ...

    async def send_location(self, latitude: float, longitude: float, /) -> Any: ...


class BotMessage(Protocol):
    """What the terminal reads of any message the bot sent: its file or photo."""

    @property
    def document(self) -> Document | None: ...

    @property
    def photo(self) -> bytes | None: ...


U = TypeVar("U", bound=ChatUser)
M = TypeVar("M", bound=BotMessage)


@dataclass(frozen=True)
class Person(Generic[U]):
    """Someone the terminal can chat as: their own simulated user and chat."""

    name: str  # typed after /sebagai and shown in notices, e.g. "verifikator"
    user: U
    about: str = ""  # who they are, in a few words
    aliases: tuple[str, ...] = ()  # other names for /sebagai or /as, e.g. ("verifier",)


def people_help(
    people: Sequence[Person[Any]], *, account: str = "akun Telegram", id_word: str = "id"
) -> str:
    """Return the help lines about switching between people (account: what each person
    has on the channel; id_word: what their id is called there)."""
    lines = [
        f"Orang dalam demo, masing-masing dengan {account} dan chat sendiri; pindah dengan "
        f"{SWITCH_COMMANDS[0]} NAMA (atau {SWITCH_COMMANDS[1]} NAME):"
    ]
    for person in people:
        names = " / ".join((person.name, *person.aliases))
        about = f": {person.about}" if person.about else ""
        lines.append(f"  {names} ({id_word} {person.user.id}){about}")
    lines.append(
        "Pesan bot untuk orang lain tampil sebagai satu baris 📨; pindah ke chat orang itu "
        "untuk membacanya dan menekan tombolnya."
    )
    return "\n".join(lines)


def media_lines(message: BotMessage, saved: Path | None) -> list[str]:
    """Return the lines naming the document or photo a message carries (and where it was
    saved)."""
    lines = []
    where = f" → disimpan di {saved}" if saved is not None else ""
    if message.document is not None:
        document = message.document
        lines.append(f"[dokumen: {document.filename}, {len(document.data)} bytes]{where}")
    if message.photo is not None:
        lines.append(f"[foto: {len(message.photo)} bytes]{where}")
    return lines


async def read_stdin(prompt: str = "> ") -> str | None:
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


def _received_name(message: BotMessage) -> str:
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


class ChatTerminal(ABC, Generic[U, M]):
    """Chat as one of the people (or one user), on one channel; subclasses say how."""

    id_word = "id"  # what a person's id is called in "Sekarang Anda ... (id 1001)"

    def __init__(
        self,
        user: U,
        write: Callable[[str], None],
        *,
        people: Sequence[Person[U]] = (),
        received_dir: Path | None = None,
        help_text: str = "",
    ) -> None:
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
        self.by_chat = {self.chat_of(person.user): person for person in self.people}
        self.unseen: dict[Hashable, list[M]] = {}  # chat -> messages sent while away
        self.saved: dict[M, Path] = {}

    # ------------------------------------------------------------------ the channel's part

    @abstractmethod
    def chat_of(self, user: U) -> Hashable:
        """Return the chat of user."""

    @abstractmethod
    def chat_of_message(self, message: M) -> Hashable:
        """Return the chat a bot message was sent to."""

    @abstractmethod
    def listen(self) -> Callable[[], None]:
        """Call on_event for each bot message from now on; return what stops it."""

    @abstractmethod
    def render(self, kind: str, message: M) -> list[str]:
        """Return the lines showing a message that was sent, edited or deleted."""

    @abstractmethod
    def remember(self, kind: str, message: M) -> None:
        """Note a message (sent, edited or deleted) for what numbers press."""

    @abstractmethod
    def visible(self, user: U) -> list[M]:
        """Return the messages of user's chat that can still be seen, in order."""

    @abstractmethod
    def on_screen(self) -> list[M]:
        """Return the messages whose buttons the numbers press now."""

    @abstractmethod
    async def press(self, number: int) -> None:
        """Press the choice numbered number."""

    @abstractmethod
    async def send_contact(self, phone: str) -> None:
        """Share a contact with this phone number."""

    async def handle_other(self, line: str) -> bool:
        """Handle a line only this channel knows (return True), else return False."""
        return False

    # ------------------------------------------------------------------ shared

    @property
    def person(self) -> Person[U] | None:
        """Return whom the terminal chats as (None when it has no people)."""
        return self.by_chat.get(self.chat_of(self.user))

    def prompt(self) -> str:
        person = self.person
        return f"{person.name}> " if person is not None else "> "

    def show(self, kind: str, message: M) -> None:
        self.write("\n".join(self.render(kind, message)))

    def on_event(self, kind: str, message: M) -> None:
        chat = self.chat_of_message(message)
        ours = chat == self.chat_of(self.user)
        other = None if ours else self.by_chat.get(chat)
        if not ours and other is None:
            return
        if kind == "sent":
            self.save_received(message)
        self.remember(kind, message)
        if ours:
            self.show(kind, message)
        elif kind == "sent" and other is not None:
            self.unseen.setdefault(chat, []).append(message)
            command = SWITCH_COMMANDS[0]
            self.write(f"📨 pesan baru untuk {other.name} (baca dengan {command} {other.name})")

    def save_received(self, message: M) -> None:
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

    def enter(self, person: Person[U]) -> None:
        """Say whose chat this is and show what arrived there (or its latest message)."""
        about = f": {person.about}" if person.about else ""
        self.write(f"👤 Sekarang Anda {person.name} ({self.id_word} {person.user.id}){about}")
        visible = self.visible(person.user)
        shown = [m for m in self.unseen.pop(self.chat_of(person.user), []) if m in visible]
        if not shown:  # nothing new: the latest message
            shown = visible[-1:]
        hidden = max(0, len(shown) - MAX_SHOWN)
        shown = shown[hidden:]
        pressable = [m for m in self.on_screen() if m not in shown]
        if pressable:
            shown = sorted([*shown, *pressable], key=visible.index)
        if not shown:
            self.write("Belum ada pesan di chat ini sejak demo dimulai; ketik /start untuk mulai.")
            return
        if hidden:
            self.write(f"({hidden} pesan sebelumnya tidak ditampilkan)")
        for message in shown:
            self.show("sent", message)

    async def handle(self, line: str) -> None:
        command, _, argument = line.partition(" ")
        argument = argument.strip()
        if line.isdigit():
            await self.press(int(line))
        elif await self.handle_other(line):
            return
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
            await self.send_contact(argument)
        else:
            await self.user.send(line)

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

    async def run(self, read_line: Callable[[], Awaitable[str | None]] | None = None) -> None:
        """Show the help, then handle lines until /keluar or EOF (read_line: default the
        standard input, with the prompt naming the person)."""

        async def from_stdin() -> str | None:
            return await read_stdin(self.prompt())

        reader = read_line if read_line is not None else from_stdin
        remove = self.listen()
        self.write(self.help_text)
        if self.person is not None:
            self.enter(self.person)
        try:
            while True:
                line = await reader()
                if line is None:
                    break
                line = line.strip()
                if not line:
                    continue
                if line == EXIT_COMMAND:
                    break
                try:
                    await self.handle(line)
                except TimeoutError:
                    self.write("⚠️ Bot tidak menjawab dalam batas waktu.")
        finally:
            remove()
            self.write("Sampai jumpa!")
