"""The IID indicator rules of a year (a data file) and how answers to them are scored.

Weights, levels and evidence are data: `bot/data/iid-2026.yaml` by default, a Pemda's own file
with IID_RULES_FILE. A file that does not hold together stops start-up with one line naming
the file and the entry (:class:`RulesError`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

LEVELS = 3
# Profile answers a level can be read from.
ProfileSource = Literal["waktu", "penerima", "replikasi", "monev"]


class RulesError(Exception):
    """The rules file is wrong; the message is one line naming the file and the entry."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Level(_Frozen):
    """One parameter level of an indicator, as the user chooses it."""

    label: str = Field(min_length=1, max_length=120)
    label_en: str | None = None
    # for an indicator read from the profile: the range of the profile's value at this level
    dari: int | None = None
    sampai: int | None = None

    def holds(self, value: int) -> bool:
        """Whether a profile value falls in this level's range (a level without one never)."""
        if self.dari is None and self.sampai is None:
            return False
        low = self.dari if self.dari is not None else -(10**12)
        high = self.sampai if self.sampai is not None else 10**12
        return low <= value <= high

    def text(self, lang: str) -> str:
        """Return the level's label in ``lang`` (Indonesian when there is no translation)."""
        return self.label_en if lang == "en" and self.label_en else self.label


class Evidence(_Frozen):
    """The evidence an indicator needs: file types, the largest size, whether a link will do."""

    jenis: tuple[str, ...] = Field(min_length=1)
    maks_mb: int = Field(default=20, gt=0, le=1000)
    tautan: bool = False


class Indicator(_Frozen):
    """One innovation-level IID indicator."""

    nomor: int = Field(gt=0)
    key: str = Field(pattern=r"^[a-z_]{2,32}$")
    label: str = Field(min_length=1, max_length=120)
    label_en: str | None = None
    tanya: str = Field(min_length=1)
    tanya_en: str | None = None
    bobot: float = Field(gt=0, le=100)
    wajib: bool = False
    confirmed: bool | None = None
    levels: tuple[Level, ...]
    bukti: Evidence
    profil: ProfileSource | None = None
    catatan: str | None = None
    catatan_en: str | None = None

    def name(self, lang: str) -> str:
        """Return the indicator's label in ``lang``."""
        return self.label_en if lang == "en" and self.label_en else self.label

    def question(self, lang: str) -> str:
        """Return the question in ``lang``."""
        return self.tanya_en if lang == "en" and self.tanya_en else self.tanya

    def note(self, lang: str) -> str:
        """Return the indicator's note (what the evidence must be) in ``lang``, or ""."""
        return (self.catatan_en if lang == "en" and self.catatan_en else self.catatan) or ""

    def level_text(self, level: int, lang: str) -> str:
        """Return the label of level 1..3."""
        return self.levels[level - 1].text(lang)


class Band(_Frozen):
    """A band (predikat) of the estimated score, in percent of the maximum."""

    label: str
    label_en: str | None = None
    dari: float = Field(ge=0, le=100)
    sampai: float = Field(ge=0, le=100)

    def text(self, lang: str) -> str:
        """Return the band's label in ``lang``."""
        return self.label_en if lang == "en" and self.label_en else self.label


class IidRules(_Frozen):
    """The indicators of one year, with their source."""

    source: str = Field(min_length=1)
    year: int
    confirmed: bool = False
    indikator: tuple[Indicator, ...]
    predikat: tuple[Band, ...] = ()

    def get(self, key: str) -> Indicator | None:
        """Return the indicator called ``key``, if any."""
        return next((i for i in self.indikator if i.key == key), None)

    @property
    def max_score(self) -> float:
        """Return the highest total: every indicator at its top level."""
        return sum(i.bobot for i in self.indikator) * LEVELS

    def band(self, percent: float) -> Band | None:
        """Return the band the percentage falls in, None below the lowest."""
        for band in self.predikat:
            if band.dari <= round(percent, 2) <= band.sampai:
                return band
        return None


def _entry(loc: tuple[int | str, ...], data: Any) -> str:
    """Name the entry a validation error points at: ``indikator[3] (anggaran).bobot``."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            node = node[item] if isinstance(node, list) and item < len(node) else None
            key = node.get("key") if isinstance(node, dict) else None
            parts[-1] += f"[{item}]" + (f" ({key})" if key else "")
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts) or "file"


def _check(rules: IidRules, known: Iterable[str]) -> str | None:
    """Return what is wrong beyond the field types, None when the rules hold together."""
    known_keys = set(known)
    seen: set[str] = set()
    numbers: set[int] = set()
    for i, indicator in enumerate(rules.indikator):
        where = f"indikator[{i}] ({indicator.key})"
        if known_keys and indicator.key not in known_keys:
            return f"{where}: unknown indicator; known: {', '.join(sorted(known_keys))}"
        if indicator.key in seen or indicator.nomor in numbers:
            return f"{where}: key or number given twice"
        if len(indicator.levels) != LEVELS:
            return f"{where}.levels: {LEVELS} levels needed, {len(indicator.levels)} given"
        seen.add(indicator.key)
        numbers.add(indicator.nomor)
    if not rules.indikator:
        return "indikator: no indicators"
    return None


def load_rules(path: Path, known: Iterable[str] = ()) -> IidRules:
    """Read and check a rules file; ``known`` are the indicator keys the master data lists."""
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        raise RulesError(f"IID_RULES_FILE {path}: cannot be read ({reason})") from None
    try:
        rules = IidRules.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = _entry(tuple(error["loc"]), data)
        raise RulesError(f"IID_RULES_FILE {path}: {where}: {error['msg']}") from None
    problem = _check(rules, known)
    if problem:
        raise RulesError(f"IID_RULES_FILE {path}: {problem}")
    return rules


# -- scoring -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What is known of one indicator: the level chosen (or read from the profile) and whether
    its evidence is there."""

    level: int | None = None
    evidence: bool = False
    from_profile: bool = False


@dataclass(frozen=True)
class Scored:
    """One indicator's score."""

    indicator: Indicator
    answer: Answer

    @property
    def score(self) -> float:
        """Level x weight, only with evidence."""
        level = self.answer.level
        return level * self.indicator.bobot if level and self.answer.evidence else 0.0

    @property
    def claimed(self) -> float:
        """Level x weight as if the evidence were there."""
        return (self.answer.level or 0) * self.indicator.bobot

    @property
    def complete(self) -> bool:
        """Whether the indicator has a level and its evidence."""
        return bool(self.answer.level) and self.answer.evidence


@dataclass(frozen=True)
class Estimate:
    """The estimated IID score of one innovation."""

    rows: tuple[Scored, ...]
    max_score: float

    @property
    def total(self) -> float:
        """The sum of the indicators' scores."""
        return sum(r.score for r in self.rows)

    @property
    def claimed(self) -> float:
        """The total once every chosen level has its evidence."""
        return sum(r.claimed for r in self.rows)

    @property
    def percent(self) -> float:
        """The total as a percentage of the maximum."""
        return 100 * self.total / self.max_score if self.max_score else 0.0

    @property
    def incomplete(self) -> list[Indicator]:
        """Indicators without a level or without evidence."""
        return [r.indicator for r in self.rows if not r.complete]

    @property
    def missing_mandatory(self) -> list[Indicator]:
        """Mandatory indicators not complete."""
        return [r.indicator for r in self.rows if r.indicator.wajib and not r.complete]


def estimate(rules: IidRules, answers: Mapping[str, Answer]) -> Estimate:
    """Score every indicator of ``rules`` from ``answers`` (by indicator key)."""
    rows = tuple(Scored(i, answers.get(i.key, Answer())) for i in rules.indikator)
    return Estimate(rows, rules.max_score)


# -- levels read from the profile ---------------------------------------------------------------


def level_from_profile(indicator: Indicator, value: int | None) -> int | None:
    """The highest level whose range (in the rules file) holds the profile's value."""
    if value is None:
        return None
    held = [n for n, level in enumerate(indicator.levels, start=1) if level.holds(value)]
    return max(held) if held else None
