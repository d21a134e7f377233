"""Screens as WhatsApp messages, checked without a network: every message within WhatsApp's
limits, long option lists split into messages that each fit, user text that cannot format,
templates that match what is submitted to Meta."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.forms.screens import Button, Screen
from bot.whatsapp import render, templates
from bot.whatsapp.format import plain, to_whatsapp
from tests import phones
from tests.conftest import BotHarness, onboard

LABELS = render.Labels(
    choose="Silakan pilih:",
    open_list="Pilih",
    more_choices="Pilihan lainnya:",
    page="Halaman {page}",
)


def check_limits(message: render.Message) -> None:
    if isinstance(message, render.Text):
        assert 0 < len(message.body) <= render.TEXT_LIMIT
        return
    assert 0 < len(message.body) <= render.BODY_LIMIT
    ids = [c.id for c in message.choices]
    assert len(ids) == len(set(ids))
    if isinstance(message, render.Buttons):
        titles = [c.title for c in message.choices]
        assert 1 <= len(titles) <= 3 and len(set(titles)) == len(titles)
        assert all(0 < len(t) <= render.BUTTON_TITLE for t in titles)
        return
    assert 1 <= len(message.choices) <= render.MAX_ROWS and len(message.button) <= 20
    for choice in message.choices:
        assert 0 < len(choice.title) <= render.ROW_TITLE
        assert choice.description is None or len(choice.description) <= render.ROW_DESCRIPTION


def test_few_short_options_are_reply_buttons_more_are_a_list() -> None:
    three = Screen("Tahapan?", [[Button("Inisiatif", "a")], [Button("Uji coba", "b")],
                                [Button("Penerapan", "c")]])  # fmt: skip
    [buttons] = render.plan_screens([three], LABELS).messages
    assert isinstance(buttons, render.Buttons) and [c.title for c in buttons.choices] == [
        "Inisiatif", "Uji coba", "Penerapan"
    ]  # fmt: skip
    long = Screen(
        "Urusan?", [[Button("Ketenteraman, Ketertiban Umum, dan Perlindungan Masyarakat", "k")]]
    )
    [menu] = render.plan_screens([long], LABELS).messages
    assert isinstance(menu, render.Menu)
    [row] = menu.choices
    assert row.title.endswith("…") and len(row.title) == 24
    assert row.description == "Ketenteraman, Ketertiban Umum, dan Perlindungan Masyarakat"


def test_a_page_of_choices_with_its_controls_comes_as_two_messages() -> None:
    rows = [[Button(f"Unit nomor {n}", f"f:1:c:{n}")] for n in range(8)]
    page = Button("2/3", "f:1:n", info=True)
    rows += [[Button("◀️", "f:1:p:0"), page, Button("▶️", "f:1:p:2")]]
    rows += [[Button("⬅️ Kembali", "f:1:b"), Button("Lewati ⏭", "f:1:s")]]
    messages = render.plan_screens([Screen("Perangkat daerah?", rows)], LABELS).messages
    assert [type(m) for m in messages] == [render.Menu, render.Buttons]
    first, second = messages
    assert isinstance(first, render.Menu) and isinstance(second, render.Buttons)
    # the page is a line of the text, not a row, so the arrows fit beside the choices
    assert first.body == "Perangkat daerah?\n\nHalaman 2/3"
    assert [c.title for c in first.choices][-2:] == ["◀️", "▶️"] and len(first.choices) == 10
    assert [c.title for c in second.choices] == ["⬅️ Kembali", "Lewati ⏭"]  # a row stays whole
    assert second.body == "Pilihan lainnya:"


def test_the_first_page_of_a_list_fits_one_message_with_its_page_as_text() -> None:
    rows = [[Button(f"Unit nomor {n}", f"f:1:c:{n}")] for n in range(8)]
    rows += [[Button("1/3", "f:1:n", info=True), Button("▶️", "f:1:p:1")]]
    rows += [[Button("⬅️ Kembali", "f:1:b")]]
    [menu] = render.plan_screens([Screen("Perangkat daerah?", rows)], LABELS).messages
    assert isinstance(menu, render.Menu) and len(menu.choices) == 10
    assert "1/3" not in [c.title for c in menu.choices]
    assert menu.body.endswith("Halaman 1/3")


def test_an_action_beside_an_item_says_what_it_acts_on() -> None:
    rows = [
        [Button("Posyandu Keliling · 20 November", "d:1"), Button("🗑 Hapus", "x:1")],
        [Button("Sekolah Ramah Anak · 19 November", "d:2"), Button("🗑 Hapus", "x:2")],
    ]
    [menu] = render.plan_screens([Screen("Draf Anda", rows)], LABELS).messages
    assert isinstance(menu, render.Menu)
    assert [(c.title, c.description) for c in menu.choices][1] == (
        "🗑 Hapus", "Posyandu Keliling · 20 November"
    )  # fmt: skip


def test_a_long_card_puts_its_text_first_and_keeps_its_last_lines_above_the_buttons() -> None:
    paragraphs = [f"Bagian {n}: " + "kata " * 60 for n in range(12)]
    screen = Screen("\n\n".join([*paragraphs, "Periksa lalu kirim."]), [[Button("Kirim", "k")]])
    messages = render.plan_screens([screen], LABELS).messages
    assert isinstance(messages[-1], render.Buttons)
    assert messages[-1].body.endswith("Periksa lalu kirim.")
    assert all(isinstance(m, render.Text) for m in messages[:-1])
    shown = "\n\n".join(m.body for m in messages)
    assert all(p.strip() in shown for p in paragraphs)


def test_text_longer_than_a_message_is_split_at_paragraphs() -> None:
    text = "\n\n".join("paragraf " + "isi " * 300 for _ in range(5))
    messages = render.plan_screens([Screen(text)], LABELS).messages
    assert len(messages) > 1
    for message in messages:
        check_limits(message)


def test_user_text_cannot_format_but_the_bots_own_markup_does() -> None:
    shown = to_whatsapp("<b>Nama</b>: *Inovasi* _Hebat_ ~coret~ `kode` ADMIN_IDS 5*3")
    assert shown.startswith("*Nama*: ")
    assert "*Inovasi*" not in shown and "_Hebat_" not in shown and "~coret~" not in shown
    assert "ADMIN_IDS" in shown and "5*3" in shown  # inside a word nothing formats
    assert to_whatsapp("https://wa.me/62811?text=%2Fstart%20ab_cd_") == (
        "https://wa.me/62811?text=%2Fstart%20ab_cd_"
    )
    assert to_whatsapp("&lt;b&gt; &amp; <i>miring</i>") == "<b> & _miring_"


@settings(max_examples=200, deadline=None)
@given(
    st.text(min_size=1, max_size=6000),
    st.lists(st.lists(st.text(min_size=1, max_size=80), min_size=1, max_size=3), max_size=30),
)
def test_any_screen_becomes_messages_within_every_limit(text: str, rows: list[list[str]]) -> None:
    buttons = [
        [Button(label, f"x:{r}:{c}") for c, label in enumerate(row)] for r, row in enumerate(rows)
    ]
    screen = Screen(escape_html(text), buttons)
    plan = render.plan_screens([screen], LABELS)
    for message in plan.messages:
        check_limits(message)
    shown = {c.id for m in plan.messages if not isinstance(m, render.Text) for c in m.choices}
    assert shown == {b.data for row in buttons for b in row}  # every option is offered


def escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_every_template_fits_whatsapp_and_names_its_values() -> None:
    loaded = templates.load()
    assert set(loaded.templates) >= {"reminder", "deadline", "escalation", "nudge", "returned"}
    for template in loaded.templates.values():
        for wording in template.languages.values():
            assert wording.body.count("{{") == len(template.params), template.name
            assert len(wording.body) <= 1024 and len(wording.buttons) <= 3
            assert all(len(b) <= 25 for b in wording.buttons)


@pytest.mark.parametrize("channel", [phones.WHATSAPP], indirect=True)
async def test_the_channels_own_words_follow_the_language_the_person_chose(
    harness: BotHarness, sim: phones.WhatsAppPhones
) -> None:
    user = sim.user(6401)
    await onboard(user)
    await user.send("/bahasa")
    await user.press("English")
    await user.send("/new")
    replies = await user.send("Posyandu Keliling")  # next: the unit, a list
    listed = [m for m in replies if m.list_button]
    assert listed and all(m.list_button == "Choose" for m in listed)


def test_plain_text_drops_formatting_but_keeps_markers_inside_words_and_links() -> None:
    assert plain("<b>Halo</b> INO_2024 https://x.id/a_b") == "Halo INO_2024 https://x.id/a_b"
    assert plain("<i>miring</i> dan <code>kode</code>") == "miring dan kode"


def test_an_action_beside_another_action_names_no_subject() -> None:
    rows = [
        [Button("✅ Ya, verifikasi", "v:1"), Button("↩️ Kembalikan", "k:1")],
        [Button("Batal", "b")],
    ]
    [message] = render.plan_screens([Screen("Verifikasi INO-2026-0001?", rows)], LABELS).messages
    # three plain choices: reply buttons, not a list that says Kembalikan acts on "Ya"
    assert isinstance(message, render.Buttons)
    assert [(c.title, c.description) for c in message.choices] == [
        ("✅ Ya, verifikasi", None), ("↩️ Kembalikan", None), ("Batal", None)
    ]  # fmt: skip
