"""FastAPI dependencies as `Annotated` aliases: one place that knows `app.state`."""

from typing import Annotated

from fastapi import Depends, Request
from temporalio.client import Client

from api.auth import caller_of
from api.conversations import Conversations
from api.executions import Executions
from api.limits import UserCaps
from settings import Settings
from storage.files import FileStore


def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def _client(request: Request) -> Client:
    return request.app.state.client  # type: ignore[no-any-return]


def _store(request: Request) -> FileStore:
    return request.app.state.store  # type: ignore[no-any-return]


def _conversations(request: Request) -> Conversations:
    return request.app.state.conversations  # type: ignore[no-any-return]


def _executions(request: Request) -> Executions:
    return request.app.state.executions  # type: ignore[no-any-return]


def _caps(request: Request) -> UserCaps:
    return request.app.state.caps  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(_settings)]
ClientDep = Annotated[Client, Depends(_client)]
StoreDep = Annotated[FileStore, Depends(_store)]
ConversationsDep = Annotated[Conversations, Depends(_conversations)]
ExecutionsDep = Annotated[Executions, Depends(_executions)]
CapsDep = Annotated[UserCaps, Depends(_caps)]
UserDep = Annotated[str, Depends(caller_of)]
