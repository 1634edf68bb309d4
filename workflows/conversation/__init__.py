"""Experience Plane: one durable conversation per session.

`workflow.py` is the workflow (turns, the child execution, continue-as-new, idle end);
`stream.py` the session's stream with a turn's events held back; `approval.py` whether
an intent waits for the user and the wait; `agents.py` the agents as local activities;
`outcomes.py` how an execution's end becomes the turn's event; `events.py` what the
agents' steps publish.
"""

from workflows.conversation.workflow import Conversation

__all__ = ["Conversation"]
