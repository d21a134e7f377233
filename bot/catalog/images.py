"""The catalog's images: thumbnails of public photos and the summary's chart, both kept in a
small in-memory cache (drawing them takes far longer than sending them)."""

from __future__ import annotations

import io
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from pathlib import Path

from PIL import Image, ImageOps

THUMBNAIL_SIZE = 480
JPEG_QUALITY = 78
# a photo of more pixels than this is not opened (a "decompression bomb" is refused)
MAX_PIXELS = 60_000_000


class ImageError(Exception):
    """The file is missing, is not an image Pillow reads, or is too large."""


def thumbnail(path: Path, size: int = THUMBNAIL_SIZE) -> bytes:
    """Return a JPEG of the photo at most ``size`` pixels wide and high, turned upright; no
    metadata is carried over (EXIF with its GPS position stays behind)."""
    try:
        with Image.open(path) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ImageError("too many pixels")
            image.draft("RGB", (size, size))  # JPEG decodes at a fraction of its size: faster
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((size, size))
            if upright.mode != "RGB":
                upright = upright.convert("RGB")
            out = io.BytesIO()
            upright.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageError(str(exc)) from exc


def unit_chart(by_unit: Mapping[str, int], title: str) -> bytes:
    """Draw the innovations per unit as /statistik does (without monev compliance: that is
    not public)."""
    from bot import charts  # matplotlib is loaded on first use, not at start-up

    return charts.unit_chart(dict(by_unit), {}, titles={"innovations": title})


class Cache:
    """The latest ``size`` results, by key."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()

    def get(self, key: Hashable) -> bytes | None:
        """Return what was kept under ``key``, None if nothing is."""
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: Hashable, value: bytes) -> None:
        """Keep ``value``, forgetting the least recently used beyond the size."""
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
