"""The Content liaison: files in. The guide answers uploads itself, with this module's words."""

from activities.agents.liaisons.base import GUIDE, Label, Liaison, candidates, plan
from activities.catalog import Catalog, FileKind
from models.agents import Recommendation, Route, TurnContext
from models.intents import Realm

INGEST = "ingest_file"
ANY_FILE: frozenset[FileKind] = frozenset({"table", "text"})


def recommend(context: TurnContext, catalog: Catalog) -> Recommendation:
    """Say which files are in scope, and ingest what was just attached."""
    files = candidates(context, ANY_FILE)
    listed = ", ".join(ref.name for ref in files) or "no files yet"
    return Recommendation(
        agent=LIAISON.name,
        text=f"Files in scope: {listed}.",
        intents=plan(catalog, INGEST, context.attached, context),
    )


def upload(context: TurnContext, catalog: Catalog) -> Recommendation:
    """The guide handles uploads itself: one ingest per attached file."""
    if not context.attached:
        return Recommendation(
            agent=GUIDE,
            text="Sure. Please attach the file you'd like to upload, then send your message again.",
            next_steps=["Attach a CSV, JSON, Excel or text file", "Send “Upload a file” with it"],
        )
    names = ", ".join(ref.name for ref in context.attached)
    return Recommendation(
        agent=GUIDE,
        text=f"I'll ingest {names} so you can work with it.",
        next_steps=["Ask for insights on it", "Compare it with another file"],
        intents=plan(catalog, INGEST, context.attached, context),
    )


UPLOAD = Label(
    name="upload",
    route=Route.DIRECT,
    pillars=(Realm.CONTENT,),
    description="ingest a file",
    option="upload a file",
    capability="Upload a file (CSV, JSON, Excel or text)",
    cues=("upload", "ingest", "import", "attach", "add a file", "add this file"),
    answer=upload,
    attachments=True,
    examples=(
        "here is an export from our system",
        "uploading last month's figures",
        "new data attached",
        "this is the file from accounting",
        "sending you our export",
        "upload the records",
        "Upload a file",
        "upload this file",
        "I want to upload a spreadsheet",
        "can you ingest this csv",
        "here is my data file",
        "please import the attached file",
        "add this file to my workspace",
        "uplaod a file",
        "load this excel sheet",
        "I'm attaching a file",
        "take this dataset",
        "store this document for me",
        "upload my sales export",
        "ingest the json lines file",
        "put this file in",
        "here's the spreadsheet",
        "attach file",
        "upload",
        "I have a csv to give you",
        "bring in this data",
        "could you read in this file",
        "parse the file I sent",
        "new file for you",
        "importing a tsv now",
        "i want to add data",
        "drop this file in",
        "file upload please",
        "send you a file",
        "ingest",
        "upload the attached document",
        "load the file",
        "take in my excel workbook",
        "here you go, a data file",
        "add my orders.csv",
        "please upload the file I attached",
        "read this spreadsheet in",
        "get this file into the system",
        "upload dataset",
        "ingest these files",
        "i attached two files, upload them",
        "here it comes",
        "one more file for you",
    ),
)
LIAISON = Liaison(Realm.CONTENT, recommend, (UPLOAD,))
