"""Client -> server frames of the contract, and the error frames answering bad ones."""

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from api.wire import error_frame

INVISIBLE = " \t\n\r\f\v\u200b\u200c\u200d\u2060\ufeff"
"""What a blank `text` may consist of: whitespace and zero-width characters."""

Id = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[\w.:-]+$")]


class _Frame(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class UserMessageFrame(_Frame):
    type: Literal["user.message"]
    message_id: Id
    text: Annotated[str, StringConstraints(min_length=1)]
    file_ids: list[Id] = Field(default_factory=list)


class ExecutionRetryFrame(_Frame):
    type: Literal["execution.retry"]
    execution_id: Id


class ExecutionCancelFrame(_Frame):
    type: Literal["execution.cancel"]
    execution_id: Id


class IntentApproveFrame(_Frame):
    type: Literal["intent.approve"]
    turn_id: Id


class IntentRejectFrame(_Frame):
    type: Literal["intent.reject"]
    turn_id: Id
    reason: str | None = None


class PingFrame(_Frame):
    type: Literal["ping"]


ClientFrame = Annotated[
    UserMessageFrame
    | ExecutionRetryFrame
    | ExecutionCancelFrame
    | IntentApproveFrame
    | IntentRejectFrame
    | PingFrame,
    Field(discriminator="type"),
]
_FRAMES: TypeAdapter[ClientFrame] = TypeAdapter(ClientFrame)
FRAME_TYPES = frozenset(
    (
        "user.message",
        "execution.retry",
        "execution.cancel",
        "intent.approve",
        "intent.reject",
        "ping",
    )
)


class FrameError(Exception):
    """A frame the server answers with an `error` frame; the socket stays open."""

    def __init__(self, code: str, message: str, ref: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref

    def frame(self) -> str:
        """The contract's error frame answering this frame."""
        return error_frame(self.code, self.message, self.ref)


def parse_frame(raw: str, *, max_text_length: int) -> ClientFrame:
    """JSON -> a typed frame, or the `FrameError` that says what is wrong with it."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as err:
        raise FrameError("invalid_json", f"frame is not valid JSON: {err}") from err
    if not isinstance(data, dict):
        raise FrameError("invalid_frame", "frame must be a JSON object")
    ref = _ref_of(data)
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in FRAME_TYPES:
        raise FrameError("unknown_type", f"unknown frame type {kind!r}", ref)
    try:
        frame = _FRAMES.validate_python(data)
    except ValidationError as err:
        raise FrameError("invalid_frame", _describe(err), ref) from err
    if isinstance(frame, UserMessageFrame):
        _check_message(frame, max_text_length)
    return frame


def _check_message(frame: UserMessageFrame, max_text_length: int) -> None:
    if not frame.text.strip(INVISIBLE):
        raise FrameError("invalid_frame", "text must not be blank", frame.message_id)
    if len(frame.text) > max_text_length:
        raise FrameError(
            "invalid_frame",
            f"text is {len(frame.text)} characters; the limit is {max_text_length}",
            frame.message_id,
        )
    if _has_lone_surrogate(frame.text):
        raise FrameError("invalid_frame", "text contains invalid unicode", frame.message_id)


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _ref_of(data: dict[str, Any]) -> str | None:
    ref = data.get("message_id")
    return ref if isinstance(ref, str) and len(ref) <= 128 else None


def _describe(err: ValidationError) -> str:
    """Field errors in one line, without echoing the (possibly huge) input."""
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'frame'}: {e['msg']}" for e in err.errors()[:5]
    )
