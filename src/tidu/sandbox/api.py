"""/api/v1/sandbox: the threshold sandbox under the web's permissions (officials, own runs, own
jurisdiction): the thresholds of a standard, start a run, read a run."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from tidu.accounts.auth import API_AUTH
from tidu.core.errors import ErrorCode, TiduValidationError
from tidu.core.permissions import require
from tidu.enterprises.api import ErrorOut, api_errors
from tidu.rules.fields import today_shanghai
from tidu.rules.packs import repo_packs_dir
from tidu.sandbox import engine as E
from tidu.sandbox import selectors, services
from tidu.sandbox.models import SandboxRun

router = Router(auth=API_AUTH, tags=["门槛沙盘"])
ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class RunIn(Schema):
    standard: str
    edits: dict[str, str]  # threshold id -> new value in the unit shown (万元, %, 人, 分 …)


def _run_out(run: SandboxRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "standard": run.standard,
        "edition": run.edition,
        "edits": run.edits,
        "pack_digest": run.pack_digest,
        "job": str(run.job_id) if run.job_id else None,
        "finished": run.finished,
        "result": run.result,
        "created_at": run.created_at.isoformat(),
    }


@router.get(
    "/standards/{standard}/thresholds",
    response={200: list[dict[str, Any]], **ERRORS},
    summary="认定标准的可试算门槛",
)
@api_errors
def thresholds(request: HttpRequest, standard: str) -> Any:
    require(selectors.can_use_sandbox(request.user))
    try:
        found = E.thresholds(repo_packs_dir(), standard, today_shanghai())
    except E.SandboxInputError as exc:
        raise TiduValidationError([("standard", ErrorCode.VALIDATION, str(exc))]) from None
    return [
        {
            "id": t.id,
            "condition": t.condition_label,
            "clause": t.clause,
            "document": t.document,
            "field": t.field,
            "field_label": t.field_label,
            "op": t.op,
            "value": format(t.shown, "f"),
            "unit": t.unit_label,
        }
        for t in found
    ]


@router.post("/runs", response={201: dict[str, Any], **ERRORS}, summary="开始一次门槛沙盘试算")
@api_errors
def run_new(request: HttpRequest, payload: RunIn) -> Any:
    run = services.start_run(user=request.user, standard=payload.standard, edits=payload.edits)
    return Status(201, _run_out(selectors.run_for(request.user, run.pk)))


@router.get("/runs", response={200: list[dict[str, Any]], **ERRORS}, summary="我的试算记录")
@api_errors
def runs(request: HttpRequest) -> Any:
    return [_run_out(r) for r in selectors.runs_of(request.user)[:100]]


@router.get("/runs/{pk}", response={200: dict[str, Any], **ERRORS}, summary="一次试算及其结果")
@api_errors
def run_get(request: HttpRequest, pk: int) -> Any:
    return _run_out(selectors.run_for(request.user, pk))
