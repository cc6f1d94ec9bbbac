"""The session summary as a PDF, for the coach's own records: the same content as the summary
page (it holds coach-only notes, so only the session's coach may download it).

Drawn with fpdf2, pure Python: no system library to install. It embeds DejaVu Sans (shipped in
`fonts/`, Bitstream Vera licence) so names and notes in any Latin, Greek or Cyrillic script
print as typed; PDF's built-in fonts know Latin-1 only. Note bodies are printed as their
Markdown text, which reads well as it is, rather than through fpdf2's HTML renderer, which
would fetch any image URL a note happens to contain."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from flowcoach.coaching.models import CoachingSession, SessionNote

from .selectors import REFLECTION_LABELS, TOPIC_LABELS

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"
INK = (29, 36, 51)
MUTED = (90, 99, 117)
BRAND = (31, 95, 191)
RULE = (201, 211, 227)
MISSING_MARK = "\ufffd"
UNPRINTABLE_NOTE = (
    "Some characters in this session, such as Chinese, Japanese or Korean writing or emoji, "
    "cannot be printed with this PDF's font and show as \ufffd. The summary page in flowcoach "
    "shows them as typed."
)

# fontTools logs every table it subsets at INFO: a page of noise per PDF in the server log.
logging.getLogger("fontTools").setLevel(logging.WARNING)


class _Document(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        self.unprintable = False
        self.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
        self.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(auto=True, margin=18)
        self.alias_nb_pages()

    def normalize_text(self, text: str) -> str:
        # DejaVu Sans has no Chinese, Japanese or Korean characters and no emoji. fpdf2 would
        # drop them without a trace; here each becomes a visible mark, and the summary ends
        # with a note saying why (a font covering them would make every PDF ~20 MB larger).
        text = super().normalize_text(text)
        cmap = getattr(self.current_font, "cmap", None)
        if not cmap:
            return text
        if all(ord(ch) in cmap or ch in "\n\r\t" for ch in text):
            return text
        self.unprintable = True
        return "".join(ch if ord(ch) in cmap or ch in "\n\r\t" else MISSING_MARK for ch in text)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")


def _heading(pdf: _Document, text: str, keep: float = 24) -> None:
    # Keep a heading with at least a few lines of what follows it (`keep` mm of it).
    if pdf.will_page_break(keep):
        pdf.add_page()
    pdf.ln(4)
    pdf.set_font(FAMILY, "B", 13)
    pdf.set_text_color(*BRAND)
    pdf.cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*RULE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(2)


def _subheading(pdf: _Document, text: str, size: float = 11) -> None:
    if pdf.will_page_break(16):
        pdf.add_page()
    pdf.set_font(FAMILY, "B", size)
    pdf.set_text_color(*INK)
    pdf.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _text(pdf: _Document, text: str, *, muted: bool = False, indent: float = 0) -> None:
    pdf.set_font(FAMILY, "", 10)
    pdf.set_text_color(*(MUTED if muted else INK))
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(0, 5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _bullet(pdf: _Document, text: str, note: str = "", *, indent: float = 0) -> None:
    """A bulleted paragraph; `note` follows in grey (tags, states, due dates)."""
    pdf.set_font(FAMILY, "", 10)
    pdf.set_text_color(*INK)
    pdf.set_x(pdf.l_margin + indent)
    pdf.cell(5, 5, "•")
    pdf.multi_cell(0, 5, text.strip() or "—", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if note:
        _text(pdf, note, muted=True, indent=indent + 5)
    pdf.ln(1)


def _field(pdf: _Document, label: str, value: str | list[str]) -> None:
    """A labelled answer; an answer of several lines (a list) prints as bullets."""
    pdf.set_font(FAMILY, "B", 10)
    pdf.set_text_color(*INK)
    pdf.multi_cell(0, 5, label, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if isinstance(value, list) and len(value) > 1:
        for line in value:
            _bullet(pdf, line, indent=2)
    else:
        text = value[0] if isinstance(value, list) and value else value or ""
        _text(pdf, text.strip() or "—")
    pdf.ln(1.5)


def _note_tags(note: SessionNote) -> str:
    tags = [
        note.get_marker_display() if note.marker else "",
        TOPIC_LABELS.get(note.topic, ""),
        REFLECTION_LABELS.get(note.reflection, ""),
        "shared with the client"
        if note.visibility == SessionNote.Visibility.SHARED
        else "coach only",
    ]
    return " · ".join(t for t in tags if t)


def _held_on(session: CoachingSession) -> str:
    if session.when is None:
        return ""
    local = session.when.astimezone(ZoneInfo(session.time_zone))
    return f"Held on {local:%-d %B %Y} at {local:%H:%M} ({session.time_zone.replace('_', ' ')})."


def _chart(pdf: _Document, chart: dict) -> None:
    if not chart["rows"]:
        return
    svg = render_to_string(
        "runner/_timing_chart.svg", {"chart": chart, "for_pdf": True, "font_family": FAMILY}
    )
    height = pdf.epw * chart["height"] / chart["width"]
    if pdf.will_page_break(height + 4):
        pdf.add_page()
    pdf.image(
        io.BytesIO(svg.encode()),
        x=pdf.l_margin,
        w=pdf.epw,
        alt_text="Planned and actual minutes per segment",
    )
    pdf.ln(2)


def _timing_table(pdf: _Document, data: dict) -> None:
    pdf.set_font(FAMILY, "", 9.5)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*RULE)
    with pdf.table(
        col_widths=(60, 20, 20),
        text_align=("LEFT", "RIGHT", "RIGHT"),
        line_height=5.5,
        headings_style=FontFace(emphasis="BOLD", color=INK, fill_color=(238, 242, 248)),
        first_row_as_headings=True,
    ) as table:
        table.row(["Segment", "Planned (min)", "Actual (min)"])
        for row in data["chart"]["rows"]:
            table.row([row["name"], str(row["planned"]), str(row["actual"])])
        table.row(["Whole session", str(data["planned_total"]), str(data["actual_total"])])


def summary_pdf(session: CoachingSession, data: dict) -> bytes:
    """`data` is `runner_selectors.summary_page(session)`, as for the page and the Markdown."""
    client = session.engagement.client
    coach = session.engagement.coach
    record = data["record"]
    pdf = _Document(f"{session.code} · {client.full_name} · coach's copy, holds coach-only notes")
    pdf.set_title(f"Summary of {session.code}: {session.title} with {client.full_name}")
    pdf.set_author(coach.full_name)
    pdf.set_creator("flowcoach")
    pdf.set_lang("en")
    pdf.add_page()

    pdf.set_font(FAMILY, "B", 18)
    pdf.set_text_color(*INK)
    pdf.multi_cell(0, 9, f"{session.code} · {session.title}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    lead = [f"With {client.full_name}, coached by {coach.full_name}.", _held_on(session)]
    if record.completed_at is None:
        lead.append("Not completed yet.")
    _text(pdf, " ".join(part for part in lead if part), muted=True)

    _heading(pdf, "Sales purpose statement")
    if data["purpose"]:
        _text(pdf, data["purpose"].text)
    else:
        _text(pdf, "None drafted in this session.", muted=True)

    _heading(pdf, "Notes")
    for group in data["groups"]:
        _subheading(pdf, group["segment"]["name"])
        for stage in group["stages"]:
            _subheading(pdf, stage["label"], size=9.5)
            for row in stage["notes"]:
                _bullet(pdf, row["note"].body, _note_tags(row["note"]))
    if not data["groups"]:
        _text(pdf, "No notes were taken.", muted=True)

    _heading(pdf, "Energy and aha moments")
    for moment in data["moments"]:
        where = f" in {moment['stage']}" if moment["stage"] else ""
        words = moment["note"].body.strip() or "(no words written)"
        _bullet(pdf, f"{moment['note'].get_marker_display()}{where}: {words}")
    if not data["moments"]:
        _text(pdf, "None marked.", muted=True)

    _heading(pdf, "F.L.O.W. worksheet")
    for item in data["worksheet"]:
        _field(pdf, item["label"], item["lines"])

    _heading(pdf, "Commitments")
    for c in data["commitments"]:
        due = f", due {c.due_date:%-d %B %Y}" if c.due_date else ""
        _bullet(pdf, c.text, f"{c.get_owner_display()} · {c.get_state_display()}{due}")
    if not data["commitments"]:
        _text(pdf, "None recorded.", muted=True)

    _heading(pdf, "Outcomes")
    for outcome in data["outcomes"]:
        _bullet(pdf, outcome["line"])
    if not data["outcomes"]:
        _text(pdf, "None set for this template.", muted=True)

    _heading(pdf, "Wrap")
    _field(pdf, "Most helpful", record.most_helpful)
    _field(pdf, "Your summary", record.coach_summary)
    _field(pdf, "Topics for open sessions", list(record.topic_candidates or []))

    # The heading, its line and the chart go on one page together.
    chart = data["chart"]
    chart_height = pdf.epw * chart["height"] / chart["width"] if chart["rows"] else 0
    _heading(pdf, "Timing: planned and actual", keep=24 + chart_height)
    _text(pdf, f"Planned {data['planned_total']} minutes, actual {data['actual_total']} minutes.")
    pdf.ln(2)
    _chart(pdf, chart)
    _timing_table(pdf, data)
    if pdf.unprintable:
        _heading(pdf, "About this PDF")
        _text(pdf, UNPRINTABLE_NOTE)
    return bytes(pdf.output())
