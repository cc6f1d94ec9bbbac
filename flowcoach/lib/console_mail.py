"""Development email backend: each email printed as a person reads it (who, subject, the text
part, the names of its attachments), not as raw MIME. Without an SMTP server this is how the
demo shows login codes and invitations; raw MIME buried them under base64 calendar files."""

from __future__ import annotations

from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend


class EmailBackend(DjangoConsoleBackend):
    def write_message(self, message) -> None:
        names = [
            attachment[0] if isinstance(attachment, tuple) else attachment.get_filename()
            for attachment in message.attachments
        ]
        lines = [
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            *([f"Reply-To: {', '.join(message.reply_to)}"] if message.reply_to else []),
            f"Subject: {message.subject}",
            *([f"Attached: {', '.join(str(n) for n in names)}"] if names else []),
            "",
            message.body.rstrip(),
            "-" * 79,
        ]
        self.stream.write("\n".join(lines) + "\n")
