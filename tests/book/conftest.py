"""The book tests' fixture: the whole book built once per session."""
import pytest


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """The whole book built once per test session (warnings are errors); yields the HTML folder."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    jb = shutil.which("jupyter-book", path=str(Path(sys.executable).parent)) or shutil.which("jupyter-book")
    out = tmp_path_factory.mktemp("book")
    result = subprocess.run([jb, "build", "-W", "-n", "--keep-going", "--path-output", str(out), str(root)],
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    return out / "_build" / "html"
