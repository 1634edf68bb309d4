"""The cluster deployment: docker-compose.yml is valid Compose and speaks our settings.

No Docker engine runs here, so Debian's `docker-compose config` validates the file and
the tests check what it says against the code.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

import launcher
from models.search import ALL as SEARCH_ATTRIBUTES
from settings import Settings
from telemetry.metrics import AGENT_SECONDS, REALM_SECONDS, ApiMetrics

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """The file as `docker-compose config` resolves it (anchors, merges, defaults)."""
    binary = shutil.which("docker-compose")
    assert binary, "docker-compose is installed by scripts/bootstrap"
    done = subprocess.run(
        [binary, "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    resolved: dict[str, Any] = yaml.safe_load(done.stdout)
    return resolved


def test_every_piece_of_a_cluster_is_there(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {
        "postgresql",
        "temporal",
        "temporal-admin-tools",
        "temporal-ui",
        "worker",
        "api",
        "proxy",
        "prometheus",
        "grafana",
    }


def test_api_and_worker_scale_from_one_image(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["api"]["image"] == services["worker"]["image"]
    assert services["api"]["deploy"]["replicas"] >= 2
    assert services["worker"]["deploy"]["replicas"] >= 2
    assert "healthcheck" in services["api"]
    assert services["proxy"]["depends_on"]["api"]["condition"] == "service_healthy"
    assert services["worker"]["depends_on"]["temporal-admin-tools"]["condition"] == (
        "service_completed_successfully"
    )


def test_every_variable_is_a_setting(compose: dict[str, Any]) -> None:
    fields = Settings.model_fields
    names = {f"SYMPHAINY_{name.upper()}" for name in fields}
    for field in fields.values():
        alias = field.validation_alias
        names.update(getattr(alias, "choices", []))
    for service in ("api", "worker"):
        for variable in compose["services"][service]["environment"]:
            assert variable in names, f"{service}: {variable} is not a setting"


def test_the_worker_streams_deltas_to_every_api_replica(compose: dict[str, Any]) -> None:
    """Each API replica's address, through the service's name, with the secret both share
    (empty, so off, unless the operator sets it)."""
    worker, api = compose["services"]["worker"], compose["services"]["api"]
    worker_settings = Settings(
        **{
            "delta_urls": json.loads(worker["environment"]["SYMPHAINY_DELTA_URLS"]),
            "delta_each_address": worker["environment"]["SYMPHAINY_DELTA_EACH_ADDRESS"],
        }
    )
    assert worker_settings.delta_each_address
    assert worker_settings.delta_urls == ["http://api:8000"]
    assert re.search(r"--port=8000\b", " ".join(api["command"]))
    secret = worker["environment"]["SYMPHAINY_DELTA_SECRET"]
    assert secret == api["environment"]["SYMPHAINY_DELTA_SECRET"]
    assert Settings(delta_secret=secret).delta_secret is None or len(secret) >= 32


def test_the_search_attributes_registered_are_the_codes(compose: dict[str, Any]) -> None:
    script = (ROOT / "deploy" / "search-attributes.sh").read_text()
    for key in SEARCH_ATTRIBUTES:
        assert key.name in script


def test_prometheus_scrapes_every_api_and_worker_replica(compose: dict[str, Any]) -> None:
    scrape = yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text())
    targets = {
        job["job_name"]: (sd["names"], sd["port"])
        for job in scrape["scrape_configs"]
        for sd in job["dns_sd_configs"]
    }
    worker_port = int(compose["services"]["worker"]["environment"]["SYMPHAINY_WORKER_METRICS_PORT"])
    assert targets == {
        "symphainy-api": (["api"], 8000),
        "symphainy-worker": (["worker"], worker_port),
    }
    assert (
        compose["services"]["worker"]["environment"]["SYMPHAINY_WORKER_METRICS_HOST"] == "0.0.0.0"
    )
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "location = /metrics" in nginx, "metrics are not for the public port"


def test_the_dashboard_shows_only_metrics_the_code_exports() -> None:
    dashboard = json.loads(
        (ROOT / "deploy" / "grafana" / "dashboards" / "symphainy.json").read_text()
    )
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    used = {m for e in exprs for m in re.findall(r"\b(symphainy_[a-z_]+)", e)}
    exported = {REALM_SECONDS, AGENT_SECONDS}
    for family in ApiMetrics().registry.collect():
        exported.add(family.name)
    suffixes = ("_bucket", "_count", "_sum", "_total")
    bare = {next((m.removesuffix(s) for s in suffixes if m.endswith(s)), m) for m in used}
    assert bare <= exported, bare - exported
    assert any("symphainy_turn_completed_seconds" in e for e in exprs), "turn latency is shown"


def test_the_clusters_temporal_runs_the_dev_servers_dynamic_config(
    compose: dict[str, Any],
) -> None:
    """The latency settings measured on the dev server hold in the cluster too."""
    temporal = compose["services"]["temporal"]
    inside = "/etc/temporal/" + temporal["environment"]["DYNAMIC_CONFIG_FILE_PATH"]
    source = ROOT / "deploy" / "temporal-dynamic-config.yaml"
    assert f"{source}:{inside}:ro" in temporal["volumes"]
    values = yaml.safe_load(source.read_text())
    assert {key: entries[0]["value"] for key, entries in values.items()} == (
        launcher.DEV_SERVER_DYNAMIC_CONFIG
    )
