"""后台下单 twice for one caller: the order form warns before it queues a second ride.

The check runs in `rides.queue` (`duplicate_ok=False`) under a lock on the caller, so two
operators ordering for one person at the same instant make one ride, not two.

An operator typing an order while the caller's first ride still waits (or is under way)
usually means a repeated call, not a second car. The order is then not placed: the page
comes back with the caller's open rides and a "仍然下单" button that sends the same order
again with `duplicate_ok` set (two people from one home may really need two cars).
"""

from __future__ import annotations

DUPLICATE = (
    "这位来电者已经有 {count} 张没有结束的叫车单（见下）。没有下新单。"
    "如果确实要再叫一辆车，请点“仍然下单”。"
)

