"""Let a person chat with the bot through the simulator from a terminal."""

from __future__ import annotations

import asyncio
import mimetypes
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.simulator.server import BotApiSimulator, CallbackAnswer, SentMessage, SimUser

__all__ = ["HELP_TEXT", "render_message", "run_terminal"]

HELP_TEXT = (
    "Ketik pesan lalu tekan Enter untuk mengirim ke bot. Ketik nomor (mis. 1) untuk menekan "
    "tombol [1] pada pesan terakhir yang bertombol, k1/k2/... untuk tombol papan ketik.\n"
    "Perintah: /file PATH (kirim dokumen), /foto PATH (kirim foto), "
    "/lokasi LINTANG BUJUR, /kontak NOMOR, /keluar (atau Ctrl-D) untuk berhenti."
)

_KEYBOARD_RE = re.compile(r"[kK](\d+)")


def render_message(kind: str, message: SentMessage) -> list[str]:
    """Return the terminal lines showing a bot message that was sent, edited or deleted."""
    if kind == "deleted":
        preview = message.text.splitlines()[0][:40] if message.text else ""
        return [f"🤖 Bot menghapus pesan: {preview}".rstrip()]
    lines = ["🤖 Bot (pesan diperbarui):" if kind == "edited" else "🤖 Bot:"]
    if message.document is not None:
        document = message.document
        lines.append(f"[dokumen: {document.filename}, {len(document.data)} bytes]")
    if message.photo is not None:
        lines.append(f"[foto: {len(message.photo)} bytes]")
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


async def _read_stdin() -> str | None:
    """Read one line from standard input without blocking the event loop."""
    try:
        return await asyncio.to_thread(input, "> ")
    except EOFError:
        return None


def _read_file(argument: str) -> bytes | None:
    """Return the contents of the file at argument, or None if it is not a readable file."""
    path = Path(argument).expanduser()
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


class _Terminal:
    def __init__(self, sim: BotApiSimulator, user: SimUser, write: Callable[[str], None]) -> None:
        self.sim = sim
        self.user = user
        self.write = write
        self.current: SentMessage | None = None

    def on_event(self, kind: str, message: SentMessage) -> None:
        if message.chat_id != self.user.chat_id:
            return
        if kind != "deleted" and message.buttons:
            self.current = message
        self.write("\n".join(render_message(kind, message)))

    def button_target(self) -> SentMessage | None:
        current = self.current
        if current is not None and current.buttons and not current.deleted:
            return current
        return self.user.latest_with_buttons()

    async def handle(self, line: str) -> None:
        command, _, argument = line.partition(" ")
        argument = argument.strip()
        if line.isdigit():
            await self.press(int(line))
        elif (match := _KEYBOARD_RE.fullmatch(line)) and self.user.reply_keyboard:
            await self.tap_keyboard(int(match.group(1)))
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
        await self.user.send(labels[number - 1])

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
) -> None:
    """Chat with the bot as user, reading lines and writing bot messages until /keluar or EOF."""
    reader = read_line if read_line is not None else _read_stdin
    terminal = _Terminal(sim, user, write)
    remove = sim.add_listener(terminal.on_event)
    write(HELP_TEXT)
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
