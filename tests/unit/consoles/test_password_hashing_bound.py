"""At most two password hashes are computed at once; a long wait is refused, not queued."""

from __future__ import annotations

import threading
import time

import pytest

from app.staff import accounts


class SlowHasher:
    """Stands in for argon2: records how many verifications run at the same time."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self.lock = threading.Lock()

    def verify(self, password_hash: str, password: str) -> bool:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(0.05)
        with self.lock:
            self.running -= 1
        return False


def test_no_more_than_two_password_checks_run_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    slow = SlowHasher()
    monkeypatch.setattr(accounts, "password_hasher", lambda: slow)
    threads = [
        threading.Thread(target=accounts._verify, args=("hash", "guess")) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert slow.most == accounts.HASH_SLOTS == 2


def test_a_check_that_waits_too_long_for_a_slot_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(accounts, "HASH_WAIT_SECONDS", 0.01)
    taken = [accounts._hash_slots.acquire() for _ in range(accounts.HASH_SLOTS)]
    try:
        with pytest.raises(accounts.HashingBusy):
            accounts._verify("hash", "guess")
    finally:
        for _ in taken:
            accounts._hash_slots.release()
