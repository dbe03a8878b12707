"""docker-compose.yml and the Dockerfile name only things that exist here.

No Docker engine runs where these tests run, so they read both files and
check each command, module, option, queue, variable and path they name
against the project and the installed gunicorn and Celery.
"""

import inspect
import re
import shlex
import subprocess
import sys
import tomllib
import warnings
from pathlib import Path
from urllib.parse import urlparse

import dj_database_url
import pytest
import yaml
from celery.app.utils import find_app
from celery.bin.base import CLIContext
from celery.bin.celery import celery as celery_cli
from django.urls import resolve
from gunicorn.config import Config as GunicornConfig
from gunicorn.util import import_app

from relief import celery_app
from tests.worker.conftest import BASE_DIR

COMPOSE_FILE = BASE_DIR / "docker-compose.yml"
DOCKERFILE = BASE_DIR / "Dockerfile"
DOCKERIGNORE = BASE_DIR / ".dockerignore"
APP_SERVICES = ["web", "worker", "beat", "migrate"]
LONG_RUNNING = ["postgres", "redis", "web", "worker", "beat"]
TEST_VARIABLES = {"DJANGO_SECRET_KEY": "compose-test-key", "POSTGRES_PASSWORD": "pw1"}
VARIABLE = re.compile(r"\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


class MissingVariable(Exception):
    pass


def interpolate(value: object, variables: dict[str, str]) -> object:
    """Expand ${NAME}, ${NAME:-default} and ${NAME:?error} as Compose does."""
    if isinstance(value, dict):
        return {key: interpolate(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, variables) for item in value]
    if not isinstance(value, str):
        return value

    def expand(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.groups()
        current = variables.get(name, "")
        if operator in (":?", "?") and not current:
            raise MissingVariable(f"{name}: {argument}")
        if operator in (":-", "-") and not current:
            return argument
        return current

    return VARIABLE.sub(expand, value)


def load_compose(variables: dict[str, str] = TEST_VARIABLES) -> dict:
    return interpolate(yaml.safe_load(COMPOSE_FILE.read_text()), variables)


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose()


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def command_of(service: dict) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def option(command: list[str], *names: str) -> str:
    for index, token in enumerate(command):
        if token in names:
            return command[index + 1]
    raise AssertionError(f"none of {names} in {command}")


def parse_celery(command: list[str]) -> tuple[str, dict]:
    """Parse a `celery ...` command with Celery's own CLI; return the
    subcommand and its parsed options. Unknown options raise click errors."""
    assert command[0] == "celery"
    with warnings.catch_warnings():
        # Click 8.2 deprecates protected_args, which still contains the subcommand.
        warnings.simplefilter("ignore", DeprecationWarning)
        context = celery_cli.make_context("celery", command[1:])
        tokens = [*context.protected_args, *context.args]
    name, subcommand, rest = celery_cli.resolve_command(context, tokens)
    context.obj = CLIContext(app=celery_app, no_color=True, workdir=None, quiet=True)
    assert context.params["app"] == "relief"
    return name, subcommand.make_context(name, rest, parent=context).params


def routed_task_queues() -> dict[str, str]:
    routes = celery_app.conf.task_routes
    assert isinstance(routes, dict), "task_routes is expected to be a dict"
    return {task: route["queue"] for task, route in routes.items()}


def settings_variables() -> set[str]:
    """Names of the environment variables that relief/settings.py reads."""
    source = (BASE_DIR / "relief" / "settings.py").read_text()
    pattern = (
        r'(?:os\.environ\.get|os\.getenv|env_flag)\(\s*"(\w+)"|os\.environ\["(\w+)"\]'
    )
    names = {first or second for first, second in re.findall(pattern, source)}
    if re.search(r"dj_database_url\.config\((?![^)]*\benv=)", source):
        # dj_database_url.config() reads the variable named by its env argument.
        names.add(inspect.signature(dj_database_url.config).parameters["env"].default)
    return names


def dockerfile_instructions() -> list[tuple[str, str]]:
    """Return (INSTRUCTION, arguments) pairs with continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, arguments = line.partition(" ")
            instructions.append((keyword.upper(), " ".join(arguments.split())))
    return instructions


def dockerfile_env() -> dict[str, str]:
    env = {}
    for keyword, arguments in dockerfile_instructions():
        if keyword == "ENV":
            env.update(pair.split("=", 1) for pair in shlex.split(arguments))
    return env


# docker-compose.yml


def test_compose_services(services):
    assert set(LONG_RUNNING) <= set(services)
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"


def test_compose_exactly_one_beat(services):
    beats = [
        name
        for name, service in services.items()
        if "command" in service
        and command_of(service)[:1] == ["celery"]
        and parse_celery(command_of(service))[0] == "beat"
    ]

    assert beats == ["beat"]
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1
    assert services["beat"].get("scale", 1) == 1


def test_compose_app_services_share_image(services):
    images = {services[name]["image"] for name in APP_SERVICES}
    contexts = {services[name]["build"] for name in APP_SERVICES}

    assert len(images) == 1
    assert contexts == {"."}


def test_compose_web_runs_project_wsgi(services):
    command = command_of(services["web"])
    parsed = GunicornConfig().parser().parse_args(command[1:])

    assert command[0] == "gunicorn"
    assert parsed.args == ["relief.wsgi:application"]
    assert callable(import_app(parsed.args[0]))
    assert parsed.bind == ["0.0.0.0:8000"]
    assert parsed.control_socket_disable is True
    assert "127.0.0.1:8000:8000" in services["web"]["ports"]


def test_compose_web_healthcheck_url(services):
    script = services["web"]["healthcheck"]["test"][-1]
    [url] = re.findall(r'"(http://[^"]+)"', script)
    parsed = urlparse(url)

    assert parsed.port == 8000
    assert resolve(parsed.path).url_name is not None
    compile(script, "healthcheck", "exec")


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_compose_celery_app_found(services, name):
    command = command_of(services[name])

    assert find_app(option(command, "-A", "--app")) is celery_app


def test_compose_worker_queues_cover_routes(services):
    _, params = parse_celery(command_of(services["worker"]))
    routed = set(routed_task_queues().values())

    assert routed <= set(params["queues"])
    assert celery_app.conf.task_default_queue in params["queues"]


def test_compose_routed_tasks_exist():
    celery_app.autodiscover_tasks(force=True)

    missing = [task for task in routed_task_queues() if task not in celery_app.tasks]

    assert missing == []


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_compose_celery_healthcheck_pings_node(services, name):
    _, params = parse_celery(command_of(services[name]))
    check = services[name]["healthcheck"]["test"]
    command = shlex.split(check[1]) if check[0] == "CMD-SHELL" else check[1:]
    node = option(command, "-d", "--destination")

    assert command[:5] == ["celery", "-A", "relief", "inspect", "ping"]
    # %h in the node name is the container's host name, $HOSTNAME in its shell.
    assert node.replace("$HOSTNAME", "%h") == option(command_of(services[name]), "-n")
    if name == "beat":
        assert params["remote_control"] is True


def test_compose_beat_schedule_in_var(services):
    _, params = parse_celery(command_of(services["beat"]))
    var_dir = dockerfile_env()["RELIEF_VAR_DIR"]

    assert Path(params["schedule"]).parent == Path(var_dir)
    assert any(
        keyword == "RUN" and f"chown -R relief:relief {var_dir}" in arguments
        for keyword, arguments in dockerfile_instructions()
    )


def test_compose_environment_read_by_settings(services):
    known = settings_variables()

    for name in APP_SERVICES:
        unknown = set(services[name]["environment"]) - known
        assert unknown == set(), name


def test_compose_production_environment(services):
    for name in ["web", "worker", "beat"]:
        env = services[name]["environment"]
        assert env["DJANGO_ENV"] == "production"
        assert env["DJANGO_SECRET_KEY"] == TEST_VARIABLES["DJANGO_SECRET_KEY"]
        assert env["DJANGO_ALLOWED_HOSTS"]


@pytest.mark.parametrize("variable", ["DJANGO_SECRET_KEY", "POSTGRES_PASSWORD"])
def test_compose_secret_required(variable):
    variables = {k: v for k, v in TEST_VARIABLES.items() if k != variable}

    with pytest.raises(MissingVariable, match=variable):
        load_compose(variables)


def test_compose_database_url_matches_postgres(services):
    database = dj_database_url.parse(services["web"]["environment"]["DATABASE_URL"])
    postgres = services["postgres"]["environment"]

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["HOST"] == "postgres"
    assert database["USER"] == postgres["POSTGRES_USER"]
    assert database["NAME"] == postgres["POSTGRES_DB"]
    assert database["PASSWORD"] == postgres["POSTGRES_PASSWORD"]


def test_compose_broker_url_is_redis_service(services):
    broker = urlparse(services["worker"]["environment"]["CELERY_BROKER_URL"])

    assert broker.scheme == "redis"
    assert broker.hostname == "redis"


def test_compose_media_volume_shared(compose, services):
    mounts = {}
    for name in ["web", "worker"]:
        media_root = services[name]["environment"]["MEDIA_ROOT"]
        mounts[name] = [
            volume
            for volume in services[name]["volumes"]
            if volume.split(":")[1] == media_root
        ]

    assert mounts["web"] == mounts["worker"]
    [volume] = mounts["web"]
    assert volume.split(":")[0] in compose["volumes"]


def test_compose_healthchecks_and_dependencies(services):
    for name in LONG_RUNNING:
        assert services[name]["healthcheck"]["test"], name
    for name in ["web", "worker", "beat"]:
        depends_on = services[name]["depends_on"]
        assert depends_on["postgres"]["condition"] == "service_healthy"
        assert depends_on["redis"]["condition"] == "service_healthy"
        assert depends_on["migrate"]["condition"] == "service_completed_successfully"
    for name, service in services.items():
        assert set(service.get("depends_on", {})) <= set(services), name


def test_compose_migrate_runs_manage(services):
    command = command_of(services["migrate"])

    assert command[:3] == ["python", "manage.py", "migrate"]
    assert services["migrate"]["restart"] == "no"


# Dockerfile and .dockerignore


def test_dockerfile_base_image():
    [base] = [
        arguments
        for keyword, arguments in dockerfile_instructions()
        if keyword == "FROM"
    ]
    required = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["project"][
        "requires-python"
    ]

    assert base == "python:3.11-slim-bookworm"
    assert required == ">=3.11"


def test_dockerfile_weasyprint_packages():
    runs = " ".join(
        args for keyword, args in dockerfile_instructions() if keyword == "RUN"
    )
    packages = [
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "libharfbuzz-subset0",
        "fonts-noto-cjk",
    ]

    for package in packages:
        assert f" {package} " in f" {runs} ", package


def test_dockerfile_installs_requirements():
    instructions = dockerfile_instructions()

    assert ("COPY", "requirements.txt ./") in instructions
    assert ("RUN", "pip install -r requirements.txt") in instructions
    assert (BASE_DIR / "requirements.txt").is_file()


def test_dockerfile_copy_sources_exist():
    for keyword, arguments in dockerfile_instructions():
        if keyword == "COPY":
            *sources, _target = arguments.split()
            for source in sources:
                assert (BASE_DIR / source).exists(), source


def test_dockerfile_runs_as_app_user():
    instructions = dockerfile_instructions()
    users = [arguments for keyword, arguments in instructions if keyword == "USER"]

    assert users[-1] == "relief"
    assert any(
        keyword == "RUN" and "useradd" in arguments and arguments.endswith(" relief")
        for keyword, arguments in instructions
    )


def test_dockerfile_environment_read_by_settings():
    own = {name for name in dockerfile_env() if not name.startswith(("PYTHON", "PIP_"))}

    assert own - settings_variables() == set()
    assert dockerfile_env()["DJANGO_ENV"] == "production"


def test_dockerfile_default_command_is_web():
    [command] = [
        args for keyword, args in dockerfile_instructions() if keyword == "CMD"
    ]

    assert yaml.safe_load(command)[:2] == ["gunicorn", "relief.wsgi:application"]


def test_dockerfile_collectstatic_runs(tmp_path):
    """Run the image's collectstatic step: production settings, no database."""
    runs = " && ".join(
        args for keyword, args in dockerfile_instructions() if keyword == "RUN"
    )
    [step] = [
        part.strip() for part in runs.split("&&") if "manage.py collectstatic" in part
    ]
    assignments, _, command = step.partition(" python ")
    env = {"PATH": "/usr/bin:/bin", **dockerfile_env()}
    env.update(pair.split("=", 1) for pair in assignments.split())
    env["RELIEF_VAR_DIR"] = str(tmp_path)
    env["MEDIA_ROOT"] = str(tmp_path / "media")

    subprocess.run(  # noqa: S603
        [sys.executable, *shlex.split(command)], cwd=BASE_DIR, env=env, check=True
    )

    assert (tmp_path / "staticfiles" / "admin" / "css" / "base.css").is_file()


def test_dockerignore_keeps_secrets_out():
    patterns = {
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }

    assert {".env", ".git", ".venv", "var"} <= patterns
    assert "requirements.txt" not in patterns
    assert "locale" not in patterns
