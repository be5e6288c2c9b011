"""The dependency locks (requirements/*.lock, made by `make lock`) pin, with hashes, every
dependency pyproject.toml declares, at a version its specifier allows; the runtime lock
(the Docker image) and the dev lock (`make install`, CI) agree on shared packages."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def pins(lock: str) -> dict[str, Version]:
    text = (ROOT / "requirements" / lock).read_text()
    found: dict[str, Version] = {}
    for block in re.split(r"\n(?=\S)", text):
        match = PIN.match(block)
        if match:
            assert "--hash=sha256:" in block, f"{match.group(1)} is pinned without a hash"
            found[canonicalize_name(match.group(1))] = Version(match.group(2))
    return found


def declared(extra: str | None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = project["dependencies"] + (project["optional-dependencies"][extra] if extra else [])
    return [Requirement(r) for r in names]


@pytest.mark.parametrize(("lock", "extra"), [("runtime.lock", None), ("dev.lock", "dev")])
def test_every_declared_dependency_is_pinned_within_its_range(lock: str, extra: str | None):
    pinned = pins(lock)
    for requirement in declared(extra):
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is not in {lock}: run `make lock`"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"{lock} pins {name}=={pinned[name]}, outside {requirement}: run `make lock`"
        )


def test_runtime_and_dev_locks_agree():
    runtime, dev = pins("runtime.lock"), pins("dev.lock")
    assert runtime, "the runtime lock is empty"
    differ = {n: (v, dev.get(n)) for n, v in runtime.items() if dev.get(n) != v}
    assert not differ, f"runtime.lock and dev.lock pin these differently: {differ}"


@pytest.mark.parametrize(
    ("installer", "lock"),
    [("docker/Dockerfile", "requirements/runtime.lock"), ("Makefile", "requirements/dev.lock")],
)
def test_installs_go_through_the_locks(installer: str, lock: str):
    text = (ROOT / installer).read_text()
    assert f"--require-hashes -r {lock}" in text
    # The project itself is installed without letting pip resolve anything else.
    assert re.search(r"pip install (--quiet )?--no-deps -e \.", text)
