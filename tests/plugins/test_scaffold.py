"""`saas plugin new NAME` scaffolds a package whose own test passes."""
from __future__ import annotations

import subprocess
import sys


def test_the_scaffold_is_a_working_plugin_with_a_passing_test(runner, tmp_path):
    target = tmp_path / "hello_orchard"
    result = runner.invoke(args=["plugin", "new", "hello_orchard", "--directory", str(target)])
    assert result.exit_code == 0, result.output
    for path in ("pyproject.toml", "hello_orchard/plugin.py", "hello_orchard/models.py",
                 "hello_orchard/migrations/hello_orchard_0001_items.py", "tests/test_hello_orchard.py"):
        assert (target / path).is_file(), path
    assert 'hello_orchard = "hello_orchard.plugin"' in (target / "pyproject.toml").read_text()
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(target / "tests")],
                         cwd=target, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "1 passed" in run.stdout


def test_bad_names_and_taken_folders_are_refused(runner, tmp_path):
    assert runner.invoke(args=["plugin", "new", "Bad-Name", "-d", str(tmp_path / "x")]).exit_code != 0
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "file").write_text("mine")
    assert runner.invoke(args=["plugin", "new", "taken", "-d", str(tmp_path / "taken")]).exit_code != 0
