"""Search attributes that make sessions and executions findable in the Temporal UI.

The embedded dev server registers them at start; a real cluster needs
`temporal operator search-attribute create` once (see README).
"""

from temporalio.common import SearchAttributeKey

SESSION_ID = SearchAttributeKey.for_keyword("SessionId")
USER_ID = SearchAttributeKey.for_keyword("UserId")
INTENT = SearchAttributeKey.for_keyword("Intent")
REALM = SearchAttributeKey.for_keyword("Realm")
INTENT_STATUS = SearchAttributeKey.for_keyword("IntentStatus")
"""running / completed / failed / cancelled. `ExecutionStatus` is Temporal's own (reserved)
attribute; it also tells, since a failed intent fails its workflow (`ExecutionStatus="Failed"`)."""

ALL = (SESSION_ID, USER_ID, INTENT, REALM, INTENT_STATUS)


def session_workflow_id(session_id: str) -> str:
    """The server derives workflow ids; a client never chooses one."""
    return f"session-{session_id}"


def execution_workflow_id(execution_id: str) -> str:
    """The Runtime's workflow id of one execution."""
    return f"exec-{execution_id}"
