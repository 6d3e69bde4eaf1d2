"""Generated matchmaking events for the benchmark and the tests (no Django, seeded, reproducible).

One large firm in five; interests drawn from one vocabulary of manufacturing keywords, industries from a
few GB/T 4754 classes, tiers weighted towards the lower ones; about one SME in seven asks to meet one
large firm, one in three wishes for two.
"""

from __future__ import annotations

import random

from tidu.events.grid import LARGE, SME, Firm, Problem

KEYWORDS = ("传感器", "工业软件", "新能源电池", "精密加工", "机器人", "芯片设计", "新材料", "医疗器械",
            "智能网联", "节能环保", "检测认证", "工业互联网", "储能", "激光", "模具", "数控机床")
INDUSTRIES = ("C3484", "C3481", "C3971", "C3562", "C3824", "C3912", "C2651", "C3581", "C3670", "I6513")
FIELDS = ("电子信息", "先进制造", "新能源", "生物医药", "新材料")
TIERS = ("", "", "tech", "innovative", "specialized", "little_giant")


def generate_problem(*, firms: int, slots: int, tables: int | None = None, seed: int = 1,
                     must_share: float = 0.15, wish_share: float = 0.3) -> Problem:
    """`firms` registrations (a fifth of them large firms); tables default to one per large firm."""
    rng = random.Random(seed)
    n_large = max(1, firms // 5)
    n_sme = firms - n_large
    out: list[Firm] = []
    for i in range(n_large):
        out.append(Firm(id=i + 1, side=LARGE, name=f"大企业{i + 1}", interests=frozenset(rng.sample(KEYWORDS, 4)),
                        industry=rng.choice(INDUSTRIES), fields=frozenset(rng.sample(FIELDS, 2))))
    large_ids = range(1, n_large + 1)
    for j in range(n_sme):
        must = frozenset(rng.sample(large_ids, 1)) if rng.random() < must_share else frozenset()
        wishes = frozenset(rng.sample(large_ids, min(2, n_large))) if rng.random() < wish_share else frozenset()
        out.append(Firm(id=10_000 + j, side=SME, name=f"中小企业{j + 1}", interests=frozenset(rng.sample(KEYWORDS, 3)),
                        industry=rng.choice(INDUSTRIES), fields=frozenset(rng.sample(FIELDS, 1)),
                        tier=rng.choice(TIERS), wishes=wishes, must_meet=must))
    return Problem(slots=slots, tables=tables if tables is not None else n_large, firms=out)
