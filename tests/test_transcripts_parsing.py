"""Reading transcript files: every format, encoding and line ending, and every malformed file
refused with a clear message."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from flowcoach.transcripts import parsing
from flowcoach.transcripts.analysis import analyse, read
from flowcoach.transcripts.parsing import TranscriptError, parse

FIXTURES = Path(__file__).parent / "fixtures" / "transcripts"

ZOOM = """WEBVTT

1
00:00:01.000 --> 00:00:04.000
Priya Shah: How did the week go?

2
00:00:05.000 --> 00:00:15.000
Leo Brandt: Busy. I booked four meetings, which is more than usual.

3
00:00:16.000 --> 00:00:19.000
Priya Shah: What made the difference?
"""


def docx_bytes(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_it_reads_a_zoom_file_in_utf16_with_and_without_a_bom():
    for data in (ZOOM.encode("utf-16"), ZOOM.encode("utf-16-le"), ZOOM.encode("utf-16-be")):
        fmt, cues = parse(data)
        assert fmt == "vtt"
        assert [cue.speaker for cue in cues] == ["Priya Shah", "Leo Brandt", "Priya Shah"]


def test_it_reads_utf8_with_a_bom_and_crlf_line_endings():
    fmt, cues = parse(b"\xef\xbb\xbf" + ZOOM.replace("\n", "\r\n").encode())
    assert fmt == "vtt" and len(cues) == 3 and cues[1].end == 15.0


def test_it_reads_windows_1252_and_treats_typographic_quotes_as_plain():
    text = ZOOM.replace("How did the week go?", "How\u2019s Jos\u00e9\u2019s \u201cbig\u201d week?")
    fmt, cues = parse(text.encode("cp1252"))
    assert cues[0].text == "How's Jos\u00e9's \"big\" week?"


def test_it_reads_teams_voice_tags_closed_or_not_and_merges_split_cues():
    teams = """WEBVTT

3b1e0c9a-0000-4000-8000-000000000001/10-0
00:00:01.000 --> 00:00:04.000
<v Priya Shah>How did the week go?</v>

3b1e0c9a-0000-4000-8000-000000000002/11-0
00:00:05.000 --> 00:00:09.000
<v Leo Brandt>Busy. I booked four meetings,

3b1e0c9a-0000-4000-8000-000000000003/11-1
00:00:09.000 --> 00:00:15.000
<v Leo Brandt>which is more than usual.</v>
"""
    _, utterances, estimated = read(teams.encode())
    assert not estimated
    assert [(u.speaker, u.start, u.end) for u in utterances] == [
        ("Priya Shah", 1.0, 4.0),
        ("Leo Brandt", 5.0, 15.0),
    ]
    assert utterances[1].text == "Busy. I booked four meetings, which is more than usual."


def test_it_reads_srt_with_speaker_prefixes():
    srt_text = (
        "1\n00:00:01,000 --> 00:00:04,000\nPriya Shah: How did the week go?\n\n"
        "2\n00:00:05,000 --> 00:00:15,000\nLeo Brandt: Busy, but good.\n"
    )
    fmt, cues = parse(srt_text.encode())
    assert fmt == "srt" and [c.speaker for c in cues] == ["Priya Shah", "Leo Brandt"]


def test_it_reads_google_meet_text_with_separate_timestamps():
    meet = """Weekly 1:1 - Transcript
00:00:00

Priya Shah: How did the week go?
Leo Brandt: Busy. I booked four meetings, which is more than usual for me.
00:00:20
Priya Shah: What made the difference?
Leo Brandt: I blocked the mornings.
"""
    fmt, cues = parse(meet.encode())
    assert fmt == "text"
    assert [c.speaker for c in cues] == ["Priya Shah", "Leo Brandt", "Priya Shah", "Leo Brandt"]
    # Lines without their own time are spread between the stamps by their words.
    assert cues[0].start == 0 and 0 < cues[1].start < 20 and cues[2].start == 20


def test_it_reads_bracketed_plain_text_and_estimates_ends_before_the_next_start():
    _, utterances, estimated = read((FIXTURES / "T3.txt").read_bytes())
    assert estimated
    assert all(a.end <= b.start for a, b in zip(utterances, utterances[1:], strict=False))


def test_it_imports_a_teams_word_transcript():
    data = docx_bytes(
        [
            "Weekly 1:1",
            "Priya Shah   0:01",
            "How did the week go?",
            "Leo Brandt   0:05",
            "Busy. I booked four meetings, which is more than usual.",
            "Priya Shah   0:16",
            "What made the difference?",
        ]
    )
    fmt, cues = parse(data, "meeting.docx")
    assert fmt == "docx"
    assert [(c.speaker, c.start) for c in cues] == [
        ("Priya Shah", 1.0),
        ("Leo Brandt", 5.0),
        ("Priya Shah", 16.0),
    ]


def test_it_imports_a_meet_word_transcript_with_bracketed_times():
    data = docx_bytes(
        ["[00:00:01] Priya Shah: How did the week go?", "[00:00:05] Leo Brandt: Busy."]
    )
    result = analyse(data, "notes.docx")
    assert result.roles == {"Priya Shah": "coach", "Leo Brandt": "client"}


def test_it_keeps_a_third_speaker_apart_and_lets_only_the_client_end_a_monologue():
    vtt = """WEBVTT

00:00:00.000 --> 00:00:10.000
Priya Shah: Let me set out where the team is this quarter and what I'd like from today.

00:00:11.000 --> 00:00:14.000
Sam Ortiz: I'm only here for five minutes.

00:00:15.000 --> 00:00:30.000
Priya Shah: So what would you like to focus on?

00:00:31.000 --> 00:00:50.000
Leo Brandt: The Redbank deal, mostly, and how I handle price.
"""
    result = analyse(vtt.encode(), coach="Priya Shah")
    assert result.roles == {"Priya Shah": "coach", "Sam Ortiz": "other", "Leo Brandt": "client"}
    assert result.figures["longest_coach_monologue_seconds"] == 30.0
    assert set(result.figures["speakers"]) == {"Priya Shah", "Sam Ortiz", "Leo Brandt"}


def test_it_counts_overlapping_speech_for_both_speakers():
    vtt = """WEBVTT

00:00:00.000 --> 00:00:10.000
Priya Shah: What happened on the call?

00:00:09.500 --> 00:00:20.000
Leo Brandt: They asked for a discount straight away.
"""
    result = analyse(vtt.encode())
    speakers = result.figures["speakers"]
    assert speakers["Priya Shah"]["talk_seconds"] == 10.0
    assert speakers["Leo Brandt"]["talk_seconds"] == 10.5


MALFORMED = {
    "empty": (b"", "empty"),
    "only whitespace": (b"  \r\n\n ", "empty"),
    "binary": (bytes(range(256)) * 8, "binary"),
    "an image": (b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02" * 300, "binary"),
    "truncated vtt": (ZOOM.encode()[: ZOOM.index("00:00:16") + 14], "timestamp"),
    "bad timestamp": (ZOOM.replace("00:00:05.000", "00:00:5.0").encode(), "timestamp"),
    "ends before it starts": (
        ZOOM.replace("00:00:05.000 --> 00:00:15.000", "00:00:15.000 --> 00:00:05.000").encode(),
        "ends before it starts",
    ),
    "cues out of order": (
        ZOOM.replace("00:00:16.000 --> 00:00:19.000", "00:00:01.000 --> 00:00:03.000")
        .replace("00:00:01.000 --> 00:00:04.000", "00:00:30.000 --> 00:00:34.000")
        .encode(),
        "out of order",
    ),
    "no speakers": (
        b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nHow did the week go?\n\n"
        b"00:00:05.000 --> 00:00:09.000\nBusy, thanks.\n",
        "speaker names",
    ),
    "no cues": (b"WEBVTT\n\nNOTE nothing here\n", "no spoken lines"),
    "plain text without times": (
        b"Priya Shah: How did the week go?\nLeo Brandt: Busy.\n",
        "no times",
    ),
    "broken srt": (b"1\n00:00:01,000 --> 00:00:04,000\nPriya: Hi\n\n2\n00:00:0", "damaged"),
    "broken docx": (b"PK\x03\x04" + b"\x00" * 200, "damaged"),
    "word file without text": (docx_bytes([]), "no text"),
    "too large": (b"WEBVTT\n\n" + b"x" * (parsing.MAX_BYTES + 1), "larger than"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_it_refuses_a_malformed_file_with_a_clear_message(case):
    data, words = MALFORMED[case]
    name = "t.docx" if "docx" in case or "word" in case else "t.vtt"
    with pytest.raises(TranscriptError) as error:
        analyse(data, name)
    assert words in str(error.value)
    assert len(str(error.value)) < 300


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252", "utf-8-sig"])
def test_it_gives_the_same_figures_whatever_the_encoding_and_line_endings(encoding):
    text = (FIXTURES / "T3.zoom.vtt").read_text()
    plain = analyse(text.encode()).figures
    other = analyse(text.replace("\n", "\r\n").encode(encoding)).figures
    assert other == plain


def test_it_reads_a_name_line_above_a_time_line_and_wrapped_words():
    text = (
        "Weekly 1:1\nPriya Shah\n0:01\nHow did the week go?\nLeo Brandt\n0:05\n"
        "Busy. I booked four meetings.\nIt was more than usual.\nPriya Shah\n0:16\nWhy?\n"
    )
    _, cues = parse(text.encode())
    assert [(c.speaker, c.start) for c in cues] == [
        ("Priya Shah", 1.0),
        ("Leo Brandt", 5.0),
        ("Priya Shah", 16.0),
    ]
    assert cues[1].text == "Busy. I booked four meetings. It was more than usual."


def test_it_reads_speakers_alone_on_a_cue_line_or_in_brackets():
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nPriya Shah\nHow did the week go?\n\n"
        "00:00:05.000 --> 00:00:09.000\nLeo Brandt\nBusy, thanks.\n"
    )
    srt_text = (
        "1\n00:00:01,000 --> 00:00:04,000\n[Priya Shah]: How did the week go?\n\n"
        "2\n00:00:05,000 --> 00:00:09,000\n[Leo Brandt]: Busy, thanks.\n"
    )
    for data in (vtt, srt_text):
        _, cues = parse(data.encode())
        assert [(c.speaker, c.text) for c in cues] == [
            ("Priya Shah", "How did the week go?"),
            ("Leo Brandt", "Busy, thanks."),
        ]
