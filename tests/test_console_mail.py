"""The development email backend prints an email as a person reads it."""

from __future__ import annotations

import io

from django.core.mail import EmailMultiAlternatives

from flowcoach.lib.console_mail import EmailBackend


def test_it_prints_the_headers_the_text_and_attachment_names_not_raw_mime():
    stream = io.StringIO()
    message = EmailMultiAlternatives(
        subject="Your sign-in code",
        body="Your code is 123456.",
        from_email="coaching@demo.test",
        to=["marcus@example.org"],
        reply_to=["dana@demo.test"],
    )
    message.attach_alternative("<p>Your code is 123456.</p>", "text/html")
    message.attach("invite.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    EmailBackend(stream=stream).send_messages([message])
    printed = stream.getvalue()
    assert "To: marcus@example.org" in printed and "Reply-To: dana@demo.test" in printed
    assert "Subject: Your sign-in code" in printed and "Your code is 123456." in printed
    assert "Attached: invite.ics" in printed
    assert "BEGIN:VCALENDAR" not in printed and "<p>" not in printed
    assert "Content-Type" not in printed
