"""The Runtime's activities: validate an intent, then run it in its realm."""

from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.realms.context import RealmContext
from activities.registry import IntentRegistry, InvalidParams, UnknownIntent
from models.execution import RealmResult, RealmTask, ValidatedIntent
from models.intents import Intent
from storage.files import FileStore, UnknownFile


class RealmActivities:
    """Realm execution with its dependencies: the registry and the file store."""

    def __init__(self, registry: IntentRegistry, store: FileStore) -> None:
        self._registry = registry
        self._store = store

    @activity.defn(name="runtime.validate")
    async def validate(self, intent: Intent) -> ValidatedIntent:
        """Refuse unknown intents and bad params before anything executes."""
        try:
            return self._registry.validate(intent)
        except UnknownIntent as err:
            raise ApplicationError(str(err), type="unknown_intent", non_retryable=True) from err
        except InvalidParams as err:
            raise ApplicationError(
                f"invalid params for {err.name}: "
                + "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors),
                err.errors,
                type="invalid_params",
                non_retryable=True,
            ) from err

    @activity.defn(name="runtime.execute")
    def execute(self, task: RealmTask) -> RealmResult:
        """Run the intent's handler; failures carry the attempt they happened on.

        A sync activity on the worker's thread pool: realm work is CPU and file bound,
        and a sync activity can heartbeat and be cancelled from its own thread.
        """
        spec = self._registry.spec(task.intent.name)
        context = RealmContext(
            user_id=task.user_id,
            execution_id=task.execution_id,
            store=self._store,
            report=_heartbeat,
        )
        attempt = activity.info().attempt
        try:
            result = spec.handler(context, spec.params.model_validate(task.intent.params))
        except ApplicationError as err:
            raise ApplicationError(
                err.message,
                {"attempt": attempt},
                type=err.type,
                non_retryable=err.non_retryable,
            ) from err
        except UnknownFile as err:
            raise ApplicationError(
                f"file {err} is not one of yours",
                {"attempt": attempt},
                type="unknown_file",
                non_retryable=True,
            ) from err
        except Exception as err:
            raise ApplicationError(
                f"{type(err).__name__}: {err}", {"attempt": attempt}, type="realm_fault"
            ) from err
        return RealmResult(result=result.model_dump(mode="json"))


def _heartbeat(message: str, percent: float | None) -> None:
    details: dict[str, Any] = {"message": message, "percent": percent}
    activity.heartbeat(details)
