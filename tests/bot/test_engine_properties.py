"""Property tests of every step of the declared flows: whatever arrives, the engine either
stores a value or re-asks with a clear message; it never crashes."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.forms.definitions import ONBOARDING, REGISTRATION
from bot.forms.engine import (
    Answers,
    Button,
    Choice,
    Flow,
    FlowView,
    FormEngine,
    Incoming,
    IncomingFile,
    Kind,
    Outcome,
    Screen,
    Step,
)
from bot.i18n import Translator, load_catalogs
from models.filecheck import FileType
from models.tables import FlowState

CATALOGS = load_catalogs()
TODAY = date(2026, 11, 22)
STEPS = [(REGISTRATION, s) for s in REGISTRATION.steps] + [
    (ONBOARDING, s) for s in ONBOARDING.steps
]
BASE_ANSWERS: dict[str, Any] = {"tahapan": "penerapan", "waktu_uji_coba": "2024-03-05"}


class FakeHost:
    """A hand-written host that keeps answers in a dict."""

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.answers: dict[str, Any] = dict(BASE_ANSWERS)
        self.files: list[bytes] = []

    async def load(self) -> dict[str, Any]:
        return dict(self.answers)

    async def save(self, key: str, value: Any, *, skipped: bool = False) -> None:
        self.answers[key] = value

    async def options(self, step: Step, answers: Answers) -> list[Choice]:
        return [Choice(f"k{i}", f"Pilihan {i}") for i in range(20)]

    async def labels(self, step: Step) -> dict[str, str]:
        return {c.key: c.label for c in await self.options(step, {})}

    def flagged(self) -> set[str]:
        return set()

    async def quick_value(self, step: Step, name: str) -> Any:
        return "Nama Saya"

    async def store_file(self, file: IncomingFile, data: bytes, detected: FileType) -> None:
        self.files.append(data)
        self.answers.setdefault("bukti_dukung", []).append(file.filename)

    async def remove_file(self, key: str, index: int) -> str | None:
        names = self.answers.get(key) or []
        if not 0 <= index < len(names):
            return None
        del self.files[index]
        return str(names.pop(index))

    async def store_link(self, key: str, url: str) -> None:
        self.answers.setdefault(key, []).append(url)

    def step_text(self, step: Step, part: str) -> str | None:
        return None

    async def summary_extra(
        self, answers: Answers, engine: FlowView
    ) -> tuple[str, list[list[Button]]]:
        return "", []

    async def summary_screen(self, answers: Answers, engine: FlowView) -> Screen | None:
        return None

    async def step_left(self, step: Step, engine: FormEngine) -> list[Screen]:
        return []

    async def finish(self, action: str, arg: str, engine: FormEngine) -> Outcome:
        return Outcome(finished=True)


def run(step_index: int, incoming: Incoming) -> tuple[FakeHost, FlowState, Outcome]:
    flow, step = STEPS[step_index]
    host = FakeHost(flow)
    state = FlowState(step=step.key, mode="form", rev=3, data={})
    engine = FormEngine(host, state, Translator(CATALOGS, "id"), today=TODAY)
    return host, state, asyncio.run(engine.handle(incoming))


def check(
    host: FakeHost,
    state: FlowState,
    outcome: Outcome,
    step: Step,
    before: dict[str, Any],
    *,
    silent_ok: bool = False,
    may_move: bool = False,
) -> None:
    changed = host.answers != before
    moved = state.step != step.key or state.mode != "form"
    if changed:
        value = host.answers.get(step.key)
        assert step.key in host.answers
        if step.kind == Kind.TEXT and isinstance(value, str):
            assert value == value.strip() and "\n" not in value
            assert step.min_len <= len(value) <= step.max_len or step.parse is not None
    else:
        assert not moved or may_move
        assert outcome.screens or outcome.notice or silent_ok
    for screen in outcome.screens:
        assert screen.text.strip()
        for row in screen.buttons:
            for button in row:
                assert 0 < len(button.data.encode()) <= 64


EDGE_CASES = [
    "31/02/2024", "29/02/2023", "00/00/0000", "2099-01-01", "0812", "+62", "-1",
    "99999999999999999999", "1e9", "１２３", "\x00\x01\x02", "<b>&amp;</b>", "Maret",
]  # fmt: skip
FORGED_NUMBERS = ["²", "٣", "１２", "-1", "1e5", "99999999999999999999", "2147483648", "0"]
step_indexes = st.integers(min_value=0, max_value=len(STEPS) - 1)
texts = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=4000, max_size=5000),
    st.sampled_from(EDGE_CASES),
)


@settings(max_examples=300, deadline=None)
@given(step_indexes, texts)
def test_any_text_is_stored_or_reasked(index: int, text: str) -> None:
    host = FakeHost(STEPS[index][0])
    before = dict(host.answers)
    host, state, outcome = run(index, Incoming("text", text=text))
    check(host, state, outcome, STEPS[index][1], before)


@settings(max_examples=200, deadline=None)
@given(
    step_indexes,
    st.sampled_from(
        ["b", "s", "c", "p", "t", "d", "l", "q", "e", "k", "n", "fl", "fx", "fb", "zz", ""]
    ),
    st.one_of(st.text(max_size=20), st.sampled_from(FORGED_NUMBERS)),
    st.integers(min_value=-2, max_value=5),
)
def test_any_button_is_handled_or_refused(index: int, action: str, arg: str, rev: int) -> None:
    host = FakeHost(STEPS[index][0])
    before = dict(host.answers)
    host, state, outcome = run(index, Incoming("button", action=action, arg=arg, rev=rev))
    if rev != 3:
        assert outcome.stale and host.answers == before
    check(
        host,
        state,
        outcome,
        STEPS[index][1],
        before,
        silent_ok=action == "n",
        may_move=action in "bsd",
    )


@settings(max_examples=100, deadline=None)
@given(
    step_indexes,
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.integers(min_value=-1, max_value=50 * 1024 * 1024),
    st.sampled_from(["application/pdf", "image/jpeg", "application/x-msdownload", ""]),
)
def test_locations_contacts_files_and_stickers(
    index: int, lat: float, lon: float, name: str, size: int, mime: str
) -> None:
    async def fetch() -> bytes:
        return b"x" * min(max(size, 0), 1024)

    file = IncomingFile("document", name or "berkas", mime, size, "u1", fetch)
    for incoming in (
        Incoming("location", latitude=lat, longitude=lon),
        Incoming("contact", text=name),
        Incoming("file", file=file),
        Incoming("other"),
    ):
        host = FakeHost(STEPS[index][0])
        before = dict(host.answers)
        host, state, outcome = run(index, incoming)
        check(host, state, outcome, STEPS[index][1], before)
