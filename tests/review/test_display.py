"""What a moderator sees of personal data: every kind the product's PII detector knows is masked,
in place (same length, so evidence spans still line up); compliance and admins see it all."""

from __future__ import annotations

import pytest

from classifiers.pii import find_pii
from modpipe.accounts import Principal, Role
from review_queue.display import highlighted, mask_for

ID_NUMBER = "11010519491231002X"  # check digit and birth date valid (tests/classifiers/test_pii.py)
CARD = "4111 1111 1111 1111"  # passes Luhn
TEXT = (f"举报人身份证{ID_NUMBER}，手机13812345678，银行卡{CARD}，邮箱 zhang.san@example.org，"
        "订单号2023120113912345678999，假卡 4111 1111 1111 1112。")


def staff(role: Role) -> Principal:
    return Principal(kind="staff", org_id=None, user_id="u", username=role.value, role=role)


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.SENIOR_MODERATOR])
def test_moderators_see_every_kind_masked_in_place(role):
    shown = mask_for(staff(role), TEXT)
    assert len(shown) == len(TEXT)
    for secret in (ID_NUMBER, "13812345678", CARD, "zhang.san@example.org"):
        assert secret not in shown
    assert "110105********002X" in shown  # ID number: region and check digit left to recognise it
    assert "138****5678" in shown
    assert "4111 **** **** 1111" in shown  # the card's spaces stay where they were
    assert "z********@example.org" in shown
    # what the detector does not call personal data stays: a long order number, a card failing Luhn
    assert "订单号2023120113912345678999" in shown and "4111 1111 1111 1112" in shown
    # masked exactly where find_pii found something, nowhere else
    found = find_pii(TEXT)
    assert {m.kind for m in found} == {"id_number", "mobile", "bank_card", "email"}
    inside = {i for m in found for i in range(m.start, m.end)}
    assert all(shown[i] == TEXT[i] for i in range(len(TEXT)) if i not in inside)


@pytest.mark.parametrize("who", [staff(Role.COMPLIANCE), staff(Role.ADMIN)])
def test_compliance_and_admins_see_it_unmasked(who):
    assert mask_for(who, TEXT) == TEXT


def test_organisation_people_and_nobody_see_it_masked():
    org_admin = Principal(kind="staff", org_id="o", user_id="a", username="oa", role=Role.ORG_ADMIN)
    assert mask_for(org_admin, TEXT) == mask_for(None, TEXT) == mask_for(staff(Role.MODERATOR), TEXT)
    assert mask_for(None, None) == mask_for(None, "") == ""


def test_evidence_spans_line_up_with_the_masked_text():
    at = TEXT.index("手机")
    cats = [{"category": "insult_defamation_privacy",
             "evidence": [{"source": "pii", "detail": "mobile", "span": [at, at + 13]}]}]
    segments = highlighted(staff(Role.MODERATOR), TEXT, cats)
    assert "".join(seg.text for seg in segments) == mask_for(staff(Role.MODERATOR), TEXT)
    [marked] = [seg for seg in segments if seg.marks]
    assert marked.text == "手机138****5678" and marked.marks == ("insult_defamation_privacy: mobile",)
