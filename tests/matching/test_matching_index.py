"""The matching engine's contract: filters, boosts, explanations, incremental updates, the embedding hook.
Pure Python: no Django here."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from tidu.matching import Boost, EmbedderUnavailable, Filter, Index, Item, Query, load_local_embedder, words


def _index() -> Index:
    index = Index(field_weights={"title": 3.0, "body": 1.0})
    index.add_many([
        Item("vision", {"title": "机器视觉缺陷检测", "body": "替代人工目检，减少次品"},
             {"area": "生产运维", "industries": ["C33", "C34"], "min_level": 1}),
        Item("aps", {"title": "智能排产", "body": "急单插单时自动重排生产计划"},
             {"area": "生产运维", "industries": ["C"], "min_level": 2}),
        Item("invoice", {"title": "发票识别与自动记账", "body": "财务对账"},
             {"area": "经营管理", "industries": ["*"], "min_level": 1}),
        Item("twin", {"title": "数字孪生虚拟调试", "body": "设备整机调试"},
             {"area": "研发设计", "industries": ["C34"], "min_level": 3}),
    ])
    return index


def test_the_engine_runs_without_django() -> None:
    code = ("import sys, tidu.matching as m; m.Index().search(m.Query('排产')); "
            "sys.exit(any(n.split('.')[0] == 'django' for n in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_jieba_keeps_domain_terms_from_the_shipped_user_dictionary_whole() -> None:
    assert "预测性维护" in words("想做设备预测性维护")
    assert "智能排产" in words("上一套智能排产系统")


def test_the_best_match_comes_first_and_explains_the_words_it_matched() -> None:
    results = _index().search(Query("次品太多，想用视觉检测"))
    assert results[0].id == "vision"
    explanation = results[0].explanation
    assert "视觉" in explanation.matched_terms and "检测" in explanation.matched_terms
    assert any(m.kind == "word" and "title" in m.fields for m in explanation.matches)
    assert explanation.text_score > 0


def test_a_synonym_of_the_query_word_is_matched_and_named_as_a_synonym() -> None:
    results = _index().search(Query("记账对不上，报账麻烦"))
    assert results[0].id == "invoice"
    assert any(m.kind in {"word", "synonym"} for m in results[0].explanation.matches)


def test_a_wrong_character_with_the_right_pinyin_still_matches_and_shows_the_real_characters() -> None:
    result = _index().search(Query("只能排产"))[0]
    assert result.id == "aps"
    pinyin = [m for m in result.explanation.matches if m.kind == "pinyin"]
    assert any(m.term == "智能" for m in pinyin)


def test_pinyin_typed_in_latin_letters_matches() -> None:
    assert _index().search(Query("zhineng paichan"))[0].id == "aps"


def test_filters_exclude_items_and_are_listed_as_passed() -> None:
    flt = Filter("area", "eq", "经营管理", label="业务环节：经营管理")
    results = _index().search(Query("", filters=(flt,)))
    assert [r.id for r in results] == ["invoice"]
    assert results[0].explanation.filters_passed == ("业务环节：经营管理",)


def test_covers_filter_matches_an_industry_prefix_or_the_everything_wildcard() -> None:
    flt = Filter("industries", "covers", "C3484")
    ids = {r.id for r in _index().search(Query("", filters=(flt,)))}
    assert ids == {"vision", "aps", "invoice", "twin"}
    ids = {r.id for r in _index().search(Query("", filters=(Filter("industries", "covers", "I6513"),)))}
    assert ids == {"invoice"}


def test_numeric_filters_keep_scenarios_within_the_firms_reach() -> None:
    ids = {r.id for r in _index().search(Query("", filters=(Filter("min_level", "lte", 1),)))}
    assert ids == {"vision", "invoice"}
    ids = {r.id for r in _index().search(Query("", filters=(Filter("min_level", "between", (2, 3)),)))}
    assert ids == {"aps", "twin"}


def test_a_boost_reorders_and_is_named_among_the_reasons() -> None:
    boost = Boost(Filter("area", "eq", "研发设计", label="属于您关注的研发设计环节"), weight=50.0)
    results = _index().search(Query("调试 记账", boosts=(boost,)))
    assert results[0].id == "twin"
    assert results[0].explanation.boosts_applied == ("属于您关注的研发设计环节",)
    assert results[0].explanation.boost_score == 50.0


def test_items_are_added_replaced_and_removed_incrementally() -> None:
    index = _index()
    assert index.search(Query("安全帽")) == []
    index.add(Item("helmet", {"title": "安全帽佩戴识别", "body": "视频监控"}, {"area": "生产运维"}))
    assert [r.id for r in index.search(Query("安全帽"))] == ["helmet"]
    index.add(Item("helmet", {"title": "烟火识别", "body": "视频监控"}, {"area": "生产运维"}))
    assert index.search(Query("安全帽")) == []
    assert len(index) == 5
    assert index.remove("helmet") is True
    assert index.remove("helmet") is False
    assert index.search(Query("烟火")) == []
    assert len(index) == 4
    # the freed slot is reused and filters see the new item
    index.add(Item("new", {"title": "烟火识别"}, {"area": "安全"}))
    assert [r.id for r in index.search(Query("", filters=(Filter("area", "eq", "安全"),)))] == ["new"]


def test_explain_gives_the_reason_for_an_item_outside_the_top_results() -> None:
    explanation = _index().explain("aps", Query("插单"))
    assert explanation is not None and explanation.text_score > 0
    assert _index().explain("missing", Query("插单")) is None


def test_a_local_embedder_adds_semantic_similarity() -> None:
    """Any callable texts -> vectors plugs in; a toy one pulls 'bookkeeping' towards the invoice item."""

    def toy(texts: Sequence[str]) -> np.ndarray:
        return np.array([[1.0, 0.0] if ("记账" in t or "会计" in t) else [0.0, 1.0] for t in texts])

    index = Index(field_weights={"title": 3.0}, embedder=toy, embedding_weight=5.0)
    index.add(Item("invoice", {"title": "发票识别与自动记账"}))
    index.add(Item("aps", {"title": "智能排产"}))
    results = index.search(Query("会计工作量大"))
    assert results[0].id == "invoice"
    assert results[0].explanation.embedding_score == pytest.approx(5.0)


def test_loading_an_embedder_from_a_missing_path_fails_clearly_without_downloading(tmp_path: Path) -> None:
    with pytest.raises(EmbedderUnavailable, match="向量模型目录不存在"):
        load_local_embedder(tmp_path / "no-such-model")


def test_a_built_index_can_be_kept_on_disk_and_loaded_back() -> None:
    """Large indexes are built once (the build is the slow part) and kept with pickle."""
    import pickle

    index = _index()
    index.search(Query("排产"))  # compiled postings travel too
    loaded = pickle.loads(pickle.dumps(index))
    assert [r.id for r in loaded.search(Query("只能排产"))] == ["aps"]
    loaded.add(Item("new", {"title": "智能排产看板"}))
    assert {r.id for r in loaded.search(Query("排产"))} == {"aps", "new"}
