"""One engine for every step-by-step flow: validate an answer, save it, say what comes next.

A flow is data (an ordered tuple of :class:`Step`); the flow's :class:`FormHost` knows where
answers are stored. The engine knows nothing of Telegram: it takes an :class:`Incoming`
answer and returns :class:`Screen` objects that a channel renders.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any, Protocol

from bot.forms.screens import Button, Incoming, IncomingFile, Notice, Outcome, Screen
from bot.forms.steps import Answers, Choice, Flow, Kind, Step
from bot.forms.values import (
    checked_content,
    extension,
    format_value,
)
from bot.forms.view import LONG_ADD, LONG_REPLACE, FlowView
from models import filecheck
from models.filecheck import FileType
from models.ids import parse_id
from models.profile import is_filled
from models.validation import (
    InvalidInput,
    clean_text,
    count_words,
    iso_date,
    normalise_phone,
    parse_date,
    parse_link,
    parse_number,
    parse_text,
)

# The flow's types live in steps.py (declarations), screens.py (what comes in and goes out),
# values.py (how answers are shown) and view.py (the screens of a flow state: prompts,
# buttons, the summary); they are importable from here as before.
__all__ = [
    "Answers", "Button", "Choice", "Flow", "FlowView", "FormEngine", "FormHost", "Incoming",
    "IncomingFile", "Kind", "Notice", "Outcome", "Screen", "Step", "format_value",
]  # fmt: skip

MAX_LONG_TEXT = 20_000
MAX_FILES = 10


class FormHost(Protocol):
    """Where a flow's answers live and what its summary actions do."""

    flow: Flow

    async def load(self) -> dict[str, Any]:
        """Return the current answers."""
        ...

    async def save(self, key: str, value: Any, *, skipped: bool = False) -> None:
        """Store one answer at once."""
        ...

    async def options(self, step: Step, answers: Answers) -> list[Choice]:
        """Return the choices of a choice step, preferred first."""
        ...

    async def labels(self, step: Step) -> dict[str, str]:
        """Return option key -> display label for a choice step."""
        ...

    def flagged(self) -> set[str]:
        """Return the fields a reviewer asked to fix."""
        ...

    async def quick_value(self, step: Step, name: str) -> Any:
        """Return the value of a quick-answer button (e.g. "saya sendiri")."""
        ...

    async def store_file(self, file: IncomingFile, data: bytes, detected: FileType) -> None:
        """Keep an uploaded file whose content was checked to be ``detected``; ``file`` has the
        safe display name and the detected MIME type. Store it under a name the host makes."""
        ...

    async def remove_file(self, key: str, index: int) -> str | None:
        """Forget the ``index``-th file of step ``key`` (0-based, in the order of its answer)
        and delete it from storage; return its display name, None if there is no such file."""
        ...

    async def store_link(self, key: str, url: str) -> None:
        """Keep a link that stands for a file at a files step that takes links."""
        ...

    def step_text(self, step: Step, part: str) -> str | None:
        """Return a step's ``label``, ``prompt`` or ``header`` (safe HTML) when the host has
        its own (from a data file), None for the catalog's ``<flow>.<step>.<part>`` (and the
        step counter as the header)."""
        ...

    async def summary_extra(
        self, answers: Answers, engine: FlowView
    ) -> tuple[str, list[list[Button]]]:
        """Return flow-specific summary lines and action buttons (built by ``engine.button``)."""
        ...

    async def summary_screen(self, answers: Answers, engine: FlowView) -> Screen | None:
        """Return the flow's own summary card, None for the engine's."""
        ...

    async def finish(self, action: str, arg: str, engine: FormEngine) -> Outcome:
        """Carry out a summary action or the end of a flow without summary."""
        ...

    async def step_left(self, step: Step, engine: FormEngine) -> list[Screen]:
        """Return what to show before what comes next, once ``step`` is left forward."""
        ...


class FormEngine(FlowView):
    """Run one stored flow state against one incoming answer."""

    # -- entry points ------------------------------------------------------------------------

    async def show(self) -> list[Screen]:
        """Show where the flow stands: the current step's prompt or the summary."""
        answers = await self.host.load()
        if self.state.mode == "summary":
            return [await self._summary(answers)]
        return [await self._prompt(self.flow.step(self.state.step), answers)]

    async def begin_at(self, key: str, *, mode: str = "form") -> list[Screen]:
        """Go to a step (or the summary when ``key`` is empty) and show it."""
        answers = await self.host.load()
        self._bump()
        if not key:
            self.state.mode = "summary"
            return [await self._summary(answers)]
        self.state.mode = mode
        self._enter(self.flow.step(key))
        return [await self._prompt(self.flow.step(key), answers)]

    async def handle(self, incoming: Incoming) -> Outcome:
        """Validate and store one answer; return what to show next."""
        if incoming.kind == "button" and incoming.rev != self.state.rev:
            return Outcome(notice=self.t("common.stale"), stale=True)
        answers = await self.host.load()
        if self.state.mode == "summary":
            return await self._handle_summary(incoming, answers)
        step = self.flow.step(self.state.step)
        before = (self.state.step, self.state.mode)
        try:
            outcome = await self._handle_step(step, incoming, answers)
        except InvalidInput as exc:
            message = self.t(exc.key, **self._error_params(exc.params))
            return Outcome([await self._prompt(step, answers, error=message)])
        moved = (self.state.step, self.state.mode) != before
        went_back = incoming.kind == "button" and incoming.action == "b"
        if (moved or outcome.finished) and not went_back:
            first = await self.host.step_left(step, self)
            if step.kind == Kind.CONTACT:
                first.insert(0, await self._left_contact_step(step))
            outcome.screens[:0] = first
        return outcome

    async def _left_contact_step(self, step: Step) -> Screen:
        """Confirm the number (or its absence) and take the share-number button away."""
        phone = (await self.host.load()).get(step.key)
        text = self.t("form.contact_saved", phone=phone) if phone else self.t("form.contact_none")
        return Screen(text, close_keyboard=True)

    def _error_params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        t = self.t
        return {
            k: t.date(v) if isinstance(v, date) else t.number(v) if isinstance(v, int) else v
            for k, v in params.items()
        }

    # -- steps -------------------------------------------------------------------------------

    async def _handle_step(self, step: Step, incoming: Incoming, answers: Answers) -> Outcome:
        if incoming.kind == "button":
            return await self._handle_step_button(step, incoming, answers)
        handler = {
            "text": self._on_text,
            "location": self._on_location,
            "contact": self._on_contact,
            "file": self._on_file,
        }.get(incoming.kind)
        if handler is None:
            raise InvalidInput(f"err.expected.{step.kind}")
        return await handler(step, incoming, answers)

    async def _handle_step_button(
        self, step: Step, incoming: Incoming, answers: Answers
    ) -> Outcome:
        action, arg = incoming.action, incoming.arg
        if action == "b":
            return await self._back(step, answers)
        if action == "s" and not step.required(answers):
            await self.host.save(step.key, [] if step.kind == Kind.MULTI else None, skipped=True)
            return await self._advance(step)
        if action == "n":
            return Outcome()
        if action == "p" and step.kind in (Kind.CHOICE, Kind.MULTI):
            page = parse_id(arg)
            if page is None:
                return Outcome(notice=self.t("common.stale"), stale=True)
            self._set_data(page=page)
            return Outcome([await self._prompt(step, answers, edit=True)])
        if action == "c" and step.kind == Kind.CHOICE:
            choices = await self.host.options(step, answers)
            if arg not in {c.key for c in choices}:
                return Outcome(notice=self.t("common.stale"), stale=True)
            await self.host.save(step.key, arg)
            return await self._advance(step)
        if action == "t" and step.kind == Kind.MULTI:
            return await self._toggle(step, arg, answers)
        if action == "d" and step.kind in (Kind.MULTI, Kind.LONG_TEXT, Kind.FILES):
            return await self._done(step, answers, later=False)
        if action == "l" and step.kind == Kind.LONG_TEXT and step.later:
            return await self._done(step, answers, later=True)
        if action == "r" and step.kind == Kind.LONG_TEXT and is_filled(answers.get(step.key)):
            return await self._replace_long(step, answers)
        if action == "u" and step.kind == Kind.LONG_TEXT:
            return await self._undo_replace(step, answers)
        if action == "fl" and step.kind == Kind.FILES:
            return Outcome([self._files_screen(step, answers)])
        if action == "fx" and step.kind == Kind.FILES:
            return await self._remove_file(step, arg)
        if action == "fb" and step.kind == Kind.FILES:
            self._bump()
            return Outcome([await self._prompt(step, answers)])
        if action == "q" and arg in step.quick:
            value = await self.host.quick_value(step, arg)
            await self.host.save(step.key, value)
            return await self._advance(step)
        return Outcome(notice=self.t("common.stale"), stale=True)

    async def _on_text(self, step: Step, incoming: Incoming, answers: Answers) -> Outcome:
        text = incoming.text
        value: Any
        if step.kind in (Kind.CHOICE, Kind.MULTI):
            query = clean_text(text, keep_newlines=False)[:50]
            self._set_data(query=query, page=0)
            return Outcome([await self._prompt(step, answers)])
        if step.kind == Kind.TEXT and step.parse is not None:
            value = step.parse(text)
        elif step.kind == Kind.TEXT:
            value = parse_text(text, min_len=step.min_len, max_len=step.max_len)
        elif step.kind == Kind.LONG_TEXT:
            return await self._append_long(step, text, answers)
        elif step.kind == Kind.DATE:
            other = answers.get(step.not_before) if step.not_before else None
            not_before = iso_date(other) if other else None  # a month stays a month
            value = parse_date(text, today=self.today, not_before=not_before).isoformat()
        elif step.kind == Kind.NUMBER:
            value = parse_number(text, minimum=step.minimum, maximum=step.maximum)
        elif step.kind == Kind.LOCATION:
            value = {"text": parse_text(text, min_len=3, max_len=300)}
        elif step.kind == Kind.CONTACT:
            value = normalise_phone(text)
        elif step.kind == Kind.FILES and step.links:
            return await self._on_link(step, text)
        else:
            raise InvalidInput(f"err.expected.{step.kind}")
        await self.host.save(step.key, value)
        return await self._advance(step)

    async def _on_location(self, step: Step, incoming: Incoming, answers: Answers) -> Outcome:
        if step.kind != Kind.LOCATION or incoming.latitude is None or incoming.longitude is None:
            raise InvalidInput(f"err.expected.{step.kind}")
        lat, lon = round(incoming.latitude, 6), round(incoming.longitude, 6)
        await self.host.save(step.key, {"lat": lat, "lon": lon, "text": f"{lat}, {lon}"})
        return await self._advance(step)

    async def _on_contact(self, step: Step, incoming: Incoming, answers: Answers) -> Outcome:
        if step.kind != Kind.CONTACT:
            raise InvalidInput(f"err.expected.{step.kind}")
        await self.host.save(step.key, normalise_phone(incoming.text))
        return await self._advance(step)

    async def _on_file(self, step: Step, incoming: Incoming, answers: Answers) -> Outcome:
        file = incoming.file
        if step.kind != Kind.FILES or file is None:
            raise InvalidInput(f"err.expected.{step.kind}")
        name = filecheck.safe_filename(file.filename)
        ext = extension(name, file.mime_type)
        allowed = ", ".join(step.extensions)
        if ext not in step.extensions:
            raise InvalidInput("err.file_type", allowed=allowed)
        limit = step.max_bytes
        if file.size > limit:
            raise InvalidInput("err.file_size", max=limit // (1024 * 1024))
        if len(answers.get(step.key) or []) >= MAX_FILES:
            raise InvalidInput("err.file_count", max=MAX_FILES)
        try:
            data = await file.fetch()
        except Exception:  # the channel could not download it; the user may retry
            raise InvalidInput("err.file_download") from None
        if len(data) > limit:
            raise InvalidInput("err.file_size", max=limit // (1024 * 1024))
        detected = await asyncio.to_thread(checked_content, data, ext, step.extensions, allowed)
        if filecheck.extension_of(name) != ext:  # the name has none: add the real one
            name = f"{name or 'dokumen'}.{detected.extension}"
        checked = replace(file, filename=name, mime_type=detected.mime_type)
        await self.host.store_file(checked, data, detected)
        answers = await self.host.load()
        self._bump()
        count = len(answers.get(step.key) or [])
        text = self.t("form.file_received", name=name, count=count)
        return Outcome([Screen(text, self._step_buttons(step, answers))])

    async def _on_link(self, step: Step, text: str) -> Outcome:
        """Keep a link in place of a file (a files step that takes links)."""
        url = parse_link(text)
        await self.host.store_link(step.key, url)
        answers = await self.host.load()
        self._bump()
        count = len(answers.get(step.key) or [])
        text = self.t("form.link_received", url=url, count=count)
        return Outcome([Screen(text, self._step_buttons(step, answers))])

    async def _append_long(self, step: Step, text: str, answers: Answers) -> Outcome:
        """Add a message to a long text, or replace the text when the user chose to (the old
        text is kept for "Batalkan penggantian" until the user leaves the step)."""
        part = clean_text(text)
        if not part:
            raise InvalidInput("err.empty")
        current = str(answers.get(step.key) or "")
        replacing = self._data().get("long") == LONG_REPLACE
        value = part if replacing or not current else f"{current}\n\n{part}"
        if len(value) > MAX_LONG_TEXT:
            raise InvalidInput("err.too_long", max=MAX_LONG_TEXT, length=len(value))
        words = count_words(value)
        if step.max_words and words > step.max_words:
            raise InvalidInput("err.max_words", max=step.max_words, words=words)
        await self.host.save(step.key, value)
        if replacing:
            self._set_data(long=LONG_ADD, undo=current)
        self._bump()
        answers = {**answers, step.key: value}
        parts = [self._words_status(step, answers)]
        if replacing and current:
            parts.append(self.t("form.replaced"))
        return Outcome([Screen("\n\n".join(parts), self._step_buttons(step, answers))])

    async def _replace_long(self, step: Step, answers: Answers) -> Outcome:
        self._set_data(long=LONG_REPLACE)
        self._bump()
        return Outcome([await self._prompt(step, answers)])

    async def _undo_replace(self, step: Step, answers: Answers) -> Outcome:
        old = self._data().get("undo")
        if not isinstance(old, str) or not old:
            return Outcome(notice=self.t("common.stale"), stale=True)
        await self.host.save(step.key, old)
        self._set_data(long=LONG_ADD, undo=None)
        self._bump()
        answers = {**answers, step.key: old}
        restored = self.t("form.restored", words=self.t.number(count_words(old)))
        text = restored + "\n\n" + self._words_status(step, answers)
        return Outcome([Screen(text, self._step_buttons(step, answers))])

    async def _remove_file(self, step: Step, arg: str) -> Outcome:
        index = parse_id(arg)
        removed = None if index is None else await self.host.remove_file(step.key, index)
        if removed is None:
            return Outcome(notice=self.t("common.stale"), stale=True)
        answers = await self.host.load()
        note = self.t("form.file_removed", name=removed)
        return Outcome([self._files_screen(step, answers, note=note)])

    async def _toggle(self, step: Step, arg: str, answers: Answers) -> Outcome:
        choices = await self.host.options(step, answers)
        if arg not in {c.key for c in choices}:
            return Outcome(notice=self.t("common.stale"), stale=True)
        current = list(answers.get(step.key) or [])
        if arg in current:
            current.remove(arg)
        else:
            current.append(arg)
        await self.host.save(step.key, current)
        self._bump()
        answers = {**answers, step.key: current}
        return Outcome([await self._prompt(step, answers, edit=True)])

    async def _done(self, step: Step, answers: Answers, *, later: bool) -> Outcome:
        value = answers.get(step.key)
        if step.kind == Kind.LONG_TEXT and not later:
            if step.required(answers) and not is_filled(value):
                raise InvalidInput("err.empty")
            words = count_words(value)
            if step.min_words and words < step.min_words:
                raise InvalidInput("err.min_words", min=step.min_words, words=words)
            if step.soft_min_words and words < step.soft_min_words:
                raise InvalidInput("err.soft_min_words", min=step.soft_min_words, words=words)
            if step.max_words and words > step.max_words:
                raise InvalidInput("err.max_words", max=step.max_words, words=words)
        if later and step.required(answers) and not is_filled(value):
            await self.host.save(step.key, None, skipped=True)
        elif not is_filled(value) and step.required(answers):
            raise InvalidInput("err.required")
        return await self._advance(step)

    async def _back(self, step: Step, answers: Answers) -> Outcome:
        if self.state.mode == "edit":
            return await self._to_summary(answers)
        asked = self._asked(answers)
        index = next((i for i, s in enumerate(asked) if s.key == step.key), 0)
        if index == 0:
            return Outcome(notice=self.t("form.first_step"))
        previous = asked[index - 1]
        self._enter(previous)
        return Outcome([await self._prompt(previous, answers)])

    async def _advance(self, step: Step) -> Outcome:
        answers = await self.host.load()
        asked = self._asked(answers)
        if self.state.mode == "edit":
            joined = self._joined_next(step, answers)
            if joined is not None:
                self._enter(joined)
                return Outcome([await self._prompt(joined, answers)])
            missing = [
                s for s in asked if s.required(answers) and not is_filled(answers.get(s.key))
            ]
            if missing:
                self._enter(missing[0])
                return Outcome([await self._prompt(missing[0], answers)])
            return await self._to_summary(answers)
        keys = [s.key for s in self.flow.steps]
        position = keys.index(step.key)
        for candidate in self.flow.steps[position + 1 :]:
            if candidate.asked(answers):
                self._enter(candidate)
                return Outcome([await self._prompt(candidate, answers)])
        if not self.flow.summary:
            return await self.host.finish("done", "", self)
        return await self._to_summary(answers)

    def _joined_next(self, step: Step, answers: Answers) -> Step | None:
        """Return the next step if it belongs to ``step`` and is asked now."""
        keys = [s.key for s in self.flow.steps]
        position = keys.index(step.key)
        if position + 1 < len(keys):
            following = self.flow.steps[position + 1]
            if following.with_previous and following.asked(answers):
                return following
        return None

    def _enter(self, step: Step) -> None:
        self.state.step = step.key
        self._set_data(page=0, query="", long=LONG_ADD, undo=None)
        self._bump()

    async def _to_summary(self, answers: Answers) -> Outcome:
        self.state.mode = "summary"
        self._bump()
        return Outcome([await self._summary(answers)])

    # -- summary -----------------------------------------------------------------------------

    async def _handle_summary(self, incoming: Incoming, answers: Answers) -> Outcome:
        if incoming.kind != "button":
            screen = await self._summary(answers)
            screen.text = self.t("form.use_buttons") + "\n\n" + screen.text
            return Outcome([screen])
        if incoming.action == "el" and self.flow.groups:
            return Outcome([await self._edit_list(answers)])
        if incoming.action == "es":
            self._bump()
            screen = await self._summary(answers)
            screen.edit = True
            return Outcome([screen])
        if incoming.action == "e":
            try:
                step = self.flow.step(incoming.arg)
            except KeyError:
                return Outcome(notice=self.t("common.stale"), stale=True)
            if not step.asked(answers):
                return Outcome(notice=self.t("common.stale"), stale=True)
            self.state.mode = "edit"
            self._enter(step)
            return Outcome([await self._prompt(step, answers)])
        return await self.host.finish(incoming.action, incoming.arg, self)

    # -- prompts -----------------------------------------------------------------------------
