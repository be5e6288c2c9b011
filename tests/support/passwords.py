"""Password hashes remembered per password while tests create staff users.

argon2 is slow on purpose (about 0.3 s a hash here): the demo set and the tests' staff
users would spend seconds per test hashing the same few test passwords. Inside
`remembered_hashes()`, `app.staff.accounts.hash_password` hashes each distinct password
once per process and hands the same real argon2 hash out again; sign-in still verifies it
with argon2 as in production. Tests of hashing itself do not use this.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from app.staff import accounts

_real_hash = accounts.hash_password
_HASHES: dict[str, str] = {}


def _remembered(password: str) -> str:
    if password not in _HASHES:
        _HASHES[password] = _real_hash(password)
    return _HASHES[password]


@contextmanager
def remembered_hashes() -> Iterator[None]:
    accounts.hash_password = _remembered  # type: ignore[assignment]
    try:
        yield
    finally:
        accounts.hash_password = _real_hash  # type: ignore[assignment]
