"""Exports of the firms a user may see (Excel and CSV), and the empty import template.

Exports use the template's columns and units (money in 万元), so an exported file can be corrected
and uploaded again as it is. Rows come from `enterprises_visible_to`, never from a query of our own.

Every text cell is neutralised (`tidu.core.text.neutralise_cell`): a name stored before names were
checked, beginning with =, +, - or @, arrives as text and never runs as a formula in Excel or WPS.
An export of more than `settings.EXPORT_INLINE_MAX_ROWS` rows runs as a background job (decision 0081):
its file is the job's download, for the official who asked, of the firms they could see when they asked.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from tidu.core.audit import audit_record
from tidu.core.errors import ErrorCode, TiduError
from tidu.core.permissions import enterprises_visible_to, organisation_of, role_of
from tidu.core.text import neutralise_cell
from tidu.enterprises.imports import DATA_SHEET, HELP_SHEET
from tidu.enterprises.io_columns import Column, columns, export_value
from tidu.enterprises.models import Enterprise, EnterpriseYear
from tidu.enterprises.money import yuan_to_wan_text

TEXT_COLUMNS = {"credit_code", "region", "industry_code"}  # Excel must not turn them into numbers
CHUNK = 500


def _firm_value(firm: Enterprise, column: Column) -> Any:
    if column.key == "region":
        return firm.region_id
    return getattr(firm, column.key)


ProgressFn = Callable[[int], None]  # rows written so far


def export_rows(*, user: Any, firms: QuerySet[Enterprise] | None = None) -> Iterator[list[Any]]:
    """One row per firm-year (a firm without yearly data: one row with the year left empty), every text
    cell neutralised. `firms` narrows the visible firms further (a job's scope at request time)."""
    cols = columns()
    visible = enterprises_visible_to(user) if firms is None else firms
    ordered = visible.order_by("credit_code").prefetch_related(
        Prefetch("years", queryset=EnterpriseYear.objects.order_by("fiscal_year")))
    for firm in ordered.iterator(chunk_size=CHUNK):
        firm_cells = {c.key: neutralise_cell(export_value(c, _firm_value(firm, c)))
                      for c in cols if c.target == "enterprise"}
        years: list[EnterpriseYear | None] = [*firm.years.all()] or [None]
        for year in years:
            row = []
            for column in cols:
                if column.target == "enterprise":
                    row.append(firm_cells[column.key])
                elif year is None:
                    row.append(None)
                else:
                    row.append(neutralise_cell(export_value(column, getattr(year, column.key))))
            yield row


def export_row_count(firms: QuerySet[Enterprise]) -> int:
    """How many rows an export of `firms` has (a firm-year each, a firm without years one): two counts."""
    years = EnterpriseYear.objects.filter(enterprise__in=firms).count()
    firms_without = firms.filter(years__isnull=True).count()
    return years + firms_without


def enterprises_export_xlsx(*, user: Any, firms: QuerySet[Enterprise] | None = None,
                            progress: ProgressFn | None = None, job_id: str = "") -> bytes:
    """The visible firms and years as one .xlsx sheet laid out like the import template."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    _write_header(sheet)
    count = 0
    for row in export_rows(user=user, firms=firms):
        sheet.append(row)
        count += 1
        if progress and count % CHUNK == 0:
            progress(count)
    _write_help(workbook.create_sheet(HELP_SHEET))
    buffer = io.BytesIO()
    workbook.save(buffer)
    audit_record(actor=user, action="enterprise.export",
                 data={"format": "xlsx", "rows": count, **({"job": job_id} if job_id else {})})
    return buffer.getvalue()


def enterprises_export_csv(*, user: Any, firms: QuerySet[Enterprise] | None = None,
                           progress: ProgressFn | None = None, job_id: str = "") -> Iterator[str]:
    """The same rows as CSV text (UTF-8 with BOM so that Excel in China opens it correctly)."""
    cols = columns()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([c.header for c in cols])
    count = 0
    for row in export_rows(user=user, firms=firms):
        writer.writerow([_csv_cell(c, v) for c, v in zip(cols, row, strict=True)])
        count += 1
        if count % CHUNK == 0:
            if progress:
                progress(count)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    audit_record(actor=user, action="enterprise.export",
                 data={"format": "csv", "rows": count, **({"job": job_id} if job_id else {})})
    yield buffer.getvalue()


# ---- exports as background jobs ---------------------------------------------------------------------

EXPORT_FORMATS = ("xlsx", "csv")


def export_runs_as_job(*, user: Any) -> tuple[bool, int]:
    """(does an export for `user` run in the background, its row count): more rows than the setting."""
    rows = export_row_count(enterprises_visible_to(user))
    return rows > settings.EXPORT_INLINE_MAX_ROWS, rows


def _scope_of(user: Any) -> dict[str, Any]:
    """What the user may see now, recorded with the job (their jurisdiction at the time of the request)."""
    from tidu.core.permissions import jurisdiction_prefix_of

    role = role_of(user)
    org = organisation_of(user)
    return {"role": role, "prefix": jurisdiction_prefix_of(user),
            "enterprise": org.enterprise_id if org is not None and role == "enterprise" else None}


def _firms_in_scope(user: Any, scope: dict[str, Any]) -> QuerySet[Enterprise]:
    """The firms the owner may see when the job runs AND could see when they asked (never more than
    either: a jurisdiction narrowed in between narrows the file, one widened does not widen it)."""
    firms = enterprises_visible_to(user)
    if scope.get("role") != role_of(user):
        return firms.none()
    if scope.get("role") == "government":
        prefix = scope.get("prefix")
        return firms.none() if prefix is None else firms.filter(region__code__startswith=prefix)
    if scope.get("role") == "enterprise":
        return firms.filter(pk=int(scope.get("enterprise") or 0))
    return firms


def enterprises_export_submit(*, user: Any, fmt: str) -> Any:
    """Queue an export for the worker; returns the job (its page shows progress, then the download)."""
    from tidu.jobs.services import job_submit

    if fmt not in EXPORT_FORMATS:
        raise TiduError(ErrorCode.VALIDATION, field="format", detail=f"不支持的导出格式“{fmt}”（可选 xlsx、csv）")
    if role_of(user) not in {"platform", "government", "enterprise"}:
        raise TiduError(ErrorCode.PERMISSION_DENIED)
    rows = export_row_count(enterprises_visible_to(user))
    job = job_submit(owner=user, kind="enterprise_export",
                     params={"format": fmt, "scope": _scope_of(user), "rows": rows},
                     input_name=f"企业年度数据导出（{fmt.upper()}，约{rows}行）")
    return job


def export_job_handler(job: Any) -> Any:
    """Runs in the worker: write the file of the job's scope, reporting progress, and keep it as the
    job's download."""
    from tidu.jobs.models import JobStatus
    from tidu.jobs.services import JobOutcome, job_progress

    params = job.params or {}
    fmt = params.get("format", "xlsx")
    firms = _firms_in_scope(job.owner, params.get("scope") or {})
    total = export_row_count(firms)
    job_progress(job_id=job.pk, done=0, total=total, stage="正在生成导出文件")

    def progress(done: int) -> None:
        job_progress(job_id=job.pk, done=done, stage=f"已写入 {done} / {total} 行")

    if fmt == "csv":
        content = "".join(enterprises_export_csv(user=job.owner, firms=firms, progress=progress,
                                                 job_id=str(job.pk))).encode("utf-8")
    else:
        content = enterprises_export_xlsx(user=job.owner, firms=firms, progress=progress, job_id=str(job.pk))
    name = f"企业年度数据_{timezone.localdate():%Y%m%d}.{fmt}"
    return JobOutcome(
        status=JobStatus.SUCCEEDED, stage=f"导出完成：{total} 行，可下载文件",
        result={"summary": [["导出行数", total], ["企业数", firms.count()], ["格式", fmt.upper()]],
                "counts": {"rows": total}, "download": True},
        report_name=name, report_content=content,
    )


def _csv_cell(column: Column, value: Any) -> str:
    """The CSV text of a cell (text already neutralised; numbers stay numbers, "-12.5" included)."""
    if value is None:
        return ""
    if column.type == "money":
        # export_value gave 万元 as a Decimal; write it without trailing zeros
        return yuan_to_wan_text(int(value * 10_000))
    return str(value)


def import_template_xlsx() -> bytes:
    """The empty import template: the data sheet with Chinese headers and a sheet explaining each column."""
    import openpyxl
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = DATA_SHEET
    _write_header(sheet)
    sheet.freeze_panes = "C2"
    rows = "2:5000"
    for position, column in enumerate(columns(), start=1):
        letter = openpyxl.utils.get_column_letter(position)
        if column.key in TEXT_COLUMNS:
            sheet.column_dimensions[letter].number_format = "@"
        if column.type == "bool":
            dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
        elif column.choices:
            names = ",".join(name for _, name in column.choices)
            dv = DataValidation(type="list", formula1=f'"{names}"', allow_blank=True) if len(names) < 250 else None
        else:
            dv = None
        if dv is not None:
            dv.error = "请从下拉列表中选择"
            sheet.add_data_validation(dv)
            dv.add(f"{letter}{rows.split(':')[0]}:{letter}{rows.split(':')[1]}")
    _write_help(workbook.create_sheet(HELP_SHEET))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_header(sheet: Any) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    required_fill = PatternFill("solid", fgColor="FCE4D6")
    other_fill = PatternFill("solid", fgColor="DDEBF7")
    cells = []
    for position, column in enumerate(columns(), start=1):
        sheet.column_dimensions[get_column_letter(position)].width = max(12, min(40, len(column.header) * 2 + 2))
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = required_fill if column.required else other_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cells.append(cell)
    sheet.append(cells)


GENERAL_NOTES = [
    "1. 每行填写一家企业一个会计年度的数据；同一企业多个年度填多行，企业信息（名称、区划、行业等）各行应一致。",
    "2. 金额一律以“万元”为单位，最多4位小数（精确到元）；平台按元精确保存，不做四舍五入。",
    "3. 留空表示“未知”，不等于 0；是/否类栏目填“是”或“否”，不确定时留空。",
    "4. 只能导入注册地在您辖区内的企业；统一社会信用代码须通过校验码检查。",
    "5. 导入要么全部成功，要么一条也不写入：发现任何问题都会列出完整的问题清单（行号、列名、填写的值、原因），修改后重新上传即可。",
    "6. 按“统一社会信用代码 + 会计年度”更新：重新上传修改后的文件会更新原有数据，不会重复新增；文件中没有的列保持原值不变。",
    "7. 橙色表头为必填列；请勿合并单元格，请勿修改第1行列名。",
]


def _write_help(sheet: Any) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    def bold(text: str) -> Any:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        return cell

    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 28
    sheet.column_dimensions["C"].width = 10
    sheet.column_dimensions["D"].width = 100
    sheet.append([bold("填表说明")])
    for note in GENERAL_NOTES:
        sheet.append([note])
    sheet.append([])
    sheet.append([bold("列名"), bold("字段名"), bold("是否必填"), bold("说明")])
    for column in columns():
        sheet.append([column.header, column.registry_name or column.key, "必填" if column.required else "", column.help])
