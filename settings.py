"""One validated settings object for the API and the worker.

Built only in ``api/main.py`` and ``worker.py``: workflows never read settings, so a
replayed workflow cannot see a different configuration than the original run did.
"""

from pathlib import Path
from typing import Literal, Self

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from activities.realms.reading.limits import ReadLimits

WEAK_SECRETS = frozenset(("secret", "changeme", "change-me", "dev", "test", "password"))


class Settings(BaseSettings):
    """Environment-driven configuration (``SYMPHAINY_*``; Temporal's own names as-is)."""

    model_config = SettingsConfigDict(env_prefix="SYMPHAINY_", extra="ignore")

    temporal_address: str = Field(
        default="localhost:7233",
        validation_alias=AliasChoices("TEMPORAL_ADDRESS", "SYMPHAINY_TEMPORAL_ADDRESS"),
    )
    temporal_namespace: str = Field(
        default="default",
        validation_alias=AliasChoices("TEMPORAL_NAMESPACE", "SYMPHAINY_TEMPORAL_NAMESPACE"),
    )
    task_queue: str = Field(
        default="symphainy",
        validation_alias=AliasChoices("TEMPORAL_TASK_QUEUE", "SYMPHAINY_TASK_QUEUE"),
    )
    temporal_ui_url: str = "http://localhost:8233"
    data_dir: Path = Path(".data")
    max_upload_bytes: int = 1024 * 1024 * 1024
    """1 GiB: a 5,000,000-row CSV fits (issue 15)."""
    max_text_length: int = 16_000
    max_frame_bytes: int = 64 * 1024
    max_file_ids: int = 20
    local_user_id: str = "local"
    stream_linger_seconds: float = 30.0
    socket_send_buffer: int = 256
    """Control frames (errors, pongs) a socket may have unsent before it is closed."""
    approval_timeout_seconds: float = 86_400.0
    """How long a turn waits for the user to approve or reject an intent."""
    history_bound: int = 8_000
    """A session continues-as-new before its history passes this many events."""
    feed_memory: int = 1_000
    """Events each session's feed keeps; a socket lagging further behind must reconnect."""

    auth_mode: Literal["local", "token"] = "local"
    jwt_secret: SecretStr | None = None
    jwt_public_key_file: Path | None = None
    jwks_file: Path | None = None
    jwt_audience: str | None = None
    jwt_issuer: str | None = None
    tenant_claim: str = "tenant"
    allowed_origins: list[str] = []
    """Origins allowed to open sockets besides the API's own; "*" allows any."""
    allowed_hosts: list[str] = []
    """Host names the API answers to besides `localhost` and the address it was reached
    on (DNS rebinding); "*" allows any, e.g. behind a proxy that checks Host itself."""
    rate_per_socket: float = 10.0
    burst_per_socket: int = 30
    rate_per_user: float = 30.0
    burst_per_user: int = 60
    flood_strikes: int = 100
    """Frames refused for rate within `flood_window_seconds` that close the socket (1008)."""
    flood_window_seconds: float = 10.0
    max_sockets_per_user: int = 16
    idle_timeout_seconds: float = 900.0
    # Sessions (sec-session): when an idle session ends.
    session_idle_seconds: float = 86_400.0
    """A session with no turn for this long ends; its owner's next message resumes it."""
    realm_concurrency: int = 4
    """Realm handlers a worker runs at once (its CPU and memory bound: a 1 GiB upload's
    parse takes several times that); the worker takes up to `worker.SLOTS_PER_PERMIT`
    times as many realm steps, the rest waiting in it for a turn."""
    analyzer: Literal["classifier", "keyword", "llm"] = "classifier"
    """The agents' backend: the offline classifier (default), the keyword baseline, or an
    LLM for the guide, liaisons and router (falling back to the classifier)."""
    llm_base_url: str | None = None
    """An OpenAI-compatible endpoint (OpenAI, Ollama, vLLM...), e.g. http://localhost:11434/v1."""
    llm_model: str = "gpt-4o-mini"
    llm_api_key: SecretStr = SecretStr("unused")
    """Local servers ignore it; hosted APIs need it. Never logged."""
    llm_timeout_seconds: float = 10.0
    """One model call; an agent's activity allows two calls (the validation retry)."""
    delta_urls: list[str] = []
    """API processes the worker posts an LLM liaison's words to while the model writes
    them (`agent.delta`, best-effort); none: no deltas, the durable agent.message only."""
    delta_each_address: bool = False
    """Post to every address a delta URL's host resolves to, not just one: behind one
    service name (Docker's DNS answers with one address per replica) every API replica
    gets the piece, and the one with the session's sockets hands it on."""
    delta_secret: SecretStr | None = None
    """Shared by the worker and the API: the API takes deltas only with it. Never logged.
    Empty is none (a compose file's `${SYMPHAINY_DELTA_SECRET:-}` when it is unset)."""
    clarify_threshold: float = 0.5
    """Below this confidence the guide asks instead of acting."""
    # The edge's abuse limits (sec-edge): uploads, per-user caps, slow clients, Host.
    upload_quota_bytes: int = 20 * 1024**3
    """Bytes of stored files per user (uploads in progress count at their reserved size)."""
    max_concurrent_uploads: int = 4
    """Uploads one user may have in progress at once, across API processes."""
    sessions_per_minute: int = 30
    """New sessions a user may start a minute (all API processes together)."""
    max_open_sessions: int = 100
    """Sessions a user may have running at once (counted in Temporal's visibility)."""
    intents_per_minute: int = 60
    """Intents a user may start a minute over REST."""
    max_running_executions: int = 8
    """Executions a user may have running at once before a REST intent is refused."""
    caps_in_local_mode: bool = False
    """The per-user caps above hold in token mode; local mode has one trusted user."""
    request_head_timeout_seconds: float = 10.0
    """Time a client has to send a request's line and headers (`api/protocols.py`)."""
    max_connections_per_address: int = 256
    """Open connections per client address and API process; 0 for no cap (behind a
    proxy every client has the proxy's address: cap there instead)."""
    intent_modules: list[str] = []
    """Extra modules whose `INTENTS` join the registry (plugins; the tests' fault realm)."""
    # query (issue 17): the bounds of one query_data query
    query_max_rows: int = Field(default=200, ge=1, le=5_000)
    """Rows a query_data result carries (the table behind the answer); the count is exact."""
    query_timeout_seconds: float = Field(default=10.0, gt=0)
    """A query still running after this long is interrupted and reported (query_timeout)."""
    query_max_plan_rows: int = Field(default=1_000_000_000, ge=1)
    """A query whose plan combines more rows than this is refused before it runs."""
    query_threads: int = Field(default=2, ge=1)

    # files (issue 13.3, 15): what a zip-based file (.xlsx, .zip) may expand to when read
    max_unzipped_bytes: int = 512 * 1024 * 1024
    """Uncompressed size of one workbook or archive, checked before any parser sees it."""
    max_zip_ratio: float = 200.0
    """Uncompressed/compressed ratio of a part over 8 MiB (zip bombs expand ~1000x)."""
    max_sheet_cells: int = 10_000_000
    """Cells of one workbook, counted in its XML before it is parsed."""
    sheet_memory_bytes: int = 2 * 1024 * 1024 * 1024
    """Address space the child process that parses a workbook may map beyond its imports."""
    sheet_cpu_seconds: int = 60
    """CPU time of that child process (killed past it, or on a cancel)."""

    # Operations (issue 20): logs, metrics, traces.
    log_format: Literal["text", "json"] = "text"
    """`json`: one JSON object a line, ids as fields (python-json-logger)."""
    log_level: str = "INFO"
    worker_metrics_port: int | None = None
    """The worker's Prometheus endpoint (Temporal SDK and realm/agent metrics); 0/None: off.
    The API always serves its metrics on `/metrics`."""
    worker_metrics_host: str = "127.0.0.1"
    otlp_endpoint: str | None = None
    """OTLP/HTTP collector base URL (e.g. http://collector:4318); traces are off without it."""

    # Journey realm (issue 18)
    sop_reader: Literal["offline", "llm"] = "offline"
    """Who reads SOPs into workflows: the offline reader, or the model at llm_base_url
    (validated; the offline reader answers whenever the model cannot)."""
    # Insights realm
    insights_max_findings: int = Field(default=20, ge=1, le=200)
    """Findings shown per file by generate_insights, strongest first; the rest are counted."""

    @model_validator(mode="after")
    def _llm_has_an_endpoint(self) -> Self:
        """The LLM backend refuses to start without somewhere to send its requests."""
        if self.analyzer == "llm" and not self.llm_base_url:
            raise ValueError("analyzer=llm needs llm_base_url")
        return self

    @model_validator(mode="after")
    def _sop_model_has_an_endpoint(self) -> Self:
        if self.sop_reader == "llm" and not self.llm_base_url:
            raise ValueError("sop_reader=llm needs llm_base_url")
        return self

    @field_validator("delta_secret", mode="before")
    @classmethod
    def _empty_secret_is_none(cls, value: object) -> object:
        """An empty secret would make `Bearer ` the key to the delta endpoint: it is none."""
        return None if value == "" else value

    @model_validator(mode="after")
    def _delta_secret_is_strong(self) -> Self:
        """The internal delta endpoint is as guarded as the tokens: no guessable secret."""
        secret = self.delta_secret.get_secret_value() if self.delta_secret else None
        if secret is not None and (len(secret) < 32 or secret.lower() in WEAK_SECRETS):
            raise ValueError("delta_secret must be at least 32 characters and not a default")
        return self

    @model_validator(mode="after")
    def _token_mode_has_a_key(self) -> Self:
        """Token mode refuses to start without a key, or with a guessable secret."""
        if self.auth_mode != "token":
            return self
        if not (self.jwt_secret or self.jwt_public_key_file or self.jwks_file):
            raise ValueError("token mode needs jwt_secret, jwt_public_key_file or jwks_file")
        secret = self.jwt_secret.get_secret_value() if self.jwt_secret else None
        if secret is not None and (len(secret) < 32 or secret.lower() in WEAK_SECRETS):
            raise ValueError("jwt_secret must be at least 32 characters and not a default")
        return self

    @property
    def read_limits(self) -> ReadLimits:
        """The reader's bomb limits, for the realm activities."""
        return ReadLimits(
            max_unzipped_bytes=self.max_unzipped_bytes,
            max_zip_ratio=self.max_zip_ratio,
            max_cells=self.max_sheet_cells,
            sheet_memory_bytes=self.sheet_memory_bytes,
            sheet_cpu_seconds=self.sheet_cpu_seconds,
        )

    @property
    def files_dir(self) -> Path:
        """Where the content store keeps uploaded bytes and their records."""
        return self.data_dir / "files"
