"""Normalise and tokenise Chinese text for search: jieba words, synonyms and pinyin bigrams.

Three kinds of index term come out of a text:

- words (``w:``): jieba in search mode, with the shipped user dictionary of domain terms;
- pinyin bigrams (``p:``): the toneless pinyin of every two neighbouring Chinese characters, so a
  query typed with a pinyin input method and the wrong character (只能排产 for 智能排产) still
  meets the right items;
- nothing else: stop words and punctuation are dropped.

Everything loads from files inside the package; nothing is fetched at run time.

>>> words("我们厂的次品率太高，想上机器视觉质检")
['次品', '次品率', '机器', '视觉', '机器视觉', '质检']
>>> pinyin_bigrams("只能排产")
['zhineng', 'nengpai', 'paichan']
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import cache, lru_cache
from importlib import resources
from itertools import pairwise

import jieba

jieba.setLogLevel(logging.WARNING)

_LOCK = threading.Lock()
_HAN = re.compile(r"[\u3400-\u9fff]")
_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_KEEP = re.compile(r"[\u3400-\u9fffa-z0-9]")


def _data(name: str) -> str:
    return resources.files("tidu.matching").joinpath(f"data/{name}").read_text(encoding="utf-8")


@cache
def _tokenizer() -> jieba.Tokenizer:
    """A private jieba tokenizer (the global one may carry other users' dictionaries)."""
    with _LOCK:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        path = resources.files("tidu.matching").joinpath("data/userdict.txt")
        with resources.as_file(path) as file:
            tokenizer.load_userdict(str(file))
        return tokenizer


@cache
def stopwords() -> frozenset[str]:
    return frozenset(_data("stopwords.txt").split())


@cache
def synonym_groups() -> dict[str, tuple[str, ...]]:
    """word -> the other words of its synonym group(s)."""
    found: dict[str, set[str]] = {}
    for line in _data("synonyms.txt").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        group = [normalise(w) for w in line.split()]
        for word in group:
            found.setdefault(word, set()).update(w for w in group if w != word)
    return {w: tuple(sorted(others)) for w, others in found.items()}


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, whitespace collapsed (NFKC keeps Chinese as is)."""
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


def words(text: str) -> list[str]:
    """The word tokens of `text` (search mode: long words also give their parts), stop words dropped."""
    text = normalise(text)
    if not text:
        return []
    out = []
    stop = stopwords()
    for token in _tokenizer().cut_for_search(text, HMM=False):
        token = token.strip()
        if not token or token in stop or not _KEEP.search(token):
            continue
        if len(token) == 1 and _HAN.match(token):
            continue  # a lone character (多, 单, 坏) matches almost anything; pinyin pairs still cover it
        out.append(token)
    return out


@cache
def _char_pinyin(char: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(char, style=Style.NORMAL, errors="ignore")[0] if _HAN.match(char) else ""


def pinyin_bigrams(text: str) -> list[str]:
    """Toneless pinyin of each pair of neighbouring Chinese characters (within a run of Chinese)."""
    out: list[str] = []
    for run in _HAN_RUN.findall(normalise(text)):
        sounds = [_char_pinyin(c) for c in run]
        out.extend(a + b for a, b in pairwise(sounds) if a and b)
    return out


@cache
def _syllables() -> frozenset[str]:
    from pypinyin import Style, lazy_pinyin
    from pypinyin.pinyin_dict import pinyin_dict

    chars = "".join(chr(code) for code in pinyin_dict if 0x4E00 <= code <= 0x9FFF)
    return frozenset(lazy_pinyin(chars, style=Style.NORMAL, errors="ignore"))


def split_pinyin(latin: str) -> list[str] | None:
    """Split letters typed as pinyin without choosing characters ("zhinengpaichan") into syllables,
    or None when they are not pinyin (an English word, an abbreviation like MES)."""
    syllables = _syllables()
    word = latin.lower()

    @cache
    def best(start: int) -> tuple[str, ...] | None:
        if start == len(word):
            return ()
        for end in range(min(len(word), start + 6), start, -1):
            if word[start:end] in syllables:
                rest = best(end)
                if rest is not None:
                    return (word[start:end], *rest)
        return None

    found = best(0)
    return list(found) if found and len(found) >= 2 else None


def index_terms(text: str) -> list[str]:
    """Every index term of `text`: ``w:`` words and ``p:`` pinyin bigrams (repeats kept: they are tf)."""
    return [f"w:{w}" for w in words(text)] + [f"p:{p}" for p in pinyin_bigrams(text)]


def query_terms(text: str) -> dict[str, tuple[float, str]]:
    """Weighted terms of a query: term -> (weight, the query word it came from, for explanations).

    Words weigh 1, their synonyms 0.5, pinyin bigrams 0.35 (they only decide when words do not
    match, e.g. a pinyin-input typo), pinyin typed in latin letters 0.6.
    """
    found: dict[str, tuple[float, str]] = {}

    def put(term: str, weight: float, origin: str) -> None:
        if term not in found or found[term][0] < weight:
            found[term] = (weight, origin)

    synonyms = synonym_groups()
    for word in words(text):
        put(f"w:{word}", 1.0, word)
        for other in synonyms.get(word, ()):
            for part in words(other) or [other]:
                put(f"w:{part}", 0.5, word)
        if _ASCII_WORD.fullmatch(word):
            sounds = split_pinyin(word)
            if sounds:
                for a, b in pairwise(sounds):
                    put(f"p:{a}{b}", 0.6, word)
    for run in _HAN_RUN.findall(normalise(text)):
        sounds = [_char_pinyin(c) for c in run]
        for i in range(len(run) - 1):
            if sounds[i] and sounds[i + 1]:
                put(f"p:{sounds[i]}{sounds[i + 1]}", 0.35, run[i: i + 2])
    return found


@lru_cache(maxsize=4096)
def cached_query_terms(text: str) -> dict[str, tuple[float, str]]:
    """`query_terms`, remembered (the same queries come back: typed, paged, re-filtered). Do not mutate."""
    return query_terms(text)


@lru_cache(maxsize=4096)
def cached_words(text: str) -> tuple[str, ...]:
    return tuple(words(text))
