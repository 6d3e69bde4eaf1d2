"""A BM25 index over items with text fields and attributes: filters, boosts, explanations, updates.

The interface is general (scenarios today; policies, large-firm needs and services later):

- an `Item` has an id, text fields (title, body …) and attributes (area, industries, min_level …);
- a `Query` has text, hard `Filter`s (an item that fails one is never returned) and soft `Boost`s
  (a fit that adds to the score and is named in the explanation);
- `Index.search` returns `Result`s, best first, each with its `Explanation`.

Field weights multiply term frequencies (one length normalisation over the weighted text, the usual
BM25F shortcut). Postings live in dicts (cheap incremental add/remove) and are compiled lazily to
numpy arrays per term, so a query costs a few vector operations per query term.

>>> index = Index(field_weights={"title": 3.0, "body": 1.0})
>>> index.add(Item("a", {"title": "机器视觉质量检测", "body": "替代人工目检"}, {"area": "生产运维"}))
>>> index.add(Item("b", {"title": "智能排产", "body": "订单多、交期紧时自动排程"}, {"area": "生产运维"}))
>>> [r.id for r in index.search(Query("只能排产"))]
['b']
>>> index.search(Query("质检 视觉"))[0].explanation.matched_terms
['视觉', '检测', '质量', '质量检测']
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from tidu.matching.text import (
    _HAN_RUN,
    _char_pinyin,
    cached_query_terms,
    cached_words,
    index_terms,
    normalise,
)

FilterOp = Literal["eq", "in", "any", "prefix", "covers", "lte", "gte", "between"]


@dataclass(frozen=True)
class Item:
    """Something to find. `fields` are texts by name; `attributes` are values or lists of values."""

    id: str
    fields: dict[str, str]
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Filter:
    """A condition on one attribute; `label` says it in Chinese for the explanation.

    ops: eq (one of the item's values equals value), in (one equals one of value), any (same as in),
    prefix (one starts with value), covers (one of the item's values is a prefix of value, or is
    "*": the item applies to everything, e.g. industries ["C34"] cover the firm's "C3484"),
    lte/gte (number), between (value = (low, high), inclusive).
    """

    attribute: str
    op: FilterOp
    value: Any
    label: str = ""

    def passes(self, attributes: dict[str, Any]) -> bool:
        raw = attributes.get(self.attribute)
        values = list(raw) if isinstance(raw, list | tuple | set | frozenset) else ([] if raw is None else [raw])
        if self.op == "eq":
            return any(v == self.value for v in values)
        if self.op in ("in", "any"):
            wanted = set(self.value)
            return any(v in wanted for v in values)
        if self.op == "prefix":
            return any(str(v).startswith(str(self.value)) for v in values)
        if self.op == "covers":
            return any(v == "*" or str(self.value).startswith(str(v)) for v in values if v != "")
        numbers = [float(v) for v in values if isinstance(v, int | float)]
        if self.op == "lte":
            return any(n <= float(self.value) for n in numbers)
        if self.op == "gte":
            return any(n >= float(self.value) for n in numbers)
        if self.op == "between":
            low, high = self.value
            return any(float(low) <= n <= float(high) for n in numbers)
        raise ValueError(f"unknown filter op {self.op!r}")


@dataclass(frozen=True)
class Boost:
    """A soft preference: items passing `filter` get `weight` added (and the label in their reasons)."""

    filter: Filter
    weight: float


@dataclass(frozen=True)
class Query:
    text: str = ""
    filters: tuple[Filter, ...] = ()
    boosts: tuple[Boost, ...] = ()
    limit: int = 10
    min_text_score: float = 0.0  # with text: drop items whose text score is not above this


@dataclass(frozen=True)
class TermMatch:
    query_word: str  # the word of the query (or of its synonym/pinyin expansion)
    term: str  # what matched in the item (a word, or a pinyin pair)
    kind: str  # word | synonym | pinyin
    fields: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class Explanation:
    text_score: float
    boost_score: float
    embedding_score: float
    matches: tuple[TermMatch, ...]
    filters_passed: tuple[str, ...]
    boosts_applied: tuple[str, ...]

    @property
    def matched_terms(self) -> list[str]:
        """The item's words (or pinyin pairs) that matched, strongest first, each once."""
        seen: list[str] = []
        for m in sorted(self.matches, key=lambda m: -m.score):
            label = m.term
            if label not in seen:
                seen.append(label)
        return seen


    @property
    def matched_words(self) -> list[str]:
        """Only the words matched as written or as synonyms (what a reason shown to people should name)."""
        return [t for t in self.matched_terms if any(m.term == t and m.kind != "pinyin" for m in self.matches)]

    @property
    def matched_sounds(self) -> list[str]:
        """The item's words matched only by pinyin (a typo in the query, most likely)."""
        words = set(self.matched_words)
        return [t for t in self.matched_terms if t not in words]


@dataclass(frozen=True)
class Result:
    id: str
    score: float
    explanation: Explanation
    item: Item


Embedder = Callable[[Sequence[str]], Any]  # texts -> array (n, d) of vectors


class Index:
    """An in-memory BM25 index. Not thread-safe for writes; build it, then query it."""

    def __init__(
        self,
        *,
        field_weights: dict[str, float] | None = None,
        k1: float = 1.2,
        b: float = 0.6,
        embedder: Embedder | None = None,
        embedding_weight: float = 2.0,
    ) -> None:
        self.field_weights = field_weights or {}
        self.k1, self.b = k1, b
        self.embedder = embedder
        self.embedding_weight = embedding_weight
        self._slot: dict[str, int] = {}  # item id -> slot
        self._items: list[Item | None] = []
        self._free: list[int] = []
        self._length = np.zeros(1024, dtype=np.float32)
        self._alive = np.zeros(1024, dtype=bool)
        self._postings: dict[str, dict[int, float]] = {}
        self._compiled: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # term -> (slots, contributions)
        self._doc_terms: dict[int, tuple[str, ...]] = {}
        self._total_length = 0.0
        self._vectors: dict[int, np.ndarray] = {}
        self._attr_masks: dict[tuple[str, str, str], np.ndarray] = {}

    # -- updates -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._slot

    def add(self, item: Item) -> None:
        """Add an item, or replace the item with the same id."""
        if item.id in self._slot:
            self.remove(item.id)
        slot = self._free.pop() if self._free else len(self._items)
        if slot == len(self._items):
            self._items.append(None)
            if slot >= len(self._length):
                self._length = np.resize(self._length, len(self._length) * 2)
                alive = np.zeros(len(self._length), dtype=bool)
                alive[: len(self._alive)] = self._alive
                self._alive = alive
        self._items[slot] = item
        self._slot[item.id] = slot
        tf: dict[str, float] = {}
        for name, text in item.fields.items():
            weight = self.field_weights.get(name, 1.0)
            for term in index_terms(text):
                tf[term] = tf.get(term, 0.0) + weight
        length = sum(v for t, v in tf.items() if t.startswith("w:")) or 1.0
        self._length[slot] = length
        self._alive[slot] = True
        self._total_length += length
        for term, value in tf.items():
            self._postings.setdefault(term, {})[slot] = value
        if self._compiled:
            self._compiled.clear()  # N and the average length changed: contributions are recomputed lazily
        self._doc_terms[slot] = tuple(tf)
        self._attr_masks.clear()
        if self.embedder is not None:
            self._vectors[slot] = _unit(np.asarray(self.embedder([self._embed_text(item)]))[0])

    def add_many(self, items: Iterable[Item]) -> None:
        for item in items:
            self.add(item)

    def remove(self, item_id: str) -> bool:
        """Remove an item; False when it was not there."""
        slot = self._slot.pop(item_id, None)
        if slot is None:
            return False
        for term in self._doc_terms.pop(slot, ()):
            postings = self._postings.get(term)
            if postings is not None:
                postings.pop(slot, None)
                if not postings:
                    del self._postings[term]
        self._compiled.clear()
        self._total_length -= float(self._length[slot])
        self._alive[slot] = False
        self._length[slot] = 0
        self._items[slot] = None
        self._vectors.pop(slot, None)
        self._free.append(slot)
        self._attr_masks.clear()
        return True

    def get(self, item_id: str) -> Item | None:
        slot = self._slot.get(item_id)
        return self._items[slot] if slot is not None else None

    # -- queries -------------------------------------------------------------------------------

    def search(self, query: Query) -> list[Result]:
        """The best `query.limit` items that pass every filter, best first, each explained."""
        n = len(self._items)
        if n == 0 or not self._slot:
            return []
        mask = self._alive[:n].copy()
        for flt in query.filters:
            mask &= self._mask(flt, n)
        weighted = self._effective_terms(query.text)
        text_scores = np.zeros(n, dtype=np.float32)
        avg = self._total_length / max(len(self._slot), 1)
        for term, (weight, _origin) in weighted.items():
            compiled = self._compile(term, avg)
            if compiled is None:
                continue
            slots, contributions = compiled
            text_scores[slots] += np.float32(weight) * contributions
        scores = text_scores.copy()
        emb = np.zeros(n, dtype=np.float32)
        if self.embedder is not None and query.text.strip() and self._vectors:
            qv = _unit(np.asarray(self.embedder([query.text]))[0])
            for slot, vec in self._vectors.items():
                emb[slot] = max(0.0, float(vec @ qv)) * self.embedding_weight
            scores += emb
        if weighted:
            mask &= (text_scores > query.min_text_score) | (emb > 0)
        boost_total = np.zeros(n, dtype=np.float32)
        for boost in query.boosts:
            boost_total += self._mask(boost.filter, n) * np.float32(boost.weight)
        scores += boost_total
        candidates = np.flatnonzero(mask)
        if candidates.size == 0:
            return []
        k = min(query.limit, candidates.size)
        cand_scores = scores[candidates]
        # ties broken by insertion order (stable, so results do not flicker between runs)
        top = candidates[np.argpartition(-cand_scores, k - 1)[:k]] if candidates.size > k else candidates
        ranked = sorted(top.tolist(), key=lambda s: (-float(scores[s]), s))
        return [self._result(slot, float(scores[slot]), float(text_scores[slot]), float(boost_total[slot]),
                             float(emb[slot]), query, weighted, avg) for slot in ranked]

    def explain(self, item_id: str, query: Query) -> Explanation | None:
        """Why `item_id` scores what it does for `query` (also when it is not in the top results)."""
        slot = self._slot.get(item_id)
        if slot is None:
            return None
        weighted = self._effective_terms(query.text)
        avg = self._total_length / max(len(self._slot), 1)
        text = 0.0
        for term, (weight, _origin) in weighted.items():
            tf = self._postings.get(term, {}).get(slot)
            if tf:
                text += weight * self._bm25_one(term, slot, tf, avg)
        item = self._items[slot]
        assert item is not None
        boost = sum(b.weight for b in query.boosts if b.filter.passes(item.attributes))
        return self._result(slot, text + boost, text, boost, 0.0, query, weighted, avg).explanation

    # -- internals -----------------------------------------------------------------------------

    def _effective_terms(self, text: str) -> dict[str, tuple[float, str]]:
        """The query's terms without the pinyin pairs of words the index already knows as written:
        those pairs only repeat the word's evidence (and cost the most: common sounds have long
        postings). Pairs of unknown words stay: that is where an input-method typo shows."""
        if not text.strip():
            return {}
        terms = cached_query_terms(text)
        known = [t[2:] for t, (w, _o) in terms.items() if t.startswith("w:") and w >= 1.0 and t in self._postings]
        if not known:
            return terms
        covered = {word[i: i + 2] for word in known for i in range(len(word) - 1)}
        return {t: v for t, v in terms.items() if not (t.startswith("p:") and v[1] in covered)}

    def _bm25(self, slots: np.ndarray, tfs: np.ndarray, avg: float) -> np.ndarray:
        df = len(slots)
        total = len(self._slot)
        idf = math.log(1.0 + (total - df + 0.5) / (df + 0.5))
        norm = self.k1 * (1.0 - self.b + self.b * self._length[slots] / max(avg, 1e-9))
        return np.float32(idf) * tfs * (self.k1 + 1.0) / (tfs + norm)

    def _bm25_one(self, term: str, slot: int, tf: float, avg: float) -> float:
        """The same as `_bm25` for one posting, in plain floats (explanations of ten results)."""
        df = len(self._postings[term])
        idf = math.log(1.0 + (len(self._slot) - df + 0.5) / (df + 0.5))
        norm = self.k1 * (1.0 - self.b + self.b * float(self._length[slot]) / max(avg, 1e-9))
        return idf * tf * (self.k1 + 1.0) / (tf + norm)

    def _compile(self, term: str, avg: float) -> tuple[np.ndarray, np.ndarray] | None:
        """(slots, BM25 contributions) of a term, computed once until the index changes."""
        compiled = self._compiled.get(term)
        if compiled is None:
            postings = self._postings.get(term)
            if not postings:
                return None
            slots = np.fromiter(postings.keys(), dtype=np.int64, count=len(postings))
            tfs = np.fromiter(postings.values(), dtype=np.float32, count=len(postings))
            compiled = (slots, self._bm25(slots, tfs, avg).astype(np.float32))
            self._compiled[term] = compiled
        return compiled

    def _mask(self, flt: Filter, n: int) -> np.ndarray:
        key = (flt.attribute, flt.op, repr(flt.value))
        mask = self._attr_masks.get(key)
        if mask is None or len(mask) != n:
            # evaluated once per distinct filter and cached until the index changes
            cache: dict[str, bool] = {}
            mask = np.zeros(n, dtype=bool)
            for slot, item in enumerate(self._items):
                if item is None:
                    continue
                raw = item.attributes.get(flt.attribute)
                rkey = repr(raw)
                hit = cache.get(rkey)
                if hit is None:
                    hit = cache[rkey] = flt.passes(item.attributes)
                mask[slot] = hit
            self._attr_masks[key] = mask
        return mask

    def _result(self, slot: int, score: float, text: float, boost: float, emb: float, query: Query,
                weighted: dict[str, tuple[float, str]], avg: float) -> Result:
        item = self._items[slot]
        assert item is not None
        matches: list[TermMatch] = []
        if weighted:
            # no tokenising here (jieba is the slow part): words by substring, pinyin pairs by sound
            texts = {name: normalise(t) for name, t in item.fields.items()}
            pairs: dict[str, tuple[str, set[str]]] | None = None
            plain = set(cached_words(query.text))
            for term, (weight, origin) in weighted.items():
                tf = self._postings.get(term, {}).get(slot)
                if not tf:
                    continue
                part = weight * self._bm25_one(term, slot, tf, avg)
                if term.startswith("p:"):
                    if pairs is None:
                        pairs = _pinyin_pairs(texts)
                    chars, in_fields = pairs.get(term[2:], (term[2:], set()))
                    kind, label, where = "pinyin", chars, tuple(n for n in texts if n in in_fields)
                else:
                    kind = "word" if term[2:] in plain else "synonym"
                    label = term[2:]
                    where = tuple(n for n, t in texts.items() if label in t)
                matches.append(TermMatch(query_word=origin, term=label, kind=kind, fields=where, score=part))
        matches.sort(key=lambda m: -m.score)
        explanation = Explanation(
            text_score=text, boost_score=boost, embedding_score=emb, matches=tuple(matches),
            filters_passed=tuple(f.label or f"{f.attribute} {f.op} {f.value}" for f in query.filters),
            boosts_applied=tuple(b.filter.label or b.filter.attribute for b in query.boosts
                                 if b.filter.passes(item.attributes)),
        )
        return Result(id=item.id, score=score, explanation=explanation, item=item)

    def _embed_text(self, item: Item) -> str:
        return "\n".join(item.fields.values())


def _pinyin_pairs(texts: dict[str, str]) -> dict[str, tuple[str, set[str]]]:
    """pinyin pair -> (the first two characters with that sound, the fields holding it), in one pass,
    so an explanation shows 智能 rather than zhineng."""
    found: dict[str, tuple[str, set[str]]] = {}
    for name, text in texts.items():
        for run in _HAN_RUN.findall(text):
            sounds = [_char_pinyin(c) for c in run]
            for i in range(len(run) - 1):
                pair = sounds[i] + sounds[i + 1]
                entry = found.setdefault(pair, (run[i: i + 2], set()))
                entry[1].add(name)
    return found


def _unit(vector: np.ndarray) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector
