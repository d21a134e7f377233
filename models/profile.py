"""The innovation profile's fields and IID's completeness rules (design section 4)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from models.validation import count_words

Answers = Mapping[str, Any]

RANCANG_BANGUN_MIN_WORDS = 300
MASALAH_MIN_WORDS = 30


def _not_inisiatif(a: Answers) -> bool:
    return a.get("tahapan") not in (None, "inisiatif")


def _penerapan(a: Answers) -> bool:
    return a.get("tahapan") == "penerapan"


def _always(_a: Answers) -> bool:
    return True


def _never(_a: Answers) -> bool:
    return False


@dataclass(frozen=True)
class ProfileField:
    """A field of the profile: whether it is asked and whether it is required."""

    key: str
    asked: Callable[[Answers], bool] = _always
    required: Callable[[Answers], bool] = _always
    min_words: int = 0


PROFILE_FIELDS: tuple[ProfileField, ...] = (
    ProfileField("nama_inovasi"),
    ProfileField("unit_id"),
    ProfileField("tahapan"),
    ProfileField("inisiator"),
    ProfileField("nama_inisiator"),
    ProfileField("jenis"),
    ProfileField("bentuk"),
    ProfileField("tematik"),
    ProfileField("urusan_utama"),
    ProfileField("urusan_irisan", required=_never),
    ProfileField("waktu_uji_coba", asked=_not_inisiatif, required=_not_inisiatif),
    ProfileField("waktu_penerapan", asked=_penerapan, required=_penerapan),
    ProfileField("masalah", min_words=MASALAH_MIN_WORDS),
    ProfileField("rancang_bangun", min_words=RANCANG_BANGUN_MIN_WORDS),
    ProfileField("tujuan"),
    ProfileField("manfaat"),
    ProfileField("hasil", required=_not_inisiatif),
    ProfileField("lokasi", required=_never),
    ProfileField("bukti_dukung", required=_never),
    ProfileField("kontak", required=_never),
)
FIELDS_BY_KEY = {f.key: f for f in PROFILE_FIELDS}


@dataclass(frozen=True)
class Completeness:
    """How far a profile meets IID's requirements."""

    missing: tuple[str, ...]
    short: tuple[str, ...]
    met: int
    total: int

    @property
    def percent(self) -> int:
        """Return the share of requirements met, 0-100."""
        return round(100 * self.met / self.total) if self.total else 100

    @property
    def submittable(self) -> bool:
        """Whether every required field has a value (short texts may be completed later)."""
        return not self.missing

    @property
    def complete(self) -> bool:
        """Whether the profile meets every requirement, word counts included."""
        return not self.missing and not self.short


def is_filled(value: Any) -> bool:
    """Whether an answer counts as given."""
    return value not in (None, "", [], {})


def completeness(answers: Answers) -> Completeness:
    """Check the required fields and minimum word counts that apply to these answers."""
    missing: list[str] = []
    short: list[str] = []
    met = total = 0
    for field in PROFILE_FIELDS:
        if not (field.asked(answers) and field.required(answers)):
            continue
        total += 1
        value = answers.get(field.key)
        if not is_filled(value):
            missing.append(field.key)
        elif field.min_words and count_words(str(value)) < field.min_words:
            short.append(field.key)
        else:
            met += 1
    return Completeness(tuple(missing), tuple(short), met, total)


@dataclass(frozen=True)
class Gap:
    """One requirement a profile does not meet: a field left empty (``words`` is None) or a
    text short of its minimum words."""

    key: str
    words: int | None
    min_words: int


def gaps(answers: Answers) -> list[Gap]:
    """Return what the profile misses against IID's rules, in profile order."""
    check = completeness(answers)
    found = []
    for field in PROFILE_FIELDS:
        if field.key in check.missing:
            found.append(Gap(field.key, None, field.min_words))
        elif field.key in check.short:
            found.append(Gap(field.key, count_words(str(answers.get(field.key))), field.min_words))
    return found
