"""Start-up check shared by the worker and the API: the namespace knows our search attributes.

Without them the first `update-with-start` of a session fails inside Temporal and the
user sees 1011; so both processes look before they serve. Where the server lets us
(the dev server, a self-hosted cluster), the missing attributes are registered; where
it does not (Temporal Cloud, restricted operators), the process exits with a sentence
naming them and the exact commands to run once.
"""

import logging
from datetime import timedelta

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.service import RPCError

from models.search import ALL as SEARCH_ATTRIBUTES

log = logging.getLogger("startup")
KEYWORD = IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD


class StartupCheckFailed(RuntimeError):
    """The process cannot serve; the message says what to do."""


class MissingSearchAttributes(StartupCheckFailed):
    """The namespace lacks attributes we need and we could not register them."""

    def __init__(self, namespace: str, missing: list[str], reason: str) -> None:
        self.missing = missing
        commands = "\n".join(create_command(namespace, name) for name in missing)
        super().__init__(
            f"Temporal namespace {namespace!r} lacks the search attributes "
            f"{', '.join(missing)} and they could not be registered ({reason}). "
            f"Register them once, then start again:\n{commands}"
        )


def create_command(namespace: str, name: str) -> str:
    """The CLI command an operator runs for one attribute."""
    return (
        f"temporal operator search-attribute create --namespace {namespace} "
        f"--name {name} --type Keyword"
    )


async def missing_search_attributes(
    client: Client, namespace: str, rpc_timeout: timedelta | None = None
) -> list[str]:
    """Our Keyword attributes the namespace does not have (a wrong type counts as missing)."""
    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace), timeout=rpc_timeout
    )
    have = dict(listed.custom_attributes)
    return [key.name for key in SEARCH_ATTRIBUTES if have.get(key.name) != KEYWORD]


async def ensure_search_attributes(client: Client, namespace: str) -> None:
    """Register what is missing; raise `MissingSearchAttributes` when the server refuses."""
    try:
        missing = await missing_search_attributes(client, namespace)
    except RPCError as err:
        raise StartupCheckFailed(
            f"cannot read the search attributes of Temporal namespace {namespace!r}: {err.message}"
        ) from err
    if not missing:
        return
    refusal = "the server accepted the request but did not add them"
    try:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(
                namespace=namespace, search_attributes=dict.fromkeys(missing, KEYWORD)
            )
        )
    except RPCError as err:
        refusal = err.message  # or another process registered them first: look again
    still = await missing_search_attributes(client, namespace)
    if still:
        raise MissingSearchAttributes(namespace, still, refusal)
    log.warning("registered search attributes %s in namespace %s", ", ".join(missing), namespace)
