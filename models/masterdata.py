"""Master data (yearly enumerations and the unit list), loaded from YAML or CSV files."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field


class Option(BaseModel):
    """One entry of an enumeration."""

    model_config = ConfigDict(frozen=True)

    key: str
    label: str
    label_en: str | None = None
    pelayanan_dasar: bool = False

    def text(self, lang: str) -> str:
        """Return the label in ``lang`` (Indonesian when there is no translation)."""
        return self.label_en if lang == "en" and self.label_en else self.label


class IidEntry(BaseModel):
    """An IID indicator as the master data lists it (the rules file says how it is scored)."""

    model_config = ConfigDict(frozen=True)

    nomor: int
    key: str
    label: str


class KippSection(BaseModel):
    """A section of the KIPP proposal: its weight (percent) and word limit."""

    model_config = ConfigDict(frozen=True)

    key: str
    label: str
    bobot: float = Field(ge=0, le=100)
    maks_kata: int = Field(gt=0)
    dari: list[str] = []  # profile fields the first draft is taken from
    dari_indikator: list[str] = []  # IID indicators whose levels the first draft names


class MasterData(BaseModel):
    """The enumerations the innovation profile chooses from."""

    model_config = ConfigDict(frozen=True)

    version: int
    tahapan: list[Option]
    inisiator: list[Option]
    jenis: list[Option]
    bentuk: list[Option]
    tematik: list[Option]
    urusan: list[Option]
    iid_indikator: list[IidEntry] = []
    kipp_bagian: list[KippSection] = []

    def options(self, name: str) -> list[Option]:
        """Return the enumeration called ``name``."""
        value = getattr(self, name)
        assert isinstance(value, list)
        return value

    def label(self, name: str, key: str, lang: str = "id") -> str:
        """Return the label of ``key`` in enumeration ``name`` (the key if unknown)."""
        for option in self.options(name):
            if option.key == key:
                return option.text(lang)
        return key


class UnitRecord(BaseModel):
    """A unit (perangkat daerah or service unit) as found in an import file."""

    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    parent: str | None = None


class UnitList(BaseModel):
    """An import file of units."""

    pemda: str | None = None
    timezone: str | None = None
    units: list[UnitRecord]


def load_master_data(path: Path) -> MasterData:
    """Read the master data YAML file."""
    with path.open(encoding="utf-8") as fh:
        return MasterData.model_validate(yaml.safe_load(fh))


def load_unit_file(path: Path) -> UnitList:
    """Read units from a YAML file (``units:`` list) or a CSV file (code,name[,parent])."""
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = [
                {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
                for row in csv.DictReader(fh)
            ]
        return UnitList(
            units=[
                UnitRecord(code=r["code"], name=r["name"], parent=r.get("parent") or None)
                for r in rows
            ]
        )
    with path.open(encoding="utf-8") as fh:
        return UnitList.model_validate(yaml.safe_load(fh))
