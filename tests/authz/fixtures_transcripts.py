from pathlib import Path

from flowcoach.transcripts import services

FIXTURE = Path(__file__).parent.parent / "fixtures" / "transcripts" / "T3.zoom.vtt"


def add_extras(world) -> None:
    """An analysed transcript of world.client's first session, uploaded by world.coach."""
    session = world.extras["engagement"].sessions.order_by("sequence")[0]
    transcript = services.transcript_import(
        session=session,
        coach=world.coach,
        data=FIXTURE.read_bytes(),
        filename="T3.zoom.vtt",
        consent=True,
    )
    services.transcript_map_speakers(
        transcript=transcript, roles={"Aisha Karimova": "coach", "Tom Brennan": "client"}
    )
    world.extras["transcript"] = transcript
    world.extras["transcript_session"] = session
