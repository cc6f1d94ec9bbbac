"""Rules that label an utterance: question (open or closed), telling, commitment.

Deterministic and explainable: every label comes with the rule that fired, so the report can
say why a sentence counted. Rules follow how people speak (sentence shapes, a few hundred
words of lexicon), never particular sentences. docs/transcripts.md lists them for coaches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"(?<=[.?!])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")


def sentences(text: str) -> list[str]:
    parts = [part.strip() for part in _SENTENCE_END.split(text.strip())]
    return [part for part in parts if part]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


# Openers that don't change what a sentence is: "And", "So", "Okay,", a name, "Honestly,".
_FILLER = re.compile(
    r"^(?:(?:and|so|but|okay|ok|right|well|now|then|oh|ah|yes|yeah|no|alright|all right|"
    r"honestly|actually|just|also|great|good|sure|mm|hmm|um|uh|and then|so then)\b[,.]?\s*)+",
    re.I,
)


def strip_openers(sentence: str) -> str:
    return _FILLER.sub("", sentence).strip()


# --- Questions ---------------------------------------------------------------------------

_OPEN_START = re.compile(
    r"^(?:what|what's|whats|how|how's|why|where|where's|when|who|who's|whom|whose|which|"
    r"in what way|tell me|talk me through|walk me through|describe|say more|give me an example|"
    r"help me understand)\b",
    re.I,
)
# Prompts that ask without a question mark: "Tell me about another time."
_PROMPT = re.compile(
    r"^(?:tell me (?:about|more|what|how|why|where|when)|say (?:a bit |a little )?more|"
    r"talk me through|walk me through|describe|give me an example|help me understand|"
    r"i(?:'m| am) curious (?:about|what|how|why)|i wonder (?:what|how|why|whether|if))\b",
    re.I,
)
# Tag questions: a statement with "right?", "isn't it?", "could you?" hung on the end asks for
# agreement, not information; sales-call research and MI coding both leave them out.
_TAG = re.compile(
    r",\s*(?:right|yeah|eh|no|okay|ok|yes|agreed|true|"
    r"(?:is|are|was|were|do|does|did|have|has|had|can|could|will|would|should|wo|ca|must|"
    r"shall|might)(?:n't|nt)?\s+(?:i|you|he|she|it|we|they|there|that)(?:\s+not)?)\s*\?\s*$",
    re.I,
)
# Answering your own question straight away makes it rhetorical: "Did they cancel? No."
_SELF_ANSWER = re.compile(
    r"^(?:no|nope|yes|yep|of course|exactly|obviously|course not|nothing|never)\b", re.I
)
# "...? You move it." An instruction right after the question answers it for the listener.
_YOU_INSTRUCT = re.compile(
    r"^you\s+(?!(?:said|mentioned|told|were|was|seemed|sounded|looked|had|have|know|"
    r"think|feel|felt|want|wanted|can|could|might|may|did|do you|are|'re|'ve|'d|'ll|"
    r"described|talked|called|asked|used|see|saw)\b)[a-z]+(?<!ed)\b",
    re.I,
)
_IDIOMS = re.compile(
    r"\b(?:how long have you got|guess what|you know what|who knows|who doesn't|"
    r"what can you do|know what i mean|what's not to like|why not)\?",
    re.I,
)
# Someone voicing a script ("Something like: Martin, what's...?") quotes every sentence
# after it; a reported line ("and she says, are you...?") quotes only its own sentence.
_SCRIPT = re.compile(r"^(?:something like|more like|along the lines of|words like)\b", re.I)
_REPORTED = re.compile(r"\b(?:says|said|asks|asked|tells|told me|goes)\s*[,:]\s+\w", re.I)


@dataclass(frozen=True)
class QuestionLabel:
    is_question: bool
    kind: str | None  # "open", "closed" or None
    why: str
    sentences: tuple[str, ...] = ()


def question_label(text: str) -> QuestionLabel:
    parts = sentences(text)
    asked: list[tuple[str, str]] = []  # (sentence, kind)
    reasons: list[str] = []
    quoting = False
    for index, sentence in enumerate(parts):
        bare = strip_openers(sentence)
        if _SCRIPT.match(bare):
            quoting = True
        if quoting or _REPORTED.search(sentence):
            if sentence.endswith("?"):
                reasons.append("a question quoted, not asked")
            continue
        if sentence.endswith("?"):
            following = parts[index + 1].strip() if index + 1 < len(parts) else ""
            if _IDIOMS.search(sentence):
                reasons.append("a figure of speech")
                continue
            if _TAG.search(sentence) and _statement_before_tag(sentence) and len(parts) > 1:
                # Alone, "Three years, right?" checks a fact; inside a speech it asks nothing.
                reasons.append("a tag on a statement")
                continue
            if following and (_SELF_ANSWER.match(following) or _YOU_INSTRUCT.match(following)):
                reasons.append("answered by the speaker straight away")
                continue
            asked.append((sentence, _kind(sentence)))
        elif _PROMPT.match(bare):
            asked.append((sentence, "open"))
    if not asked:
        return QuestionLabel(False, None, "; ".join(dict.fromkeys(reasons)))
    kinds = [kind for _, kind in asked]
    # One utterance, one label: open wins, since it is what the coach invited.
    kind = "open" if "open" in kinds else "closed"
    why = (
        "starts with a question word or invites a story"
        if kind == "open"
        else "can be answered yes or no, or by picking one"
    )
    return QuestionLabel(True, kind, why, tuple(sentence for sentence, _ in asked))


def _statement_before_tag(sentence: str) -> bool:
    body = sentence[: sentence.rfind(",")]
    return not _OPEN_START.match(strip_openers(body)) and not re.match(
        r"^(?:is|are|do|does|did|can|could|will|would|have|has|should|shall)\b",
        strip_openers(body),
        re.I,
    )


# "Could you walk me through it?" is yes/no in shape and an invitation in use.
_INVITING = re.compile(
    r"\b(?:walk me through|talk me through|tell me (?:more|about|what|how|why)|say more|"
    r"describe|give me an example|help me understand)\b",
    re.I,
)
_SCALE = re.compile(r"\b(?:scale|out of (?:ten|10)|one to ten|1 to 10|percent|per cent)\b", re.I)
_AUXILIARY_START = re.compile(
    r"^(?:is|isn't|are|aren't|am|was|wasn't|were|do|don't|does|doesn't|did|didn't|can|can't|"
    r"could|couldn't|will|won't|would|wouldn't|should|shouldn't|shall|have|haven't|has|hasn't|"
    r"had|may|might|must|you|it|that|this|there|they|he|she|we|i)\b",
    re.I,
)


def _kind(sentence: str) -> str:
    """Open invites the client's own words; closed wants yes/no, a pick or a number."""
    bare = strip_openers(sentence)
    if _SCALE.search(bare):
        return "closed"  # "On a scale of one to ten, how...?" wants a number
    if re.match(r"^which (?:one|of)\b", bare, re.I) or re.search(r"\bwhich one\b", bare, re.I):
        return "closed"
    if _OPEN_START.match(bare) or _INVITING.search(bare):
        return "open"
    if _AUXILIARY_START.match(bare) and not re.match(
        r"^(?:you|it|that|this|there|they|he|she|we|i)\b", bare, re.I
    ):
        return "closed"  # "Is he the one who signs it?"
    # "Flat in what way?", "..., what do you think?": the open ask comes later on.
    if re.search(r"\b(?:what|how|why|when|where|who)\b", bare, re.I):
        return "open"
    if re.search(r"\bor\b", bare, re.I):
        return "closed"  # either/or
    # A follow-on fragment with no verb ("And the outcome?", "And then?") asks for more.
    # A name alone ("And Calder?") checks one item: closed.
    if (
        not _AUXILIARY_START.match(bare)
        and len(bare.split()) <= 12
        and re.match(r"^(?:and|so)\b", sentence, re.I)
        and not re.fullmatch(r"(?:[A-Z][\w'-]*\s*)+\?", bare)
    ):
        return "open"
    return "closed"


# --- Telling -----------------------------------------------------------------------------

# Verbs that start an instruction ("Ring him today."), in the base form.
_IMPERATIVE_VERBS = (
    "ask add avoid be book bring call cancel change check close come copy cut decide do drop "
    "email focus follow forget forward get give go grab hold keep lead leave let's look make "
    "move offer pick plan practise practice price push put read remember ring say send set "
    "show sit skip speak start stay stick stop take talk tell think treat try turn use wait "
    "walk write park flatter respect introduce chase fix write prepare prioritise prioritize "
    "block schedule learn listen trust"
).split()
_IMPERATIVE = re.compile(rf"^(?:{'|'.join(_IMPERATIVE_VERBS)})\b", re.I)
# Invitations that look like instructions but hand the floor to the client.
_INVITATION = re.compile(
    r"^(?:tell me|take (?:your|a|a bit of|as long)|talk me|walk me|say more|go on|go ahead|"
    r"have a think|think (?:about|back)|let's (?:look|start|go|move|take|have|come|see|put|"
    r"try|make|turn|begin|pick|save|do|leave|get|shift)|let me(?! tell you)|look back|come back to|"
    r"keep going|give me|remember when|imagine|picture|take it away|stay with)\b",
    re.I,
)
_ADVICE = re.compile(
    r"\b(?:you should(?!n't have)|you shouldn't|you need to|you've got to|you have to|"
    r"you must|you ought to|you'd better|you want to be|if i were you|if i was you|"
    r"what i(?:'d| would) do|here's what i(?:'d| would)|i'd (?:hold|recommend|suggest|go|just|"
    r"start|want you|stick|leave|keep|say|ring|call|send|put|drop|get|use|do)|"
    r"i would (?:recommend|suggest|go|start|just)|i think you(?:'d| would| should)|"
    r"my advice|take it from me|one suggestion|a suggestion|my suggestion|i suggest|"
    r"i recommend|i'd recommend|you could (?:try|just|always)|you might want to|"
    r"you may want to|what you need to do|the best thing (?:is|to do)|let me tell you|"
    r"here's (?:the thing|a tip|what works|what you do)|what works is|"
    r"if i were in your (?:shoes|position)|believe me|trust me|"
    r"the trick is|the secret is|the key is|the answer is|that's the mistake|"
    r"that's your problem|next time(?:,)? (?:just |you )?|always |never |don't ever|"
    r"nobody ever|(?:the )?lesson (?:is|there)|you're not an?|that's not your)",
    re.I,
)
# The coach's own story told as a lesson ("When I was carrying a bag, ...").
_OWN_STORY = re.compile(
    r"\b(?:when i was (?:selling|carrying|a rep|your age|starting|in your|new)|years ago|"
    r"in my day|story for you|here's how i|i remember when|i said it myself|"
    r"back when i|i used to (?:sell|do|tell)|i've seen (?:that|it|this) (?:happen|in)|"
    r"i've watched|i have watched|in my experience|what worked for me)\b",
    re.I,
)


@dataclass(frozen=True)
class TellingLabel:
    is_telling: bool
    why: str


def telling_label(text: str, question: QuestionLabel | None = None) -> TellingLabel:
    question = question or question_label(text)
    if "answered by the speaker straight away" in question.why or (
        "a tag on a statement" in question.why
    ):
        return TellingLabel(True, "a view put as a question and answered or tagged")
    for sentence in sentences(text):
        if sentence.endswith("?"):
            if re.search(
                r"\b(?:you should|don't you think you should|why don't you|why not just)\b",
                sentence,
                re.I,
            ):
                return TellingLabel(True, "a question that carries advice")
            continue
        bare = strip_openers(sentence)
        clause = _main_clause(bare)
        if _INVITATION.match(bare) or _PROMPT.match(bare):
            continue
        if re.match(r"^(?:don't|do not|never|stop|no more)\b", bare, re.I):
            return TellingLabel(True, "an instruction: don't / never / stop")
        if _IMPERATIVE.match(bare) or (clause and _IMPERATIVE.match(clause)):
            if not re.match(r"^(?:let's|say|think|look|take)\b", bare, re.I):
                return TellingLabel(True, "an instruction (starts with a verb)")
        if _ADVICE.search(sentence):
            return TellingLabel(True, "advice: 'you should', 'I'd', 'next time'")
        if _OWN_STORY.search(sentence):
            return TellingLabel(True, "the coach's own story told as a lesson")
    return TellingLabel(False, "")


def _main_clause(sentence: str) -> str:
    """The instruction after "When you ..., " or "If ..., " or "Story for you. ": the verb."""
    match = re.match(r"^(?:when|if|once|before|after|while)\b[^,]{3,80},\s*(.+)$", sentence, re.I)
    return strip_openers(match.group(1)) if match else ""


# --- Commitments -------------------------------------------------------------------------

_ACTION_VERBS = (
    "ring call phone email send book ask track log do write set schedule have try follow "
    "check prepare practise practice review talk speak meet visit finish start stop read share "
    "put make get sort draft update block run go come plan look find tell"
).split()
_FIRST_PERSON_FUTURE = re.compile(
    # "I can say I'll look at options" reports a line, it doesn't promise one.
    r"(?<!say )(?<!said )(?<!that )"
    r"\b(?:i'll|i will|i'm going to|i am going to|i'm gonna|i commit to|i promise to)\s+(?:(?:also|then|just|definitely|really|at least|still|actually)\s+)?"
    rf"(?:{'|'.join(_ACTION_VERBS)})\b(?!\s+you about)(?!\s+to go)",
    re.I,
)
_EXPLICIT = re.compile(r"\b(?:i commit to|my commitment is|i promise|i'm committing)\b", re.I)
_WHEN = re.compile(
    r"\b(?:today|tonight|tomorrow|this (?:morning|afternoon|evening|week|month|quarter|friday|"
    r"monday|tuesday|wednesday|thursday)|next (?:week|month|time|session|call|one)|"
    r"by (?:the |end|monday|tuesday|wednesday|thursday|friday|saturday|sunday|\w+day|next|"
    r"then|\d)|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|the \w+)|"
    r"before (?:the|friday|monday|tuesday|wednesday|thursday|we|our|next|i|he|she|they)|"
    r"every (?:day|week|call|morning|monday|tuesday|wednesday|thursday|friday|\w+)|"
    r"each (?:day|week|one|call|morning)|a (?:day|week|month)|at some point|at least|"
    r"(?:monday|tuesday|wednesday|thursday|friday) (?:morning|afternoon)|after (?:the|our))\b",
    re.I,
)


@dataclass(frozen=True)
class CommitmentLabel:
    is_commitment: bool
    why: str


def commitment_label(text: str) -> CommitmentLabel:
    if _EXPLICIT.search(text):
        return CommitmentLabel(True, "says 'I commit' or 'I promise'")
    for sentence in sentences(text):
        if sentence.endswith("?"):
            continue
        if _FIRST_PERSON_FUTURE.search(sentence) and _WHEN.search(text):
            return CommitmentLabel(True, "'I'll' with an action and a when")
    return CommitmentLabel(False, "")
