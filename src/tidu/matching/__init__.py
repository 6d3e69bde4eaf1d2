"""Search and recommendation for any items with Chinese text (no Django): tokenise with jieba and a
domain dictionary, rank with BM25, tolerate pinyin-input typos, filter on attributes, explain."""

from tidu.matching.embedding import EmbedderUnavailable, load_local_embedder
from tidu.matching.index import Boost, Explanation, Filter, Index, Item, Query, Result, TermMatch
from tidu.matching.text import normalise, query_terms, words

__all__ = [
    "Boost",
    "EmbedderUnavailable",
    "Explanation",
    "Filter",
    "Index",
    "Item",
    "Query",
    "Result",
    "TermMatch",
    "load_local_embedder",
    "normalise",
    "query_terms",
    "words",
]
