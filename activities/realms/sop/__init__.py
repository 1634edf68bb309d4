"""SOP reading for the Journey realm, one module per concern.

`document` finds the structure (headings, nested lists, tables, prose), `clauses`
reads the language (sentences, one activity per clause, actors, decisions, loops),
`build` turns both into a control-flow graph (`graph`), which `mermaid` draws and
`bpmn` exports; `llm` asks a model for the same graph and falls back to the reader.
"""
