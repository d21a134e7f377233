"""What a flow shows: the prompt of a step, its buttons, the summary card, the list of fields
to edit. :class:`FlowView` holds one stored flow state and builds screens from it; the form
engine (``bot/forms/engine.py``) extends it with the handling of answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.forms.screens import Button, Screen
from bot.forms.steps import Answers, Kind, Step
from bot.forms.values import (
    SUMMARY_PREVIEW,
    escape,
    format_value,
    long_text_accepted,
    matches,
)
from bot.i18n import Raw, Translator
from models.profile import is_filled
from models.tables import FlowState
from models.validation import count_words

if TYPE_CHECKING:
    from bot.forms.engine import FormHost

PAGE_SIZE = 8
SUMMARY_SHORT_PREVIEW = 60  # long texts on the grouped summary card
# What a typed message does at a long-text step that already holds text.
LONG_ADD = "add"
LONG_REPLACE = "replace"


class FlowView:
    """Screens of one stored flow state: its prompts, buttons and summary."""

    def __init__(
        self, host: FormHost, state: FlowState, t: Translator, *, today: date, prefix: str = "f"
    ) -> None:
        self.host = host
        self.flow = host.flow
        self.state = state
        self.t = t
        self.today = today
        self.prefix = prefix

    def button(self, label: str, action: str, arg: str = "") -> Button:
        """Return a button bound to the current revision of this flow."""
        return Button(label, f"{self.prefix}:{self.state.rev}:{action}:{arg}")

    def _data(self) -> dict[str, Any]:
        return dict(self.state.data or {})

    def _set_data(self, **values: Any) -> None:
        data = self._data()
        data.update(values)
        self.state.data = data

    def _bump(self) -> None:
        self.state.rev += 1

    def _asked(self, answers: Answers) -> list[Step]:
        return [s for s in self.flow.steps if s.asked(answers)]

    def _label(self, step: Step) -> str:
        own = self.host.step_text(step, "label")
        return own if own is not None else self.t(f"{self.flow.name}.{step.key}.label")

    def _words_status(self, step: Step, answers: Answers) -> str:
        words = count_words(answers.get(step.key))
        target = step.min_words or step.soft_min_words
        if step.max_words:
            key = "form.words_limit" if words <= step.max_words else "form.words_over"
            return self.t(key, words=self.t.number(words), max=self.t.number(step.max_words))
        if long_text_accepted(step, answers):
            key = "form.words_target" if target else "form.words"
        else:
            key = "form.words_short_later" if step.later else "form.words_short"
        return self.t(key, words=self.t.number(words), target=self.t.number(target))

    def _files_screen(self, step: Step, answers: Answers, *, note: str = "") -> Screen:
        """List the files sent at this step, each with a button that removes it."""
        self._bump()
        names = [str(n) for n in answers.get(step.key) or []]
        lines = [note] if note else []
        lines.append(
            self.t("form.files_manage", count=len(names)) if names else self.t("form.files_none")
        )
        lines += [f"{i}. {escape(name)}" for i, name in enumerate(names, start=1)]
        rows = [
            [self.button(self.t.plain("form.file_remove", n=i, name=name), "fx", str(i - 1))]
            for i, name in enumerate(names, start=1)
        ]
        rows.append([self.button(self.t("form.files_back"), "fb")])
        return Screen("\n".join(lines), rows, edit=True)

    async def _summary(self, answers: Answers) -> Screen:
        own = await self.host.summary_screen(answers, self)
        if own is not None:
            return own
        if self.flow.groups:
            return await self._grouped_summary(answers)
        lines = [self.t(f"{self.flow.name}.summary_title"), ""]
        edit_buttons: list[Button] = []
        flagged = self.host.flagged()
        for step in self._asked(answers):
            shown = await self.display(step, answers)
            mark = "🚩 " if step.key in flagged else ""
            lines.append(f"{mark}<b>{self._label(step)}</b>: {shown}")
            edit_buttons.append(self._edit_button(step, flagged))
        extra, actions = await self.host.summary_extra(answers, self)
        if extra:
            lines += ["", extra]
        rows = [edit_buttons[i : i + 2] for i in range(0, len(edit_buttons), 2)]
        return Screen("\n".join(lines), rows + actions)

    def _edit_button(self, step: Step, flagged: set[str]) -> Button:
        mark = "🚩 " if step.key in flagged else ""
        return self.button(mark + self.t.plain("form.edit", label=self._label(step)), "e", step.key)

    def _grouped_steps(self, answers: Answers) -> list[tuple[str, list[Step]]]:
        asked = {s.key: s for s in self._asked(answers)}
        return [
            (name, [asked[key] for key in keys if key in asked])
            for name, keys in self.flow.groups
            if any(key in asked for key in keys)
        ]

    async def _grouped_summary(self, answers: Answers) -> Screen:
        """The summary for a phone: completeness first, fields under headings, and one
        "Ubah isian" button (fields a reviewer flagged get their own buttons)."""
        extra, actions = await self.host.summary_extra(answers, self)
        lines = [self.t(f"{self.flow.name}.summary_title")]
        if extra:
            lines.append(extra)
        lines.append("")
        flagged = self.host.flagged()
        for name, steps in self._grouped_steps(answers):
            lines.append(self.t(f"{self.flow.name}.group.{name}"))
            for step in steps:
                shown = await self.display(step, answers, preview=SUMMARY_SHORT_PREVIEW)
                mark = "🚩 " if step.key in flagged else ""
                lines.append(f"{mark}{self._label(step)}: {shown}")
        rows = [[self._edit_button(s, flagged)] for s in self._asked(answers) if s.key in flagged]
        rows.append([self.button(self.t("form.edit_fields"), "el")])
        return Screen("\n".join(lines), rows + actions)

    async def _edit_list(self, answers: Answers) -> Screen:
        """The fields to edit, as buttons in the order of the summary's headings."""
        self._bump()
        flagged = self.host.flagged()
        buttons = [
            self._edit_button(step, flagged)
            for _, steps in self._grouped_steps(answers)
            for step in steps
        ]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        rows.append([self.button(self.t("form.to_summary"), "es")])
        return Screen(self.t("form.edit_pick"), rows, edit=True)

    async def display(self, step: Step, answers: Answers, *, preview: int = SUMMARY_PREVIEW) -> str:
        """Return a field's value as safe HTML for cards and summaries."""
        labels = await self.host.labels(step) if step.options else {}
        return format_value(step, answers.get(step.key), self.t, labels, preview=preview)

    async def _prompt(
        self, step: Step, answers: Answers, *, error: str | None = None, edit: bool = False
    ) -> Screen:
        # steps answered before the flow began (a period chosen by a reminder's button)
        # are not counted: the user is never asked them
        preset = set(self._data().get("preset") or ())
        asked = [s for s in self._asked(answers) if s.key not in preset or s.key == step.key]
        index = next((i for i, s in enumerate(asked) if s.key == step.key), 0)
        parts = []
        if error:
            parts.append(self.t("form.error", message=Raw(error)))
        header = self.host.step_text(step, "header")
        if header is None:
            header = self.t(
                "form.header", n=index + 1, total=len(asked), label=Raw(self._label(step))
            )
        parts.append(header)
        own = self.host.step_text(step, "prompt")
        parts.append(own if own is not None else self.t(f"{self.flow.name}.{step.key}.prompt"))
        if not step.required(answers):
            parts.append(self.t("form.optional"))
        value = answers.get(step.key)
        if is_filled(value) and step.kind not in (Kind.MULTI,):
            parts.append(self.t("form.current", value=Raw(await self.display(step, answers))))
            if step.kind == Kind.LONG_TEXT:
                replacing = self._data().get("long") == LONG_REPLACE
                parts.append(self.t("form.long_replace" if replacing else "form.long_existing"))
        rows: list[list[Button]] = []
        if step.kind in (Kind.CHOICE, Kind.MULTI):
            notice, rows = await self._choice_rows(step, answers)
            if notice:
                parts.append(notice)
        for name in step.quick:
            rows.append([self.button(self.t(f"form.quick.{name}"), "q", name)])
        rows += self._step_buttons(step, answers, prompt=True)
        screen = Screen("\n\n".join(parts), rows, edit=edit)
        if step.kind == Kind.CONTACT:
            hint = self.t("form.share_contact_hint")
            screen.contact_button = (hint, self.t.plain("form.share_contact"))
        return screen

    def _long_buttons(self, step: Step, answers: Answers, *, prompt: bool) -> list[list[Button]]:
        """Offer only what will be accepted: Selesai once the text meets its minimum,
        otherwise Lengkapi nanti where the flow allows it; the word count in the button."""
        rows: list[list[Button]] = []
        value = answers.get(step.key)
        words = self.t.number(count_words(value))
        target = self.t.number(step.min_words or step.soft_min_words)
        if long_text_accepted(step, answers):
            rows.append([self.button(self.t("form.done_count", words=words), "d")])
        elif step.later and is_filled(value):
            rows.append([self.button(self.t("form.later_count", words=words, target=target), "l")])
        elif step.later:
            rows.append([self.button(self.t("form.later"), "l")])
        data = self._data()
        if data.get("undo"):
            rows.append([self.button(self.t("form.undo"), "u")])
        elif prompt and is_filled(value) and data.get("long") != LONG_REPLACE:
            rows.append([self.button(self.t("form.replace"), "r")])
        return rows

    def _step_buttons(
        self, step: Step, answers: Answers, *, prompt: bool = False
    ) -> list[list[Button]]:
        rows: list[list[Button]] = []
        value = answers.get(step.key)
        if step.kind == Kind.LONG_TEXT:
            rows += self._long_buttons(step, answers, prompt=prompt)
        if step.kind == Kind.FILES and is_filled(value):
            rows.append([self.button(self.t("form.done"), "d")])
            count = self.t.number(len(value or []))
            rows.append([self.button(self.t("form.files_manage_button", count=count), "fl")])
        if step.kind == Kind.MULTI:
            rows.append([self.button(self.t("form.done"), "d")])
        nav = []
        if self.state.mode == "edit":
            nav.append(self.button(self.t("form.to_summary"), "b"))
        elif self._asked(answers) and self._asked(answers)[0].key != step.key:
            nav.append(self.button(self.t("form.back"), "b"))
        if not step.required(answers):
            nav.append(self.button(self.t("form.skip"), "s"))
        if nav:
            rows.append(nav)
        return rows

    async def _choice_rows(self, step: Step, answers: Answers) -> tuple[str, list[list[Button]]]:
        choices = await self.host.options(step, answers)
        data = self._data()
        query = str(data.get("query") or "")
        notice = ""
        if query:
            found = [c for c in choices if matches(query, c)]
            if found:
                notice = self.t("form.search_results", query=query, count=len(found))
                choices = found
            else:
                notice = self.t("form.search_none", query=query)
        elif len(choices) > PAGE_SIZE:
            notice = self.t("form.search_hint")
        selected = set(answers.get(step.key) or []) if step.kind == Kind.MULTI else set()
        pages = max(1, -(-len(choices) // PAGE_SIZE))
        page = min(int(data.get("page") or 0), pages - 1)
        rows: list[list[Button]] = []
        for choice in choices[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]:
            if step.kind == Kind.MULTI:
                mark = "✅ " if choice.key in selected else "▫️ "
                rows.append([self.button(mark + choice.label, "t", choice.key)])
            else:
                rows.append([self.button(choice.label, "c", choice.key)])
        if pages > 1:
            nav = []
            if page > 0:
                nav.append(self.button(self.t("form.prev_page"), "p", str(page - 1)))
            here = self.button(self.t.plain("form.page", n=page + 1, total=pages), "n")
            nav.append(replace(here, info=True))
            if page < pages - 1:
                nav.append(self.button(self.t("form.next_page"), "p", str(page + 1)))
            rows.append(nav)
        if step.kind == Kind.MULTI and selected:
            names = await self.host.labels(step)
            labels = [names.get(key, key) for key in answers.get(step.key) or []]
            notice = "\n".join(
                x for x in (notice, self.t("form.selected", items="; ".join(labels))) if x
            )
        return notice, rows
