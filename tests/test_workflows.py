"""The GitHub workflows: current actions, pinned, and clean under a security audit.

Each ``uses:`` names an action by the full commit of a release and says which
release in its comment (``@<40 hex> # v7.0.1``). The majors below are the
current ones, each running on Node 24 (or, for upload-pages-artifact, a
composite over upload-artifact v7), checked against the actions' release
notes when they were pinned; a newer major is fine, an older one fails.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
CURRENT_MAJOR = {
    "actions/checkout": 7,
    "actions/setup-python": 7,
    "actions/upload-artifact": 7,
    "actions/configure-pages": 6,
    "actions/upload-pages-artifact": 5,
    "actions/deploy-pages": 5,
}
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+?)@(\S+)(?:\s+#\s*(\S+))?\s*$", re.M)


def _uses():
    for path in WORKFLOWS:
        for match in USES.finditer(path.read_text(encoding="utf-8")):
            yield path.name, *match.groups()


def test_there_are_workflows_and_they_parse():
    assert {p.name for p in WORKFLOWS} >= {"pages.yml", "tests.yml"}
    for path in WORKFLOWS:
        assert isinstance(yaml.safe_load(path.read_text(encoding="utf-8")), dict), path


@pytest.mark.parametrize("name", sorted(CURRENT_MAJOR))
def test_action_is_used(name):
    assert any(action == name for _, action, _, _ in _uses()), f"{name} is no longer used"


def test_every_action_is_pinned_to_a_commit_of_a_current_release():
    found = list(_uses())
    assert found, "no uses: lines found"
    for workflow, action, ref, comment in found:
        where = f"{workflow}: {action}@{ref}"
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{where} is not pinned to a commit"
        assert comment and re.fullmatch(r"v\d+(\.\d+){0,2}", comment), (
            f"{where} does not name its release in a '# vX.Y.Z' comment"
        )
        assert action in CURRENT_MAJOR, f"{where}: add its current major to CURRENT_MAJOR"
        major = int(comment[1:].split(".")[0])
        assert major >= CURRENT_MAJOR[action], (
            f"{where} is {comment}; the current major is v{CURRENT_MAJOR[action]}"
        )


def test_checkouts_do_not_persist_credentials():
    for path in WORKFLOWS:
        for job in yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"].values():
            for step in job.get("steps", []):
                if str(step.get("uses", "")).startswith("actions/checkout@"):
                    assert step.get("with", {}).get("persist-credentials") is False, path.name


def test_zizmor_finds_nothing():
    exe = shutil.which("zizmor") or str(Path(sys.executable).with_name("zizmor"))
    if not Path(exe).exists():
        pytest.skip("zizmor is not installed (it is a test extra: pip install -e '.[test]')")
    proc = subprocess.run(
        [exe, "--offline", "--no-progress", ".github/workflows"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "No findings to report" in out, out
