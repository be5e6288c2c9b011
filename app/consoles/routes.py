"""Web consoles: staff sign-in shared by the dispatch and hospital consoles."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
