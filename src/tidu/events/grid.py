"""The meeting grid of a matchmaking event (百场万企), with no Django: pair scores, two schedulers, a check.

A grid puts 1:1 meetings (one large firm × one SME) into time slots and tables. The CP-SAT model
(OR-Tools) maximises, in this order: must-meet requests honoured, SMEs with at least one meeting,
total match quality. The greedy scheduler is the baseline the benchmark compares it with, and its
grid is the CP-SAT search's starting hint. Both return plain data; the app stores it.

>>> big = Firm(id=1, side=LARGE, interests=frozenset({"传感器", "工业软件"}), industry="C3484")
>>> sme = Firm(id=2, side=SME, interests=frozenset({"传感器"}), industry="C3484", tier="little_giant")
>>> pair_score(big, sme)
80
>>> grid = solve_cpsat(Problem(slots=2, tables=1, firms=[big, sme]))
>>> [(m.slot, m.table, m.large, m.sme) for m in grid.meetings], conflicts(grid.meetings, Problem(2, 1, [big, sme]))
([(0, 1, 1, 2)], [])
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

LARGE = "large"
SME = "sme"

# Points a pair earns from the SME's tier (the programmes ask large firms to meet 专精特新 firms first).
TIER_POINTS: dict[str, int] = {"little_giant": 20, "specialized": 15, "innovative": 10, "tech": 5, "": 0}
TIER_LABELS: dict[str, str] = {
    "little_giant": "专精特新“小巨人”企业",
    "specialized": "专精特新中小企业",
    "innovative": "创新型中小企业",
    "tech": "科技型中小企业",
    "": "未获梯度认定",
}
MAX_SCORE = 100


@dataclass(frozen=True)
class Firm:
    """One registration: its side, what it is interested in, and whom it asked for."""

    id: int
    side: str  # LARGE or SME
    name: str = ""
    interests: frozenset[str] = frozenset()  # keywords: products, technologies, needs
    industry: str = ""  # GB/T 4754 code, e.g. C3484
    fields: frozenset[str] = frozenset()  # technical fields (领域)
    tier: str = ""  # an SME's tier, a key of TIER_POINTS
    wishes: frozenset[int] = frozenset()  # registrations it would like to meet (a preference)
    must_meet: frozenset[int] = frozenset()  # registrations it must meet


@dataclass(frozen=True)
class Problem:
    slots: int
    tables: int
    firms: list[Firm]
    # Each SME is offered its best few large firms (plus its must-meets and wishes): the rest of the pairs
    # score too low to matter and would only slow the solver.
    candidates_per_sme: int = 10

    def by_id(self) -> dict[int, Firm]:
        return {f.id: f for f in self.firms}


@dataclass(frozen=True)
class Meeting:
    slot: int  # 0-based
    table: int  # 1-based
    large: int
    sme: int
    score: int


@dataclass(frozen=True)
class MissedMustMeet:
    large: int
    sme: int
    reason: str


@dataclass
class Grid:
    method: str  # "cpsat" or "greedy"
    status: str  # "optimal", "feasible", "greedy", "empty"
    meetings: list[Meeting]
    seconds: float
    must_requested: int = 0
    must_missed: list[MissedMustMeet] = field(default_factory=list)
    smes_total: int = 0

    @property
    def total_score(self) -> int:
        return sum(m.score for m in self.meetings)

    @property
    def must_honoured(self) -> int:
        return self.must_requested - len(self.must_missed)

    @property
    def smes_covered(self) -> int:
        return len({m.sme for m in self.meetings})

    def key(self) -> tuple[int, int, int]:
        """What the optimiser maximises, in order: must-meets, SMEs with a meeting, total match quality."""
        return (self.must_honoured, self.smes_covered, self.total_score)


# ---- match quality ---------------------------------------------------------------------------------


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _industry_points(a: str, b: str) -> int:
    """Same GB/T 4754 class (4 digits) 20, group (3) 15, division (2) 10, section letter 3."""
    if not a or not b or a[0] != b[0]:
        return 0
    for length, points in ((5, 20), (4, 15), (3, 10)):
        if len(a) >= length and a[:length] == b[:length]:
            return points
    return 3


def pair_score(large: Firm, sme: Firm) -> int:
    """0–100: interests 40, industry 20, fields 10, the SME's tier 20, a wish either way 10."""
    score = round(40 * _overlap(large.interests, sme.interests))
    score += _industry_points(large.industry, sme.industry)
    score += round(10 * _overlap(large.fields, sme.fields))
    score += TIER_POINTS.get(sme.tier, 0)
    if sme.id in large.wishes or large.id in sme.wishes:
        score += 10
    return min(MAX_SCORE, score)


def pair_reasons(large: Firm, sme: Firm) -> list[str]:
    """Why this pair was proposed, in words a participant reads on their schedule."""
    reasons = []
    common = sorted(large.interests & sme.interests)
    if common:
        reasons.append("共同关注：" + "、".join(common))
    if _industry_points(large.industry, sme.industry) >= 10:
        reasons.append("所属行业相近")
    fields_common = sorted(large.fields & sme.fields)
    if fields_common:
        reasons.append("技术领域：" + "、".join(fields_common))
    if TIER_POINTS.get(sme.tier, 0):
        reasons.append(TIER_LABELS[sme.tier])
    if sme.id in large.must_meet or large.id in sme.must_meet:
        reasons.append("必见请求")
    elif sme.id in large.wishes or large.id in sme.wishes:
        reasons.append("意向对接")
    return reasons


# ---- the shared preparation ------------------------------------------------------------------------


@dataclass
class _Prep:
    larges: list[Firm]
    smes: list[Firm]
    scores: dict[tuple[int, int], int]  # candidate pairs (large, sme) → score
    must: set[tuple[int, int]]
    must_missed_upfront: list[MissedMustMeet]


def _prepare(problem: Problem) -> _Prep:
    by_id = problem.by_id()
    larges = [f for f in problem.firms if f.side == LARGE]
    smes = [f for f in problem.firms if f.side == SME]
    must: set[tuple[int, int]] = set()
    missed: list[MissedMustMeet] = []
    for firm in problem.firms:
        for other_id in sorted(firm.must_meet):
            other = by_id.get(other_id)
            if other is None or other.side == firm.side:
                continue  # a request for a firm not registered on the other side is not a pair
            must.add((firm.id, other.id) if firm.side == LARGE else (other.id, firm.id))
    # A firm cannot meet more partners than there are slots: its lowest-scoring must-meets beyond that
    # are infeasible whatever the schedule.
    per_firm: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pair in must:
        per_firm[pair[0]].append(pair)
        per_firm[pair[1]].append(pair)
    for firm_id, pairs in sorted(per_firm.items()):
        if len(pairs) > problem.slots:
            ranked = sorted(pairs, key=lambda p: (-pair_score(by_id[p[0]], by_id[p[1]]), p))
            for pair in ranked[problem.slots:]:
                if pair in must:
                    must.discard(pair)
                    name = by_id[firm_id].name or str(firm_id)
                    missed.append(MissedMustMeet(pair[0], pair[1], f"{name}的必见请求多于时段数（{problem.slots}个）"))
    scores: dict[tuple[int, int], int] = {}
    for sme in smes:
        ranked = sorted(((pair_score(lg, sme), lg.id) for lg in larges), key=lambda x: (-x[0], x[1]))
        for score, large_id in ranked[: problem.candidates_per_sme]:
            if score > 0:
                scores[(large_id, sme.id)] = score
        for lg in larges:
            if (lg.id, sme.id) in must or sme.id in lg.wishes or lg.id in sme.wishes:
                scores[(lg.id, sme.id)] = pair_score(lg, sme)
    for pair in must:
        scores.setdefault(pair, pair_score(by_id[pair[0]], by_id[pair[1]]))
    return _Prep(larges, smes, scores, must, missed)


def _tables(problem: Problem, placed: list[tuple[int, int, int, int]]) -> list[Meeting]:
    """Number the tables of each slot. With no more large firms than tables, a large firm keeps one
    table all day (SMEs come to it), which is how these events are laid out."""
    large_ids = sorted({f.id for f in problem.firms if f.side == LARGE})
    home = {lid: i + 1 for i, lid in enumerate(large_ids)} if len(large_ids) <= problem.tables else None
    out: list[Meeting] = []
    by_slot: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for slot, large, sme, score in placed:
        by_slot[slot].append((large, sme, score))
    for slot in sorted(by_slot):
        for i, (large, sme, score) in enumerate(sorted(by_slot[slot])):
            out.append(Meeting(slot, home[large] if home else i + 1, large, sme, score))
    return out


def _missed_after(prep: _Prep, placed_pairs: set[tuple[int, int]], reason: str) -> list[MissedMustMeet]:
    return prep.must_missed_upfront + [
        MissedMustMeet(large, sme, reason) for large, sme in sorted(prep.must - placed_pairs)
    ]


# ---- greedy ----------------------------------------------------------------------------------------


def solve_greedy(problem: Problem) -> Grid:
    """Must-meets first, then each SME's best partner, then the remaining pairs by score, each in the
    earliest slot where both firms are free and a table is left."""
    started = time.perf_counter()
    prep = _prepare(problem)
    busy: set[tuple[int, int]] = set()  # (firm, slot)
    used = [0] * problem.slots
    placed: list[tuple[int, int, int, int]] = []
    met: set[tuple[int, int]] = set()

    def place(pair: tuple[int, int]) -> bool:
        if pair in met:
            return True
        large, sme = pair
        for slot in range(problem.slots):
            if used[slot] < problem.tables and (large, slot) not in busy and (sme, slot) not in busy:
                busy.update({(large, slot), (sme, slot)})
                used[slot] += 1
                placed.append((slot, large, sme, prep.scores[pair]))
                met.add(pair)
                return True
        return False

    for pair in sorted(prep.must, key=lambda p: (-prep.scores[p], p)):
        place(pair)
    best: dict[int, tuple[int, int]] = {}  # sme → (score, -large) of its best partner
    for (large, sme), score in prep.scores.items():
        best[sme] = max(best.get(sme, (-1, 0)), (score, -large))
    covered = {sme for _l, sme in met}
    for sme, (_score, neg_large) in sorted(best.items()):
        if sme not in covered:
            place((-neg_large, sme))
    for pair in sorted(prep.scores, key=lambda p: (-prep.scores[p], p)):
        place(pair)
    return Grid(
        method="greedy",
        status="greedy",
        meetings=_tables(problem, placed),
        seconds=time.perf_counter() - started,
        must_requested=len(prep.must) + len(prep.must_missed_upfront),
        must_missed=_missed_after(prep, met, "时段或桌位不足，未能安排"),
        smes_total=len(prep.smes),
    )


# ---- CP-SAT ----------------------------------------------------------------------------------------


def solve_cpsat(problem: Problem, *, time_limit: float = 20.0, workers: int = 8, seed: int = 7) -> Grid:
    """The optimised grid, in two CP-SAT models.

    1. Which pairs meet: at most `slots` meetings per firm and `slots × tables` in all, the objective
       above. Every such choice fits in the slots: a bipartite graph of maximum degree ≤ k has an
       equitable k-edge-colouring (König, de Werra), i.e. one meeting per firm per slot and at most
       ⌈meetings ÷ k⌉ ≤ tables meetings in each slot. So stage 1 is exact, and far smaller than a model
       over pairs × slots (which CP-SAT could not improve past the greedy grid in 20 s at 300 firms).
    2. When each chosen pair meets: a feasibility model over those pairs only.

    `status` is "optimal" when stage 1 was proved optimal, else "feasible" (the best found within the
    time limit, started from the greedy grid as a hint and never worse than it).
    """
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    prep = _prepare(problem)
    pairs = sorted(prep.scores)
    must_requested = len(prep.must) + len(prep.must_missed_upfront)
    greedy = solve_greedy(problem)
    if not pairs or problem.slots <= 0 or problem.tables <= 0:
        greedy.method, greedy.status = "cpsat", "empty"
        return greedy
    by_firm: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for p in pairs:
        by_firm[p[0]].append(p)
        by_firm[p[1]].append(p)

    model = cp_model.CpModel()
    met = {p: model.new_bool_var(f"m{p[0]}_{p[1]}") for p in pairs}
    for firm_pairs in by_firm.values():
        model.add(sum(met[p] for p in firm_pairs) <= problem.slots)
    model.add(sum(met.values()) <= problem.slots * problem.tables)
    covered = {}
    for sme in prep.smes:
        sme_pairs = [p for p in by_firm.get(sme.id, []) if p[1] == sme.id]
        if sme_pairs:
            covered[sme.id] = model.new_bool_var(f"c{sme.id}")
            model.add(covered[sme.id] <= sum(met[p] for p in sme_pairs))
    # Lexicographic, in two solves: first the most must-meets and SMEs covered (a must-meet outweighs every
    # SME), then, holding those counts, the highest total score. One weighted solve with weights that large
    # left the score part far from its bound.
    must_sum = sum(met[p] for p in prep.must)
    cover_sum = sum(covered.values())
    score_sum = sum(prep.scores[p] * met[p] for p in pairs)
    greedy_pairs = {(m.large, m.sme) for m in greedy.meetings}
    greedy_smes = {sme for _l, sme in greedy_pairs}
    for p, var in met.items():
        model.add_hint(var, p in greedy_pairs)
    for sme_id, var in covered.items():
        model.add_hint(var, sme_id in greedy_smes)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    w_must = len(covered) + 1
    model.maximize(w_must * must_sum + cover_sum)
    model.add(w_must * must_sum + cover_sum >= w_must * len(prep.must & greedy_pairs) + len(greedy_smes))
    solver.parameters.max_time_in_seconds = time_limit / 4
    code = solver.solve(model)
    first_optimal = code == cp_model.OPTIMAL
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        model.add(w_must * must_sum + cover_sum >= round(solver.objective_value))
    model.clear_objective()
    model.maximize(score_sum)
    solver.parameters.max_time_in_seconds = time_limit * 3 / 4
    code = solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        greedy.method, greedy.seconds = "cpsat", time.perf_counter() - started
        return greedy
    chosen = [p for p in pairs if solver.value(met[p])]
    optimal = first_optimal and code == cp_model.OPTIMAL

    placed = _assign_slots(problem, chosen, prep.scores, time_limit=time_limit, workers=workers, seed=seed)
    if placed is None:  # cannot happen by the theorem above; kept so a solver failure never loses the grid
        greedy.method, greedy.seconds = "cpsat", time.perf_counter() - started
        return greedy
    return Grid(
        method="cpsat",
        status="optimal" if optimal else "feasible",
        meetings=_tables(problem, placed),
        seconds=time.perf_counter() - started,
        must_requested=must_requested,
        must_missed=_missed_after(
            prep, set(chosen), "时段或桌位不足，无法与其他必见请求同时安排" if optimal else "在限定求解时间内未能安排"
        ),
        smes_total=len(prep.smes),
    )


def _assign_slots(
    problem: Problem, chosen: list[tuple[int, int]], scores: dict[tuple[int, int], int],
    *, time_limit: float, workers: int, seed: int,
) -> list[tuple[int, int, int, int]] | None:
    """Stage 2: a slot for every chosen pair, one meeting per firm per slot, at most `tables` per slot."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    slots = range(problem.slots)
    x = {(p, t): model.new_bool_var(f"x{p[0]}_{p[1]}_{t}") for p in chosen for t in slots}
    for p in chosen:
        model.add_exactly_one(x[(p, t)] for t in slots)
    by_firm: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for p in chosen:
        by_firm[p[0]].append(p)
        by_firm[p[1]].append(p)
    for firm_pairs in by_firm.values():
        for t in slots:
            model.add_at_most_one(x[(p, t)] for p in firm_pairs)
    for t in slots:
        model.add(sum(x[(p, t)] for p in chosen) <= problem.tables)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return [(t, p[0], p[1], scores[p]) for (p, t), var in x.items() if solver.value(var)]


# ---- the check -------------------------------------------------------------------------------------


def conflicts(meetings: list[Meeting], problem: Problem) -> list[str]:
    """Every broken rule of a grid, in words (empty: the grid is valid)."""
    names = {f.id: f.name or str(f.id) for f in problem.firms}
    sides = {f.id: f.side for f in problem.firms}
    problems: list[str] = []
    seen_firm: set[tuple[int, int]] = set()
    seen_table: set[tuple[int, int]] = set()
    seen_pair: set[tuple[int, int]] = set()
    for m in meetings:
        where = f"第{m.slot + 1}时段"
        if not 0 <= m.slot < problem.slots:
            problems.append(f"{where}不在活动时段内")
        if not 1 <= m.table <= problem.tables:
            problems.append(f"{where}的{m.table}号桌超出桌数（{problem.tables}张）")
        if sides.get(m.large) != LARGE or sides.get(m.sme) != SME:
            problems.append(f"{where}的洽谈不是一家大企业对一家中小企业")
        for firm in (m.large, m.sme):
            if (firm, m.slot) in seen_firm:
                problems.append(f"{names.get(firm, firm)}在{where}有两场洽谈")
            seen_firm.add((firm, m.slot))
        if (m.slot, m.table) in seen_table:
            problems.append(f"{where}的{m.table}号桌安排了两场洽谈")
        seen_table.add((m.slot, m.table))
        if (m.large, m.sme) in seen_pair:
            problems.append(f"{names.get(m.large)}与{names.get(m.sme)}安排了两次")
        seen_pair.add((m.large, m.sme))
    return problems
