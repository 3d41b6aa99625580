"""The repository keeps its promises: CI runs the README's test command, and the package installs."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    return re.findall(r"```bash\n(python3 -m pip install -r [^\n]+)\n```", (ROOT / "README.md").read_text())


def test_readme_has_the_two_commands():
    build, test = readme_commands()[:2]
    assert "requirements.txt" in build and "jupyter-book build -W" in build
    assert "requirements-test.txt" in test and "pytest" in test


def test_ci_runs_the_readme_test_command_unchanged():
    test_command = readme_commands()[1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_command in ci_lines


def test_jupyter_book_is_pinned_below_2():
    pins = dict(line.split("==") for line in (ROOT / "requirements.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    assert int(pins["jupyter-book"].split(".")[0]) == 1


def test_package_imports_from_any_directory(tmp_path):
    out = subprocess.run([sys.executable, "-c", "from backprop_lib import MLP; print(MLP([2, 1]))"],
                         cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.startswith("MLP(sizes=[2, 1]")
