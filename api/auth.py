"""Who is calling. In the local default mode every caller is the one local user."""

from starlette.requests import HTTPConnection

from settings import Settings


def caller_of(connection: HTTPConnection) -> str:
    """The caller's user id for this request or socket."""
    settings: Settings = connection.app.state.settings
    return settings.local_user_id
