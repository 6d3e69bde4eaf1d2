"""A radar chart of a standard's scoring groups as inline SVG: no JavaScript, no CDN, prints as is.

Each axis is one group, scaled to its maximum; the filled polygon is the points surely earned, the
dashed one the points still possible while some inputs are unknown.
"""

from __future__ import annotations

import math
from decimal import Decimal
from html import escape
from typing import Any

SIZE = 260
R = 80


def _ratio(points: str | None, most: str | None) -> float:
    if points is None or not most or Decimal(most) == 0:
        return 0.0
    return max(0.0, min(1.0, float(Decimal(points) / Decimal(most))))


def _xy(i: int, n: int, r: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * i / n
    return SIZE / 2 + r * math.cos(angle), SIZE / 2 + r * math.sin(angle)


def _poly(ratios: list[float]) -> str:
    n = len(ratios)
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in (_xy(i, n, R * v) for i, v in enumerate(ratios)))


def radar_svg(groups: list[dict[str, Any]], *, title: str = "") -> str:
    """SVG markup for ≥ 3 groups (a bar per group below that); '' when there is nothing to draw."""
    groups = [g for g in groups if g.get("max")]
    if not groups:
        return ""
    if len(groups) < 3:
        return bars_svg(groups, title=title)
    n = len(groups)
    lo = [_ratio(g["points_lo"], g["max"]) for g in groups]
    hi = [_ratio(g["points_hi"], g["max"]) for g in groups]
    parts = [f'<svg class="radar" viewBox="-60 -6 {SIZE + 120} {SIZE + 12}" role="img" aria-label="{escape(title)}雷达图" '
             'xmlns="http://www.w3.org/2000/svg">']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    for ring in (0.25, 0.5, 0.75, 1.0):
        parts.append(f'<polygon points="{_poly([ring] * n)}" fill="none" stroke="#d0d5dc" stroke-width="1"/>')
    for i in range(n):
        x, y = _xy(i, n, R)
        parts.append(f'<line x1="{SIZE / 2}" y1="{SIZE / 2}" x2="{x:.1f}" y2="{y:.1f}" stroke="#d0d5dc"/>')
    if hi != lo:
        parts.append(f'<polygon class="possible" points="{_poly(hi)}" fill="none" stroke="#2f8fce" '
                     'stroke-dasharray="4 3" stroke-width="1.5"/>')
    parts.append(f'<polygon class="earned" points="{_poly(lo)}" fill="#2f8fce" fill-opacity="0.35" '
                 'stroke="#1f6fa5" stroke-width="2"/>')
    for i, g in enumerate(groups):
        x, y = _xy(i, n, R + 22)
        anchor = "middle" if abs(x - SIZE / 2) < 10 else ("start" if x > SIZE / 2 else "end")
        pts = g["points_lo"] if g["points_lo"] == g["points_hi"] else f'{g["points_lo"]}–{g["points_hi"]}'
        parts.append(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="11" fill="#333">'
                     f'{escape(g["label"])}</text>')
        parts.append(f'<text x="{x:.1f}" y="{y + 13:.1f}" text-anchor="{anchor}" font-size="10" fill="#666">'
                     f'{escape(str(pts))}/{escape(str(g["max"]))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bars_svg(groups: list[dict[str, Any]], *, title: str = "") -> str:
    """Horizontal bars, for one or two groups (a radar needs three axes)."""
    h = 28 * len(groups) + 8
    parts = [f'<svg class="bars" viewBox="0 0 {SIZE} {h}" role="img" aria-label="{escape(title)}" '
             'xmlns="http://www.w3.org/2000/svg">']
    for i, g in enumerate(groups):
        y = 8 + 28 * i
        w = 150 * _ratio(g["points_lo"], g["max"])
        parts.append(f'<text x="0" y="{y + 12}" font-size="11">{escape(g["label"])}</text>')
        parts.append(f'<rect x="100" y="{y}" width="150" height="14" fill="#eef1f4"/>')
        parts.append(f'<rect x="100" y="{y}" width="{w:.1f}" height="14" fill="#2f8fce"/>')
    parts.append("</svg>")
    return "".join(parts)
