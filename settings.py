"""One validated settings object for the API and the worker.

Built only in ``api/main.py`` and ``worker.py``: workflows never read settings, so a
replayed workflow cannot see a different configuration than the original run did.
"""

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    max_upload_bytes: int = 50 * 1024 * 1024
    max_text_length: int = 16_000
    max_frame_bytes: int = 64 * 1024
    max_file_ids: int = 20
    local_user_id: str = "local"
    stream_linger_seconds: float = 30.0
    socket_send_buffer: int = 1024
    realm_concurrency: int = 4
    intent_modules: list[str] = []
    """Extra modules whose `INTENTS` join the registry (plugins; the tests' fault realm)."""

    @property
    def files_dir(self) -> Path:
        """Where the content store keeps uploaded bytes and their records."""
        return self.data_dir / "files"
