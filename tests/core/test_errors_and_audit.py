"""Error codes carry one Chinese message and one HTTP status; the audit log is append-only."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from tidu.core.audit import audit_record, changed_fields
from tidu.core.errors import MESSAGES, ErrorCode, TiduError, error_message, http_status
from tidu.core.models import AuditEvent
from tidu.core.testing import make_enterprise, make_user


def test_every_error_code_has_a_chinese_message() -> None:
    for code in ErrorCode:
        assert code in MESSAGES
        assert any("\u4e00" <= ch <= "\u9fff" for ch in MESSAGES[code])


def test_error_messages_fill_their_parameters_and_tolerate_missing_ones() -> None:
    assert "12345" in error_message(ErrorCode.REGION_UNKNOWN, value="12345")
    assert "{" not in error_message(ErrorCode.SUBTOTAL_EXCEEDS_TOTAL, part_label="研发人员数")


def test_codes_map_once_to_http_statuses() -> None:
    assert http_status(ErrorCode.NOT_FOUND) == 404
    assert http_status(ErrorCode.PERMISSION_DENIED) == 403
    assert http_status(ErrorCode.LOGIN_THROTTLED) == 429
    assert http_status(ErrorCode.MONEY_TOO_PRECISE) == 400
    err = TiduError(ErrorCode.CREDIT_CODE_INVALID, field="credit_code", value="X", reason="长度不对")
    assert err.as_dict() == {"code": "credit_code_invalid", "message": err.message, "field": "credit_code"}


@pytest.mark.django_db
def test_audit_record_stores_actor_action_target_and_changes() -> None:
    user = make_user("auditor")
    ent = make_enterprise()
    event = audit_record(actor=user, action="enterprise.update", target=ent, data={"changes": {"name": ["甲", "乙"]}})
    event.refresh_from_db()
    assert event.actor == user and event.actor_label == "auditor"
    assert event.target_type == "enterprises.enterprise" and event.target_id == str(ent.pk)
    assert event.data == {"changes": {"name": ["甲", "乙"]}}


@pytest.mark.django_db
def test_audit_events_cannot_be_changed_or_deleted_through_the_orm() -> None:
    event = audit_record(actor=None, action="test.event")
    assert event.actor_label == "系统"
    event.action = "tampered"
    with pytest.raises(TiduError):
        event.save()
    with pytest.raises(TiduError):
        event.delete()
    with pytest.raises(TiduError):
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(TiduError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


@pytest.mark.django_db
def test_the_admin_shows_audit_events_read_only_even_to_superusers() -> None:
    admin_user = make_user("root", superuser=True)
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    model_admin = site._registry[AuditEvent]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)


def test_changed_fields_lists_old_and_new_values_of_changed_fields_only() -> None:
    assert changed_fields({"a": 1, "b": 2}, {"a": 1, "b": 3}) == {"b": [2, 3]}
