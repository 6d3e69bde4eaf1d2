"""Writes to the scenario library and the transformation paths: save, delete, import, seed.

Officials and platform admins maintain both. Imports follow the register's rule: every row is
checked, and either all rows are written in one transaction or nothing is, with the full list of
problems (row, column, value, reason in Chinese), using the register's `Problem` and file reader.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from tidu.core.audit import audit_record
from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import role_of
from tidu.enterprises.imports import (
    MAX_UPLOAD_BYTES,
    UNSAVED_FORMULA,
    FileProblem,
    Problem,
    Table,
    formula_problem,
    read_table,
    without_blank_reports_for_formulas,
)
from tidu.enterprises.industries import check_industry_code
from tidu.enterprises.io_columns import cell_text, is_blank, normalize_header
from tidu.scenarios.models import AREAS, FIELDS, IndustryPath, Scenario, split_codes


def can_maintain_library(user: Any) -> bool:
    """Officials (any level) and platform admins maintain the scenario library and the paths."""
    return role_of(user) in {"government", "platform"}


def _require_maintainer(actor: Any) -> None:
    if actor is not None and not can_maintain_library(actor):
        raise TiduError(ErrorCode.PERMISSION_DENIED)


def _check_industries(text: str) -> str | None:
    """None when every code is a GB/T 4754 prefix (or *), else the Chinese reason."""
    codes = split_codes(text)
    if not codes:
        return "请填写适用行业代码（如 C34，多个用逗号分隔；通用填 *）"
    for code in codes:
        if code == "*":
            continue
        check = check_industry_code(code)
        if not check.ok:
            return f"行业代码“{code}”无效：{check.reason}"
    return None


@transaction.atomic
def scenario_save(*, actor: Any, data: dict[str, Any], scenario: Scenario | None = None) -> Scenario:
    """Create or change one scenario (all fields checked by the model's validators first)."""
    _require_maintainer(actor)
    target = scenario or Scenario()
    for key, value in data.items():
        setattr(target, key, value)
    problem = _check_industries(target.industries)
    if problem:
        raise TiduError(ErrorCode.VALIDATION, field="industries", detail=problem)
    try:
        target.full_clean()
    except ValidationError as exc:
        raise TiduError(ErrorCode.VALIDATION, detail="；".join(m for ms in exc.message_dict.values() for m in ms)) from None
    created = target.pk is None
    target.save()
    audit_record(actor=actor, action="scenario.create" if created else "scenario.update", target=target,
                 data={k: v for k, v in data.items() if k in {"code", "title", "area", "field", "industries", "min_level"}})
    return target


@transaction.atomic
def scenario_deactivate(*, actor: Any, scenario: Scenario) -> Scenario:
    _require_maintainer(actor)
    scenario.active = False
    scenario.save(update_fields=["active", "updated_at"])
    audit_record(actor=actor, action="scenario.deactivate", target=scenario)
    return scenario


@transaction.atomic
def path_save(*, actor: Any, data: dict[str, Any], path: IndustryPath | None = None) -> IndustryPath:
    """Create or change a transformation path; `data["stages"]` is the list of stages by level."""
    _require_maintainer(actor)
    target = path or IndustryPath()
    for key, value in data.items():
        setattr(target, key, value)
    target.division = target.division.strip().upper()
    problem = _check_industries(target.industries)
    if problem:
        raise TiduError(ErrorCode.VALIDATION, field="industries", detail=problem)
    if len(target.division) != 3 or not check_industry_code(target.division).ok:
        raise TiduError(ErrorCode.VALIDATION, field="division", detail="行业大类应为门类字母加2位数字，如 C34")
    unknown = set(target.scenario_list) - set(Scenario.objects.values_list("code", flat=True))
    if unknown:
        raise TiduError(ErrorCode.VALIDATION, field="scenario_codes", detail="没有这些场景编号：" + "、".join(sorted(unknown)))
    target.stages = sorted(target.stages, key=lambda st: int(st["level"]))
    created = target.pk is None
    target.save()
    audit_record(actor=actor, action="path.create" if created else "path.update", target=target,
                 data={"code": target.code, "stages": len(target.stages)})
    return target


# ---------------------------------------------------------------------------------------------
# Import from Excel (or CSV)

SCENARIO_COLUMNS: dict[str, tuple[str, bool]] = {  # header -> (model field, required)
    "编号": ("code", True), "场景名称": ("title", True), "业务环节": ("area", True), "领域": ("field", True),
    "适用行业": ("industries", True), "建议最低数字化等级": ("min_level", True), "典型痛点": ("pain_points", True),
    "解决方案": ("solution", True), "预期成效": ("benefits", False), "参考投入": ("cost", False),
    "关键词": ("keywords", False),
}
PATH_COLUMNS: dict[str, tuple[str, bool]] = {
    "编号": ("code", True), "细分行业": ("name", True), "行业大类": ("division", True),
    "适用行业代码": ("industries", True), "行业特点": ("summary", False), "典型痛点": ("pain_points", False),
    "案例": ("cases", False), "推荐场景编号": ("scenario_codes", False), "阶段等级": ("level", True),
    "阶段名称": ("title", True), "重点任务": ("focus", True), "推荐方案": ("solutions", False),
    "推荐产品": ("products", False), "参考投入": ("cost", False), "预期成效": ("benefit", False),
}
STAGE_KEYS = ("level", "title", "focus", "solutions", "products", "cost", "benefit")
FIELD_BY_LABEL = {str(label): key for key, label in FIELDS} | {key: key for key, _ in FIELDS}
AREA_VALUES = {key for key, _ in AREAS}


@dataclass
class LibraryImportResult:
    ok: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    problems: list[Problem] = field(default_factory=list)


def _columns(table: Table, spec: dict[str, tuple[str, bool]]) -> tuple[dict[int, str], list[Problem]]:
    index: dict[int, str] = {}
    problems: list[Problem] = []
    wanted = {normalize_header(h): h for h in spec}
    seen: set[str] = set()
    for position, raw in enumerate(table.headers):
        header = wanted.get(normalize_header(raw))
        if header is None:
            continue
        if header in seen:
            problems.append(Problem(1, header, cell_text(raw), "列重复", "column_duplicate"))
        seen.add(header)
        index[position] = header
    for header, (_key, required) in spec.items():
        if required and header not in seen:
            problems.append(Problem(1, header, "", f"缺少必需的列“{header}”", "column_missing"))
    return index, problems


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # what neither XML nor PostgreSQL text may hold


def _rows(table: Table, index: dict[int, str], problems: list[Problem]) -> list[tuple[int, dict[str, str]]]:
    """Each data row's cells by header; a cell holding control characters is reported and read as blank."""
    out = []
    for number, cells in table.rows:
        values = {h: ("" if p >= len(cells) or is_blank(cells[p]) or cells[p] is UNSAVED_FORMULA
                      else cell_text(cells[p]).strip())
                  for p, h in index.items()}
        problems += [formula_problem(number, h) for p, h in index.items() if p < len(cells) and cells[p] is UNSAVED_FORMULA]
        for header, text in values.items():
            if _CONTROL.search(text):
                problems.append(Problem(number, header, _CONTROL.sub("", text)[:30],
                                        "含有不可见的控制字符（如 NUL），请删去后重新导入", "control_characters"))
                values[header] = ""
        out.append((number, values))
    return out


def _too_long(row: int, spec: dict[str, tuple[str, bool]], data: dict[str, Any],
              limits: dict[str, int], problems: list[Problem]) -> None:
    """Cells longer than their database column (PostgreSQL would refuse the whole write)."""
    for key, limit in limits.items():
        if len(str(data.get(key) or "")) > limit:
            header = next(h for h, (k, _r) in spec.items() if k == key)
            problems.append(Problem(row, header, str(data[key])[:30] + "…", f"不能超过{limit}个字"))


def _level(row: int, header: str, raw: str, problems: list[Problem]) -> int | None:
    text = raw.replace("级", "").strip()
    text = {"一": "1", "二": "2", "三": "3", "四": "4"}.get(text, text)
    if text.endswith(".0"):
        text = text[:-2]
    if text not in {"1", "2", "3", "4"}:
        problems.append(Problem(row, header, raw, "应为1～4（一级～四级）"))
        return None
    return int(text)


def _scenario_rows(table: Table) -> tuple[list[dict[str, Any]], list[Problem]]:
    index, problems = _columns(table, SCENARIO_COLUMNS)
    if problems:
        return [], problems
    drafts: list[dict[str, Any]] = []
    first_row: dict[str, int] = {}
    for row, values in _rows(table, index, problems):
        data: dict[str, Any] = {}
        for header, (key, required) in SCENARIO_COLUMNS.items():
            raw = values.get(header, "")
            if required and not raw:
                problems.append(Problem(row, header, "", "必填"))
                continue
            data[key] = raw
        if data.get("code"):
            if data["code"] in first_row:
                problems.append(Problem(row, "编号", data["code"], f"与第 {first_row[data['code']]} 行编号重复", "duplicate_row"))
            first_row.setdefault(data["code"], row)
        if data.get("area") and data["area"] not in AREA_VALUES:
            problems.append(Problem(row, "业务环节", data["area"], "应为 研发设计、生产运维、经营管理、产品服务创新 之一"))
        if data.get("field"):
            field_key = FIELD_BY_LABEL.get(data["field"])
            if field_key is None:
                problems.append(Problem(row, "领域", data["field"], "应为 " + "、".join(str(lbl) for _, lbl in FIELDS) + " 之一"))
            data["field"] = field_key or ""
        if data.get("industries"):
            reason = _check_industries(data["industries"])
            if reason:
                problems.append(Problem(row, "适用行业", data["industries"], reason, str(ErrorCode.INDUSTRY_CODE_UNKNOWN)))
        if data.get("min_level"):
            data["min_level"] = _level(row, "建议最低数字化等级", data["min_level"], problems)
        _too_long(row, SCENARIO_COLUMNS, data,
                  {"code": 20, "title": 100, "industries": 300, "cost": 100, "keywords": 300}, problems)
        drafts.append(data)
    return drafts, problems


def _path_rows(table: Table) -> tuple[list[dict[str, Any]], list[Problem]]:
    index, problems = _columns(table, PATH_COLUMNS)
    if problems:
        return [], problems
    paths: dict[str, dict[str, Any]] = {}
    for row, values in _rows(table, index, problems):
        data = {key: values.get(header, "") for header, (key, _r) in PATH_COLUMNS.items()}
        for header, (key, required) in PATH_COLUMNS.items():
            if required and not data[key]:
                problems.append(Problem(row, header, "", "必填"))
        _too_long(row, PATH_COLUMNS, data, {"code": 20, "name": 100, "industries": 300, "scenario_codes": 300}, problems)
        code = data["code"]
        if not code:
            continue
        division = data["division"].upper()
        if division and (len(division) != 3 or not check_industry_code(division).ok):
            problems.append(Problem(row, "行业大类", data["division"], "应为门类字母加2位数字的行业大类代码，如 C34"))
        if data["industries"]:
            reason = _check_industries(data["industries"])
            if reason:
                problems.append(Problem(row, "适用行业代码", data["industries"], reason))
        level = _level(row, "阶段等级", data["level"], problems) if data["level"] else None
        path = paths.setdefault(code, {"code": code, "name": data["name"], "division": division,
                                       "industries": data["industries"], "summary": data["summary"],
                                       "pain_points": data["pain_points"], "cases": data["cases"],
                                       "scenario_codes": data["scenario_codes"], "stages": [], "_levels": {}})
        if level is not None:
            if level in path["_levels"]:
                problems.append(Problem(row, "阶段等级", str(level), f"编号 {code} 的{level}级阶段与第 {path['_levels'][level]} 行重复",
                                        "duplicate_row"))
            path["_levels"][level] = row
            path["stages"].append({k: (level if k == "level" else data[k]) for k in STAGE_KEYS})
    for path in paths.values():
        path.pop("_levels")
        path["stages"].sort(key=lambda s: s["level"])
    return list(paths.values()), problems


def import_template_xlsx(kind: str) -> bytes:
    """An empty workbook with the import columns (required ones marked *) and one example row."""
    import io

    import openpyxl
    from openpyxl.styles import Font

    spec = SCENARIO_COLUMNS if kind == "scenarios" else PATH_COLUMNS
    example = (["AI-001", "视觉引导的智能分拣", "生产运维", "智能装备", "C13,C14", "2", "分拣靠人工", "视觉识别加机械手分拣",
                "效率提升一倍", "10万～30万元", "分拣 视觉"] if kind == "scenarios" else
               ["P-C40", "仪器仪表制造", "C40", "C40", "精度要求高", "检测数据多、判读靠人", "示例：……", "S41", "1",
                "数据上线", "检测数据电子化", "LIMS", "LIMS轻量版", "5万～10万元", "数据可查"])
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "AI应用场景" if kind == "scenarios" else "转型路径"
    sheet.append(list(spec))
    for cell, (_key, required) in zip(sheet[1], spec.values(), strict=True):
        cell.font = Font(bold=True, color="B3261E" if required else "000000")
    sheet.append(example)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def library_import(*, actor: Any, kind: str, content: bytes, filename: str) -> LibraryImportResult:
    """Import scenarios (kind="scenarios") or paths (kind="paths"): all rows written, or none."""
    _require_maintainer(actor)
    if len(content) > MAX_UPLOAD_BYTES:  # the enterprise import's limit and words (the view reads one byte more)
        return LibraryImportResult(ok=False, problems=[Problem(
            None, "", "", f"文件过大（上限 {MAX_UPLOAD_BYTES // 1024 // 1024} MB），请分批导入。", "file_too_large")])
    try:
        table = read_table(content, filename)
    except FileProblem as exc:
        return LibraryImportResult(ok=False, problems=[Problem(None, "", "", str(exc), "file_unreadable")])
    parse: Callable[[Table], tuple[list[dict[str, Any]], list[Problem]]] = (
        _scenario_rows if kind == "scenarios" else _path_rows)
    drafts, problems = parse(table)
    problems = without_blank_reports_for_formulas(problems)
    if not table.rows and not problems:
        problems.append(Problem(None, "", "", "没有数据行：第2行起逐行填写", "sheet_empty"))
    if problems:
        return LibraryImportResult(ok=False, rows=len(table.rows), problems=problems)
    model: type[Scenario] | type[IndustryPath] = Scenario if kind == "scenarios" else IndustryPath
    created = updated = 0
    with transaction.atomic():
        existing = {o.code: o for o in model.objects.filter(code__in=[d["code"] for d in drafts])}
        for data in drafts:
            obj = existing.get(data["code"]) or model()
            for key, value in data.items():
                setattr(obj, key, value)
            obj.is_sample = False
            if obj.pk is None:
                created += 1
            else:
                updated += 1
            obj.save()
        audit_record(actor=actor, action=f"{kind}.import", data={"file": filename, "created": created, "updated": updated})
    return LibraryImportResult(ok=True, rows=len(table.rows), created=created, updated=updated)


# ---------------------------------------------------------------------------------------------
# Sample content (示例) for new installations and the demo


def _sample(name: str) -> dict[str, Any]:
    text = resources.files("tidu.scenarios").joinpath(f"data/{name}.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def sample_scenarios() -> list[dict[str, Any]]:
    return list(_sample("scenarios")["scenarios"])


def sample_paths() -> list[dict[str, Any]]:
    return list(_sample("paths")["paths"])


@transaction.atomic
def library_seed_samples() -> tuple[int, int]:
    """Load our sample scenarios and paths where no row with the same code exists (idempotent)."""
    have = set(Scenario.objects.values_list("code", flat=True))
    new_s = [Scenario(code=s["code"], title=s["title"], area=s["area"], field=s["field"],
                      industries=",".join(s["industries"]), min_level=s["min_level"], pain_points=s["pain_points"],
                      solution=s["solution"], benefits=s.get("benefits", ""), cost=s.get("cost", ""),
                      keywords=s.get("keywords", ""), is_sample=True)
             for s in sample_scenarios() if s["code"] not in have]
    Scenario.objects.bulk_create(new_s)
    have = set(IndustryPath.objects.values_list("code", flat=True))
    new_p = [IndustryPath(code=p["code"], name=p["name"], division=p["division"], industries=",".join(p["industries"]),
                          summary=p.get("summary", ""), pain_points=p.get("pain_points", ""), stages=p["stages"],
                          cases=p.get("cases", ""), scenario_codes=",".join(p.get("scenarios", [])), is_sample=True)
             for p in sample_paths() if p["code"] not in have]
    IndustryPath.objects.bulk_create(new_p)
    if new_s or new_p:
        audit_record(actor=None, action="scenarios.seed", data={"scenarios": len(new_s), "paths": len(new_p)})
    return len(new_s), len(new_p)
