from __future__ import annotations

from django import forms

from flowcoach.lib.text import TextPolicyMixin

from .models import Role, TranscriptSettings
from .parsing import MAX_BYTES


class UploadForm(TextPolicyMixin, forms.Form):
    file = forms.FileField(
        label="Transcript file",
        help_text="A .vtt (Zoom, Teams), .srt, .txt (Google Meet and others) or .docx file "
        "with speaker names and times.",
    )
    consent = forms.BooleanField(
        label="My client agreed to this session being recorded and analysed",
        error_messages={
            "required": "Please confirm that your client agreed to the recording before you "
            "upload it."
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"This file is larger than {MAX_BYTES // (1024 * 1024)} MB, far more than a "
                "session's transcript. Check it's the right file."
            )
        return upload


class SpeakerForm(TextPolicyMixin, forms.Form):
    """One choice per speaker found; field names are positions, labels are the names."""

    def __init__(self, *args, speakers: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.speakers = speakers
        for index, speaker in enumerate(speakers):
            self.fields[f"speaker_{index}"] = forms.ChoiceField(
                label=speaker["name"],
                choices=Role.choices,
                initial=speaker["role"],
                widget=forms.RadioSelect,
            )

    def roles(self) -> dict[str, str]:
        return {
            speaker["name"]: self.cleaned_data[f"speaker_{index}"]
            for index, speaker in enumerate(self.speakers)
        }


class SettingsForm(TextPolicyMixin, forms.ModelForm):
    class Meta:
        model = TranscriptSettings
        fields = ["discard_text"]
