"""Search attributes that make sessions and executions findable in the Temporal UI.

The embedded dev server registers them at start; a real cluster needs
`temporal operator search-attribute create` once (see README).
"""

from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

from models.intents import Intent

SESSION_ID = SearchAttributeKey.for_keyword("SessionId")
USER_ID = SearchAttributeKey.for_keyword("UserId")
INTENT = SearchAttributeKey.for_keyword("Intent")
REALM = SearchAttributeKey.for_keyword("Realm")
INTENT_STATUS = SearchAttributeKey.for_keyword("IntentStatus")
"""running / completed / failed / cancelled. `ExecutionStatus` is Temporal's own (reserved)
attribute; it also tells, since a failed intent fails its workflow (`ExecutionStatus="Failed"`)."""

ALL = (SESSION_ID, USER_ID, INTENT, REALM, INTENT_STATUS)
UNKNOWN_REALM = "unknown"
"""The `Realm` of an intent that names none: findable, unlike an empty keyword."""


def session_search_attributes(session_id: str, user_id: str) -> TypedSearchAttributes:
    """A session's workflow, findable by its id and its owner."""
    return TypedSearchAttributes(
        [SearchAttributePair(SESSION_ID, session_id), SearchAttributePair(USER_ID, user_id)]
    )


def execution_search_attributes(
    intent: Intent, user_id: str, session_id: str | None = None
) -> TypedSearchAttributes:
    """An execution's workflow, whether a session starts it or REST does (no session)."""
    pairs = [] if session_id is None else [SearchAttributePair(SESSION_ID, session_id)]
    return TypedSearchAttributes(
        [
            *pairs,
            SearchAttributePair(USER_ID, user_id),
            SearchAttributePair(INTENT, intent.name),
            SearchAttributePair(REALM, intent.realm.value if intent.realm else UNKNOWN_REALM),
        ]
    )


def is_server_id(value: str) -> bool:
    """Whether `value` has the form of the ids the server mints (`uuid4().hex`): session,
    execution and file ids. Anything else names nothing, so it is refused unread."""
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)


def session_workflow_id(session_id: str) -> str:
    """The server derives workflow ids; a client never chooses one."""
    return f"session-{session_id}"


EXECUTION_WORKFLOW = "IntentExecution"
"""The Runtime's execution workflow type: the session starts it by name, so the
Experience Plane's workers load no Runtime code (registry, realms)."""


def execution_workflow_id(execution_id: str) -> str:
    """The Runtime's workflow id of one execution."""
    return f"exec-{execution_id}"
