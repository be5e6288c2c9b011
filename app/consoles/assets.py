"""GET /static/{name}: the consoles' CSS and scripts.

The shared files are in app/consoles/static; each capability's console adds its own folder
with `add_static_dir` (names stay unique: dispatch.js, hospital.css).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import HTTPException
from fastapi.responses import FileResponse, Response

from app.consoles.http import console_router

STATIC_DIRS: list[Path] = [(Path(__file__).parent / "static").resolve()]
router = console_router()


def add_static_dir(directory: Path) -> None:
    resolved = directory.resolve()
    if resolved not in STATIC_DIRS:
        STATIC_DIRS.append(resolved)


@router.get("/static/{name}", response_class=Response)
def static_file(name: str) -> Response:
    if not name.isprintable() or name.startswith("."):  # e.g. a NUL byte: 404, not a crash
        raise HTTPException(status_code=404, detail="文件不存在。")
    for folder in STATIC_DIRS:
        path = (folder / name).resolve()
        if path.parent == folder and path.is_file():
            return FileResponse(path, headers={"cache-control": "public, max-age=300"})
    raise HTTPException(status_code=404, detail="文件不存在。")
