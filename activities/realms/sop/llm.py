"""A model reads the SOP into the same graph; pydantic checks it, the offline reader stands by.

The realm's work runs in a thread, so this is the synchronous OpenAI client against any
OpenAI-compatible endpoint (OpenAI, Ollama, vLLM). The answer must be a well-formed
`Graph` (unique ids, edges between known nodes, one start, an end, a task); one that is
not is sent back once with the validation errors. A second bad answer, or any transport
fault, makes `read` return None and the caller uses the offline reader, saying so.
"""

import logging
from typing import Any

from openai import OpenAI, OpenAIError
from pydantic import Field, ValidationError

from activities.realms.sop.graph import Graph

log = logging.getLogger(__name__)

PROMPT = """You turn a standard operating procedure into a control-flow graph.
Nodes: one "start", a "task" per activity (one activity per clause: "the clerk checks the PO
and then files it" is two tasks; label = the activity as written, actor = who does it),
"decision" for each exclusive choice (label = the condition as a question; its outgoing
edges are labelled "yes"/"no" or with the branch's condition; "otherwise" is the "no" edge),
"parallel" and "join" around branches that run at the same time, and "end" events.
Loops ("repeat until", "go back to step N") are edges back to an earlier node with loop=true.
Answer JSON: {"title": ..., "nodes": [{"id", "kind", "label", "actor"}], "edges": [{"source",
"target", "label", "loop"}]}. Ids are short and unique (t1, d1, ...)."""


class SopAnswer(Graph):
    """The model's graph, with the procedure's title if it names one."""

    title: str | None = Field(default=None, max_length=200)


class SopModel:
    """One model of an OpenAI-compatible endpoint, asked for an `SopAnswer`."""

    def __init__(self, client: OpenAI, model: str) -> None:
        self._client = client
        self._model = model

    def read(self, text: str) -> tuple[SopAnswer | None, str | None]:
        """The model's graph, or None and the reason it could not give one."""
        messages: list[Any] = [
            {"role": "system", "content": PROMPT},
            {"role": "user", "content": text},
        ]
        reason = "no answer"
        for _ in range(2):
            try:
                reply = self._client.chat.completions.create(
                    model=self._model,
                    messages=messages,
                    temperature=0,
                    response_format={
                        "type": "json_schema",
                        "json_schema": {
                            "name": "SopAnswer",
                            "schema": SopAnswer.model_json_schema(),
                        },
                    },
                )
            except OpenAIError as err:
                log.warning("sop model unreachable: %s", type(err).__name__)
                return None, f"the model could not be reached ({type(err).__name__})"
            content = reply.choices[0].message.content or ""
            try:
                return SopAnswer.model_validate_json(content), None
            except ValidationError as err:
                reason = f"the model's graph was not valid ({err.error_count()} errors)"
                messages += [
                    {"role": "assistant", "content": content},
                    {"role": "user", "content": f"Invalid answer: {err}. Answer again."},
                ]
        log.warning("sop model answered twice with an invalid graph")
        return None, reason
