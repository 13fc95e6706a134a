"""POST /v1/items, GET /v1/items/{id}, GET /v1/items/{id}/labeled."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from ingest.auth import org_key, principal
from ingest.submission import Submission, parse_fields, submit
from modpipe.accounts import Principal
from modpipe.errors import Forbidden, InvalidInput, NotFound
from modpipe.logs import ITEM_ID
from modpipe.models import Item
from modpipe.views import item_view

router = APIRouter(prefix="/v1")

_ITEM_SCHEMA = {
    "type": "object",
    "properties": {
        "external_id": {"type": "string", "maxLength": 200},
        "user_id": {"type": "string", "maxLength": 200},
        "kind": {"type": "string", "enum": ["text", "image", "video", "file"]},
        "text": {"type": "string"},
        "declared_aigc": {"type": "boolean"},
        "callback_url": {"type": "string", "format": "uri"},
    },
}
_MULTIPART_SCHEMA = {
    "type": "object",
    "properties": {**_ITEM_SCHEMA["properties"], "file": {"type": "string", "format": "binary"},
                   "declared_aigc": {"type": "string", "enum": ["true", "false"]}},
    "required": ["file"],
}


async def _read_submission(request: Request) -> Submission:
    rt = request.app.state.rt
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=20)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InvalidInput("a multipart upload needs a 'file' part")
        data = await upload.read()
        if not data:
            raise InvalidInput("the 'file' part is empty")
        fields = {k: v for k, v in form.items() if k != "file" and isinstance(v, str)}
        sniffed = sniff(data, upload.filename)
        declared = fields.get("kind")
        fields["kind"] = sniffed.kind.value
        sub = parse_fields(fields, rt.settings.limits.max_text_chars)
        if declared and declared != sniffed.kind.value and not (declared == "file"):
            raise InvalidInput(f"'kind' says {declared!r} but the bytes are {sniffed.mime} ({sniffed.kind.value}); "
                               "the type is read from the content, not trusted from the name")
        sub.data, sub.filename, sub.mime = data, (upload.filename or None), sniffed.mime
        return sub
    if ctype not in ("application/json", ""):
        raise InvalidInput(f"send application/json or multipart/form-data, not {ctype!r}")
    body = await request.body()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InvalidInput(f"the body is not valid UTF-8 (byte {e.start})") from None
    try:
        fields = json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidInput(f"the body is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    except RecursionError:
        raise InvalidInput("the body nests too deeply; an item is a flat JSON object") from None
    except ValueError as e:  # e.g. an integer of 100,000 digits
        raise InvalidInput(f"the body is not acceptable JSON: {str(e)[:120]}") from None
    return parse_fields(fields, rt.settings.limits.max_text_chars)


def sniff(data: bytes, filename: str | None):
    from classifiers.media import sniff as media_sniff

    return media_sniff(data, filename)


@router.post(
    "/items",
    status_code=202,
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": _ITEM_SCHEMA},
        "multipart/form-data": {"schema": _MULTIPART_SCHEMA},
    }}},
)
async def create_item(request: Request, p: Principal = Depends(org_key)) -> JSONResponse:
    sub = await _read_submission(request)
    sub.source_ip = request.client.host if request.client else None
    # submit() waits on the object store, the database commit and Redis: in the threadpool, so one
    # upload's fsync does not stall every other request on the event loop (the load test's first bottleneck).
    item, created = await run_in_threadpool(submit, request.app.state.rt, p.org_id, sub)
    return JSONResponse({"id": item.id, "status": item.status, "created": created}, status_code=202)


def load_item_for(request: Request, item_id: str, p: Principal) -> Item:
    """The item, if this caller may see it: its own organisation, or platform staff."""
    ITEM_ID.set(item_id)  # this request's log lines carry the id (sync endpoints run in a copied context)
    with request.app.state.rt.db.session() as s:
        item = s.get(Item, item_id)
    if item is None or item.deleted_at is not None:
        raise NotFound(f"no item {item_id!r}")
    if p.org_id is not None and item.org_id != p.org_id:
        raise NotFound(f"no item {item_id!r}")  # another organisation's item does not exist for you
    if p.kind == "staff" and p.org_id is None and p.role is not None and p.role.value not in (
        "admin", "moderator", "senior_moderator", "compliance"
    ):
        raise Forbidden("your role cannot read items")
    return item


@router.get("/items/{item_id}")
def get_item(item_id: str, request: Request, p: Principal = Depends(principal)) -> dict:
    return item_view(load_item_for(request, item_id, p))


@router.get("/items/{item_id}/labeled")
def get_labeled(item_id: str, request: Request, p: Principal = Depends(principal)) -> Response:
    from ingest.labeled import labeled_response

    from reports.audit import content_viewed

    rt = request.app.state.rt
    item = load_item_for(request, item_id, p)
    with rt.db.session() as s:
        content_viewed(s, p, item, "api:items.labeled")
    return labeled_response(rt, item)
