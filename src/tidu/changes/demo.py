"""Demo change report for `seed_demo`: a firm of the demo county (南山区) reports its rename, with a
generated licence page as evidence, and waits for demo-county in the 变化报告 queue. Filed through the
service, as the system. Idempotent: does nothing when any report exists."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone

from tidu.changes.models import ChangeReport
from tidu.changes.services import ChangeInput, change_report_file
from tidu.enterprises.demo import DEMO_FIRM_CODE_REGION
from tidu.enterprises.models import Enterprise


def _licence_pdf(old: str, new: str, day: dt.date) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from tidu.core.pdf import cjk_font

    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4)
    c.setFont(cjk_font(), 16)
    c.drawString(72, 760, "营业执照（演示用，非真实证照）")
    c.setFont(cjk_font(), 12)
    c.drawString(72, 730, f"名称：{new}")
    c.drawString(72, 710, f"原名称：{old}")
    c.drawString(72, 690, f"变更登记日期：{day:%Y年%m月%d日}")
    c.showPage()
    c.save()
    return buffer.getvalue()


def seed_changes(*, demo_firm: Enterprise, today: dt.date | None = None) -> ChangeReport | None:
    if ChangeReport.objects.exists():
        return None
    county_firms = Enterprise.objects.filter(region_id=DEMO_FIRM_CODE_REGION).exclude(pk=demo_firm.pk)
    firm = (county_firms.filter(recognitions__isnull=True).order_by("-credit_code").first()
            or county_firms.order_by("-credit_code").first())
    if firm is None:
        return None
    day = today or timezone.localdate()
    effective = day - dt.timedelta(days=20)
    new_name = firm.name.replace("有限公司", "科技集团有限公司") if "有限公司" in firm.name else f"{firm.name}（更名）"
    data = ChangeInput(kinds=["name"], effective_on=effective, new_name=new_name,
                       explanation="经股东会决议，公司更名并已于市场监督管理部门办理变更登记，换发营业执照。")
    return change_report_file(actor=None, enterprise=firm, data=data, today=day,
                              files=[("变更后营业执照.pdf", _licence_pdf(firm.name, new_name, effective))])
