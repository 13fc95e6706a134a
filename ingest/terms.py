"""An organisation's own block / review / allow terms (issue 3): effective without a restart."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from ingest.auth import principal
from modpipe import orgterms
from modpipe.accounts import Principal, Role
from modpipe.errors import Forbidden
from reports.audit import record

router = APIRouter(prefix="/v1/orgs/{org_id}/terms")


class TermIn(BaseModel):
    term: str = Field(min_length=1, max_length=200)
    action: str = Field(pattern="^(block|review|allow)$")


class TermsIn(BaseModel):
    terms: list[TermIn] = Field(min_length=1, max_length=1000)


def _may_manage(p: Principal, org_id: str) -> None:
    if p.kind == "org" and p.org_id == org_id:
        return
    if p.kind == "staff" and (p.role is Role.ADMIN or (p.role is Role.ORG_ADMIN and p.org_id == org_id)):
        return
    raise Forbidden("only the organisation itself (its API key or its admin) or a platform admin manages its terms")


@router.get("")
def get_terms(org_id: str, request: Request, p: Principal = Depends(principal)) -> dict:
    _may_manage(p, org_id)
    version, terms = orgterms.list_terms(request.app.state.rt.db, org_id)
    return {"org_id": org_id, "version": version, "terms": [t.__dict__ for t in terms]}


@router.post("")
def add_terms(org_id: str, body: TermsIn, request: Request, p: Principal = Depends(principal)) -> dict:
    _may_manage(p, org_id)
    db = request.app.state.rt.db
    version = orgterms.set_terms(db, org_id, [(t.term, t.action) for t in body.terms], p.actor)
    with db.session() as s:
        record(s, p.actor, "org_terms.set", target=org_id, org_id=org_id,
               terms=[t.model_dump() for t in body.terms], version=version)
    return {"org_id": org_id, "version": version}


@router.delete("/{term}")
def delete_term(org_id: str, term: str, request: Request, p: Principal = Depends(principal)) -> dict:
    _may_manage(p, org_id)
    db = request.app.state.rt.db
    version = orgterms.remove_term(db, org_id, term)
    with db.session() as s:
        record(s, p.actor, "org_terms.remove", target=org_id, org_id=org_id, term=term, version=version)
    return {"org_id": org_id, "version": version}
