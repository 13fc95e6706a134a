"""Review fixtures: staff members as the service functions and the API see them.

(``submit_reviewed``, an item held for review through the real finalize path, is in tests/conftest.py.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest

from modpipe.accounts import Principal, Role, principal_for_token


@dataclass
class Staff:
    p: Principal
    headers: dict[str, str]

    @property
    def user_id(self) -> str:
        return self.p.user_id


@pytest.fixture
def staff_member(rt, make_staff) -> Callable[..., Staff]:
    """A staff member as the service functions see them (``.p``) and as the API does (``.headers``)."""

    def make(username: str, role: str, org_id: str | None = None, password: str | None = None) -> Staff:
        made = make_staff(username, role, org_id=org_id, password=password)
        headers = {"Authorization": made["Authorization"]}
        p = principal_for_token(rt.db, headers["Authorization"].split(" ", 1)[1])
        assert p is not None and p.role is Role(role)
        return Staff(p, headers)

    return make
