"""The demo practice: fictional people, written for flowcoach. Used by `seed_demo` only."""

DEMO_PASSWORD = "flowcoach-demo"
ORGANISATION = {"name": "Harbourline Coaching", "slug": "harbourline", "time_zone": "Europe/London"}
ADMIN = {
    "email": "admin@demo.flowcoach.test",
    "full_name": "Priya Raman",
    "time_zone": "Europe/London",
}
COACHES = [
    {
        "email": "dana@demo.flowcoach.test",
        "full_name": "Dana Whitfield",
        "time_zone": "Europe/London",
    },
    {
        "email": "aisha@demo.flowcoach.test",
        "full_name": "Aisha Karimova",
        "time_zone": "America/New_York",
    },
]

# A practice's own sample catalog, clearly labelled: the published assessments' theme names
# are not reproduced here, so the demo uses names of our own.
DEMO_CATALOG = {
    "key": "demo-sample",
    "version": 1,
    "name": "Sample catalog (demo data, not a published assessment)",
    "group_label": "family",
    "top_count": 3,
    "source": "Made up for the flowcoach demo.",
    "description": "Fictional themes so the demo profiles have something to rank.",
    "groups": [
        {"name": "Builders", "themes": ["Shape Something New", "Finish Strong", "Set the Pace"]},
        {"name": "Connectors", "themes": ["Bring People Along", "Be Counted On", "Win Trust"]},
        {"name": "Thinkers", "themes": ["Crack the Puzzle", "Keep Getting Better", "See It Whole"]},
    ],
}

CLIENTS = [
    {
        "coach": 0,
        "full_name": "Marcus Oyelaran",
        "email": "marcus@example.org",
        "company": "Brightwater Logistics",
        "job_title": "Account executive",
        "time_zone": "Europe/London",
        "portal": True,
        "themes": [
            ("Crack the Puzzle", 9.4),
            ("Win Trust", 8.8),
            ("Finish Strong", 8.1),
            ("See It Whole", 6.9),
            ("Set the Pace", 5.2),
        ],
        "stories": [
            (
                "Rebuilding the route planner",
                "A regional depot kept missing delivery windows and nobody could say why.",
                "He sat with the drivers for a week, mapped every stop by hand, then rebuilt the schedule in a spreadsheet.",
                "Seeing the late deliveries drop to almost none, and knowing he had found the real cause.",
            ),
            (
                "The school science fair",
                "A teacher said the project idea was too ambitious for a fourteen-year-old.",
                "He broke it into small experiments, kept a notebook of every failure and asked a neighbour who was an engineer for help.",
                "Winning second place and being able to explain every result.",
            ),
            (
                "First big renewal",
                "A key customer threatened to leave after a billing mistake.",
                "He traced the error, called the customer before they called him, and proposed a fix with a credit.",
                "The customer renewed for three years and asked for him by name.",
            ),
        ],
        "flow": "Something is broken or unexplained → he digs in alone, gathers detail, tests ideas → the satisfaction of a clear answer that others can rely on.",
        "shadow": "Can disappear into analysis when a prospect needs a quick, confident answer; may over-explain and lose the room.",
        "blind": "Underrates how much customers value his follow-through.",
        "foundations": "Took away that his best work starts with a puzzle; wants to bring that curiosity to discovery calls.",
        "goals": "Lead a key-accounts team within two years; run a half marathon in the spring.",
        "identity": "Sees himself as a problem-solver first, salesperson second. Rates identity 7/10, role 5/10.",
    },
    {
        "coach": 0,
        "full_name": "Lena Fischer",
        "email": "lena@example.org",
        "company": "Northpeak Software",
        "job_title": "Sales development lead",
        "time_zone": "Europe/Berlin",
        "portal": True,
        "themes": [
            ("Bring People Along", 9.1),
            ("Set the Pace", 8.7),
            ("Shape Something New", 7.9),
            ("Be Counted On", 6.5),
            ("Win Trust", 6.0),
        ],
        "stories": [
            (
                "Starting the choir",
                "Her village had no choir after the old director moved away.",
                "She found a rehearsal room, rang every person who had ever sung, and set a concert date to aim for.",
                "Forty voices on stage at the winter concert.",
            ),
            (
                "Onboarding the new hires",
                "Five new reps joined in the same month with no plan for them.",
                "She wrote a two-week programme, paired each with a mentor and ran daily stand-ups.",
                "All five booked meetings in their first month.",
            ),
            (
                "The trade-show stand",
                "The booth was booked but nobody owned it.",
                "She pulled together marketing and sales, set a rota and a simple lead form.",
                "Three times the leads of the year before.",
            ),
        ],
        "flow": "A group without direction → she rallies people around a date and a plan → the buzz of everyone succeeding together.",
        "shadow": "Takes on everyone's work when the team slips; her own pipeline thins while she rescues others.",
        "blind": "Reads quiet prospects as uninterested.",
        "foundations": "Recognised that she is at her best when others win alongside her.",
        "goals": "Move into a sales enablement role; keep weekends free for family.",
        "identity": "Identity 8/10; role 6/10 after a slow quarter.",
    },
    {
        "coach": 1,
        "full_name": "Tom Brennan",
        "email": "tom@example.org",
        "company": "Keel & Co",
        "job_title": "Field sales representative",
        "time_zone": "Europe/Dublin",
        "portal": False,
        "themes": [
            ("Finish Strong", 9.0),
            ("Be Counted On", 8.2),
            ("Keep Getting Better", 7.4),
            ("Win Trust", 6.6),
            ("Crack the Puzzle", 5.9),
        ],
        "stories": [
            (
                "The charity cycle",
                "A friend's illness made him want to raise money quickly.",
                "He trained for twelve weeks on a fixed plan and posted every ride.",
                "Crossing the line and beating his fundraising target.",
            ),
            (
                "Closing the quarter",
                "His team was behind with three weeks to go.",
                "He listed every open deal, called each buyer and agreed concrete next steps.",
                "The team hit target on the last day.",
            ),
            (
                "Fixing the van",
                "The company van broke down on a rural route.",
                "He diagnosed it with a video call to a mechanic and improvised a repair.",
                "Made every appointment that day.",
            ),
        ],
        "flow": "A deadline or a finish line → steady, disciplined effort → the relief and pride of delivering what he promised.",
        "shadow": "Pushes to close before the buyer is ready; can sound impatient.",
        "blind": "Hears a buyer's pause as a no rather than as thinking time.",
        "foundations": "Learned to name finish lines for himself when the company does not set them.",
        "goals": "Save for a house deposit; coach his son's football team.",
        "identity": "Identity 6/10; role 7/10.",
    },
    {
        "coach": 1,
        "full_name": "Nadia Ferreira",
        "email": "nadia@example.org",
        "company": "Solvent Health",
        "job_title": "Enterprise account manager",
        "time_zone": "America/New_York",
        "portal": True,
        "themes": [
            ("See It Whole", 9.3),
            ("Shape Something New", 8.4),
            ("Crack the Puzzle", 8.0),
            ("Bring People Along", 7.1),
            ("Keep Getting Better", 6.2),
        ],
        "stories": [
            (
                "Redesigning the clinic rota",
                "Staff complained about unfair shifts.",
                "She interviewed everyone, drew the whole system on a whiteboard and proposed a fairer pattern.",
                "Complaints stopped and two nurses who planned to leave stayed.",
            ),
            (
                "The multi-site deal",
                "A hospital group wanted one contract for eleven sites.",
                "She mapped each site's decision makers and built a single proposal around their shared goal.",
                "Her largest deal to date.",
            ),
            (
                "A garden from scratch",
                "She bought a house with a bare yard.",
                "She sketched the whole plan first, then planted in stages over two years.",
                "A garden that works in every season.",
            ),
        ],
        "flow": "A messy system → she steps back, maps the whole, designs something better → the calm of seeing the pieces fit.",
        "shadow": "Spends too long on the map and too little time asking for the business.",
        "blind": "Assumes buyers see the big picture as she does.",
        "foundations": "Saw that her planning strength can become a way to avoid rejection.",
        "goals": "Finish a part-time MBA; mentor a junior rep.",
        "identity": "Identity 8/10; role 6/10.",
    },
    {
        "coach": 0,
        "full_name": "Ravi Menon",
        "email": "ravi@example.org",
        "company": "Copperline Energy",
        "job_title": "Business development manager",
        "time_zone": "Asia/Kolkata",
        "portal": False,
        "themes": [
            ("Win Trust", 9.2),
            ("Be Counted On", 8.9),
            ("Bring People Along", 7.7),
            ("Finish Strong", 6.8),
            ("See It Whole", 5.5),
        ],
        "stories": [
            (
                "The family shop",
                "His father's shop was losing regulars to a new supermarket.",
                "He spoke to every regular, learned what they missed, and started a delivery service.",
                "Regulars came back and told their friends.",
            ),
            (
                "Winning back a lost account",
                "A former client had left after poor service.",
                "He visited in person, listened without defending, and offered a pilot.",
                "The client signed again within six months.",
            ),
            (
                "Cricket captaincy",
                "The club team had lost five matches in a row.",
                "He talked to each player about what they needed and rebuilt the batting order.",
                "They won the league's second division.",
            ),
        ],
        "flow": "Someone's trust is at stake → he listens closely and shows up reliably → the warmth of a relationship that lasts.",
        "shadow": "Avoids hard conversations about price for fear of harming the relationship.",
        "blind": "Gives discounts before anyone has asked for one.",
        "foundations": "Recognised trust as his engine, and saw where it makes him too cautious.",
        "goals": "Lead the company's entry into a new region.",
        "identity": "Identity 9/10; role 7/10.",
    },
    {
        "coach": 1,
        "full_name": "Grace Liu",
        "email": "grace@example.org",
        "company": "Tallis Analytics",
        "job_title": "Inside sales representative",
        "time_zone": "America/Los_Angeles",
        "portal": False,
        "themes": [
            ("Keep Getting Better", 9.5),
            ("Set the Pace", 8.0),
            ("Crack the Puzzle", 7.6),
            ("Finish Strong", 6.4),
            ("Shape Something New", 6.1),
        ],
        "stories": [
            (
                "Learning the cello at thirty",
                "She heard a concert and wanted to play.",
                "She practised twenty minutes a day and recorded herself weekly.",
                "Playing in a community orchestra after two years.",
            ),
            (
                "Cold-call scripts",
                "Her connect rate was the lowest on the team.",
                "She tested a new opening each week and kept a tally.",
                "Her connect rate doubled in two months.",
            ),
            (
                "Certification in data analysis",
                "A product launch needed someone who understood the data.",
                "She took evening classes and built a demo of her own.",
                "She became the team's go-to person for technical questions.",
            ),
        ],
        "flow": "A gap in her skill → deliberate practice with measurement → the joy of visible progress.",
        "shadow": "Waits to feel fully prepared before calling senior buyers.",
        "blind": "Compares herself with the top rep rather than with her own last month.",
        "foundations": "Saw that progress, not perfection, is what keeps her going.",
        "goals": "Move to an account executive role by next year.",
        "identity": "Identity 7/10; role 5/10.",
    },
]


def _sample_pdf() -> bytes:
    """A one-page PDF built byte by byte, so the demo ships a real file without a binary in
    the repository. Offsets in the cross-reference table are computed, as readers check them."""
    text = "Sample assessment report (demo data)"
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


# One client's assessment report, shared with them, so the demo shows a download in the portal.
SAMPLE_ATTACHMENT = {
    "client_email": "marcus@example.org",
    "original_name": "Marcus Oyelaran - sample report.pdf",
    "content": _sample_pdf(),
}
# One client whose profile is not shared yet, so the demo shows the profile page's "Share
# these with Grace" (every part of a profile starts private).
NOT_SHARED_YET = "grace@example.org"
# One story kept to the coach, so the demo shows both visibility states on stories too.
COACH_ONLY_STORY = {"client_email": "lena@example.org", "title": "The trade-show stand"}
