"""GET /static/{name}: the consoles' CSS and scripts from app/consoles/static."""

from __future__ import annotations

from pathlib import Path

from fastapi import HTTPException
from fastapi.responses import FileResponse, Response

from app.consoles.http import console_router

STATIC_DIR = (Path(__file__).parent / "static").resolve()
router = console_router()


@router.get("/static/{name}", response_class=Response)
def static_file(name: str) -> Response:
    path = (STATIC_DIR / name).resolve()
    if path.parent != STATIC_DIR or not path.is_file():
        raise HTTPException(status_code=404, detail="文件不存在。")
    return FileResponse(path, headers={"cache-control": "public, max-age=300"})
