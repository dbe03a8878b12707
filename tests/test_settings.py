"""Settings read from the environment, checked in a fresh process."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def local_env(var_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_ENV"}
    }
    env["RELIEF_VAR_DIR"] = str(var_dir)
    return env


def test_migrate_creates_missing_var_dir(tmp_path):
    var_dir = tmp_path / "fresh" / "var"

    result = run_manage("migrate", "--no-input", env=local_env(var_dir))

    assert result.returncode == 0, result.stderr
    assert (var_dir / "relief.sqlite3").is_file()


def test_production_needs_secret_key(tmp_path):
    env = local_env(tmp_path / "var")
    env["DJANGO_ENV"] = "production"
    env.pop("DJANGO_SECRET_KEY", None)

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is missing" in result.stderr
