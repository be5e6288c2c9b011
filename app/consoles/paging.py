"""`?page=N` on console lists: anything that is not a page number is page 1.

A typed or truncated address (`?page=abc`, `?page=`, `?page=0`, `?page=-2`) should show the
list, not an error, so routes take the page through `PageNumber` instead of an `int` query
parameter (which FastAPI answers with a 422). A page past the last is the list's own
business (the hospital's search shows the last page).
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Query

MAX_PAGE = 100_000
_DIGITS = re.compile(r"[0-9]{1,6}")


def page_number(page: Annotated[str, Query()] = "") -> int:
    """The page asked for, from 1 to MAX_PAGE; a bad or missing one is 1."""
    text = page.strip()
    if not _DIGITS.fullmatch(text):
        return 1
    return min(max(int(text), 1), MAX_PAGE)


PageNumber = Annotated[int, Depends(page_number)]
