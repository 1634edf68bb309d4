"""What a liaison module declares, and the catalog-driven planning every liaison shares.

A liaison module holds everything about its liaison: the labels the guide can route to
it (with their examples, cue words and the words the guide uses for them) and how it
recommends from the intent catalog. The guide's tables, the LLM's prompt and the
routing benchmark derive from these declarations (`activities.agents.liaisons`).
"""

from collections.abc import Callable
from dataclasses import dataclass

from activities.agents.slots import date_column
from activities.catalog import Catalog, CatalogEntry, FileKind
from models.agents import CollaborationInput, Recommendation, Route, TurnContext
from models.files import FileRef
from models.intents import Intent, Realm

GUIDE = "guide"

Recommend = Callable[[TurnContext, Catalog], Recommendation]
"""How a liaison (or the guide, for its own labels) answers a turn, from the catalog."""
Merge = Callable[[CollaborationInput, Catalog], Recommendation]
"""How the Collaboration Router makes one plan of several liaisons' views."""


@dataclass(frozen=True)
class Label:
    """One thing a user may ask for: what the guide's analyzers name and route.

    `route` and `pillars` are the plan (which liaisons it goes to); `examples` train the
    offline classifier and `cues` the keyword baseline; `option` is how the guide offers
    it in a clarifying question, `capability` how it lists it as a next step, and
    `description` how the LLM's prompt explains it. `answer` is the guide's own reply for
    a label it handles without a liaison (a direct route), `merge` the router's plan for
    one that consults several.
    """

    name: str
    route: Route
    pillars: tuple[Realm, ...]
    description: str
    option: str
    examples: tuple[str, ...]
    cues: tuple[str, ...] = ()
    capability: str | None = None
    answer: Recommend | None = None
    merge: Merge | None = None
    """The router's plan for a label that consults several liaisons."""
    offered: bool = True
    """Whether the guide may offer it in a clarifying question (not "out of scope")."""
    claims: Callable[[TurnContext], bool] | None = None
    """Whether a message the backend cannot place (or places with the guide) is this
    label's all the same: the Insights label claims questions naming the user's columns."""
    attachments: bool = False
    """Whether files sent with a message the guide would otherwise only answer or ask
    about ("here you go") mean this label."""


@dataclass(frozen=True)
class Liaison:
    """A pillar's liaison: its realm, its labels and how it recommends."""

    realm: Realm
    recommend: Recommend
    labels: tuple[Label, ...]

    @property
    def name(self) -> str:
        """The agent name it shows in events."""
        return liaison_name(self.realm)


def liaison_name(pillar: Realm) -> str:
    """The agent name a liaison shows in events."""
    return f"{pillar.value}_liaison"


def file_kind(ref: FileRef) -> FileKind:
    """Text (an SOP, Markdown) or a table, as the upload told it (`models.files`)."""
    return ref.kind


def of_kind(files: list[FileRef], kinds: frozenset[FileKind]) -> list[FileRef]:
    """The files an intent taking `kinds` can read, in the session's order."""
    return [ref for ref in files if file_kind(ref) in kinds]


def candidates(context: TurnContext, kinds: frozenset[FileKind]) -> list[FileRef]:
    """The files a request means, of the kinds its intent takes: attached now, else named
    in it, else all of the session's. Files attached or named that the intent cannot read
    mean none: the liaison says why instead of working on others."""
    for files in (context.attached, context.focus):
        if files:
            return of_kind(files, kinds)
    return of_kind(context.session_files, kinds)


def takes_files(entry: CatalogEntry) -> bool:
    """Whether the intent cannot run without a file (a required `file_id` or `file_ids`)."""
    fields = entry.params.model_fields
    return any(name in fields and fields[name].is_required() for name in ("file_id", "file_ids"))


def plan(
    catalog: Catalog,
    name: str,
    files: list[FileRef],
    context: TurnContext,
    column: str | None = None,
) -> list[Intent]:
    """The catalog's intent `name` on `files` of its kinds, with the message's slots.

    The params model says the shape: `file_ids` takes them all in one intent, `file_id`
    one intent per file, `text` the message itself when no file fits; a `date_column`
    param takes `column`, else the column the message names.
    """
    entry = catalog.entry(name)
    fields = entry.params.model_fields
    ids = [ref.file_id for ref in of_kind(files, entry.file_kinds)]
    extra: dict[str, object] = {}
    if "date_column" in fields and (dated := column or date_column(context.text)):
        extra["date_column"] = dated
    if "file_ids" in fields:
        return [Intent(name=name, realm=entry.realm, params={"file_ids": ids, **extra})]
    if "file_id" in fields and ids:
        return [Intent(name=name, realm=entry.realm, params={"file_id": i, **extra}) for i in ids]
    if "text" in fields:
        return [Intent(name=name, realm=entry.realm, params={"text": context.text, **extra})]
    return []
