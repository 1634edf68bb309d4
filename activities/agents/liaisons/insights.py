"""The Insights liaison: what the user's tables say (profile, findings, answers to
questions), and the comparison of several tables it plans with the Content liaison."""

import re

from activities import questions
from activities.agents import asking, slots
from activities.agents.collaboration import ROUTER, planned_ingests
from activities.agents.liaisons.base import Label, Liaison, candidates, file_kind, of_kind, plan
from activities.agents.slots import date_column, ordinal
from activities.catalog import Catalog
from models.agents import CollaborationInput, Recommendation, Route, TurnContext
from models.files import FileRef
from models.intents import Intent, Realm

PROFILE = "profile_data"
FINDINGS = "generate_insights"
COMPARE = "compare_data_quality"
PICKS = re.compile(
    r"\b(first|second|third|fourth|1st|2nd|3rd|4th|former|latter|other|previous|last|"
    r"one|ones|both|all|it|them|files?|sheets?|tables?|spreadsheets?|datasets?)\b"
)
"""Words that pick files rather than narrow the rows."""
WANTS_FINDINGS = ("trend", "pattern", "finding", "stands out", "stand out", "interesting")


def tables_in_scope(context: TurnContext, catalog: Catalog) -> list[FileRef]:
    """The table files a request means; "the second file" picks one of several, and a
    follow-up naming no file ("now the other way round") stays on the last look's files."""
    files = candidates(context, catalog.entry(PROFILE).file_kinds)
    position = ordinal(context.text)
    if len(files) > 1 and position is not None and position < len(files):
        return [files[position]]
    last = _last_files(context)
    if not context.attached and not context.focus and last and _refines(context.text):
        return [ref for ref in files if ref.file_id in last] or files
    return files


def _last_files(context: TurnContext) -> list[str]:
    """The files of the session's last execution, if it was this liaison's."""
    last = context.last_execution
    if last is None or last.intent.realm is not Realm.INSIGHTS:
        return []
    ids = last.intent.params.get("file_ids") or []
    return [str(i) for i in ids]


def _refines(text: str) -> bool:
    """A follow-up on the last look's files; a date column picks its files by itself."""
    return date_column(text) is None and (slots.refines(text) or slots.names_a_column(text))


def recommend(context: TurnContext, catalog: Catalog) -> Recommendation:
    """Answer a question about the data (query_data); else profile it, or look for findings
    when they ask for trends, patterns or a date column."""
    agent = LIAISON.name
    files = tables_in_scope(context, catalog)
    if not files:
        return Recommendation(agent=agent, text=_no_tables(context), next_steps=["Upload a file"])
    column = date_column(context.text)
    if column is not None and context.tables:
        column = _column_named(column, context)
        if column is None:
            return _no_column(date_column(context.text) or "", context)
        dated = {t.file_id for t in context.tables if t.column(column) is not None}
        files = [ref for ref in files if ref.file_id in dated]
    if not asking.over_a_date_column(context.text):
        answer = asking.answer_plan(context, agent, files)
        if answer is not None:
            return answer
    asked = column is not None or any(w in context.text.lower() for w in WANTS_FINDINGS)
    name = FINDINGS if asked else _again(context)
    listed = ", ".join(ref.name for ref in files)
    over = f" over the {column} column" if column else ""
    intents = plan(catalog, name, files, context, column)
    if _same_again(context, intents):
        return _cannot_narrow(name, listed)
    return Recommendation(
        agent=agent,
        text=f"I'll {'look for findings in' if name == FINDINGS else 'profile'} {listed}{over}.",
        next_steps=["Compare data quality across files", "Ask for trends over a date column"],
        intents=intents,
    )


def _same_again(context: TurnContext, intents: list[Intent]) -> bool:
    """A follow-up ("only the north region") that would run the last look again unchanged:
    it narrows by something a look does not take. One that picks files ("only the first
    one", "the other file", "and sales.csv?") keeps the look, even on the same files."""
    last = context.last_execution
    text = slots.normalize(context.text)
    picks = context.focus or context.attached or PICKS.search(text)
    return last is not None and slots.refines(text) and not picks and intents == [last.intent]


def _cannot_narrow(name: str, listed: str) -> Recommendation:
    """Why a follow-up changes nothing, and what would: a question about those rows."""
    look = "findings cover" if name == FINDINGS else "profile covers"
    return Recommendation(
        agent=LIAISON.name,
        text=f"The {look} all of {listed}, so I can't narrow it down that way. Ask me a "
        "question about those rows instead (an average, a count, a top 5) and I'll answer "
        "it from the data.",
        next_steps=["Compare data quality across files", "Ask for trends over a date column"],
    )


def _again(context: TurnContext) -> str:
    """A follow-up ("and orders.csv?") repeats the liaison's last look, profile or findings."""
    last = context.last_execution
    if last is not None and last.intent.name == FINDINGS and "profil" not in context.text.lower():
        return FINDINGS
    return PROFILE


def about_the_data(context: TurnContext) -> bool:
    """A question that names a column or value of the user's tables is about their data."""
    text = context.text.lower()
    return (
        bool(context.tables)
        and bool(asking.ASKS.search(text))
        and (questions.names_anything(context.text, context.tables))
    )


def _column_named(word: str, context: TurnContext) -> str | None:
    """The column a name means: itself, else the one column whose name contains it
    ("date" -> order_date), else None."""
    names = {c.name for t in context.tables for c in t.columns}
    if word in names:
        return word
    containing = [name for name in names if word in name.lower().split("_")]
    return containing[0] if len(containing) == 1 else None


def _no_column(column: str, context: TurnContext) -> Recommendation:
    """A column none of the files has is a question, not a failed execution."""
    dates = [
        f"{c.name} ({t.name})" for t in context.tables for c in t.columns if c.type == "datetime"
    ]
    offer = f" Date columns I can see: {', '.join(dates[:5])}." if dates else ""
    return Recommendation(
        agent=LIAISON.name,
        text=f"None of {', '.join(t.name for t in context.tables)} has a column named "
        f"{column}.{offer} Which column should I follow over time?",
        next_steps=[f"Use the {d.split(' ')[0]} column" for d in dates[:3]],
    )


def _no_tables(context: TurnContext) -> str:
    """What to upload, naming the text files that are not data."""
    texts = [ref.name for ref in context.session_files if file_kind(ref) == "text"]
    if texts:
        return (
            f"{', '.join(texts)} {'is' if len(texts) == 1 else 'are'} text, not a table of "
            "data. Upload a CSV, JSON or Excel file and ask again."
        )
    return "I need some data first. Upload a CSV, JSON or Excel file and ask again."


def compare(request: CollaborationInput, catalog: Catalog) -> Recommendation:
    """Content says which files are in scope; Insights compares the tables among them.

    Only tables are compared (an SOP in the session is not data); with fewer than two
    the router asks for another instead of running anything.
    """
    context = request.context
    kinds = catalog.entry(COMPARE).file_kinds
    named = of_kind(context.focus, kinds)
    pool = named if len(named) >= 2 else [*context.attached, *context.session_files]
    tables = list({ref.file_id: ref for ref in of_kind(pool, kinds)}.values())
    if len(tables) < 2:
        return Recommendation(
            agent=ROUTER,
            text=_one_table(tables, context),
            next_steps=["Upload a second table"],
        )
    return Recommendation(
        agent=ROUTER,
        text=f"The content and insights liaisons agree: I'll compare {len(tables)} tables "
        f"({', '.join(ref.name for ref in tables)}) side by side on completeness, duplicates, "
        "types and outliers.",
        next_steps=["Profile the weakest file", "Generate insights on the best one"],
        intents=[*planned_ingests(request), *plan(catalog, COMPARE, tables, context)],
    )


def _one_table(tables: list[FileRef], context: TurnContext) -> str:
    """Why nothing is compared yet, and what to upload."""
    have = f"I only have {tables[0].name}" if tables else "I have no tables yet"
    texts = [ref.name for ref in context.session_files if file_kind(ref) == "text"]
    aside = f" ({', '.join(texts)} is text, not data)" if texts else ""
    return (
        f"To compare data quality I need at least two tables, and {have}{aside}. "
        "Please upload another CSV, JSON or Excel file."
    )


INSIGHTS = Label(
    name="insights",
    route=Route.LIAISON,
    pillars=(Realm.INSIGHTS,),
    description="profile data, findings, trends, questions about the data",
    option="get insights from your data",
    capability="What insights can I get from my data?",
    claims=about_the_data,
    cues=("insight", "profile", "analy", "statistic", "pattern", "trend", "quality", "summar"),
    examples=(
        "analyze the uploaded spreadsheet",
        "profile the file I sent",
        "key figures in the data",
        "check the data for nulls",
        "is the total growing",
        "what patterns exist in the uploaded file",
        "revenue trend over time",
        "metrics of my dataset",
        "find gaps and missing values",
        "how is the amount changing month to month",
        "What insights can I get from my data?",
        "profile my data",
        "analyze this dataset",
        "what does my data tell me",
        "give me statistics on my file",
        "find patterns in the data",
        "show me trends",
        "summarize my spreadsheet",
        "what's interesting in these numbers",
        "run a profile on the csv",
        "any outliers in my data?",
        "how good is my data quality",
        "describe the columns and their distributions",
        "insights please",
        "analyse my sales",
        "what are the key findings",
        "are there correlations between columns",
        "which columns have missing values",
        "tell me about the data",
        "give me an overview of my file",
        "explore the dataset",
        "show the distribution of amounts",
        "what stands out in my data",
        "statistical summary",
        "analyze trends over time",
        "data profile",
        "find anomalies",
        "what can you learn from my numbers",
        "insigths on my data",
        "analize the file",
        "look at my data and tell me what you see",
        "profile orders.csv",
        "are sales going up or down",
        "check the quality of my file",
        "what is the average order value",
        "give me the mean and median",
        "which values are most common",
        "show me skewed columns",
        "what should I know about this data",
        "help me understand my dataset",
        "median salary by department?",
        "which month had the most orders?",
        "how many customers signed up in 2021",
        "average price per category",
        "total revenue by region and quarter",
        "maximum discount given",
        "minimum delivery time for each carrier",
        "top 10 products by units sold",
        "bottom 3 stores by profit",
        "which city has the highest rent",
        "how many tickets have status open",
        "count of employees per department",
        "is there a relationship between age and income",
        "correlation of ad spend with sales",
        "distribution of order amounts",
        "histogram of response times",
        "distinct values of status",
        "how many unique customers are there",
        "monthly trend of signups",
        "weekly revenue over time",
        "average basket size on weekends",
        "sum of refunds in march",
        "orders above 40 dollars",
        "how many rows have a score below 50",
        "mean rating of each product",
        "now by month",
        "only 2019",
        "top 5 instead",
        "as a chart",
        "show that as a bar chart",
        "what about by region",
        "same but the median",
        "number of visits per day",
        "highest reading recorded by each sensor",
        "total spend per year",
        "breakdown of sales by channel",
        "which supplier is the cheapest on average",
        "how much did we sell in total",
        "mean age of patients by ward",
        "list the 5 longest calls",
        "what is the mean weight of the parcels",
        "let me look at the trends",
        "analyze all of it",
        "stats please",
        "how clean is this file",
        "how does this dataset look",
        "what's inside the file",
        "what is in this file",
        "average of the price column",
        "what's the largest order",
        "count the rows per category",
        "what is the mean salary",
        "profile everything",
        "describe what's in the spreadsheet",
        "show me the findings",
        "any correlations worth knowing",
        "median age",
        "which region sells most",
    ),
)
COMPARISON = Label(
    name="compare",
    route=Route.COLLABORATION,
    pillars=(Realm.CONTENT, Realm.INSIGHTS),
    description="compare data quality across files",
    option="compare data quality across files",
    capability="Compare my data quality across files",
    cues=("compare", "comparison", "across files", "side by side", "versus", " vs "),
    merge=compare,
    examples=(
        "compare everything",
        "compare all uploaded files",
        "compare the files I uploaded",
        "Compare my data quality across files",
        "compare these two files",
        "which file has better data quality",
        "compare the spreadsheets side by side",
        "how do my datasets differ in quality",
        "contrast the quality of file a and file b",
        "compare quality",
        "which dataset is cleaner",
        "side by side comparison of my files",
        "compare orders.csv with sales.csv",
        "is the new export better than the old one",
        "compare completeness across files",
        "which of my files has more missing values",
        "benchmark my files against each other",
        "compare data quality",
        "versus comparison of the two datasets",
        "compare my uploads",
        "rank my files by quality",
        "which file should I trust more",
        "compare duplicates between the files",
        "how does this file compare to the other",
        "compair the files",
        "comparing quality of datasets",
        "data quality across all my files",
        "compare january and february exports",
        "diff the quality of these files",
        "which spreadsheet is more complete",
        "compare the csv files",
        "quality comparison",
        "check which file is best",
        "compare both files for outliers",
        "how do the two files stack up",
        "compare all my files",
        "evaluate my files against each other",
        "contrast the datasets",
        "which one is better, file 1 or file 2",
        "compare my data quality between files",
        "put my files head to head",
        "compare consistency across files",
        "is one file worse than the other",
        "compare this with a second file",
        "can this be compared against another dataset",
        "compare it to something else",
        "quality comparison with another table",
    ),
)
LIAISON = Liaison(Realm.INSIGHTS, recommend, (INSIGHTS, COMPARISON))
