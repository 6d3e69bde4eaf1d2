"""Exports of the firms a user may see (Excel and CSV), and the empty import template.

Exports use the template's columns and units (money in 万元), so an exported file can be corrected
and uploaded again as it is. Rows come from `enterprises_visible_to`, never from a query of our own.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch

from tidu.core.audit import audit_record
from tidu.core.permissions import enterprises_visible_to
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


def export_rows(*, user: Any) -> Iterator[list[Any]]:
    """One row per firm-year (a firm without yearly data: one row with the year left empty)."""
    cols = columns()
    firms = (
        enterprises_visible_to(user)
        .order_by("credit_code")
        .prefetch_related(Prefetch("years", queryset=EnterpriseYear.objects.order_by("fiscal_year")))
    )
    for firm in firms.iterator(chunk_size=CHUNK):
        firm_cells = {c.key: export_value(c, _firm_value(firm, c)) for c in cols if c.target == "enterprise"}
        years: list[EnterpriseYear | None] = [*firm.years.all()] or [None]
        for year in years:
            row = []
            for column in cols:
                if column.target == "enterprise":
                    row.append(firm_cells[column.key])
                elif year is None:
                    row.append(None)
                else:
                    row.append(export_value(column, getattr(year, column.key)))
            yield row


def enterprises_export_xlsx(*, user: Any) -> bytes:
    """The visible firms and years as one .xlsx sheet laid out like the import template."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    _write_header(sheet)
    count = 0
    for row in export_rows(user=user):
        sheet.append(row)
        count += 1
    _write_help(workbook.create_sheet(HELP_SHEET))
    buffer = io.BytesIO()
    workbook.save(buffer)
    audit_record(actor=user, action="enterprise.export", data={"format": "xlsx", "rows": count})
    return buffer.getvalue()


def enterprises_export_csv(*, user: Any) -> Iterator[str]:
    """The same rows as CSV text (UTF-8 with BOM so that Excel in China opens it correctly)."""
    cols = columns()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([c.header for c in cols])
    count = 0
    for row in export_rows(user=user):
        writer.writerow([_csv_cell(c, v) for c, v in zip(cols, row, strict=True)])
        count += 1
        if count % CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    audit_record(actor=user, action="enterprise.export", data={"format": "csv", "rows": count})
    yield buffer.getvalue()


def _csv_cell(column: Column, value: Any) -> str:
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
