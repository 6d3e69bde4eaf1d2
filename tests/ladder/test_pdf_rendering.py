"""The rasterising check of tests/pdf_check.py can fail: Chinese in a font the PDF does not carry, or
cannot encode, or drawn invisibly, is rejected; the same text in the embedded font passes."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from pdf_check import CJK, rasterise
from tidu.core.pdf import cjk_font
from tidu.core.testing import make_user
from tidu.ladder.testing import make_climbing_firm

TEXT = "梯度培育诊断报告：专精特新，小巨人。"


def _standard_font() -> str:
    return "Helvetica"  # one of the 14 standard Type1 fonts: Latin-1 only, never embedded


def _cid_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))  # Chinese, but left to the reader's machine
    return "STSong-Light"


def _drawn(font: str, *, render_mode: int = 0, text: str = TEXT) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    line = pdf.beginText(72, 700)
    line.setFont(font, 14)
    line.setTextRenderMode(render_mode)
    line.textLine(text)
    pdf.drawText(line)
    pdf.save()
    return buffer.getvalue()


def test_chinese_in_the_embedded_font_passes() -> None:
    shown = rasterise(_drawn(cjk_font()))
    assert shown.problems(TEXT) == []
    assert TEXT in shown.text


def test_chinese_in_a_standard_type1_font_is_rejected_it_cannot_even_be_encoded() -> None:
    shown = rasterise(_drawn(_standard_font()))
    assert TEXT not in shown.text  # reportlab drew black squares in their place
    assert shown.problems(TEXT) == ["PDFium does not read '梯度培育诊断报告：专精特新，小巨人。' off the page"]


def test_chinese_in_a_font_left_to_the_readers_machine_is_rejected() -> None:
    shown = rasterise(_drawn(_cid_font()))
    assert TEXT in shown.text  # the text is there, as a copy-paste would find it…
    problems = shown.problems(TEXT)
    assert len(problems) == len(TEXT) and all(p.startswith("nothing painted: page 1 ") for p in problems)


def test_invisible_chinese_is_rejected() -> None:
    shown = rasterise(_drawn(cjk_font(), render_mode=3))  # mode 3: neither fill nor stroke
    assert TEXT in shown.text
    problems = shown.problems(TEXT)
    assert len(problems) == len(TEXT) and all(p.startswith("nothing painted: page 1 ") for p in problems)


def test_a_character_the_embedded_font_lacks_is_rejected() -> None:
    text = "梯度\u9feb报告"  # U+9FEB (Unicode 10, 2017) is newer than WenQuanYi Zen Hei: no glyph for it
    shown = rasterise(_drawn(cjk_font(), text=text))
    assert shown.problems(text) == ["PDFium does not read '\u9feb' off the page"]


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(make_user("firm-a", "enterprise", enterprise=make_climbing_firm()))
    return client


@pytest.mark.django_db
def test_the_diagnosis_report_in_a_standard_type1_font_is_rejected(staff: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tidu.ladder.report.cjk_font", _standard_font)
    shown = rasterise(staff.get("/ladder/report.pdf").content)
    assert "梯度培育诊断报告" not in shown.text
    assert shown.problems("梯度培育诊断报告") == ["PDFium does not read '梯度培育诊断报告' off the page"]


@pytest.mark.django_db
def test_the_diagnosis_report_in_a_font_it_does_not_carry_is_rejected(staff: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tidu.ladder.report.cjk_font", _cid_font)
    content = staff.get("/ladder/report.pdf").content
    assert b"/FontFile" not in content  # no font travels with the file
    shown = rasterise(content)
    assert "梯度培育诊断报告" in shown.text  # PDFium reads every character…
    assert len(shown.inkless) == len(CJK.findall(shown.text)) > 100  # …and paints none of them
