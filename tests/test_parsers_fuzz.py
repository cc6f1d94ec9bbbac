"""Property tests (hypothesis) for every importer and every JSON endpoint: whatever arrives,
the answer is a clear error (or a success) and never a 500; an error writes nothing. The
server-error hook (tests/support/server_errors.py) also fails any example the server logs as
an error. Crafted cases found by hand are in test_crafted_input.py."""

from __future__ import annotations

import json

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowcoach.clients.models import Client, Theme, ThemeCatalog
from flowcoach.coaching.models import Commitment, SessionNote
from flowcoach.programs.models import Program, SessionTemplate
from tests.test_runner_views import session  # noqa: F401 (fixture)

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(max_size=12), children, max_size=5),
    ),
    max_leaves=30,
)
# Near misses of the real formats are likelier to reach deep code than random text.
program_like = st.fixed_dictionaries(
    {"format": st.sampled_from(["flowcoach.program/1", "x"]), "slug": st.text(max_size=20)},
    optional={"title": scalars, "sessions": documents, "recurring": scalars},
)
catalog_like = st.fixed_dictionaries(
    {"key": st.text(max_size=20), "name": scalars},
    optional={"groups": documents, "version": scalars, "top_count": scalars},
)


def as_yaml(value) -> str:
    return yaml.safe_dump(value, allow_unicode=True)


yaml_files = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(str.encode),
    documents.map(as_yaml).map(str.encode),
    program_like.map(as_yaml).map(str.encode),
    catalog_like.map(as_yaml).map(str.encode),
)
json_bodies = st.one_of(
    st.binary(max_size=200),
    documents.map(json.dumps).map(str.encode),
    st.dictionaries(
        st.sampled_from(["uuid", "body", "text", "fields", "base_version", "event", "state"]),
        documents,
        max_size=5,
    )
    .map(json.dumps)
    .map(str.encode),
)


@pytest.mark.django_db
@FUZZ
@given(content=yaml_files)
def test_it_answers_any_program_file_clearly(world, content):
    before = (Program.objects.count(), SessionTemplate.objects.count())
    response = world.login(world.coach).post(
        reverse("program_import"), {"file": SimpleUploadedFile("p.yaml", content)}
    )
    assert response.status_code in {200, 302, 400}
    if response.status_code != 302:
        assert (Program.objects.count(), SessionTemplate.objects.count()) == before


@pytest.mark.django_db
@FUZZ
@given(content=yaml_files)
def test_it_answers_any_catalog_file_clearly(world, content):
    before = (ThemeCatalog.objects.count(), Theme.objects.count())
    response = world.login(world.admin).post(
        reverse("catalog_import"), {"file": SimpleUploadedFile("c.yaml", content)}
    )
    assert response.status_code in {302, 400}
    if response.status_code == 400:
        assert (ThemeCatalog.objects.count(), Theme.objects.count()) == before


csv_cells = st.text(max_size=30)
csv_files = st.one_of(
    st.binary(max_size=300),
    st.lists(st.lists(csv_cells, min_size=1, max_size=8), min_size=1, max_size=6).map(
        lambda rows: (
            "full_name,email,company,job_title,phone,time_zone,coach_email\n"
            + "\n".join(",".join(json.dumps(cell) for cell in row) for row in rows)
        ).encode("utf-8", errors="replace")
    ),
)


@pytest.mark.django_db
@FUZZ
@given(content=csv_files)
def test_it_answers_any_client_csv_clearly(world, content):
    before = Client.objects.count()
    response = world.login(world.coach).post(
        reverse("client_import"), {"file": SimpleUploadedFile("clients.csv", content)}
    )
    # The upload only previews; nothing is written before the coach confirms.
    assert response.status_code in {200, 400}
    assert Client.objects.count() == before


@pytest.mark.django_db
@FUZZ
@given(
    name=st.sampled_from(["runner_notes", "runner_commitments", "runner_record", "runner_timing"]),
    body=json_bodies,
)
def test_it_answers_any_autosave_body_clearly(world, session, name, body):  # noqa: F811
    before = (SessionNote.objects.count(), Commitment.objects.count())
    response = world.login(world.coach).post(
        reverse(name, args=[session.pk]), body, content_type="application/json"
    )
    assert response.status_code in {200, 400, 409}
    assert "ok" in response.json()
    if response.status_code != 200:
        assert (SessionNote.objects.count(), Commitment.objects.count()) == before


@pytest.mark.django_db
@FUZZ
@given(body=json_bodies)
def test_it_answers_any_csp_report(client, body):
    response = client.post(reverse("csp_report"), body, content_type="application/csp-report")
    assert response.status_code == 204


@pytest.mark.django_db
@FUZZ
@given(
    name=st.sampled_from(["api_v1:me", "api_v1:sessions", "api_v1:commitments"]),
    query=st.dictionaries(
        st.sampled_from(["state", "page", "x"]), st.text(max_size=20), max_size=3
    ),
)
def test_it_answers_any_api_query_in_json(world, name, query):
    response = world.login(world.client_user).get(reverse(name), query)
    assert response.status_code in {200, 400, 422}
    assert response["Content-Type"].startswith("application/json")
