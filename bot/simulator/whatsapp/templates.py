"""Message templates: the approved texts the simulator knows (``sim.templates``) and the check
and rendering of a ``type: template`` message against them.

A template is registered under (name, language code) as its body text, or as a WaTemplate when
it also has a header, a footer or quick-reply buttons. Placeholders are ``{{1}}``-style
(filled in order by the body parameters) or named, ``{{nama}}`` (filled by the parameter whose
``parameter_name`` matches).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.simulator.whatsapp.markup import strip_markup
from bot.simulator.whatsapp.records import GraphError, TemplateUse, WaButton, WaMessage, invalid

__all__ = ["MAX_TEMPLATE_BODY", "TemplateBook", "WaTemplate", "check_template"]

MAX_TEMPLATE_BODY = 1024
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_BAD_PARAM = re.compile(r"[\n\t]| {5,}")


@dataclass(frozen=True)
class WaTemplate:
    """Describe an approved template: body text with placeholders and, optionally, a header,
    a footer and the titles of its quick-reply buttons (in index order)."""

    body: str
    buttons: tuple[str, ...] = ()
    header: str | None = None
    footer: str | None = None


TemplateBook = Mapping[tuple[str, str], str | WaTemplate]


def _params(component: dict[str, Any]) -> list[tuple[str | None, str]]:
    params = component.get("parameters") or []
    if not isinstance(params, list):
        raise invalid("template component parameters must be a list")
    result: list[tuple[str | None, str]] = []
    for param in params:
        if not isinstance(param, dict):
            raise invalid("template parameters must be objects")
        value = param.get("text", param.get(str(param.get("type")), ""))
        if isinstance(value, dict):  # currency / date_time: the fallback value is shown
            value = value.get("fallback_value", "")
        name = param.get("parameter_name")
        result.append((name if isinstance(name, str) else None, str(value)))
    return result


def _render(text: str, params: list[tuple[str | None, str]], part: str) -> str:
    wanted = list(dict.fromkeys(_PLACEHOLDER.findall(text)))
    if len(wanted) != len(params):
        raise GraphError(
            400,
            132000,
            "(#132000) Number of parameters does not match the expected number of params",
            details=f"{part}: number of localizable_params ({len(params)}) does not match "
            f"the expected number of params ({len(wanted)})",
        )
    for _, value in params:
        if _BAD_PARAM.search(value) or not value.strip():
            raise GraphError(
                400,
                132018,
                "(#132018) There was an issue with the parameters in your template.",
                details=f"{part}: param text {value!r} is empty or has new-line/tab characters "
                "or more than 4 consecutive spaces",
            )
    named = {name: value for name, value in params if name}
    positional = [value for _, value in params]

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key.isdigit() and 1 <= int(key) <= len(positional):
            return positional[int(key) - 1]
        if key in named:
            return named[key]
        raise invalid(f"{part}: no parameter for placeholder {{{{{key}}}}}", 132000)

    return _PLACEHOLDER.sub(fill, text)


def _quick_replies(
    components: list[dict[str, Any]], titles: tuple[str, ...]
) -> list[list[WaButton]]:
    payloads: dict[int, str] = {}
    for component in components:
        if str(component.get("type", "")).lower() != "button":
            continue
        if str(component.get("sub_type", "")).lower() != "quick_reply":
            continue
        try:
            index = int(component.get("index", 0))
        except (TypeError, ValueError):
            raise invalid("template button index must be a number", 131009) from None
        if titles and not 0 <= index < len(titles):
            raise invalid(f"template has no quick-reply button at index {index}", 131009)
        for param in component.get("parameters") or []:
            if isinstance(param, dict) and isinstance(param.get("payload"), str):
                payloads[index] = param["payload"]
    if titles:
        return [
            [WaButton(title, payloads.get(i, title), kind="quick_reply")]
            for i, title in enumerate(titles)
        ]
    # the simulator does not know the titles: the payload stands in for it
    return [[WaButton(p, p, kind="quick_reply")] for _, p in sorted(payloads.items())]


def check_template(payload: dict[str, Any], templates: TemplateBook) -> WaMessage:
    """Check a template message and return it rendered (message_id and to left empty)."""
    spec = payload.get("template")
    if not isinstance(spec, dict):
        raise invalid("The parameter template is required.")
    name = spec.get("name")
    language = spec.get("language")
    code = language.get("code") if isinstance(language, dict) else None
    if not isinstance(name, str) or not name or not isinstance(code, str) or not code:
        raise invalid("template name and language.code are required")
    known = templates.get((name, code))
    if known is None:
        raise GraphError(
            400,
            132001,
            "(#132001) Template name does not exist in the translation",
            details=f"template name ({name}) does not exist in {code}",
        )
    template = WaTemplate(known) if isinstance(known, str) else known
    components = [c for c in spec.get("components") or [] if isinstance(c, dict)]
    by_type: dict[str, list[tuple[str | None, str]]] = {"body": [], "header": []}
    for component in components:
        part = str(component.get("type", "")).lower()
        if part in by_type:
            by_type[part].extend(_params(component))
    body = _render(template.body, by_type["body"], "body")
    if len(body) > MAX_TEMPLATE_BODY:
        raise invalid(
            f"rendered template body is {len(body)} characters; the limit is {MAX_TEMPLATE_BODY}",
            132005,
        )
    header = template.header
    if header is not None:
        header = _render(header, by_type["header"], "header")
    return WaMessage(
        message_id="",
        to="",
        kind="template",
        raw=body,
        text=strip_markup(body),
        header=header,
        footer=template.footer,
        buttons=_quick_replies(components, template.buttons),
        template=TemplateUse(name, code, tuple(value for _, value in by_type["body"])),
    )
