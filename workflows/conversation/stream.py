"""The session's stream, with a turn's events held back while it runs only local activities.

Local activities run inside the workflow task, and nothing the task publishes reaches a
subscriber before the task completes. A stream poll, though, answers with what it has
the moment the first event lands: one turn would cost one poll for `message.accepted`
and another for the rest. Holding the events until the turn waits on something outside
the task (a child workflow, an approval) or ends answers the standing poll once, with
all of them, in the same task.
"""

from collections.abc import Awaitable
from typing import Protocol, TypeVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from temporalio.contrib.workflow_streams import WorkflowStreamState

    from models.conversation import ConversationState
    from models.events import EVENTS_TOPIC, StreamEvent

RETAINED_EVENTS = 2_000
"""Stream events carried into the next run, for reconnects that are that far behind..."""
RETAINED_BYTES = 1_000_000
"""...as long as they fit in this much (a continue-as-new input is one payload of <2 MB)."""

T = TypeVar("T")


class Topic(Protocol):
    """Where one topic's events are appended."""

    def publish(self, value: StreamEvent) -> None:
        """Append an event."""


class Log(Protocol):
    """What the held stream uses of `WorkflowStream`: a protocol, so its rules run (and
    are unit-tested) without a workflow around them."""

    def topic(self, name: str) -> Topic:
        """The handle that publishes to `name`."""

    def truncate(self, up_to_offset: int) -> None:
        """Drop the events before that global offset."""

    def get_state(self) -> WorkflowStreamState:
        """The retained events as a continue-as-new carries them."""


class HeldStream:
    """The session's `events` topic; `state.published` mirrors the stream's global offset.

    The workflow builds the `WorkflowStream` in its `@workflow.init` (the stream
    registers its handlers there) and hands it over.
    """

    def __init__(self, stream: Log, state: ConversationState) -> None:
        self._stream = stream
        self._events = stream.topic(EVENTS_TOPIC)
        self._state = state
        self._held: list[StreamEvent] | None = None

    def publish(self, event: StreamEvent) -> None:
        """Append to the stream, or to the held events while a turn holds them."""
        if self._held is None:
            self._append(event)
        else:
            self._held.append(event)

    def next_offset(self) -> int:
        """The contract offset (stream position + 1) the next published event takes."""
        return self._state.published + len(self._held or []) + 1

    def hold(self) -> None:
        """Keep the events back from now on (see the module's docstring)."""
        if self._held is None:
            self._held = []

    def release(self) -> None:
        """Publish the held events, in order, and stop holding."""
        held, self._held = self._held or [], None
        for event in held:
            self._append(event)

    async def outside(self, waiting: Awaitable[T]) -> T:
        """Wait on something beyond this workflow task, with the turn's events published."""
        self.release()
        try:
            return await waiting
        finally:
            self.hold()

    def trim(self) -> None:
        """Keep the newest events that fit the retained bounds; older ones stay readable
        in the earlier runs' histories only."""
        keep = RETAINED_EVENTS
        while True:
            self._stream.truncate(max(0, self._state.published - keep))
            size = sum(len(item.data) for item in self._stream.get_state().log)
            if size <= RETAINED_BYTES or keep == 0:
                return
            keep //= 2

    def _append(self, event: StreamEvent) -> None:
        self._events.publish(event)
        self._state.published += 1
