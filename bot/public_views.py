"""An innovation on the public catalog as the chat shows it to anyone (a visitor from the
catalog's link, a civil servant of another unit): the public fields only."""

from __future__ import annotations

from bot.i18n import Translator
from models.masterdata import MasterData
from models.services.catalog_page import PublicInnovation

PREVIEW = 400


def _short(text: str | None) -> str:
    value = (text or "").strip()
    return value if len(value) <= PREVIEW else value[:PREVIEW].rstrip() + "…"


def public_card(t: Translator, master: MasterData, item: PublicInnovation) -> str:
    """The public card: name, unit, stage, affairs, the problem and aims in short, the latest
    monev status, replications, and the contact when its owner agreed."""
    lines = [t("pub.card_title", name=item.name, code=item.code)]
    if item.unit:
        lines.append(t("pub.card_unit", unit=item.unit))
    if item.tahapan:
        lines.append(t("pub.card_tahapan", tahapan=master.label("tahapan", item.tahapan, t.lang)))
    if item.urusan:
        lines.append(t("pub.card_urusan", urusan=master.label("urusan", item.urusan, t.lang)))
    for key in ("masalah", "tujuan", "manfaat"):
        value = getattr(item, key)
        if value:
            label = t.plain(f"reg.{key}.label")
            lines.append(t("pub.card_text", label=label, text=_short(value)))
    if item.monev is not None:
        status = t.plain(f"monev.status_opt.{item.monev.status}")
        lines.append(t("pub.card_monev", status=status, date=t.date(item.monev.submitted.date())))
    if item.replicas:
        names = ", ".join(r.name for r in item.replicas)
        lines.append(t("pub.card_replicas", count=len(item.replicas), names=names))
    if item.kontak:
        lines.append(t("pub.card_contact", contact=item.kontak))
    lines.append(t("pub.card_footer"))
    return "\n".join(lines)
