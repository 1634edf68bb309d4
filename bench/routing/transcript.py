"""One real-looking session through a real stack, printed as a transcript.

Run: `.venv/bin/python -m bench.routing.transcript` (starts its own dev server, worker and
API in a temporary directory). The user's files are palmerpenguins' penguins.csv,
vega_datasets' seattle-weather.csv and a short refund SOP; the messages are what issue 19's
tryout sent: a Journey turn, then a comparison request, nonsense, a follow-up and an
Insights turn. Each line is the user's message, then every agent message and intent.
"""

import tempfile
from pathlib import Path

import palmerpenguins
import vega_datasets

import launcher
from tests.client import Api

PENGUINS = Path(palmerpenguins.__file__).parent / "data" / "penguins.csv"
WEATHER = Path(vega_datasets.__file__).parent / "_data" / "seattle-weather.csv"
SOP = b"""# Refund procedure

1. The customer submits a refund request.
2. The agent checks the order.
3. If the amount is over 100 then the manager approves it, otherwise the agent approves it.
4. The agent issues the refund.
"""
MESSAGES = [
    "Create a workflow from my SOP",
    "Compare my data quality across files",
    "asdf qwerty",
    "What insights can I get from my data?",
    "the second file",
    "blorp zing",
    "use the date column",
    "thanks!",
]


def main() -> None:
    with tempfile.TemporaryDirectory() as root, launcher.running(Path(root) / "data") as stack:
        api = Api(stack.api_url())
        files = [
            api.upload("refunds.md", SOP),
            api.upload("penguins.csv", PENGUINS.read_bytes()),
            api.upload("seattle-weather.csv", WEATHER.read_bytes()),
        ]
        with api.socket() as conn:
            conn.turn("Upload a file", [ref["file_id"] for ref in files])
            for text in MESSAGES:
                print(f"user: {text}")
                for event in conn.turn(text):
                    if event["type"] == "agent.analysis":
                        print(f"  [{event['route']} {event.get('pillar') or ''}]")
                    elif event["type"] == "agent.message":
                        print(f"  {event.get('agent', 'agent')}: {event['text']}")
                    elif event["type"] == "intent.created":
                        print(f"  -> {event['intent']['name']}")
                    elif event["type"] == "execution.failed":
                        print(f"  !! {event['error']['message']}")


if __name__ == "__main__":
    main()
