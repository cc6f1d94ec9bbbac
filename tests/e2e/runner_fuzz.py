"""A randomized run of the whole runner in a real browser, from a seed.

From the seed comes a sequence of edits across every autosaved control: notes (typed, tagged,
marked, edited, deleted, finished with Ctrl+Enter), the F.L.O.W. stage keys, the clock, the
purpose statement, each worksheet and wrap field, the outcomes, the open-session topics, new
commitments (added, edited, deleted, made from the adjustments with Shift+A) and the marks on
last session's. Between edits come random pauses of 0 to 1,000 ms, so saves overlap the
typing pause and each other; and now and then an offline spell, a reload (also with changes
still waiting on the device), a second tab, and, when the caller can, a server restart.

A model keeps what the coach typed last in each field. When everything has settled, the
database and the summary page must hold exactly the model: every last value, every note once.
A clash must be shown (never silent): the run settles each by keeping the coach's own side,
which is the last typed, since the tabs take turns and each settles before the other types.

`run_sequence` is shared by the CI test (tests/e2e/test_runner_fuzz.py) and the benchmark
(bench/runner_fuzz.py); a failure names its seed, so it can be replayed."""

from __future__ import annotations

import json
import random
import re

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.e2e.runner_fuzz_model import (
    RECORD_FIELDS,
    REFLECTIONS,
    SETTLE_MS,
    STAGES,
    TOPICS,
    WORDS,
    Figures,
    Lost,
    Model,
    Note,
    Tab,
    stored_state,
)


class Run:
    def __init__(self, page, url: str, seed: int, steps: int, pause_scale: float, restart):
        self.rng = random.Random(seed)
        self.seed = seed
        self.url = url
        self.steps = steps
        self.pause_scale = pause_scale
        self.restart = restart
        self.model = Model()
        self.figures = Figures()
        self.tab = Tab(page)
        self.main = self.tab
        self.counter = 0

    # --- helpers ---------------------------------------------------------------------------

    def words(self, count: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(count))

    def token(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def pause(self) -> None:
        self.tab.page.wait_for_timeout(int(self.rng.randint(0, 1000) * self.pause_scale))

    def note(self, entry: str) -> None:
        self.figures.log.append(entry)

    def out_of_field(self) -> None:
        self.tab.page.keyboard.press("Escape")

    def load(self, page) -> None:
        """What a page shows after it loads: the model's view of it for this tab."""
        state = page.evaluate("JSON.parse(document.getElementById('runner-state').textContent)")
        self.model.segments = len(state["segments"])
        if not self.model.outcomes:
            self.model.outcomes = [o["mark"] for o in state["record"]["outcomes"]]
            self.model.review = {
                c["uuid"]: c["state"] for c in state["commitments"] if not c.get("here")
            }

    def reset_tab(self, tab: Tab) -> None:
        tab.draft, tab.fresh = None, False
        tab.tags = {"topic": "", "reflection": "", "shared": False}
        tab.known = {i for i, n in enumerate(self.model.notes)}

    # --- notes -------------------------------------------------------------------------------

    def note_type(self) -> None:
        tab, page = self.tab, self.tab.page
        field_ = page.locator("#note-input")
        if tab.draft is None:
            note = Note(
                token=self.token("nt"),
                topic=tab.tags["topic"],
                reflection=tab.tags["reflection"],
                visibility="shared_with_client" if tab.tags["shared"] else "coach_only",
                flow_stage=tab.stage,
                segment=self.model.segment(),
            )
            note.body = f"{note.token} {self.words(2)}"
            self.model.notes.append(note)
            tab.draft, tab.fresh = len(self.model.notes) - 1, True
            tab.known.add(tab.draft)
        else:
            note = self.model.notes[tab.draft]
            if not note.token:  # a moment marked before any words: these are its words
                note.token = self.token("nt")
                note.body = f"{note.token} {self.words(2)}"
            else:
                note.body = f"{note.body} {self.words(self.rng.randint(1, 3))}"
        if self.rng.random() < 0.5:
            field_.fill(note.body)
        else:
            field_.focus()
            page.keyboard.press("End")
            typed = field_.input_value()
            field_.press_sequentially(note.body[len(typed) :])
        self.note(f"note {note.token}: {note.body!r}")

    def note_finish(self) -> None:
        tab = self.tab
        if tab.draft is None:
            return
        tab.page.locator("#note-input").press("Control+Enter")
        self.finish_draft(tab)
        self.note("note finished (Ctrl+Enter)")

    def finish_draft(self, tab: Tab) -> None:
        tab.draft, tab.fresh = None, False
        tab.tags = {"topic": "", "reflection": "", "shared": False}

    def note_tag(self) -> None:
        tab, page = self.tab, self.tab.page
        which = self.rng.choice(["topic", "reflection", "shared"])
        if which == "topic":
            value = self.rng.choice(TOPICS)
            page.locator("#note-topic").select_option(value)
        elif which == "reflection":
            value = self.rng.choice(REFLECTIONS)
            page.locator("#note-reflection").select_option(value)
        else:
            value = not tab.tags["shared"]
            page.locator("#note-shared").set_checked(value)
        tab.tags[which] = value
        if tab.draft is not None:
            note = self.model.notes[tab.draft]
            note.topic, note.reflection = tab.tags["topic"], tab.tags["reflection"]
            note.visibility = "shared_with_client" if tab.tags["shared"] else "coach_only"
        self.note(f"tag {which} = {value!r}")

    def stage(self) -> None:
        tab, page = self.tab, self.tab.page
        index = self.rng.randrange(4)
        if self.rng.random() < 0.5:
            page.locator("#note-input").focus()
            page.keyboard.press(f"Alt+{index + 1}")
        else:
            self.out_of_field()
            page.keyboard.press(str(index + 1))
        tab.stage = STAGES[index]
        if tab.draft is not None and tab.fresh:
            self.model.notes[tab.draft].flow_stage = tab.stage
        self.note(f"stage {tab.stage}")

    def marker(self) -> None:
        tab, page = self.tab, self.tab.page
        marker = self.rng.choice(["energy", "aha"])
        page.locator(f'[data-marker="{marker}"]').click()
        if tab.draft is not None:
            self.model.notes[tab.draft].marker = marker
        else:
            # A new note, marked; the words typed next go into it.
            self.model.notes.append(
                Note(marker=marker, flow_stage=tab.stage, segment=self.model.segment())
            )
            tab.draft, tab.fresh = len(self.model.notes) - 1, True
            tab.known.add(tab.draft)
        self.note(f"marker {marker}")

    def _row(self, note: Note):
        return self.tab.page.locator(
            "#note-list > li",
            has=self.tab.page.locator(".note-text", has_text=re.compile(rf"^{note.token} ")),
        )

    def _pick_note(self) -> int | None:
        choices = [
            i
            for i in sorted(self.tab.known)
            if not self.model.notes[i].deleted and self.model.notes[i].token
        ]
        return self.rng.choice(choices) if choices else None

    def note_edit(self) -> None:
        tab = self.tab
        index = self._pick_note()
        if index is None:
            return
        note = self.model.notes[index]
        self._row(note).locator(".note-edit").click()
        tab.draft, tab.fresh = index, False
        tab.tags = {
            "topic": note.topic,
            "reflection": note.reflection,
            "shared": note.visibility == "shared_with_client",
        }
        self.note(f"edit note {note.token}")

    def note_delete(self) -> None:
        tab = self.tab
        index = self._pick_note()
        if index is None:
            return
        note = self.model.notes[index]
        self._row(note).locator(".note-delete").click()
        if tab.draft == index:
            self.finish_draft(tab)
        note.deleted = True
        self.note(f"delete note {note.token}")

    # --- record, purpose, outcomes -----------------------------------------------------------

    def record_field(self) -> None:
        name = self.rng.choice(list(RECORD_FIELDS))
        if name in ("topic_candidates", "adjustments"):
            lines = [f"{self.token('ln')} {self.words(1)}" for _ in range(self.rng.randint(0, 3))]
            text = "\n".join(lines)
            value = lines if name == "topic_candidates" else text
        else:
            text = value = f"{self.token('rf')} {self.words(self.rng.randint(0, 3))}".strip()
        self.tab.page.locator(RECORD_FIELDS[name]).fill(text)
        self.model.record[name] = value
        self.note(f"record {name} = {value!r}")

    def purpose(self) -> None:
        text = f"{self.token('pp')} I sell to {self.words(2)}"
        self.tab.page.locator("#purpose-input").fill(text)
        self.model.purpose = text
        self.note(f"purpose = {text!r}")

    def outcome(self) -> None:
        if not self.model.outcomes:
            return
        index = self.rng.randrange(len(self.model.outcomes))
        mark = self.rng.choice(["", "met", "partly", "not_yet"])
        self.tab.page.locator(f"#outcome-{index}").select_option(mark)
        self.model.outcomes[index] = mark
        self.note(f"outcome {index} = {mark!r}")

    # --- commitments and clock (main tab) ----------------------------------------------------

    def _live_commitments(self) -> list:
        return [c for c in self.model.commitments if not c["deleted"]]

    def commitment_add(self) -> None:
        page = self.tab.page
        text = f"{self.token('cm')} {self.words(2)}"
        owner = self.rng.choice(["client", "coach"])
        page.locator("#commitment-text").fill(text)
        page.locator("#commitment-owner").select_option(owner)
        page.locator("#add-commitment").click()
        self.model.commitments.append({"text": text, "owner": owner, "deleted": False})
        self.note(f"commitment added {text!r}")

    def _commitment_row(self, c):
        return self.tab.page.locator("#commitment-list > li", has_text=c["text"].split()[0] + " ")

    def commitment_edit(self) -> None:
        live = self._live_commitments()
        if not live:
            return
        c = self.rng.choice(live)
        self._commitment_row(c).locator(".commitment-edit").click()
        text = f"{c['text'].split()[0]} {self.words(3)}"
        self.tab.page.locator("#commitment-text").fill(text)
        c["text"] = text
        if self.rng.random() < 0.6:
            self.pause()
            self.tab.page.locator("#commitment-text").press("Control+Enter")
        else:
            # Left mid-edit: the typing pause (or a reload) still saves it.
            self.tab.page.locator("#commitment-text").blur()
            self.tab.page.wait_for_timeout(800)
            self.tab.page.locator("#add-commitment").click()
        self.note(f"commitment edited {text!r}")

    def commitment_delete(self) -> None:
        live = self._live_commitments()
        if not live:
            return
        c = self.rng.choice(live)
        self._commitment_row(c).locator(".commitment-delete").click()
        c["deleted"] = True
        self.note(f"commitment deleted {c['text']!r}")

    def adjustments(self) -> None:
        page = self.tab.page
        lines = [line.strip() for line in self.model.record.get("adjustments", "").split("\n")]
        lines = [line for line in lines if line]
        # The page's own field, which may still hold what an earlier load showed.
        if page.locator("#ws-adjustments").input_value() != self.model.record.get(
            "adjustments", page.locator("#ws-adjustments").input_value()
        ):
            return
        self.out_of_field()
        page.keyboard.press("Shift+A")
        known = {c["text"].lower() for c in self._live_commitments()}
        for line in dict.fromkeys(lines):
            if line.lower() not in known:
                self.model.commitments.append({"text": line, "owner": "client", "deleted": False})
                known.add(line.lower())
        self.note(f"Shift+A with {lines!r}")

    def review(self) -> None:
        if not self.model.review:
            return
        uuid = self.rng.choice(sorted(self.model.review))
        state = self.rng.choice(["open", "kept", "partly_kept", "missed", "dropped"])
        self.tab.page.locator(f'[data-commitment-state="{uuid}"]').select_option(state)
        self.model.review[uuid] = state
        self.note(f"review {uuid[:8]} = {state}")

    def clock(self) -> None:
        page, m = self.tab.page, self.model
        if not m.timing:
            page.locator("#start-button").click()
            m.timing.append([0, True])
            self.note("clock start")
            return
        if self.rng.random() < 0.5 and m.segment() + 1 < m.segments:
            page.locator("#next-button").click()
            if m.running():
                m.timing[-1][1] = False
            m.timing.append([m.segment() + 1, True])
            self.note("clock next")
        else:
            page.locator("#pause-button").click()
            if m.running():
                m.timing[-1][1] = False
            else:
                m.timing.append([m.segment(), True])
            self.note("clock pause/resume")

    # --- the page: reloads, offline, second tab, restart -------------------------------------

    def reload(self, waiting: bool) -> None:
        page = self.tab.page
        if waiting:
            # Changes still on the device: the saves are held back while the page reloads.
            page.route("**/run/*/", lambda route: route.abort())
            page.context.set_offline(False)
        page.reload()
        self.reset_tab(self.tab)
        if waiting:
            page.wait_for_timeout(int(self.rng.randint(0, 1000) * self.pause_scale))
            page.unroute("**/run/*/")
        self.figures.reloads += 1
        self.note(f"reload{' with changes waiting' if waiting else ''}")

    def offline_spell(self) -> None:
        page = self.tab.page
        page.context.set_offline(True)
        self.figures.offline += 1
        self.note("offline")
        for _ in range(self.rng.randint(1, 5)):
            self.edit(self.choose(self.ACTIONS))
            self.pause()
        if self.rng.random() < 0.4:
            self.reload(waiting=True)
        else:
            page.context.set_offline(False)
            self.note("online")

    def second_tab(self) -> None:
        self.settle(self.main)
        other = self.main.page.context.new_page()
        other.set_default_timeout(10_000)
        other.goto(self.url)
        tab = Tab(other, commitments=False)
        self.reset_tab(tab)
        self.tab = tab
        self.figures.second_tabs += 1
        self.note("second tab")
        for _ in range(self.rng.randint(2, 6)):
            self.edit(self.choose(self.SECOND_TAB_ACTIONS))
            self.pause()
        self.settle(tab)
        other.close()
        self.tab = self.main
        self.note("second tab closed")

    def server_restart(self) -> None:
        """The server goes down (killed) while the coach keeps editing, then comes back."""
        self.note("server restart")
        self.figures.restarts += 1

        def meanwhile() -> None:
            for _ in range(self.rng.randint(1, 4)):
                self.edit(self.choose(self.ACTIONS))
                self.pause()

        self.restart(meanwhile)

    # --- the run -----------------------------------------------------------------------------

    ACTIONS = [
        (note_type, 8),
        (note_finish, 2),
        (note_tag, 2),
        (stage, 2),
        (marker, 1),
        (note_edit, 1),
        (note_delete, 1),
        (record_field, 8),
        (purpose, 2),
        (outcome, 2),
        (commitment_add, 1),
        (commitment_edit, 1),
        (commitment_delete, 1),
        (adjustments, 1),
        (review, 1),
        (clock, 1),
    ]
    SECOND_TAB_ACTIONS = [
        (note_type, 3),
        (note_finish, 1),
        (record_field, 3),
        (purpose, 1),
        (stage, 1),
    ]

    def edit(self, action) -> None:
        function, _ = action
        if not self.tab.commitments and function.__name__.startswith(
            ("commitment", "adjustments", "review", "clock")
        ):
            return
        function(self)
        self.figures.edits += 1

    def choose(self, actions):
        functions, weights = zip(*actions, strict=True)
        return actions[functions.index(self.rng.choices(functions, weights)[0])]

    def settle(self, tab: Tab) -> None:
        """Waits until the tab says Saved, keeping the coach's side of each clash shown."""
        page = tab.page
        page.context.set_offline(False)
        status = page.locator("#save-status")
        deadline = SETTLE_MS // 250
        for _ in range(deadline):
            keep = page.locator("#conflicts .keep-mine")
            if keep.count():
                self.figures.clashes += 1
                self.note(
                    f"clash shown: {page.locator('#conflicts .conflict').first.inner_text()!r}"
                )
                keep.first.click()
                continue
            if status.inner_text() == "Saved":
                return
            page.wait_for_timeout(250)
        raise Lost(f"seed {self.seed}: the page never settled: {status.inner_text()!r}")

    def play(self) -> None:
        page = self.tab.page
        page.goto(self.url)
        self.load(page)
        self.reset_tab(self.tab)
        for step in range(self.steps):
            roll = self.rng.random()
            if self.restart and step == self.steps // 2 and not self.figures.restarts:
                self.server_restart()  # at least one in a run that can restart
            elif roll < 0.05:
                self.reload(waiting=False)
            elif roll < 0.10:
                self.offline_spell()
            elif roll < 0.13:
                self.second_tab()
            elif roll < 0.15 and self.restart:
                self.server_restart()
            else:
                self.edit(self.choose(self.ACTIONS))
            self.pause()
        if self.rng.random() < 0.5:
            self.complete()
        else:
            self.settle(self.main)

    def complete(self) -> None:
        """Completes at once, with saves still waiting: the page must send them first, and
        stop for any clash (settled here by keeping the coach's side), then complete."""
        page = self.main.page
        page.context.set_offline(False)
        page.locator("#complete-button").click()
        saved_for = 0
        for _ in range(SETTLE_MS // 250):
            if "/summary/" in page.url:
                self.figures.completed = True
                self.note("completed")
                if self.model.running():  # completing stops the clock
                    self.model.timing[-1][1] = False
                return
            keep = page.locator("#conflicts .keep-mine")
            if "/summary/" not in page.url and keep.count():
                self.figures.clashes += 1
                self.note("clash shown while completing")
                keep.first.click(no_wait_after=True)
                saved_for = 0
                continue
            # Once all is saved the page completes on its own; if it has not, ask again.
            try:
                status = page.evaluate("document.getElementById('save-status')?.textContent")
            except PlaywrightError:  # the page is going to the summary
                status = None
            saved_for = saved_for + 1 if status == "Saved" else 0
            if saved_for == 8:
                page.locator("#complete-button").click(no_wait_after=True)
            page.wait_for_timeout(250)
        raise Lost(f"seed {self.seed}: completing never finished")

    # --- the check ---------------------------------------------------------------------------

    def expected(self) -> dict:
        m = self.model
        notes = sorted(
            [
                n.key() + (n.flow_stage, n.segment)
                for n in m.notes
                if not n.deleted and (n.body or n.marker)
            ]
        )
        record = {name: m.record[name] for name in m.record}
        purpose = m.purpose.strip() if m.purpose is not None else None
        return {
            "notes": notes,
            "record": record,
            "outcomes": m.outcomes,
            "purpose": purpose,
            "commitments": sorted(
                (c["owner"], c["text"]) for c in m.commitments if not c["deleted"]
            ),
            "review": m.review,
            "timing": [[segment, running] for segment, running in m.timing],
        }

    def check(self, stored: dict, summary_html: str) -> None:
        # Both through JSON, so tuples and lists compare alike (a server process sends JSON).
        want = json.loads(json.dumps(self.expected()))
        stored = json.loads(json.dumps(stored))
        got = {**stored, "record": {k: stored["record"][k] for k in want["record"]}}
        problems = [
            f"{name}: stored {got[name]!r}, typed {want[name]!r}"
            for name in want
            if got[name] != want[name]
        ]
        for note in self.model.notes:
            if note.deleted or not note.body:
                continue
            # Once among the notes; a marked note shows again among the moments.
            if not 1 <= summary_html.count(note.token + " ") <= 1 + bool(note.marker):
                problems.append(
                    f"summary shows note {note.token} {summary_html.count(note.token + ' ')} times"
                )
        for name, value in want["record"].items():
            for part in value if isinstance(value, list) else value.split("\n"):
                if part and part not in summary_html:
                    problems.append(f"summary lacks {name}: {part!r}")
        if problems:
            raise Lost(
                f"seed {self.seed}: what was typed differs from what was stored:\n  "
                + "\n  ".join(problems)
                + "\nlast steps:\n  "
                + "\n  ".join(self.figures.log[-60:])
            )


def run_sequence(
    page, url: str, seed: int, *, steps: int, pause_scale: float = 1.0, restart=None
) -> Run:
    """Plays one sequence on the runner at `url` (signed in already); returns the run, whose
    `check` compares the stored state with the model."""
    run = Run(page, url, seed, steps, pause_scale, restart)
    try:
        run.play()
    except Lost:
        raise
    except Exception as error:  # a step that could not be played: name the seed too
        raise Lost(
            f"seed {seed}: the run stopped: {error}\nlast steps:\n  "
            + "\n  ".join(run.figures.log[-60:])
        ) from error
    return run


__all__ = ["Lost", "run_sequence", "stored_state", "expect"]
