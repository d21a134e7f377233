"""Charts for /statistik, drawn with matplotlib into PNG bytes (no screen needed)."""

from __future__ import annotations

import io
from collections.abc import Mapping

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
) -> bytes:
    """Draw innovations per unit and, when there are monev periods, compliance per unit
    (on time / late / missing)."""
    units = sorted(set(innovations) | set(compliance), key=lambda u: -innovations.get(u, 0))
    units = units[:MAX_UNITS] or ["-"]
    panels = 2 if compliance else 1
    height = max(3.0, 0.42 * len(units) + 1.6)
    fig, axes = plt.subplots(panels, 1, figsize=(7.5, height * panels), squeeze=False)
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
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()
