"""The paper trail of an application, in the real order: the firm completes its materials, locks the
application (figures, marks, assessment and commitment frozen; the 申报书 printable with the record's
fingerprint), prints and stamps it, uploads the stamped scan, then submits. Unlocking discards the
record and the stamped copies printed from it; a returned application must be locked again."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from pdf_check import read_pdf
from tidu.accounts.demo import DEMO_PASSWORD
from tidu.core.models import AuditEvent
from tidu.enterprises.services import enterprise_year_save
from tidu.journey import checklist, frozen, services, storage
from tidu.journey.demo import sample_pdf
from tidu.journey.errors import JourneyCode, JourneyError
from tidu.journey.models import Application, AppStatus, Attachment, AttachmentKind, Tier
from tidu.journey.testing import SECRET_REVENUE, World

pytestmark = pytest.mark.django_db


def _audit(app: Application, action: str) -> list[dict[str, Any]]:
    return list(AuditEvent.objects.filter(target_type="journey.application", target_id=str(app.pk), action=action)
                .order_by("at", "id").values_list("data", flat=True))


def _stored_files() -> list[str]:
    return sorted(p.name for p in (Path(settings.VAR_DIR) / "uploads" / "journey").iterdir()
                  if not p.name.startswith("."))


def _raises(code: JourneyCode, call: Any, **kwargs: Any) -> JourneyError:
    with pytest.raises(JourneyError) as exc:
        call(**kwargs)
    assert exc.value.journey_code == code, exc.value.message
    return exc.value


# ---- locking -------------------------------------------------------------------------------------


def test_locking_freezes_figures_marks_assessment_and_commitment_and_later_edits_change_nothing(world: World) -> None:
    app = world.with_materials(world.draft("A"))
    version = app.version
    services.application_lock(actor=world.users["firm_a"], application=app, commitment=True)
    assert app.status == AppStatus.DRAFT and app.locked_at is not None and app.version == version + 1
    assert app.frozen_figures["revenue_y1"] == SECRET_REVENUE and "_marks" in json.dumps(app.frozen_figures)
    assert app.frozen_assessment["pack_edition"] == app.pack_edition != ""
    assert app.commitment_signed_by == world.users["firm_a"] and app.commitment_text == services.COMMITMENT_TEXT
    digest = frozen.fingerprint(app)
    [event] = _audit(app, "journey.application.lock")
    assert event["fingerprint"] == digest

    enterprise_year_save(actor=world.users["firm_a"], enterprise=world.firms["A"], fiscal_year=app.fiscal_year,
                         values={"revenue": 123_456_789_00})
    app.refresh_from_db()
    assert app.frozen_figures["revenue_y1"] == SECRET_REVENUE and frozen.fingerprint(app) == digest
    _raises(JourneyCode.ALREADY_LOCKED, services.application_lock, actor=world.users["firm_a"], application=app,
            commitment=True)


def test_unlocking_discards_the_record_and_the_stamped_copy_and_a_new_lock_has_a_new_checksum(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    app = world.locked("A")
    old = frozen.fingerprint(app)
    stamped = world.stamp(app)
    assert stamped.form_fingerprint == old
    with django_capture_on_commit_callbacks(execute=True):
        services.application_unlock(actor=world.users["firm_a"], application=app)
    assert app.locked_at is None and app.frozen_figures == {} and app.frozen_assessment == {}
    assert app.commitment_signed_at is None and app.pack_edition == ""
    assert not Attachment.objects.filter(pk=stamped.pk).exists()  # the old paper no longer matches anything
    assert stamped.stored_name not in _stored_files()
    assert set(app.attachments.values_list("kind", flat=True)) == {"business_licence", "financial_report"}
    [event] = _audit(app, "journey.application.unlock")
    assert event["discarded_fingerprint"] == old and event["stamped_removed"][0]["sha256"] == stamped.sha256

    services.application_lock(actor=world.users["firm_a"], application=app, commitment=True)
    assert frozen.fingerprint(app) != old  # the commitment is signed anew: the old printout cannot pass
    _raises(JourneyCode.ATTACHMENTS_MISSING, services.application_submit, actor=world.users["firm_a"],
            application=app)


def test_unlocking_needs_a_lock_the_current_version_and_the_firm_itself(world: World) -> None:
    app = world.with_materials(world.draft("A"))
    _raises(JourneyCode.NOT_LOCKED, services.application_unlock, actor=world.users["firm_a"], application=app)
    services.application_lock(actor=world.users["firm_a"], application=app, commitment=True)
    _raises(JourneyCode.CONFLICT, services.application_unlock, actor=world.users["firm_a"], application=app,
            expected_version=app.version - 1)
    app.refresh_from_db()
    assert app.locked_at is not None


# ---- submission ----------------------------------------------------------------------------------


def test_submission_is_refused_until_the_application_is_locked(world: World) -> None:
    app = world.with_materials(world.draft("A"))
    error = _raises(JourneyCode.NOT_LOCKED, services.application_submit, actor=world.users["firm_a"],
                    application=app)
    assert "锁定" in error.message
    app.refresh_from_db()
    assert app.status == AppStatus.DRAFT and app.submitted_at is None


def test_submission_is_refused_naming_every_missing_required_material(world: World) -> None:
    app = services.application_lock(actor=world.users["firm_a"], application=world.draft("A"), commitment=True)
    error = _raises(JourneyCode.ATTACHMENTS_MISSING, services.application_submit, actor=world.users["firm_a"],
                    application=app)
    assert "营业执照、审计报告 / 财务报表、盖章申报书" in error.message
    assert error.as_dict()["field"] == "attachments"
    world.stamp(app)
    error = _raises(JourneyCode.ATTACHMENTS_MISSING, services.application_submit, actor=world.users["firm_a"],
                    application=app)
    assert "营业执照、审计报告 / 财务报表" in error.message and "盖章申报书" not in error.message
    app.refresh_from_db()
    assert app.status == AppStatus.DRAFT


def test_a_locked_application_with_its_materials_and_stamped_copy_goes_to_the_county(world: World) -> None:
    app = world.locked("C", Tier.INNOVATIVE_SME)  # innovative: licence and stamped copy required
    assert checklist.missing_required(app) == ["盖章申报书"]
    world.stamp(app)
    digest = frozen.fingerprint(app)
    services.application_submit(actor=world.users["firm_c"], application=app)
    assert app.status == AppStatus.COUNTY and app.submitted_at is not None and app.locked_at is not None
    assert frozen.fingerprint(app) == digest  # the submitted record is the locked one
    assert _audit(app, "journey.application.submit")[0]["fingerprint"] == digest


# ---- attachments ---------------------------------------------------------------------------------


def test_the_stamped_copy_is_refused_before_the_lock(world: World) -> None:
    app = world.with_materials(world.draft("A"))
    _raises(JourneyCode.STAMPED_NEEDS_LOCK, services.attachment_add, actor=world.users["firm_a"], application=app,
            name="盖章.pdf", data=sample_pdf("early"), kind=AttachmentKind.STAMPED_FORM)
    assert not app.attachments.filter(kind=AttachmentKind.STAMPED_FORM).exists()


def test_while_locked_only_the_stamped_copy_is_added_or_removed(world: World) -> None:
    app = world.locked("A")
    licence = app.attachments.get(kind=AttachmentKind.BUSINESS_LICENCE)
    _raises(JourneyCode.LOCKED, services.attachment_add, actor=world.users["firm_a"], application=app,
            name="专利.pdf", data=sample_pdf("patent"), kind=AttachmentKind.IP_PROOF)
    _raises(JourneyCode.LOCKED, services.attachment_delete, actor=world.users["firm_a"], attachment=licence)
    stamped = world.stamp(app)
    services.attachment_delete(actor=world.users["firm_a"], attachment=stamped)  # a bad scan is replaced
    assert not app.attachments.filter(kind=AttachmentKind.STAMPED_FORM).exists()
    assert app.attachments.filter(pk=licence.pk).exists()


def test_a_kind_the_tier_does_not_list_is_refused(world: World) -> None:
    app = world.draft("C", Tier.INNOVATIVE_SME)
    error = _raises(JourneyCode.ATTACHMENT_KIND, services.attachment_add, actor=world.users["firm_c"],
                    application=app, name="专项审计.pdf", data=sample_pdf("rd"), kind=AttachmentKind.RD_AUDIT)
    assert "创新型中小企业" in error.message and "营业执照" in error.message and "研发费用专项" not in error.message
    _raises(JourneyCode.ATTACHMENT_KIND, services.attachment_add, actor=world.users["firm_c"], application=app,
            name="x.pdf", data=sample_pdf("x"), kind="passport")


def test_the_same_file_twice_in_one_application_is_refused_naming_the_first(world: World) -> None:
    app = world.draft("A")
    data = sample_pdf("licence of A")
    services.attachment_add(actor=world.users["firm_a"], application=app, name="营业执照.pdf", data=data,
                            kind=AttachmentKind.BUSINESS_LICENCE)
    error = _raises(JourneyCode.ATTACHMENT_DUPLICATE, services.attachment_add, actor=world.users["firm_a"],
                    application=app, name="副本.pdf", data=data, kind=AttachmentKind.OTHER)
    assert "副本.pdf" in error.message and "营业执照.pdf" in error.message and "（营业执照）" in error.message
    response = world.bearer("firm_a").post(f"/api/v1/journey/applications/{app.pk}/attachments",
                                           {"file": SimpleUploadedFile("again.pdf", data), "kind": "other"})
    assert response.status_code == 409 and response.json()["code"] == "attachment_duplicate"
    assert app.attachments.count() == 1


def test_the_same_bytes_in_two_applications_are_stored_once_and_deleting_one_keeps_the_other_readable(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    data = sample_pdf("the same audit report")
    a = services.attachment_add(actor=world.users["firm_a"], application=world.draft("A"), name="报告.pdf", data=data,
                                kind=AttachmentKind.FINANCIAL_REPORT)
    b = services.attachment_add(actor=world.users["firm_b"], application=world.draft("B"), name="审计.pdf", data=data,
                                kind=AttachmentKind.FINANCIAL_REPORT)
    assert a.stored_name == b.stored_name and _stored_files() == [a.stored_name]  # kept once
    with django_capture_on_commit_callbacks(execute=True):
        assert world.client("firm_a").post(f"/journey/attachments/{a.pk}/delete/").status_code == 302
    response = world.client("firm_b").get(f"/journey/attachments/{b.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == data  # type: ignore[attr-defined]
    assert world.client("firm_a").get(f"/journey/attachments/{b.pk}/").status_code == 404  # and never shared
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(actor=world.users["firm_b"], attachment=b)
    assert _stored_files() == []


def test_a_released_file_is_written_back_when_another_attachment_names_it_again(world: World) -> None:
    """The race of a deletion and an upload of the same bytes: the upload's post-commit step restores it."""
    checked = storage.check_upload("a.pdf", sample_pdf("race"))
    storage.store(checked)
    storage.release(checked.sha256, lambda: False)  # the other request removed the last old reference
    assert _stored_files() == []
    storage.ensure_stored(checked)
    assert storage.path_of(checked.sha256).read_bytes() == checked.data


# ---- returns -------------------------------------------------------------------------------------


def test_a_returned_application_must_be_locked_again_and_its_old_stamped_copy_no_longer_counts(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    app = world.submitted("A")
    old = frozen.fingerprint(app)
    [old_stamped] = app.attachments.filter(kind=AttachmentKind.STAMPED_FORM)
    services.application_review(actor=world.users["county"], application=app, action="return", comment="请补充专利证明")
    assert app.status == AppStatus.RETURNED and app.locked_at is None
    assert not checklist.stamped_is_current(app, old_stamped)  # kept as what was filed, flagged as stale
    page = world.client("firm_a").get(f"/journey/applications/{app.pk}/").content.decode()
    assert "基于已作废的申报书" in page
    _raises(JourneyCode.NOT_LOCKED, services.application_submit, actor=world.users["firm_a"], application=app)

    services.attachment_add(actor=world.users["firm_a"], application=app, name="专利.pdf", data=sample_pdf("patent"),
                            kind=AttachmentKind.IP_PROOF)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_lock(actor=world.users["firm_a"], application=app, commitment=True)
    assert frozen.fingerprint(app) != old
    assert not Attachment.objects.filter(pk=old_stamped.pk).exists()  # the new lock drops the stale copy
    assert _audit(app, "journey.application.lock")[-1]["stale_stamped_removed"][0]["attachment"] == old_stamped.pk
    _raises(JourneyCode.ATTACHMENTS_MISSING, services.application_submit, actor=world.users["firm_a"],
            application=app)
    world.stamp(app)
    services.application_submit(actor=world.users["firm_a"], application=app)
    assert app.status == AppStatus.COUNTY


def test_every_tier_requires_the_stamped_form_and_the_licence(world: World) -> None:
    for tier in Tier.values:
        required = {str(item.kind) for item in checklist.items_for(tier) if item.required}
        assert {"stamped_form", "business_licence"} <= required, tier
    assert "financial_report" in {str(i.kind) for i in checklist.items_for(Tier.LITTLE_GIANT) if i.required}
    assert all(item.hint for tier in Tier.values for item in checklist.items_for(tier))


# ---- API -----------------------------------------------------------------------------------------


def _post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_api_locks_downloads_the_form_uploads_the_stamped_copy_and_submits(world: World) -> None:
    api = world.bearer("firm_a")
    app = world.draft("A")
    base = f"/api/v1/journey/applications/{app.pk}"
    for kind in ("business_licence", "financial_report"):
        response = api.post(f"{base}/attachments", {"file": SimpleUploadedFile(f"{kind}.pdf", sample_pdf(kind)),
                                                    "kind": kind})
        assert response.status_code == 201 and response.json()["kind"] == kind
    detail = api.get(base).json()
    assert detail["locked_at"] is None and detail["fingerprint"] == "" and detail["missing"] == ["盖章申报书"]
    assert _post(api, f"{base}/submit", {"version": detail["version"]}).json()["code"] == "not_locked"
    assert _post(api, f"{base}/lock", {"commitment": False, "version": detail["version"]}).status_code == 400
    assert _post(api, f"{base}/lock", {"commitment": True, "version": detail["version"] - 1}).status_code == 409

    locked = _post(api, f"{base}/lock", {"commitment": True, "version": detail["version"]})
    assert locked.status_code == 200
    digest = locked.json()["fingerprint"]
    assert re.fullmatch(r"[0-9a-f]{64}", digest) and locked.json()["locked_at"]
    form = api.get(f"{base}/form.pdf")
    assert form.status_code == 200 and digest in re.sub(r"\s", "", read_pdf(form.content).text)

    refused = _post(api, f"{base}/submit", {"version": locked.json()["version"]})
    assert refused.status_code == 400 and refused.json()["code"] == "attachments_missing"
    assert "盖章申报书" in refused.json()["message"]
    stamped = api.post(f"{base}/attachments", {"file": SimpleUploadedFile("盖章.pdf", sample_pdf("stamped")),
                                               "kind": "stamped_form"}).json()
    assert stamped["form_fingerprint"] == digest and stamped["current"] is True
    submitted = _post(api, f"{base}/submit", {"version": locked.json()["version"]})
    assert submitted.status_code == 200 and submitted.json()["status"] == "county"
    assert submitted.json()["fingerprint"] == digest and submitted.json()["missing"] == []
    county = world.bearer("county").get(base).json()
    assert {a["kind_label"] for a in county["attachments"]} == {"营业执照", "审计报告 / 财务报表", "盖章申报书"}


def test_the_api_unlocks_and_the_stamped_copy_goes(world: World) -> None:
    app = world.locked("A")
    world.stamp(app)
    api = world.bearer("firm_a")
    response = _post(api, f"/api/v1/journey/applications/{app.pk}/unlock", {"version": app.version})
    assert response.status_code == 200
    body = response.json()
    assert body["locked_at"] is None and body["fingerprint"] == "" and body["frozen_figures"] == {}
    assert "stamped_form" not in {a["kind"] for a in body["attachments"]}
    again = _post(api, f"/api/v1/journey/applications/{app.pk}/unlock", {"version": body["version"]})
    assert again.status_code == 400 and again.json()["code"] == "not_locked"


# ---- pages ---------------------------------------------------------------------------------------


def test_the_page_guides_the_firm_step_by_step_with_the_checklist(world: World) -> None:
    app = world.draft("A")
    client = world.client("firm_a")

    def page() -> str:
        return str(client.get(f"/journey/applications/{app.pk}/").content.decode())

    def current_step(html: str) -> str:
        found = re.search(r'<li class="current" aria-current="step">([^<]+)</li>', html)
        assert found is not None
        return found.group(1)

    html = page()
    assert current_step(html) == "1 完善材料" and "锁定并生成申报书" in html and 'id="application-form"' not in html
    licence_row = re.search(r'<tr data-kind="business_licence">.*?</tr>', html, re.S)
    assert licence_row is not None and "缺少" in licence_row.group(0) and "必需" in licence_row.group(0)
    assert 'value="stamped_form"' not in html  # not offered before the lock

    world.with_materials(app)
    html = page()
    assert current_step(html) == "2 锁定并下载申报书"
    licence_row = re.search(r'<tr data-kind="business_licence">.*?</tr>', html, re.S)
    assert licence_row is not None and "✓ 已上传" in licence_row.group(0)

    client.post(f"/journey/applications/{app.pk}/lock/", {"version": app.version, "commitment": "on"})
    app.refresh_from_db()
    html = page()
    assert current_step(html) == "3 盖章上传" and 'id="application-form"' in html and 'id="unlock"' in html
    assert frozen.fingerprint(app)[:16] in html
    assert re.search(r'<select id="kind" name="kind"><option value="stamped_form">盖章申报书</option></select>', html)

    client.post(f"/journey/applications/{app.pk}/attachments/",
                {"kind": "stamped_form", "file": SimpleUploadedFile("盖章.pdf", sample_pdf("stamped"))})
    html = page()
    assert current_step(html) == "4 提交" and "与当前锁定的申报书一致" in html

    response = client.post(f"/journey/applications/{app.pk}/unlock/", {"version": app.version}, follow=True)
    assert "已解除锁定" in response.content.decode()
    assert current_step(page()) == "2 锁定并下载申报书"  # the stamped copy went with the lock


def test_the_submit_page_shows_the_missing_materials(world: World) -> None:
    app = services.application_lock(actor=world.users["firm_a"], application=world.draft("A"), commitment=True)
    response = world.client("firm_a").post(f"/journey/applications/{app.pk}/submit/", {"version": app.version},
                                           follow=True)
    assert "还缺少以下必需材料：营业执照、审计报告 / 财务报表、盖章申报书" in response.content.decode()
    app.refresh_from_db()
    assert app.status == AppStatus.DRAFT


def test_officials_see_the_kind_of_each_attachment_on_the_review_screen(world: World) -> None:
    app = world.submitted("A")
    html = world.client("county").get(f"/journey/applications/{app.pk}/").content.decode()
    for kind in ("business_licence", "financial_report", "stamped_form"):
        row = re.search(rf'<tr data-kind="{kind}">.*?</tr>', html, re.S)
        assert row is not None and "✓ 已上传" in row.group(0), kind
    assert "与当前锁定的申报书一致" in html
    assert 'id="upload"' not in html and 'id="unlock"' not in html and 'id="paper-trail"' not in html


def test_the_paper_trail_speaks_english_when_chosen(world: World) -> None:
    app = world.draft("A")
    client = world.client("firm_a")
    with translation.override("zh-hans"):  # the request activates English on this thread: restore it after
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        html = client.get(f"/journey/applications/{app.pk}/").content.decode()
    for text in ("Complete the materials", "Lock and download the form", "Stamp and upload", "Business licence",
                 "Stamped application form", "Missing", "Required", "Lock and generate the application form"):
        assert text in html, text
    for text in ("完善材料", "盖章申报书", "锁定并生成申报书", "缺少"):
        assert text not in html, text


def test_the_demos_submitted_applications_carry_their_materials_and_a_stamped_copy_of_their_lock() -> None:
    from django.core.management import call_command

    call_command("seed_demo", firms=300, stdout=None)
    submitted = Application.objects.exclude(status__in=(AppStatus.DRAFT, AppStatus.RETURNED))
    assert submitted.count() >= 10
    for app in submitted:
        assert app.locked_at is not None and checklist.missing_required(app) == [], app
        assert app.attachments.filter(form_fingerprint=frozen.fingerprint(app)).count() == 1
    [returned] = Application.objects.filter(status=AppStatus.RETURNED)
    assert returned.locked_at is None and checklist.missing_required(returned) == ["盖章申报书"]
    draft = Application.objects.get(status=AppStatus.DRAFT,
                                    enterprise__organisation__memberships__user__username="demo-firm")
    assert draft.locked_at is None and not draft.attachments.exists()  # the demo firm walks the steps itself
    # a firm's licence attached in several rounds is one stored file
    # (the store also holds policy applications' materials, tidu.policy_filings: count the journey's names)
    names = set(Attachment.objects.values_list("stored_name", flat=True))
    assert names <= set(_stored_files()) and len(names) < Attachment.objects.count()
    response = Client()
    assert response.login(username="demo-county", password=DEMO_PASSWORD)
    app = submitted.filter(status=AppStatus.COUNTY).first()
    assert app is not None
    html = response.get(f"/journey/applications/{app.pk}/").content.decode()
    assert "与当前锁定的申报书一致" in html and 'id="application-form"' in html
