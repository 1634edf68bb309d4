"""The liaisons, one module each (content, insights, journey), and the registry built from them.

Adding a liaison is one module declaring a `Liaison` (its realm, how it recommends from
the catalog, and its labels with their examples and cue words), named in `MODULES`. The
guide's routes, clarifying options and capabilities, the classifier's training examples,
the keyword baseline's cues, the LLM's label list and the routing benchmark's labels all
read the registry. A declaration that cannot be routed fails at registration.
"""

from collections.abc import Iterable
from functools import cache

from activities.agents.liaisons import content, insights, journey, smalltalk
from activities.agents.liaisons.base import GUIDE, Label, Liaison, liaison_name
from activities.catalog import Catalog, default_catalog
from models.agents import Recommendation, Route, TurnContext
from models.intents import Realm

__all__ = ["GUIDE", "Label", "Liaison", "Liaisons", "default_liaisons", "liaison_name"]

MODULES = (content, insights, journey)


class InvalidLiaison(ValueError):
    """A liaison or label that the guide could never route correctly."""


class Liaisons:
    """The registered liaisons and every label the guide can name, checked once."""

    def __init__(self, catalog: Catalog, liaisons: Iterable[Liaison], own: Iterable[Label]) -> None:
        self.catalog = catalog
        self._liaisons: dict[Realm, Liaison] = {}
        self.labels: dict[str, Label] = {}
        for liaison in liaisons:
            if liaison.realm in self._liaisons:
                raise InvalidLiaison(f"two liaisons for the {liaison.realm} realm")
            self._liaisons[liaison.realm] = liaison
        for label in [*own, *(label for each in self._liaisons.values() for label in each.labels)]:
            self._register(label)

    def _register(self, label: Label) -> None:
        """A label needs a plan the guide can follow and examples to learn it from."""
        if label.name in self.labels or label.name == "clarify":
            raise InvalidLiaison(f"label {label.name!r} is registered twice or reserved")
        if not label.examples:
            raise InvalidLiaison(f"label {label.name!r} has a plan but no examples")
        missing = [p for p in label.pillars if p not in self._liaisons]
        if missing:
            raise InvalidLiaison(f"label {label.name!r} routes to unregistered liaisons {missing}")
        if label.route is Route.DIRECT and label.answer is None:
            raise InvalidLiaison(f"label {label.name!r} is the guide's, but has no answer")
        if label.route is Route.COLLABORATION and label.merge is None:
            raise InvalidLiaison(f"label {label.name!r} consults liaisons, but nothing merges")
        if label.route is Route.LIAISON and len(label.pillars) != 1:
            raise InvalidLiaison(f"label {label.name!r} goes to one liaison: name exactly one")
        self.labels[label.name] = label

    def examples(self) -> dict[str, list[str]]:
        """The classifier's training examples, by label."""
        return {name: list(label.examples) for name, label in self.labels.items()}

    def label(self, name: str) -> Label:
        """The label `name`; an analyzer naming another is a bug, so this raises."""
        try:
            return self.labels[name]
        except KeyError as err:
            raise InvalidLiaison(f"no plan for label {name!r}; examples without a plan?") from err

    def liaison(self, realm: Realm) -> Liaison:
        """The liaison of `realm`."""
        return self._liaisons[realm]

    def recommend(self, realm: Realm, context: TurnContext) -> Recommendation:
        """The realm's liaison recommends from the catalog."""
        return self._liaisons[realm].recommend(context, self.catalog)

    def capabilities(self) -> list[str]:
        """What the guide lists as next steps when it says what the platform does."""
        return [label.capability for label in self.labels.values() if label.capability]

    def for_attachments(self) -> str | None:
        """The label files sent with an otherwise unclear message mean, if any."""
        return next((name for name, label in self.labels.items() if label.attachments), None)

    def claimed(self, context: TurnContext) -> str | None:
        """The label that claims the message from what the session holds, if any."""
        return next(
            (name for name, label in self.labels.items() if label.claims and label.claims(context)),
            None,
        )

    def offered(self) -> list[str]:
        """Labels a clarifying question may offer."""
        return [name for name, label in self.labels.items() if label.offered]


@cache
def default_liaisons(catalog: Catalog | None = None) -> Liaisons:
    """The platform's liaisons on a catalog: the worker's (with its plugin modules'
    intents), else the default one."""
    return Liaisons(catalog or default_catalog(), [m.LIAISON for m in MODULES], smalltalk.LABELS)
