"""After an execution, a colleague's few sentences about what came of it.

One summarizer per kind of result, recognised by its shape (the realms' result models,
read as plain data: the agents import no realm): a profile, findings, a comparison, an
answer, a workflow, a file read in. Each says the two or three things that matter with
their numbers (the weakest quality rule, the strongest findings, which file is better,
the answer), then the reader's warnings, then what to ask next. A failure says what
went wrong and what to do; a cancellation what was kept.
"""

from collections.abc import Callable
from typing import Any

from activities.agents.asking import FOLLOW_UPS
from models.agents import Recommendation, SummaryInput

Result = dict[str, Any]
SHOWN = 3
"""Files, findings or warnings named in a reply before "and N more"."""


def summarize(request: SummaryInput) -> Recommendation:
    """The reply for an execution's outcome: its result's summarizer, else the realm's own
    summary; a failure's cause and what to do."""
    name = request.intent.name.replace("_", " ")
    if request.status == "cancelled":
        return _reply(
            request,
            f"I stopped {name} as you asked; nothing from it was kept.",
            ["Retry it when you're ready"],
        )
    if request.status != "completed":
        cause = (request.error_message or "it stopped without saying why").rstrip(".")
        return _reply(
            request,
            f"{name.capitalize()} didn't finish: {cause}. Fix that and say “retry that”, "
            "or pick another file.",
            ["Retry it", "Try a different file"],
        )
    result = request.result or {}
    for fits, say in SUMMARIZERS:
        if fits(result):
            text, steps = say(result)
            return _reply(request, text, steps)
    summary = result.get("summary")
    text = summary if isinstance(summary, str) and summary else f"{name.capitalize()} is done."
    return _reply(request, text, ["Ask a follow-up question about the result"])


def _reply(request: SummaryInput, text: str, steps: list[str]) -> Recommendation:
    return Recommendation(agent=request.agent, text=text, next_steps=steps)


def _profiles(result: Result) -> tuple[str, list[str]]:
    """Rows and score per file, the weakest rule with its detail, the gappiest column."""
    profiles: list[Result] = result["profiles"]
    sentences = [
        f"{p['name']} has {p['rows']:,} rows and {p['columns']} columns, with a quality score "
        f"of {p['quality_score']}/100."
        for p in profiles[:SHOWN]
    ]
    worst = min(profiles, key=lambda p: p["quality_score"])
    rules = worst.get("rules") or []
    if rules:
        rule = min(rules, key=lambda r: r["score"])
        sentences.append(
            f"The weakest part{_of(worst, profiles)} is {rule['name']} at {rule['score']}/100: "
            f"{_clause(rule['detail'])}."
        )
    gaps = [c for c in worst.get("column_profiles", []) if c.get("null_rate", 0) > 0]
    if gaps:
        gap = max(gaps, key=lambda c: c["null_rate"])
        sentences.append(f"{gap['name']} is empty in {gap['null_rate']:.0%} of rows.")
    if worst.get("duplicate_rows"):
        sentences.append(f"{worst['duplicate_rows']:,} rows are exact duplicates.")
    sentences += _warnings([w for p in profiles for w in p.get("warnings", [])])
    ask = (
        "Shall I compare the files side by side?"
        if len(profiles) > 1
        else "Shall I look for trends, or answer a question about a column?"
    )
    return _say(sentences, ask), [
        "Look for trends over a date column",
        "Compare data quality across files",
    ]


def _findings(result: Result) -> tuple[str, list[str]]:
    """How many findings, the strongest two in the realm's own sentences, what was left out."""
    files: list[Result] = result["files"]
    found = [(f["name"], finding) for f in files for finding in f["findings"]]
    if not found:
        tests = sum(f.get("tests", 0) for f in files)
        sentences = [
            f"Nothing in {_names(files)} stands out: none of {tests} tests held up after "
            "correcting for how many I ran."
        ]
    else:
        more = sum(f.get("more_findings", 0) for f in files)
        extra = f" ({more} more not shown)" if more else ""
        sentences = [f"I found {len(found)} things worth knowing in {_names(files)}{extra}."]
        sentences += [f"{_clause(finding['sentence'])}." for _, finding in found[:2]]
    left = [item for f in files for item in f.get("left_out", [])]
    if left:
        sentences.append(
            f"I left {len(left)} column{'s' if len(left) > 1 else ''} out "
            f"({left[0]['column']}: {left[0]['reason']})."
        )
    sentences += _warnings([w for f in files for w in f.get("warnings", [])])
    dated = any(f.get("date_column") for f in files)
    ask = "Want the numbers behind one of these?" if dated else "Is there a date column to follow?"
    return _say(sentences, ask), ["Ask about one finding's numbers", "Profile the data"]


def _comparison(result: Result) -> tuple[str, list[str]]:
    """Which file is better and by what, the scores, the columns that differ."""
    scores = ", ".join(f"{n} {s}/100" for n, s in result["quality_scores"].items())
    better = result.get("better")
    lead = (
        f"{better} is the better file overall (quality {scores})."
        if better
        else f"Neither file is better on every count (quality {scores})."
    )
    sentences = [lead]
    sentences += [f"{_clause(m['verdict'])}." for m in result["measures"] if m.get("best")][:2]
    for difference in result.get("schema_differences", [])[:1]:
        changes = [
            f"adds {', '.join(difference['added'][:SHOWN])}" if difference["added"] else "",
            f"drops {', '.join(difference['removed'][:SHOWN])}" if difference["removed"] else "",
        ]
        said = " and ".join(c for c in changes if c)
        if said:
            sentences.append(f"{difference['file']} {said}.")
    warned = result.get("warnings", {})
    sentences += _warnings([w for ws in warned.values() for w in ws])
    return _say(sentences, "Shall I profile the weaker file to see where it loses?"), [
        "Profile the weakest file",
        "Generate insights on the best one",
    ]


def _answer(result: Result) -> tuple[str, list[str]]:
    """The answer in the realm's words, how many rows it rests on, and the warnings; the
    follow-ups ("now by month", "as a chart") are the next steps, the answer stays plain."""
    sentences = [_clause(result["answer"]) + "."]
    if result.get("truncated"):
        sentences.append(f"The table below shows the first rows of {result['row_count']:,}.")
    sentences += _warnings(result.get("warnings", []))
    return " ".join(sentences), FOLLOW_UPS


def _workflow(result: Result) -> tuple[str, list[str]]:
    """The workflow's size and who does what."""
    actors = result.get("actors") or []
    who = f", done by {_listed(actors)}" if actors else ""
    sentences = [
        f"{result['title']} is now a workflow of {result['steps']} steps{who}, with "
        f"{result['decisions']} decision{'s' if result['decisions'] != 1 else ''} and "
        f"{result['loops']} loop{'s' if result['loops'] != 1 else ''}."
    ]
    sentences += _warnings(result.get("warnings", []))
    return _say(sentences, "Does the flow match how the work is really done?"), [
        "Review the steps and decisions",
        "Ask for changes to the flow",
    ]


def _file(result: Result) -> tuple[str, list[str]]:
    """A file read in: its shape, how it was read and the warnings, in the realm's summary."""
    sentences = [_clause(result["summary"]) + "."]
    return _say(sentences, "What would you like to know about it?"), [
        "Ask for insights on it",
        "Compare it with another file",
    ]


def _warnings(warnings: list[Result]) -> list[str]:
    """The reader's warnings, first ones in its words, so no misread value passes unsaid."""
    if not warnings:
        return []
    shown = "; ".join(_clause(w["message"]) for w in warnings[:2])
    more = f" (and {len(warnings) - 2} more)" if len(warnings) > 2 else ""
    count = f"{len(warnings)} thing{'s' if len(warnings) > 1 else ''}"
    return [f"Mind that the reader flagged {count}: {shown}{more}."]


def _say(sentences: list[str], ask: str) -> str:
    return " ".join([*sentences, ask])


def _clause(text: str) -> str:
    """A sentence of the realm's, without its full stop, to sit inside ours."""
    return text.strip().rstrip(".")


def _names(files: list[Result]) -> str:
    names = [f["name"] for f in files]
    return _listed(names[:SHOWN]) + (
        f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    )


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" and {items[-1]}"


def _of(worst: Result, profiles: list[Result]) -> str:
    return f" of {worst['name']}" if len(profiles) > 1 else ""


SUMMARIZERS: list[tuple[Callable[[Result], bool], Callable[[Result], tuple[str, list[str]]]]] = [
    (lambda r: isinstance(r.get("profiles"), list) and bool(r["profiles"]), _profiles),
    (
        lambda r: (
            isinstance(r.get("files"), list)
            and all("findings" in f for f in r["files"])
            and bool(r["files"])
        ),
        _findings,
    ),
    (lambda r: "measures" in r and "quality_scores" in r, _comparison),
    (lambda r: isinstance(r.get("answer"), str), _answer),
    (lambda r: "steps" in r and "decisions" in r and "title" in r, _workflow),
    (lambda r: "kind" in r and isinstance(r.get("summary"), str), _file),
]
"""Each kind of result, recognised by its shape, and what a colleague would say of it."""
