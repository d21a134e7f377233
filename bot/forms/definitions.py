"""The flows of the bot, declared as data (design sections 3 and 4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.forms.engine import Answers, Flow, Kind, Step
from models.profile import FIELDS_BY_KEY, MASALAH_MIN_WORDS, RANCANG_BANGUN_MIN_WORDS
from models.validation import parse_nip

EVIDENCE_TYPES = ("pdf", "jpg", "jpeg", "png", "docx", "xlsx")
TAHAPAN_DEPENDENT = ("waktu_uji_coba", "waktu_penerapan")
MB = 1024 * 1024


def _never(_a: Answers) -> bool:
    return False


def _until_known(key: str, asked: Callable[[Answers], bool]) -> Callable[[Answers], bool]:
    """Count a step as asked while the answer it depends on is not given yet, so the step
    counter ("Langkah 3/20") only changes when that answer rules the step out."""

    def rule(answers: Answers) -> bool:
        return answers.get(key) is None or asked(answers)

    return rule


def _rule(key: str) -> dict[str, Any]:
    field = FIELDS_BY_KEY[key]
    asked = _until_known("tahapan", field.asked) if key in TAHAPAN_DEPENDENT else field.asked
    return {"asked": asked, "required": field.required}


REGISTRATION = Flow(
    "reg",
    (
        Step("nama_inovasi", Kind.TEXT, min_len=5, max_len=150),
        Step("unit_id", Kind.CHOICE, options="units"),
        Step("tahapan", Kind.CHOICE, options="tahapan"),
        Step("inisiator", Kind.CHOICE, options="inisiator"),
        Step("nama_inisiator", Kind.TEXT, min_len=3, max_len=150, quick=("self",)),
        Step("jenis", Kind.CHOICE, options="jenis"),
        Step("bentuk", Kind.CHOICE, options="bentuk"),
        Step("tematik", Kind.CHOICE, options="tematik"),
        Step("urusan_utama", Kind.CHOICE, options="urusan"),
        Step("urusan_irisan", Kind.MULTI, options="urusan_irisan", **_rule("urusan_irisan")),
        Step("waktu_uji_coba", Kind.DATE, **_rule("waktu_uji_coba")),
        Step(
            "waktu_penerapan",
            Kind.DATE,
            not_before="waktu_uji_coba",
            **_rule("waktu_penerapan"),
        ),
        Step("masalah", Kind.LONG_TEXT, min_words=MASALAH_MIN_WORDS),
        Step("rancang_bangun", Kind.LONG_TEXT, soft_min_words=RANCANG_BANGUN_MIN_WORDS, later=True),
        Step("tujuan", Kind.LONG_TEXT),
        Step("manfaat", Kind.LONG_TEXT),
        Step("hasil", Kind.LONG_TEXT, **_rule("hasil")),
        Step("lokasi", Kind.LOCATION, **_rule("lokasi")),
        Step(
            "bukti_dukung",
            Kind.FILES,
            extensions=EVIDENCE_TYPES,
            max_bytes=20 * MB,
            **_rule("bukti_dukung"),
        ),
        Step("kontak", Kind.CONTACT, **_rule("kontak")),
    ),
    groups=(
        ("identitas", ("nama_inovasi", "unit_id", "tahapan", "inisiator", "nama_inisiator")),
        ("klasifikasi", ("jenis", "bentuk", "tematik", "urusan_utama", "urusan_irisan")),
        ("waktu", ("waktu_uji_coba", "waktu_penerapan")),
        ("uraian", ("masalah", "rancang_bangun", "tujuan", "manfaat", "hasil")),
        ("pendukung", ("lokasi", "bukti_dukung", "kontak")),
    ),
)

ONBOARDING = Flow(
    "onb",
    (
        Step("name", Kind.TEXT, min_len=3, max_len=120),
        Step("unit_id", Kind.CHOICE, options="units"),
        Step("nip", Kind.TEXT, required=_never, parse=parse_nip),
        Step("phone", Kind.CONTACT, required=_never),
    ),
    summary=False,
)


def _verifier_role(a: Answers) -> bool:
    return a.get("role") in (None, "verifikator")  # counted until the role is chosen


REVIEW_RETURN = Flow(
    "ret",
    (
        Step("fields", Kind.MULTI, options="profile_fields", required=_never),
        Step("comment", Kind.TEXT, min_len=5, max_len=1500),
    ),
    summary=False,
)

REVIEW_STOP = Flow("stop", (Step("reason", Kind.TEXT, min_len=5, max_len=1500),), summary=False)

INVITE = Flow(
    "inv",
    (
        Step("role", Kind.CHOICE, options="invite_roles"),
        Step("unit_id", Kind.CHOICE, options="units", asked=_verifier_role),
    ),
    summary=False,
)

USER_ROLE = Flow(
    "usr",
    (
        Step("role", Kind.CHOICE, options="roles"),
        Step("unit_id", Kind.CHOICE, options="units", required=_never),
    ),
    summary=False,
)
