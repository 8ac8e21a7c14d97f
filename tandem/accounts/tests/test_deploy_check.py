"""Production settings pass Django's deployment checklist, and refuse to start without a key.

These run `manage.py` in a subprocess: inside pytest, settings.py sees `pytest` imported and
takes the local (testing) branch, which is exactly what must not be checked here."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

TIMEOUT = 120


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The environment of a production server: nothing local, a real key and host."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TANDEM_", "DJANGO_", "PYTEST_")) and name != "DATABASE_URL"
    }
    env.update(
        TANDEM_SECRET_KEY=secrets.token_urlsafe(50),
        TANDEM_ALLOWED_HOSTS="tandem.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
    )
    env.update(overrides)
    return {name: value for name, value in env.items() if value}


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_when_served_over_plain_http(tmp_path):
    # The same check, with transport security switched off, must complain: it is a real gate.
    env = production_env(tmp_path, TANDEM_INSECURE_HTTP="1")

    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode != 0
    assert "security.W008" in result.stderr  # SECURE_SSL_REDIRECT
    assert "security.W012" in result.stderr  # SESSION_COOKIE_SECURE


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path, TANDEM_SECRET_KEY="")

    result = manage(env, "check")

    assert result.returncode != 0
    assert "TANDEM_SECRET_KEY is not set" in result.stderr


def test_relaxed_mfa_is_refused_outside_the_demo(tmp_path):
    env = production_env(tmp_path, TANDEM_DEMO_RELAX_MFA="1")

    result = manage(env, "check")

    assert result.returncode != 0
    assert "TANDEM_DEMO_RELAX_MFA is only allowed together with TANDEM_DEMO=1" in result.stderr


def test_production_settings_are_not_local(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.TESTING, s.LOCAL, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN, s.DEMO_RELAX_MFA)"
    )

    result = manage(production_env(tmp_path), "shell", "--no-imports", "-c", code)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "False",
        "False",
        "True",
        "True",
        "31536000",
        "False",
        "False",
    ]
