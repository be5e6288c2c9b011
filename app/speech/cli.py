"""`ivr models ...`: list, check and download speech models.

The lead registers this with `app.add_typer(models_app, name="models")`; it also runs on
its own as `python -m app.speech.cli`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from app.speech.download import (
    DownloadError,
    ProgressCallback,
    download_model,
    remove_partial_downloads,
)
from app.speech.models import (
    DEFAULT_MODELS_DIR,
    UNPINNED,
    ManifestError,
    ModelSpec,
    load_manifest,
    manifest_path,
    model_problem,
)

models_app = typer.Typer(help="List, check and download the Vosk speech models.")

DEFAULT_MODEL = "vosk-model-small-cn-0.22"


def _models_dir(value: Path | None) -> Path:
    return value or Path(os.environ.get("IVR_MODELS_DIR") or DEFAULT_MODELS_DIR)


def _manifest_override() -> Path | None:
    """IVR_MODELS_MANIFEST: the image's manifest when models live on a volume."""
    value = os.environ.get("IVR_MODELS_MANIFEST")
    return Path(value) if value else None


def _manifest(models_dir: Path) -> dict[str, ModelSpec]:
    try:
        return load_manifest(models_dir, _manifest_override())
    except ManifestError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc


def _size(spec: ModelSpec) -> str:
    if spec.size_bytes:
        return f"{spec.size_bytes / 1e6:.0f} MB"
    return f"~{spec.approx_size_mb:.0f} MB" if spec.approx_size_mb else "?"


MODELS_DIR_OPTION = typer.Option(None, "--models-dir", help="Default: IVR_MODELS_DIR or models/")


@models_app.command("list")
def list_models(models_dir: Path | None = MODELS_DIR_OPTION) -> None:
    """Show the models the manifest knows and whether each is installed."""
    directory = _models_dir(models_dir)
    rows = [("NAME", "LANG", "SIZE", "RATE", "GRAMMAR", "SHA-256", "STATUS")]
    for spec in _manifest(directory).values():
        problem = model_problem(spec.local_path(directory))
        rows.append(
            (
                spec.name,
                spec.language,
                _size(spec),
                str(spec.sample_rate),
                "yes" if spec.grammar else "no",
                "package"
                if spec.is_package
                else ("pinned" if spec.checksum_pinned else "UNPINNED"),
                "installed" if problem is None else problem,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        typer.echo(
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + "  " + row[-1]
        )


@models_app.command("check")
def check(
    model: str | None = typer.Option(
        None, "--model", help="Model the service will use (default IVR_SPEECH_MODEL)."
    ),
    load: bool = typer.Option(False, "--load", help="Also load it with Vosk (slow)."),
    models_dir: Path | None = MODELS_DIR_OPTION,
) -> None:
    """Check the manifest and the configured model; exit 1 if speech would be unavailable."""
    directory = _models_dir(models_dir)
    specs = _manifest(directory)
    for spec in specs.values():
        if not spec.is_package and not spec.checksum_pinned:
            typer.echo(f"warning: {spec.name}: SHA-256 {UNPINNED}; downloads are unverified")
    name = model or os.environ.get("IVR_SPEECH_MODEL") or DEFAULT_MODEL
    if name not in specs:
        typer.echo(f"error: model {name!r} is not in the manifest (keypad-only)", err=True)
        raise typer.Exit(1)
    spec = specs[name]
    path = spec.local_path(directory)
    problem = model_problem(path)
    if problem:
        typer.echo(f"error: {name}: {problem} -> the service runs keypad-only", err=True)
        raise typer.Exit(1)
    if load:
        from app.speech.service import load_speech

        started = time.monotonic()
        speech = load_speech(directory, name, manifest=_manifest_override())
        if speech.model is None:
            typer.echo(f"error: {speech.status}", err=True)
            raise typer.Exit(1)
        typer.echo(f"loaded {name} in {time.monotonic() - started:.1f} s")
    typer.echo(f"ok: {name} at {path}")


def _progress_bar() -> tuple[ProgressCallback, Callable[[], None]]:
    """A rich progress bar on standard error: size, speed and time left."""
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    )
    task: dict[str, TaskID] = {}

    def show(done: int, total: int | None) -> None:
        if "id" not in task:
            progress.start()
            task["id"] = progress.add_task("download", total=total)
        progress.update(task["id"], completed=done, total=total)

    def end() -> None:
        progress.stop()

    return show, end


@models_app.command("download")
def download(
    name: str = typer.Argument(..., help="Model name from the manifest."),
    url: str | None = typer.Option(None, "--url", help="Mirror URL instead of the manifest's."),
    allow_unpinned: bool = typer.Option(
        False, "--allow-unpinned", help="Download even if the manifest has no SHA-256."
    ),
    force: bool = typer.Option(False, "--force", help="Replace an installed model."),
    models_dir: Path | None = MODELS_DIR_OPTION,
) -> None:
    """Download NAME, verify its checksum and unpack it atomically into models/NAME."""
    directory = _models_dir(models_dir)
    specs = _manifest(directory)
    if name not in specs:
        typer.echo(f"error: unknown model {name!r}; known: {', '.join(sorted(specs))}", err=True)
        raise typer.Exit(2)
    for leftover in remove_partial_downloads(directory):
        typer.echo(f"removed leftover partial download {leftover.name}")
    show, end = _progress_bar()
    try:
        path, digest = download_model(
            specs[name],
            directory,
            url=url,
            progress=show,
            allow_unpinned=allow_unpinned,
            force=force,
        )
    except DownloadError as exc:
        end()
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    end()
    typer.echo(f"installed {name} at {path}")
    typer.echo(f"sha256 {digest}")
    if not specs[name].checksum_pinned:
        where = manifest_path(directory, _manifest_override())
        typer.echo(f"warning: pin this checksum in {where} (sha256 field)")


if __name__ == "__main__":
    models_app()
