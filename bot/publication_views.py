"""What the catalog's choices look like in chat: the card's buttons and the owner's screen of
choices (the data comes from :mod:`models.services.publication`)."""

from __future__ import annotations

from bot.forms.screens import Button, Screen
from bot.i18n import Translator
from models.catalog_tables import Publication
from models.services import publication
from models.tables import Innovation, Role, Status


def card_rows(
    viewer_id: int, role: str, innovation: Innovation, t: Translator, row: Publication | None
) -> list[list[Button]]:
    """The card's catalog buttons for this viewer (a verified innovation only)."""
    if innovation.status != Status.TERVERIFIKASI:
        return []
    i = innovation.id
    if innovation.owner_id == viewer_id:
        return [[Button(t.plain("pub.card"), f"pub:s:{i}")]]
    if role == Role.ADMIN and row is not None and row.published:
        hidden = row.hidden_at is not None
        return [
            [
                Button(
                    t.plain("pub.unhide" if hidden else "pub.hide"),
                    f"pub:{'u' if hidden else 'h'}:{i}",
                )
            ]
        ]
    return []


def choices(
    t: Translator, innovation: Innovation, row: Publication | None, note: str = ""
) -> Screen:
    """The owner's catalog choices for one innovation, each a button that changes it."""
    i = innovation.id
    published = bool(row and row.published)
    hidden = bool(row and row.hidden_at)
    photos = publication.photos(innovation)
    public = set(publication.public_photo_ids(row, innovation))
    state = "hidden" if published and hidden else "on" if published else "off"
    lines = [note] if note else []
    lines.append(t("pub.title", code=innovation.code or "", name=innovation.nama_inovasi or ""))
    lines.append(t(f"pub.state_{state}"))
    contact = bool(row and row.public_contact)
    lines.append(t("pub.contact_on" if contact else "pub.contact_off"))
    lines.append(t("pub.photos", shown=len(public), total=len(photos)))
    rows = [
        [
            Button(
                t.plain("pub.decline" if published else "pub.agree"),
                f"pub:{'n' if published else 'y'}:{i}",
            )
        ],
        [Button(t.plain("pub.hide_contact" if contact else "pub.show_contact"), f"pub:c:{i}")],
    ]
    for n, photo in enumerate(photos, start=1):
        mark = t.plain("pub.photo_shown" if photo.id in public else "pub.photo_hidden")
        rows.append(
            [
                Button(
                    t.plain("pub.photo", mark=mark, n=n, name=photo.filename),
                    f"pub:f:{i}:{photo.id}",
                )
            ]
        )
    rows.append([Button(t.plain("card.open"), f"st:{i}")])
    return Screen("\n".join(lines), rows, edit=bool(note))
