"""What the guide answers itself, whoever is helping: greetings, thanks, help, and a polite
no to what the platform does not do."""

import re

from activities import questions
from activities.agents.liaisons.base import GUIDE, Label
from activities.catalog import Catalog
from models.agents import Recommendation, Route, TurnContext

PHATIC = frozenset(
    [
        "ok",
        "okay",
        "k",
        "nice",
        "great",
        "cool",
        "perfect",
        "awesome",
        "brilliant",
        "lol",
        "haha",
        "thanks",
        "thank",
        "you",
        "thx",
        "ty",
        "bye",
        "goodbye",
        "hi",
        "hello",
        "hey",
        "hiya",
        "whats",
        "what's",
        "up",
        "again",
        "whatever",
        "sure",
        "fine",
        "good",
        "alright",
        "wow",
        "cheers",
        "see",
        "ya",
        "later",
        "mate",
        "much",
        "a",
        "lot",
        "very",
        "super",
    ]
)
"""Words of acknowledgements and greetings: a message of these only is small talk."""
_WORDS = re.compile(r"[a-z']+")
_MEANING = re.compile(
    r"^(?:(?:so|ok|okay|hmm|sorry|wait)[,.]? )*"
    r"(?:what(?: is|'s| are) (?:a|an) [a-z]+(?: [a-z]+){0,2}"
    r"|what does (?:that|this|it|[a-z]+(?: [a-z]+)?) mean"
    r"|what do you mean(?: by (?:that|this|it))?)"
    r"(?: anyway| exactly| again| here)?[ ?.!]*$"
)
"""A question about what a word or the last answer means ("what is a data profile?",
"what does that mean"): the guide's help, not a request to run anything."""


def phatic(context: TurnContext) -> bool:
    """A short message of acknowledgements and greetings only ("ok thanks", "lol")."""
    words = _WORDS.findall(context.text.lower())
    return 0 < len(words) <= 4 and all(word in PHATIC for word in words)


def asks_meaning(context: TurnContext) -> bool:
    """A question about what a word or the last answer means, naming none of the user's
    columns ("what is a data profile anyway?", not "what's a typical order total")."""
    text = " ".join(context.text.lower().split())
    return bool(_MEANING.match(text)) and not questions.names_anything(text, context.tables)


def chat(context: TurnContext) -> bool:
    """What the guide answers whatever the backend read: acknowledgements, greetings and
    questions about what something means."""
    return phatic(context) or asks_meaning(context)


def greet(context: TurnContext, catalog: Catalog) -> Recommendation:
    """Thanks and goodbyes answered as such; otherwise what the platform does. The guide
    adds its capabilities as next steps."""
    words = set(_WORDS.findall(context.text.lower()))
    if words & {"thanks", "thank", "thx", "ty", "cheers"}:
        return Recommendation(agent=GUIDE, text="You're welcome! What would you like next?")
    if words & {"bye", "goodbye", "later"}:
        return Recommendation(agent=GUIDE, text="Bye! Your files and results stay here.")
    return Recommendation(
        agent=GUIDE,
        text="Hi! I can ingest your files, profile them and find insights, compare data "
        "quality across files, and turn a standard operating procedure into a workflow.",
    )


def decline(context: TurnContext, catalog: Catalog) -> Recommendation:
    """A polite no, with what the platform does instead."""
    return Recommendation(
        agent=GUIDE,
        text="Sorry, that's outside what this platform does. I work with your data files "
        "and procedures: ingesting, profiling, comparing and turning SOPs into workflows.",
    )


SMALLTALK = Label(
    name="smalltalk",
    route=Route.DIRECT,
    pillars=(),
    description="greeting, thanks, help",
    option="hear what I can do",
    answer=greet,
    claims=chat,
    examples=(
        "what am I looking at",
        "what is this thing",
        "greetings to you",
        "howdy partner",
        "ty so much",
        "appreciate your help",
        "hey, what's possible",
        "i'm new, what can i do",
        "what's this tool",
        "hi, new user here",
        "sup",
        "hello, anyone there",
        "hello",
        "hi",
        "hey there",
        "good morning",
        "thanks",
        "thank you",
        "thanks a lot",
        "what can you do?",
        "help",
        "how does this work",
        "who are you",
        "what are you able to help with",
        "hi, what can I do here",
        "cheers",
        "great, thanks",
        "ok thank you",
        "hello there, how can you help",
        "what features do you have",
        "show me what you can do",
        "help me get started",
        "how do I use this",
        "good afternoon",
        "thx",
        "what is this platform",
        "what can you help me with",
        "can you help me",
        "menu",
        "options",
        "what should I ask you",
        "hey",
        "hiya",
        "many thanks",
        "nice, thank you",
        "what do you do",
        "getting started",
        "explain what you can do",
        "hello!",
        "good evening",
        "tell me your capabilities",
        "great",
        "super",
        "excellent",
        "alright",
        "got it",
        "sounds good",
        "goodbye",
        "see you later",
        "bye bye",
        "haha",
        "good stuff",
        "forget it",
        "that's all for now",
        "cancel that, never mind me",
        "how's it going",
        "yo",
        "cheers!",
        "wonderful, thanks",
        "talk later",
        "that's helpful",
    ),
)
OUT_OF_SCOPE = Label(
    name="out_of_scope",
    route=Route.DIRECT,
    pillars=(),
    description="anything the platform does not do",
    option="something this platform doesn't do",
    answer=decline,
    offered=False,
    examples=(
        "how far away is the moon",
        "what's popular on social media right now",
        "how many people live in tokyo",
        "what is the tallest building in the world",
        "how long do cats live",
        "is it going to rain",
        "remind me to call john",
        "wake me at 8",
        "plan a trip to rome",
        "make me dinner",
        "how big is the galaxy",
        "translate this sentence",
        "set a timer",
        "what's the forecast",
        "teach me guitar",
        "book me a flight",
        "what's the weather today",
        "tell me a joke",
        "order a pizza",
        "what is the capital of France",
        "play some music",
        "set an alarm for 7am",
        "who won the game last night",
        "translate this into Spanish",
        "write me a poem",
        "send an email to my boss",
        "what time is it",
        "buy bitcoin",
        "reserve a table for two",
        "call my mom",
        "what's the stock price of apple",
        "recommend a movie",
        "how tall is mount everest",
        "find me a hotel in paris",
        "write a cover letter",
        "schedule a meeting",
        "turn on the lights",
        "what's the news",
        "how do I cook pasta",
        "play chess with me",
        "book a taxi",
        "what is love",
        "sing a song",
        "who is the president",
        "do my homework",
        "give me directions to the airport",
        "what's 2+2",
        "order new shoes",
        "what should I eat tonight",
        "check my bank balance",
        "renew my passport",
        "tell me about dinosaurs",
        "find a recipe for cake",
        "how far is the moon",
        "write python code for a web server",
        "delete my user account",
        "change my password",
        "reset my login",
        "break into a computer system",
        "steal some passwords",
        "what does your service cost",
        "what's the price of a subscription",
        "sell these records to a marketer",
        "play some music",
        "recommend a movie",
        "what time is it in Tokyo",
        "write my homework essay",
        "buy me some shoes",
        "are you a robot",
        "do you have feelings",
        "what's your favourite colour",
        "do you enjoy music",
        "do you prefer dogs",
        "what is 7 times 8",
        "calculate 15 percent of 80",
        "what's 10 divided by 5",
        "get into someone's email",
        "bypass the login of a website",
        "crack a password for me",
        "is this service free",
        "how much do you charge",
        "pricing plans",
        "close my account",
        "unsubscribe me",
        "share my customer list with a marketing company",
        "monetize my users' information",
    ),
)
LABELS = (SMALLTALK, OUT_OF_SCOPE)
