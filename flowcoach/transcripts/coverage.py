"""Which F.L.O.W. stages, coaching topics and more / better / different a session covered.

An utterance addresses a theme when it uses that theme's words (lexicons below). A client's
answer addresses what the coach's question just asked about. A theme is covered when at least
two utterances address it (DOMAIN.md: typically the coach's question and the client's answer).
"""

from __future__ import annotations

import re

FLOW_STAGES = ("find_out", "learn_about", "own", "work_it")
TOPICS = ("self_concept", "identity_role", "personal_goals", "behavioural_reflection")
MBD = ("more", "better", "different")


def _lexicon(*phrases: str) -> re.Pattern:
    # Matched against lower-cased text: case-insensitive patterns cost twice as much.
    return re.compile(r"\b(?:" + "|".join(phrases) + r")")


LEXICONS: dict[str, dict[str, re.Pattern]] = {
    "flow": {
        "find_out": _lexicon(
            r"(?:a|the|your|biggest|main|current) challenges?\b",
            r"challenge you're facing",
            r"holding (?:you|me) back",
            r"what's stopping you",
            r"what's getting in the way of (?:your|you)",
            r"struggling with",
        ),
        "learn_about": _lexicon(
            r"achievement stor",
            r"motivational flow",
            r"times? in your life when",
            r"tell me about (?:a|another|one more) time",
            r"when you did something well",
            r"what drew you in",
            r"side by side",
            r"what do you notice is the same",
            r"what's the same about",
            r"your stories",
        ),
        "own": _lexicon(
            r"flip side",
            r"shadows?\b",
            r"growth need",
            r"grow past",
            r"working against you",
            r"overused",
            r"yours to own",
            r"own (?:this|that|it)\b",
        ),
        "work_it": _lexicon(
            r"adjustments?\b",
            r"commit to (?:achieving|doing|trying)",
            r"make this practical",
            r"make it stick",
            r"skills? (?:to|you want to|you'll) (?:work on|practise|practice|build)",
            r"work it\b",
        ),
    },
    "topic": {
        "self_concept": _lexicon(
            r"(?:seeing|see|saw|seen) (?:yourself|myself|himself|herself)",
            r"how you see you",
            r"describe (?:you|yourself|himself|herself|me|myself)\b",
            r"self-(?:belief|image|worth|talk|doubt|concept)",
            r"(?:believe|belief) (?:in|about) (?:yourself|myself)",
            r"(?:fair|kind|hard|harsh) (?:to|on) yourself",
            r"put yourself",
            r"(?:born|natural) (?:a |an )?(?:closer|salesperson|seller)",
            r"evidence (?:for|against)",
            r"proud of",
        ),
        "identity_role": _lexicon(
            r"identity",
            r"as a person\b",
            r"who (?:you|i) (?:are|am)\b",
            r"not (?:about )?what (?:you|i) do",
            r"role (?:view|thing|performance)",
            r"the person and the role",
            r"i/r\b",
        ),
        "personal_goals": _lexicon(
            r"personal goals?",
            r"(?:your|my|the) [\w-]+ goal\b",
            r"goals? (?:outside|beyond|for yourself|in life)",
            r"outside (?:of )?work",
            r"from (?:your|my) life",
            r"want (?:out of|from) life",
            r"bucket list",
            r"dream",
            r"ambition",
            r"i'd (?:really )?love to",
            r"i'd really like to be",
            r"(?:are you|i'm) still after",
        ),
        "behavioural_reflection": _lexicon(
            r"more,? better,? (?:and |or )?different",
            r"(?:do|doing) more of",
            r"want to do better",
            r"(?:do|doing) (?:things )?differently",
            r"what(?:'s| is) (?:your|the) (?:more|better|different)[.,!?]",
        ),
    },
    "mbd": {
        "more": _lexicon(
            r"(?:do|doing|did|want) (?:a (?:lot|bit) )?more of",
            r"more of it",
            r"(?:that's|what's) (?:your|the) more[.,!?]",
            r"more first",
        ),
        "better": _lexicon(
            r"(?:do|doing) (?:\w+ )?better\b(?! than)",
            r"(?:go|move|come|turn) (?:on )?to better",
            r"what would better look",
            r"better,? you already",
            r"\bbetter look like",
        ),
        "different": _lexicon(
            r"differently",
            r"(?:go|move|come|turn|brings us) (?:on )?to different",
            r"do (?:something )?different\b",
        ),
    },
}


def themes_in(text: str) -> dict[str, list[str]]:
    text = text.lower()
    return {
        group: [name for name, pattern in patterns.items() if pattern.search(text)]
        for group, patterns in LEXICONS.items()
    }


def covered(utterance_themes: list[dict[str, list[str]]], raised: list[bool]) -> dict:
    """Themes addressed by at least two utterances, in canonical order.

    `raised[i]` says utterance i is the coach's; the next utterance, when someone else
    speaks it, answers it and so addresses the same themes."""
    counts: dict[tuple[str, str], int] = {}
    for index, themes in enumerate(utterance_themes):
        own = {(group, name) for group, names in themes.items() for name in names}
        if index > 0 and raised[index - 1] and not raised[index]:
            previous = utterance_themes[index - 1]
            own |= {(group, name) for group, names in previous.items() for name in names}
        for key in own:
            counts[key] = counts.get(key, 0) + 1
    order = {"flow": FLOW_STAGES, "topic": TOPICS, "mbd": MBD}
    return {
        group: [name for name in names if counts.get((group, name), 0) >= 2]
        for group, names in order.items()
    }
