"""Charts for /statistik, drawn with matplotlib into PNG bytes (no screen needed)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # the backend is chosen first

MAX_UNITS = 20


def _short(name: str, width: int = 38) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def unit_chart(
    innovations: Mapping[str, int],
    compliance: Mapping[str, tuple[int, int, int]],
    *,
    titles: Mapping[str, str],
    bands: Sequence[tuple[str, int]] = (),
) -> bytes:
    """Draw innovations per unit and, when there are monev periods, compliance per unit
    (on time / late / missing); with ``bands`` (label, count), innovations by the band of
    their estimated IID score below."""
    units = sorted(set(innovations) | set(compliance), key=lambda u: -innovations.get(u, 0))
    units = units[:MAX_UNITS] or ["-"]
    panels = 1 + bool(compliance)
    height = max(3.0, 0.42 * len(units) + 1.6)
    band_height = max(2.4, 0.42 * len(bands) + 1.4) if bands else 0.0
    fig, axes = plt.subplots(
        panels + bool(bands),
        1,
        figsize=(7.5, height * panels + band_height),
        squeeze=False,
        gridspec_kw={"height_ratios": [height] * panels + ([band_height] if bands else [])},
    )
    labels = [_short(u) for u in units]
    positions = list(range(len(units)))
    left = axes[0][0]
    left.barh(positions, [innovations.get(u, 0) for u in units], color="#2f6db5")
    left.set_yticks(positions, labels)
    left.invert_yaxis()
    left.set_title(titles["innovations"])
    left.xaxis.get_major_locator().set_params(integer=True)
    if compliance:
        right = axes[1][0]
        on_time = [compliance.get(u, (0, 0, 0))[0] for u in units]
        late = [compliance.get(u, (0, 0, 0))[1] for u in units]
        missing = [compliance.get(u, (0, 0, 0))[2] for u in units]
        right.barh(positions, on_time, color="#2e9e5b", label=titles["on_time"])
        right.barh(positions, late, left=on_time, color="#f0a830", label=titles["late"])
        right.barh(
            positions,
            missing,
            left=[a + b for a, b in zip(on_time, late, strict=True)],
            color="#d64545",
            label=titles["missing"],
        )
        right.set_yticks(positions, labels)
        right.invert_yaxis()
        right.set_title(titles["compliance"])
        right.legend(loc="lower right", fontsize="small")
        right.xaxis.get_major_locator().set_params(integer=True)
    if bands:
        _band_panel(axes[panels][0], bands, titles["bands"])
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()


BAND_COLOURS = ("#2e9e5b", "#2f6db5", "#f0a830", "#9e9e9e", "#d64545")


def _band_panel(axis: Any, bands: Sequence[tuple[str, int]], title: str) -> None:
    """Innovations per band, in the order given (highest band first)."""
    positions = list(range(len(bands)))
    colours = [BAND_COLOURS[min(n, len(BAND_COLOURS) - 1)] for n in positions]
    axis.barh(positions, [n for _, n in bands], color=colours)
    axis.set_yticks(positions, [_short(label) for label, _ in bands])
    axis.invert_yaxis()
    axis.set_title(title)
    axis.xaxis.get_major_locator().set_params(integer=True)
