"""Multi-turn conversations for the routing benchmark, written as users type them.

Each conversation starts with files already in the session (one of `SESSIONS`) and
lists its turns as (message, expected label, expected intent or None[, files attached]).
The label is where the turn should go (a liaison keeping a follow-up counts as its own
label: "insights" or "journey"); the intent is the last one the turn's plan should run,
None when the right answer is a question or a reply without an execution. None of the
messages is a training example of the classifier.
"""

Turn = tuple[str, str, str | None] | tuple[str, str, str | None, tuple[str, ...]]

P, G, Q, C = "profile_data", "generate_insights", "query_data", "compare_data_quality"
W, IN = "create_workflow_from_sop", "ingest_file"

SESSIONS: dict[str, tuple[str, ...]] = {
    "tables": ("sales.csv", "orders.csv"),
    "mixed": ("sales.csv", "refunds.md"),
    "all": ("sales.csv", "orders.csv", "refunds.md"),
    "sops": ("refunds.md", "onboarding.md"),
    "none": (),
    "penguins": ("penguins.csv",),
}

STEPS = "1. Customer emails support\n2. Agent checks the order\n3. Agent issues a refund"
STEPS_2 = (
    "Step one: new hire signs the contract\nStep two: IT creates accounts\n"
    "Step three: manager books the intro meeting\nStep four: HR files the paperwork"
)
STEPS_3 = "- receive invoice\n- check the PO number\n- if it matches, pay it\n- otherwise flag it"

CONVERSATIONS: list[tuple[str, list[Turn]]] = [
    # insights, follow-ups, then something else
    (
        "tables",
        [
            ("what can you tell me about my sales data?", "insights", P),
            ("use the order_date column", "insights", G),
            ("thanks, that helps", "smalltalk", None),
        ],
    ),
    (
        "tables",
        [
            ("give me a quick overview of sales.csv", "insights", P),
            ("and orders.csv?", "insights", P),
            ("now compare the two", "compare", C),
        ],
    ),
    (
        "penguins",
        [
            ("how many penguins are there per species", "insights", Q),
            ("now by island", "insights", Q),
            ("top 3 instead", "insights", Q),
        ],
    ),
    (
        "penguins",
        [
            ("whats the average body mass", "insights", Q),
            ("only for females", "insights", Q),
            ("cool thanks", "smalltalk", None),
            ("can you book me a table at a restaurant", "out_of_scope", None),
        ],
    ),
    (
        "tables",
        [
            ("look for trends in my sales", "insights", G),
            ("fjdkslaj", "clarify", None),
            ("sorry, cat on the keyboard. compare sales.csv with orders.csv please", "compare", C),
        ],
    ),
    (
        "mixed",
        [
            ("analyse my numbers", "insights", P),
            ("blah blah blah", "clarify", None),
            ("turn refunds.md into a workflow", "journey", W),
        ],
    ),
    (
        "mixed",
        [
            ("Compare my data quality across all the files", "compare", None),
            ("ok here's another table", "compare", C, ("orders.csv",)),
            ("compare them now", "compare", C),
        ],
    ),
    (
        "sops",
        [
            ("make a workflow out of my procedure", "journey", None),
            ("the second one", "journey", W),
            ("great, thank you!", "smalltalk", None),
        ],
    ),
    (
        "sops",
        [
            ("I need a process diagram from one of my SOPs", "journey", None),
            ("onboarding.md", "journey", W),
            ("what's the capital of France", "out_of_scope", None),
        ],
    ),
    (
        "none",
        [
            ("please create a workflow from my SOP", "journey", None),
            (STEPS, "journey", W),
            ("perfect", "smalltalk", None),
        ],
    ),
    (
        "none",
        [
            ("can you build me a flowchart of our onboarding", "journey", None),
            (STEPS_2, "journey", W),
            ("now tell me a joke", "out_of_scope", None),
        ],
    ),
    (
        "none",
        [
            ("I have an SOP I'd like mapped out", "journey", None),
            ("here it is", "journey", W, ("invoices.md",)),
            ("thx!!", "smalltalk", None),
        ],
    ),
    (
        "tables",
        [
            ("hi there", "smalltalk", None),
            ("what patterns are in sales.csv", "insights", G),
            ("by order_date please", "insights", G),
        ],
    ),
    (
        "tables",
        [
            ("hello there!", "smalltalk", None),
            ("so what can you do?", "smalltalk", None),
            ("ok let's profile my data then", "insights", P),
        ],
    ),
    (
        "all",
        [
            ("Create a workflow from my SOP document", "journey", W),
            ("compare the data quality across my files please", "compare", C),
            ("qwpoeiru", "clarify", None),
            ("asdf asdf", "clarify", None),
        ],
    ),
    (
        "all",
        [
            ("turn the refund procedure into a workflow", "journey", W),
            ("how does the data in sales.csv look", "insights", P),
            ("what about orders.csv", "insights", P),
        ],
    ),
    (
        "all",
        [
            ("profile all my data", "insights", P),
            ("zzzz", "clarify", None),
            ("hmm ok. what's the total amount", "insights", Q),
        ],
    ),
    (
        "tables",
        [
            ("is my data any good?", "insights", P),
            ("the second file", "insights", P),
            ("show me the trend over order_date", "insights", G),
        ],
    ),
    (
        "tables",
        [
            ("check both files for quality issues side by side", "compare", C),
            ("which one is worse?", "insights", None),
            ("then profile orders.csv", "insights", P),
        ],
    ),
    (
        "penguins",
        [
            ("summarise penguins.csv", "insights", P),
            ("what is the correlation between bill length and body mass", "insights", Q),
            ("as a chart now", "insights", Q),
        ],
    ),
    (
        "penguins",
        [
            ("how many rows have a missing sex", "insights", Q),
            ("and how many per island", "insights", Q),
            ("awesome", "smalltalk", None),
            ("can you order me a pizza", "out_of_scope", None),
        ],
    ),
    (
        "none",
        [
            ("I want to upload something", "upload", None),
            ("here you go", "upload", IN, ("sales.csv",)),
            ("what's in it?", "insights", P),
        ],
    ),
    (
        "none",
        [
            ("upload this csv for me", "upload", IN, ("sales.csv",)),
            ("and this one too", "upload", IN, ("orders.csv",)),
            ("compare the two files", "compare", C),
        ],
    ),
    (
        "none",
        [
            ("take this file", "upload", IN, ("sales.csv",)),
            ("give me insights on it", "insights", P),
            ("the order_date column please", "insights", G),
        ],
    ),
    (
        "none",
        [
            ("analyse my data", "insights", None),
            ("sure, uploading it now", "upload", IN, ("sales.csv",)),
            ("ok profile it", "insights", P),
        ],
    ),
    (
        "mixed",
        [
            ("compare my files", "compare", None),
            ("oh, right. then just profile sales.csv", "insights", P),
            ("thanks a lot!", "smalltalk", None),
        ],
    ),
    (
        "mixed",
        [
            ("what's the quality like across my datasets", "compare", None),
            ("translate this into German", "out_of_scope", None),
            ("hello?", "smalltalk", None),
        ],
    ),
    (
        "sops",
        [
            ("map out my refund process", "journey", W),
            ("do the same for onboarding.md", "reference", W),
            ("nice", "smalltalk", None),
        ],
    ),
    (
        "sops",
        [
            ("build the workflow for refunds.md", "journey", W),
            ("retry that", "reference", W),
            ("what else can you do", "smalltalk", None),
        ],
    ),
    (
        "tables",
        [
            ("profile sales.csv", "insights", P),
            ("do the same for orders.csv", "reference", P),
            ("compare both", "compare", C),
        ],
    ),
    (
        "tables",
        [
            ("profile sales.csv", "insights", P),
            ("run it again", "reference", P),
            ("what's the weather tomorrow", "out_of_scope", None),
        ],
    ),
    (
        "all",
        [
            ("turn refunds.md into a flowchart", "journey", W),
            ("use the amount column", "journey", None),
            ("sorry, I meant: what's the average amount in sales.csv", "insights", Q),
        ],
    ),
    (
        "all",
        [
            ("convert my SOP to a workflow", "journey", W),
            ("and now I'd like to compare data quality across my spreadsheets", "compare", C),
            ("thanks :)", "smalltalk", None),
        ],
    ),
    (
        "all",
        [
            ("make a workflow from refunds.md", "journey", W),
            ("kjhgf lkjh", "clarify", None),
            ("oops", "clarify", None),
            ("what trends are in sales.csv", "insights", G),
        ],
    ),
    (
        "tables",
        [
            ("any outliers in my data", "insights", P),
            ("write me a poem about the sea", "out_of_scope", None),
            ("ok fine. compare my files then", "compare", C),
        ],
    ),
    (
        "tables",
        [
            ("give me stats on the orders file", "insights", P),
            ("only the first one", "insights", P),
            ("bye", "smalltalk", None),
        ],
    ),
    (
        "penguins",
        [
            ("what's the heaviest penguin", "insights", Q),
            ("and the lightest?", "insights", Q),
            ("and which island has the most?", "insights", Q),
        ],
    ),
    (
        "penguins",
        [
            ("what are the key findings in penguins.csv", "insights", G),
            ("what's the median flipper length", "insights", Q),
            ("by species", "insights", Q),
        ],
    ),
    (
        "none",
        [
            ("good morning!", "smalltalk", None),
            ("I'd like to turn a procedure into a workflow", "journey", None),
            (STEPS_3, "journey", W),
        ],
    ),
    (
        "none",
        [
            ("hey :)", "smalltalk", None),
            ("what do I do first?", "smalltalk", None),
            ("uploading my sales file", "upload", IN, ("sales.csv",)),
        ],
    ),
    (
        "tables",
        [
            ("profile my data first", "insights", P),
            (
                "actually could you make a workflow out of our returns process instead",
                "journey",
                None,
            ),
            (STEPS, "journey", W),
        ],
    ),
    (
        "tables",
        [
            ("let's see some insights", "insights", P),
            ("1234", "clarify", None),
            ("the first file", "insights", P),
        ],
    ),
    (
        "mixed",
        [
            ("what's interesting in my data", "insights", G),
            ("now for refunds.md", "insights", None),
            ("make a workflow from refunds.md", "journey", W),
        ],
    ),
    (
        "mixed",
        [
            ("I want to see the trends", "insights", G),
            ("over order_date", "insights", G),
            ("can you compare it to another file", "compare", None),
        ],
    ),
    (
        "sops",
        [
            ("what insights are in my data", "insights", None),
            ("oh I only have SOPs. build a workflow from refunds.md", "journey", W),
            ("thank you so much", "smalltalk", None),
        ],
    ),
    (
        "sops",
        [
            ("diagram my onboarding procedure", "journey", W),
            ("compare data quality of my files", "compare", None),
            ("never mind", "smalltalk", None),
        ],
    ),
    (
        "all",
        [
            ("compare data quality across my files", "compare", C),
            ("profile the worse one", "insights", P),
            ("use the order_date column", "insights", G),
        ],
    ),
    (
        "all",
        [
            ("compare sales.csv and orders.csv", "compare", C),
            ("now a workflow from the refunds SOP", "journey", W),
            ("lol", "smalltalk", None),
        ],
    ),
    (
        "tables",
        [
            ("how many orders are there", "insights", Q),
            ("in total I mean", "insights", Q),
            ("what's the sum of total", "insights", Q),
        ],
    ),
    (
        "tables",
        [
            ("what's the average order total", "insights", Q),
            ("xyzzy", "clarify", None),
            ("sell my data to advertisers", "out_of_scope", None),
        ],
    ),
    (
        "penguins",
        [
            ("profile penguins.csv", "insights", P),
            ("is there a trend over time", "insights", G),
            ("please delete my account", "out_of_scope", None),
        ],
    ),
    (
        "penguins",
        [
            ("tell me about the penguins", "insights", P),
            ("what's the distribution of body mass", "insights", Q),
            ("hmm interesting, thanks", "smalltalk", None),
        ],
    ),
    (
        "none",
        [
            ("compare my files", "compare", None),
            ("upload two files", "upload", IN, ("sales.csv", "orders.csv")),
            ("compare them", "compare", C),
        ],
    ),
    (
        "none",
        [
            ("profile my data please", "insights", None),
            ("what?", "clarify", None),
            ("ok uploading now", "upload", IN, ("orders.csv",)),
        ],
    ),
    (
        "tables",
        [
            ("look for patterns", "insights", G),
            ("and in orders.csv", "insights", G),
            ("send the results to my boss by email", "out_of_scope", None),
        ],
    ),
    (
        "tables",
        [
            ("what stands out in sales.csv", "insights", G),
            ("only the north region", "insights", None),
            ("ok, then compare the two files", "compare", C),
        ],
    ),
    (
        "mixed",
        [
            ("build a workflow from refunds.md", "journey", W),
            ("now profile sales.csv", "insights", P),
            ("and trends over order_date", "insights", G),
        ],
    ),
    (
        "mixed",
        [
            ("turn my SOP into a process", "journey", W),
            ("ghjk", "clarify", None),
            ("how about insights on the sales data", "insights", P),
        ],
    ),
    (
        "sops",
        [
            ("make a workflow", "journey", None),
            ("first one", "journey", W),
            ("and the other one too", "journey", W),
        ],
    ),
    (
        "sops",
        [
            ("workflow from an SOP please", "journey", None),
            ("use refunds.md", "journey", W),
            ("bye for now", "smalltalk", None),
        ],
    ),
    (
        "all",
        [
            ("hi hi", "smalltalk", None),
            ("compare the quality of my tables", "compare", C),
            ("thanks. now turn refunds.md into a workflow", "journey", W),
        ],
    ),
    (
        "all",
        [
            ("what's the data quality of orders.csv", "insights", P),
            ("how does it compare with sales.csv", "compare", C),
            ("profile the weakest file", "insights", P),
        ],
    ),
    (
        "tables",
        [
            ("analyze sales.csv", "insights", P),
            ("what's the total amount by region", "insights", Q),
            ("top 2 instead", "insights", Q),
            ("thanks!", "smalltalk", None),
        ],
    ),
    (
        "tables",
        [
            ("run a profile on both files", "insights", P),
            ("qqqq", "clarify", None),
            ("what is a data profile anyway?", "smalltalk", None),
        ],
    ),
    (
        "penguins",
        [
            ("how many penguins per island", "insights", Q),
            ("retry that", "reference", Q),
            ("what can you do besides this", "smalltalk", None),
        ],
    ),
    (
        "penguins",
        [
            ("find something interesting in penguins.csv", "insights", G),
            ("fly me to the moon", "out_of_scope", None),
            ("ok, how many adelie penguins are there", "insights", Q),
        ],
    ),
    (
        "none",
        [
            ("hello, what is this", "smalltalk", None),
            ("I have a spreadsheet to load", "upload", IN, ("sales.csv",)),
            ("what trends does it show", "insights", G),
        ],
    ),
    (
        "none",
        [
            ("make a flowchart from this", "journey", W, ("refunds.md",)),
            ("thanks mate", "smalltalk", None),
            ("and this one", "journey", W, ("onboarding.md",)),
        ],
    ),
    (
        "tables",
        [
            ("profile the data", "insights", P),
            ("what is 2 + 2", "out_of_scope", None),
            ("the second file", "insights", P),
        ],
    ),
    (
        "tables",
        [
            ("compare quality please", "compare", C),
            ("ok", "smalltalk", None),
            ("now look for trends in sales.csv", "insights", G),
        ],
    ),
    (
        "mixed",
        [
            ("quality check my data", "insights", P),
            ("compare it against the other file", "compare", None),
            ("upload orders", "upload", IN, ("orders.csv",)),
        ],
    ),
    (
        "mixed",
        [
            ("a workflow from the refunds procedure please", "journey", W),
            ("compare data quality across files", "compare", None),
            ("ok whatever", "smalltalk", None),
        ],
    ),
    (
        "sops",
        [
            ("create the onboarding workflow", "journey", W),
            ("what insights can I get from my data", "insights", None),
            ("nvm. the refunds one as a workflow", "journey", W),
        ],
    ),
    (
        "sops",
        [
            ("can you create a process map", "journey", None),
            ("the 2nd one", "journey", W),
            ("can you also compare my files", "compare", None),
        ],
    ),
    (
        "all",
        [
            ("profile the orders file", "insights", P),
            ("the date column", "insights", G),
            ("now the workflow for refunds", "journey", W),
        ],
    ),
    (
        "all",
        [
            ("analyse everything", "insights", P),
            ("random words banana carpet", "clarify", None),
            ("compare sales and orders", "compare", C),
        ],
    ),
    (
        "tables",
        [
            ("what's the minimum total in orders.csv", "insights", Q),
            ("and the maximum", "insights", Q),
            ("now the average", "insights", Q),
        ],
    ),
    (
        "tables",
        [
            ("stats for sales.csv please", "insights", P),
            ("do you like cats?", "out_of_scope", None),
            ("hmm. stats for orders.csv then", "insights", P),
        ],
    ),
    (
        "penguins",
        [
            ("how many distinct species are there", "insights", Q),
            ("what does that mean", "smalltalk", None),
            ("what's the mean bill depth", "insights", Q),
        ],
    ),
    (
        "penguins",
        [
            ("profile this data", "insights", P),
            ("asdfghjkl", "clarify", None),
            ("compare it with another dataset", "compare", None),
        ],
    ),
    (
        "none",
        [
            ("whats up", "smalltalk", None),
            ("can you analyze a csv", "insights", None),
            ("here", "insights", P, ("sales.csv",)),
        ],
    ),
    (
        "none",
        [
            ("help me", "smalltalk", None),
            ("ok create a workflow from my SOP", "journey", None),
            ("sending it", "journey", W, ("refunds.md",)),
        ],
    ),
    (
        "tables",
        [
            ("show me some trends", "insights", G),
            ("use the order_date column", "insights", G),
            ("and do the same for orders.csv", "reference", G),
        ],
    ),
    (
        "tables",
        [
            ("profile sales.csv", "insights", P),
            ("make a workflow from my SOP", "journey", None),
            (STEPS, "journey", W),
        ],
    ),
    (
        "mixed",
        [
            ("find patterns in sales.csv", "insights", G),
            ("by order_date", "insights", G),
            ("compare", "compare", None),
        ],
    ),
    (
        "mixed",
        [
            ("hey there :)", "smalltalk", None),
            ("turn refunds.md into a workflow please", "journey", W),
            ("now compare my datasets", "compare", None),
        ],
    ),
    (
        "sops",
        [
            ("flowchart for refunds.md", "journey", W),
            ("poiuy", "clarify", None),
            ("the onboarding one now", "journey", W),
        ],
    ),
    (
        "sops",
        [
            ("create a workflow from refunds.md", "journey", W),
            ("what's the profile of my data", "insights", None),
            ("ok thanks", "smalltalk", None),
        ],
    ),
    (
        "all",
        [
            ("what's in orders.csv", "insights", P),
            ("trend over order_date", "insights", G),
            ("sing me a song", "out_of_scope", None),
        ],
    ),
    (
        "all",
        [
            ("build me a workflow from the SOP", "journey", W),
            ("hi again", "smalltalk", None),
            ("compare my two spreadsheets", "compare", C),
        ],
    ),
    (
        "tables",
        [
            ("what's the count of orders per status", "insights", Q),
            ("only for 2024", "insights", Q),
            ("as a chart please", "insights", Q),
        ],
    ),
    (
        "tables",
        [
            ("give me insights", "insights", P),
            ("the first one only", "insights", P),
            ("now compare both files", "compare", C),
        ],
    ),
    (
        "penguins",
        [
            ("what's the average flipper length by species", "insights", Q),
            ("bottom 2 instead", "insights", Q),
            ("great, bye", "smalltalk", None),
        ],
    ),
    (
        "penguins",
        [
            ("look for insights", "insights", P),
            ("please hack my neighbour's wifi", "out_of_scope", None),
            ("what trends are there", "insights", G),
        ],
    ),
    (
        "none",
        [
            ("I'd like to compare some files", "compare", None),
            ("here's the first", "upload", IN, ("sales.csv",)),
            ("and here's the second", "upload", IN, ("orders.csv",)),
            ("now compare them", "compare", C),
        ],
    ),
    (
        "none",
        [
            ("what can this platform do", "smalltalk", None),
            ("create a workflow from a procedure", "journey", None),
            (STEPS_2, "journey", W),
            ("thanks!", "smalltalk", None),
        ],
    ),
    (
        "tables",
        [
            ("check my data for gaps", "insights", P),
            ("the other file", "insights", P),
            ("vbnm", "clarify", None),
        ],
    ),
    (
        "tables",
        [
            ("look at orders.csv", "insights", P),
            ("what's the highest total", "insights", Q),
            ("and the lowest one", "insights", Q),
        ],
    ),
    (
        "mixed",
        [
            ("turn refunds.md into a diagram", "journey", W),
            ("profile my spreadsheet", "insights", P),
            ("only the first sheet", "insights", P),
        ],
    ),
    (
        "mixed",
        [
            ("profile refunds.md", "insights", None),
            ("ok then build a workflow from it", "journey", W),
            ("cheers, bye", "smalltalk", None),
        ],
    ),
    (
        "sops",
        [
            ("help me turn a procedure into a workflow", "journey", None),
            ("whichever is the newest", "journey", None),
            ("onboarding.md please", "journey", W),
        ],
    ),
    (
        "sops",
        [
            ("I want to automate my refund SOP", "journey", W),
            ("how much does this cost", "out_of_scope", None),
            ("build the onboarding workflow too", "journey", W),
        ],
    ),
    (
        "all",
        [
            ("compare data quality across files", "compare", C),
            ("nice. retry that", "reference", C),
            ("thank you!!", "smalltalk", None),
        ],
    ),
    (
        "all",
        [
            ("give me an overview of sales.csv", "insights", P),
            ("hello again", "smalltalk", None),
            ("now by order_date", "insights", G),
        ],
    ),
    (
        "tables",
        [
            ("profile orders.csv please", "insights", P),
            ("who won the football yesterday", "out_of_scope", None),
            ("compare it with sales.csv", "compare", C),
        ],
    ),
    (
        "tables",
        [
            ("any interesting trends in sales", "insights", G),
            ("qwerty", "clarify", None),
            ("the trends over order_date", "insights", G),
        ],
    ),
]
