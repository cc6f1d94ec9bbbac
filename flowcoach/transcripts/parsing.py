"""Turn an uploaded transcript file into timed cues: who spoke, when, what.

Plain functions on bytes and strings, no database. Every way a file can be wrong raises
`TranscriptError` with a sentence a coach can act on, before anything is stored.

Formats: WebVTT from Zoom (`Name: text` in the cue) and Teams (`<v Name>` voice tags, closed
or not, GUID cue ids); SRT with `Name: text`; plain text from Google Meet and others
(`[HH:MM:SS] Name: text`, or `Name: text` lines under separate timestamp lines, or a
`Name  0:03` header above the words); and Teams/Meet Word (.docx) transcripts, whose
paragraphs are read as plain text.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

MAX_BYTES = 5 * 1024 * 1024
# Nobody's session has this many lines; a bigger file is a log or the wrong file.
MAX_CUES = 20_000


class TranscriptError(ValueError):
    """A file we cannot read as a transcript; the message is shown to the coach as is."""


@dataclass(frozen=True)
class Cue:
    speaker: str
    start: float
    end: float | None  # None when the format gives start times only
    text: str


# Typographic punctuation reads like its plain twin, so rules see one form.
_TYPOGRAPHIC = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u00a0": " ",
        "\u2026": "...",
        "\u2013": "-",
        "\u2014": " - ",
    }
)


def normalise_text(text: str) -> str:
    text = text.translate(_TYPOGRAPHIC)
    return re.sub(r"[ \t]+", " ", text).strip()


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 with or without BOM, UTF-16 (BOM or not), else Windows-1252."""
    if not data or not data.strip(b"\x00 \t\r\n\xef\xbb\xbf\xff\xfe"):
        raise TranscriptError("This file is empty. Export the transcript again and retry.")
    if data.startswith(b"\xef\xbb\xbf"):
        text = _strict(data[3:], "utf-8")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _strict(data, "utf-16")
    elif _looks_utf16(data):
        text = _strict(data, "utf-16-le" if data[1] == 0 else "utf-16-be")
    else:
        if b"\x00" in data:
            raise _binary()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Older Windows tools save Windows-1252; its few undefined bytes mean binary.
            text = _strict(data, "cp1252")
    if _control_share(text) > 0.01:
        raise _binary()
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise _binary() from None


def _binary() -> TranscriptError:
    return TranscriptError(
        "This doesn't look like a transcript: it reads as binary data. "
        "Upload the .vtt, .srt, .txt or .docx file your video tool exported."
    )


def _looks_utf16(data: bytes) -> bool:
    sample = data[:400]
    if len(sample) < 4:
        return False
    even_nuls = sample[1::2].count(0) / max(1, len(sample[1::2]))
    odd_nuls = sample[0::2].count(0) / max(1, len(sample[0::2]))
    return even_nuls > 0.7 or odd_nuls > 0.7


def _control_share(text: str) -> float:
    sample = text[:20_000]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return bad / max(1, len(sample))


def parse(data: bytes, filename: str = "") -> tuple[str, list[Cue]]:
    """Return (format name, cues). Raises TranscriptError for anything we cannot use."""
    if len(data) > MAX_BYTES:
        raise TranscriptError(
            f"This file is larger than {MAX_BYTES // (1024 * 1024)} MB, far more than a "
            "session's transcript. Check it's the right file."
        )
    if data[:2] == b"PK" or filename.lower().endswith(".docx"):
        fmt, cues = "docx", parse_docx(data)
    else:
        text = decode(data)
        fmt, cues = parse_text(text)
    return fmt, check_cues(cues)


def parse_text(text: str) -> tuple[str, list[Cue]]:
    stripped = text.lstrip("\ufeff \n\t")
    if stripped.startswith("WEBVTT"):
        return "vtt", parse_vtt(stripped)
    if re.search(r"^\s*\d+\s*\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->", stripped, re.M):
        return "srt", parse_srt(stripped)
    if "-->" in stripped:
        # Timed blocks without a header: treat them as WebVTT rather than guess line by line.
        return "vtt", parse_vtt("WEBVTT\n\n" + stripped)
    return "text", parse_plain(stripped)


# --- WebVTT (Zoom and Teams) -------------------------------------------------------------

_TIMING = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)")
_VALID_VTT_TIME = re.compile(r"^(?:\d+:)?\d{2}:\d{2}\.\d{3}$")
_STUMP = re.compile(r"^\s*\d{1,2}:\d{2}[:.][\d.:\s-]*>?\s*$")


def parse_vtt(text: str) -> list[Cue]:
    import webvtt
    from webvtt.errors import MalformedFileError

    for line in text.split("\n"):
        timing = _TIMING.match(line)
        if (timing and not all(_VALID_VTT_TIME.match(part) for part in timing.groups())) or (
            not timing and _STUMP.match(line)
        ):
            # Also catches a file cut off in the middle of a timing line.
            raise TranscriptError(f"A timestamp is malformed: {line.strip()[:60]!r}.")
    try:
        captions = webvtt.WebVTT.from_string(text).captions
    except (MalformedFileError, ValueError, IndexError) as error:
        raise TranscriptError(f"This WebVTT file is damaged or cut short ({error}).") from None
    cues = []
    for caption in captions:
        raw = caption.raw_text.replace("\n", " ")
        voice = _voice(raw)
        plain = _strip_tags(raw)
        lines = [line.strip() for line in caption.raw_text.split("\n") if line.strip()]
        if voice:
            speaker, words = voice, plain
        elif len(lines) > 1 and _looks_like_name(lines[0]) and ":" not in lines[0]:
            # Some exports put the speaker alone on the cue's first line.
            speaker, words = normalise_text(lines[0]), _strip_tags(" ".join(lines[1:]))
        else:
            speaker, words = _split_prefix(plain)
        cues.append(Cue(speaker, to_seconds(caption.start), to_seconds(caption.end), words))
    return cues


# Teams writes `<v Name>text</v>`, sometimes leaving the tag open or adding classes.
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")


def _voice(raw: str) -> str | None:
    match = _VOICE.search(raw)
    return normalise_text(match.group(1)) if match else None


def _strip_tags(raw: str) -> str:
    return normalise_text(re.sub(r"<[^>]*>", "", raw))


# --- SRT ---------------------------------------------------------------------------------


def parse_srt(text: str) -> list[Cue]:
    import srt

    try:
        subtitles = list(srt.parse(text))
    except (srt.SRTParseError, ValueError) as error:
        raise TranscriptError(f"This SRT file is damaged or cut short ({error}).") from None
    cues = []
    for subtitle in subtitles:
        speaker, words = _split_prefix(_strip_tags(subtitle.content.replace("\n", " ")))
        cues.append(
            Cue(
                speaker,
                subtitle.start.total_seconds(),
                subtitle.end.total_seconds(),
                words,
            )
        )
    return cues


# --- Speaker prefixes --------------------------------------------------------------------

# A name: one to five words starting with a capital letter or a digit-free token, no
# sentence punctuation. "So: here's" must not make "So" a speaker, hence the word limits.
_PREFIX = re.compile(r"^\s*([^\s:][^:]{0,60}?)\s*:\s+(.*)$", re.S)


def _split_prefix(text: str) -> tuple[str, str]:
    match = _PREFIX.match(text)
    if match:
        name = match.group(1).strip()
        if name[:1] in "[(" and name[-1:] in "])":
            name = name[1:-1].strip()  # "[Dana Whitfield]: text"
        if _looks_like_name(name):
            return normalise_text(name), normalise_text(match.group(2))
    return "", normalise_text(text)


def _looks_like_name(candidate: str) -> bool:
    words = candidate.split()
    if not 1 <= len(words) <= 5 or re.search(r"[.?!,;\"]", candidate):
        return False
    return candidate[0].isupper() or candidate.startswith("@")


# --- Plain text (Google Meet, copied transcripts, Word paragraphs) -----------------------

_STAMP = r"(\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)"
_BRACKETED = re.compile(rf"^\s*[\[(]?{_STAMP}[\])]?\s*[-–]?\s*(.+)$")
_STAMP_ONLY = re.compile(rf"^\s*[\[(]?{_STAMP}[\])]?\s*$")
_HEADER = re.compile(
    rf"^\s*([^\d:][^:]{{0,60}}?)\s{{2,}}{_STAMP}\s*$|^\s*([^\d:][^:]{{0,60}}?)\s+[\[(]{_STAMP}[\])]\s*$"
)


def to_seconds(stamp: str) -> float:
    stamp = stamp.replace(",", ".")
    parts = stamp.split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def parse_plain(text: str) -> list[Cue]:
    """Lines with their own timestamp, or speaker lines under the last timestamp seen.

    Lines without a time of their own (Meet puts one stamp every few minutes) get a start
    spread between the surrounding stamps by their word counts; see docs/transcripts.md.
    """
    entries: list[tuple[float | None, str, str]] = []  # (start or None, speaker, text)
    pending_header: tuple[float, str] | None = None
    last_stamp: float | None = None
    raw_lines = [raw for raw in text.split("\n") if raw.strip()]
    skip = False
    for position, raw in enumerate(raw_lines):
        if skip:
            skip = False
            continue
        line = normalise_text(raw)
        following = raw_lines[position + 1] if position + 1 < len(raw_lines) else ""
        stamp_below = _STAMP_ONLY.match(following)
        if stamp_below and ":" not in line and _looks_like_name(line) and len(line.split()) <= 4:
            # "Dana Whitfield" with "0:03" on the next line: a header in two lines.
            pending_header = (to_seconds(stamp_below.group(1)), line)
            last_stamp = pending_header[0]
            skip = True
            continue
        header = _HEADER.match(raw.translate(_TYPOGRAPHIC).strip())
        if header:
            name = header.group(1) or header.group(3)
            stamp = header.group(2) or header.group(4)
            if _looks_like_name(name):
                pending_header = (to_seconds(stamp), normalise_text(name))
                continue
        only = _STAMP_ONLY.match(line)
        if only:
            last_stamp = to_seconds(only.group(1))
            entries.append((last_stamp, "", ""))  # a time mark, no words
            continue
        if pending_header:
            start, name = pending_header
            entries.append((start, name, line))
            pending_header = None
            continue
        bracketed = _BRACKETED.match(line)
        start = None
        rest = line
        if bracketed and re.match(r"\s*[\[(]?\d", line):
            start, rest = to_seconds(bracketed.group(1)), bracketed.group(2)
        speaker, words = _split_prefix(rest)
        if not speaker:
            if entries and entries[-1][1] and start is None:
                # A wrapped line continues the previous speaker's words.
                prev = entries[-1]
                entries[-1] = (prev[0], prev[1], f"{prev[2]} {words}")
                continue
            if start is None and not entries:
                continue  # a title line above the transcript
        entries.append((start, speaker, words))
    return _place_unstamped(entries)


def _place_unstamped(entries: list[tuple[float | None, str, str]]) -> list[Cue]:
    if not any(start is not None for start, _, _ in entries):
        raise TranscriptError(
            "We found no times in this file. Export the transcript with timestamps "
            "(most tools have a 'show timestamps' option) and upload it again."
        )
    cues: list[Cue] = []
    i = 0
    while i < len(entries):
        start, speaker, words = entries[i]
        if start is not None:
            if speaker:
                cues.append(Cue(speaker, start, None, words))
            i += 1
            continue
        # A run of unstamped lines between two known times: spread by words.
        j = i
        while j < len(entries) and entries[j][0] is None:
            j += 1
        before = next((e[0] for e in reversed(entries[:i]) if e[0] is not None), 0.0)
        after = entries[j][0] if j < len(entries) else None
        run = entries[i:j]
        counts = [max(1, len(w.split())) for _, _, w in run]
        if after is None or after <= before:
            # After the last stamp: assume a steady 2.5 words a second.
            span = sum(counts) / 2.5
        else:
            span = after - before
        offset = 0.0
        total = sum(counts)
        for (_, name, text), count in zip(run, counts, strict=True):
            if name:
                cues.append(Cue(name, before + span * offset / total, None, text))
            offset += count
        i = j
    return cues


# --- Word documents ----------------------------------------------------------------------


def parse_docx(data: bytes) -> list[Cue]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError):
        raise TranscriptError(
            "This Word file is damaged or isn't a .docx. Open it in Word, save it as .docx "
            "and upload it again."
        ) from None
    lines = []
    for paragraph in document.paragraphs:
        # Teams puts line breaks inside one paragraph; keep them as lines.
        lines.extend(paragraph.text.split("\n"))
    text = "\n".join(lines)
    if not text.strip():
        raise TranscriptError("This Word file has no text in it.")
    _, cues = parse_text(text)
    return cues


# --- Checks shared by every format -------------------------------------------------------


def check_cues(cues: list[Cue]) -> list[Cue]:
    cues = [cue for cue in cues if cue.text.strip()]
    if not cues:
        raise TranscriptError("We found no spoken lines in this file.")
    if len(cues) > MAX_CUES:
        raise TranscriptError(
            f"This file has more than {MAX_CUES:,} lines, far more than one session."
        )
    unnamed = sum(1 for cue in cues if not cue.speaker)
    if unnamed == len(cues):
        raise TranscriptError(
            "We couldn't find speaker names in this file. Export the transcript with "
            "speaker names (for example 'Dana: Hello') and upload it again."
        )
    if unnamed > len(cues) // 2:
        raise TranscriptError(
            f"{unnamed} of {len(cues)} lines have no speaker name, so the figures would be "
            "wrong. Export the transcript with speaker names and upload it again."
        )
    previous = None
    for number, cue in enumerate(cues, start=1):
        if cue.end is not None and cue.end < cue.start:
            raise TranscriptError(
                f"Line {number} ends before it starts ({_clock(cue.start)} to "
                f"{_clock(cue.end)}). The file's timestamps are damaged."
            )
        # A second of slack: tools round starts, and overlapping speech starts early.
        if previous is not None and cue.start + 1.0 < previous.start:
            raise TranscriptError(
                f"Line {number} starts at {_clock(cue.start)}, before the line above it "
                f"({_clock(previous.start)}). The lines are out of order; export the "
                "transcript again."
            )
        previous = cue
    # Unnamed lines in a mostly named file are captions like "[music]"; leave them out.
    return [cue for cue in cues if cue.speaker]


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
