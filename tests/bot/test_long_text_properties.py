"""Property test of every long-text path (type, back, edit from the summary, resume, replace,
undo): whatever a user does, a long text only ever loses a part when they chose "Ganti
seluruhnya", and "Batalkan penggantian" brings that back."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.forms.engine import Button, Flow, FormEngine, Incoming, Kind, Outcome, Step
from bot.i18n import Translator
from models.tables import FlowState
from tests.bot.test_engine_properties import CATALOGS, TODAY, FakeHost

FLOW = Flow(
    "reg",
    (
        Step("nama_inovasi", Kind.TEXT, min_len=5, max_len=150),
        Step("masalah", Kind.LONG_TEXT, min_words=3),
        Step("rancang_bangun", Kind.LONG_TEXT, soft_min_words=6, later=True),
        Step("tujuan", Kind.LONG_TEXT),
    ),
)
LONG_KEYS = ("masalah", "rancang_bangun", "tujuan")
CHUNKS = ["satu dua", "tiga empat lima", "enam", "tujuh delapan sembilan sepuluh"]


class Model:
    """What each long text must hold after the user's actions."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.replacing = False
        self.undo: str | None = None
        self.where: tuple[str, str] = ("nama_inovasi", "form")

    def moved_to(self, where: tuple[str, str]) -> None:
        if where != self.where:  # entering a step resets its add/replace choice
            self.replacing, self.undo = False, None
        self.where = where

    def typed(self, key: str, chunk: str) -> None:
        current = self.values.get(key, "")
        if self.replacing:
            self.undo, self.replacing = current, False
            self.values[key] = chunk
        else:
            self.values[key] = f"{current}\n\n{chunk}" if current else chunk


def buttons(outcome: Outcome) -> list[Button]:
    return [b for screen in outcome.screens for row in screen.buttons for b in row]


async def play(choices: list[tuple[int, int]]) -> None:
    host = FakeHost(FLOW)
    host.answers = {}
    state = FlowState(step="nama_inovasi", mode="form", rev=1, data={})
    t = Translator(CATALOGS, "id")
    engine = FormEngine(host, state, t, today=TODAY)
    outcome = await engine.handle(Incoming("text", text="Inovasi Uji Sifat"))
    model = Model()
    model.moved_to((state.step, state.mode))
    for pick, chunk_index in choices:
        offered = [b for b in buttons(outcome) if b.data.split(":")[2] not in ("k", "v", "h")]
        actions: list[Any] = ["type", "resume", *offered]
        action = actions[pick % len(actions)]
        at_long = state.mode != "summary" and state.step in LONG_KEYS
        if action == "type" and at_long:
            chunk = CHUNKS[chunk_index % len(CHUNKS)]
            outcome = await engine.handle(Incoming("text", text=chunk))
            model.typed(state.step, chunk)
        elif action == "resume":  # /draf: a new process, the stored state shown again
            engine = FormEngine(host, state, t, today=TODAY)
            outcome = Outcome(await engine.show())
        elif isinstance(action, Button):
            _, rev, code, arg = action.data.split(":", 3)
            outcome = await engine.handle(Incoming("button", rev=int(rev), action=code, arg=arg))
            if code == "r":
                model.replacing = True
            elif code == "u" and model.undo is not None:
                model.values[state.step] = model.undo
                model.undo = None
        model.moved_to((state.step, state.mode))
        for key in LONG_KEYS:
            assert (host.answers.get(key) or "") == model.values.get(key, ""), key
        offered_codes = {b.data.split(":")[2] for b in buttons(outcome)}
        if "u" in offered_codes:
            assert model.undo is not None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 3)), max_size=40))
def test_no_long_text_path_loses_what_was_typed(choices: list[tuple[int, int]]) -> None:
    asyncio.run(play(choices))
