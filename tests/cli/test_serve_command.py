"""`scrubber serve` without the server extra: scrubber still imports, and the command says what to install."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

WITHOUT_EXTRA = "import sys; sys.modules.update(fastapi=None, uvicorn=None, starlette=None, prometheus_client=None); "


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", WITHOUT_EXTRA + code], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)  # fmt: skip


def test_scrubber_imports_without_the_server_extra() -> None:
    done = run("import scrubber, scrubber.workflows.api, scrubber.cli.app; print('ok')")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_serve_names_the_missing_extra(tmp_path) -> None:  # type: ignore[no-untyped-def]
    tokens = tmp_path / "tokens"
    tokens.write_text("a-client aaaaaaaaaaaaaaaaaaaaaaaa\n")
    argv = ["scrubber", "serve", "--token-file", str(tokens)]
    done = run(f"from scrubber.cli.app import main; sys.argv = {argv!r}; main()")
    assert done.returncode == 2
    assert "pip install 'scrubber[server]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_serve_refuses_a_missing_token_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    done = subprocess.run(
        [sys.executable, "-m", "scrubber", "serve", "--token-file", str(tmp_path / "none"), "--data-dir",
         str(tmp_path / "data")],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().endswith("no such token file")
