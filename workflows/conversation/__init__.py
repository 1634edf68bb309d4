"""Experience Plane: one durable conversation per session.

`workflow.py` is the workflow (turns, approval, the child execution, continue-as-new);
`stream.py` the session's stream with a turn's events held back; `outcomes.py` how an
execution's end becomes the turn's event; `events.py` the events a turn publishes.
"""

from workflows.conversation.workflow import Conversation

__all__ = ["Conversation"]
