"""A refused action of the dispatch page answers 303 back to /dispatch (Post/Redirect/Get,
app/taxi/console/refusals.py): `refusal` follows it and returns the page's message."""

from __future__ import annotations

import re

import httpx


def refusal(client: httpx.Client, answer: httpx.Response) -> str:
    """The message the dispatch page shows once after the refused `answer` ("" if none)."""
    assert answer.status_code == 303, answer.text[-2000:]
    location = answer.headers["location"]
    assert location.split("#")[0] == "/dispatch", location
    page = client.get(location.split("#")[0])
    assert page.status_code == 200
    found = re.search(r'<p class="alert" role="alert"[^>]*>([^<]*)<', page.text)
    return found.group(1) if found else ""
