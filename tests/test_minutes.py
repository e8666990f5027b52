"""Minutes made from the record, in Markdown, HTML and PDF, sealed by a signed tree head."""

import pytest

from sovet import cli
from sovet.minutes import build, render
from sovet.minutes.sentences import SENTENCES, sentence
from sovet.organizations.actions import admit_member
from sovet.polls.models import Poll
from sovet.record import signing
from sovet.record.models import RecordEntry


def test_every_recorded_action_has_its_sentence(every_action):
    organization, _ = every_action
    for entry in RecordEntry.objects.filter(organization=organization):
        if entry.action == "poll.ballot":
            continue  # the minutes count published ballots, they do not list them
        assert entry.action in SENTENCES, entry.action
        said = sentence(entry.action, entry.data)
        assert not said.startswith(entry.action), (entry.action, said)


def test_minutes_carry_the_signed_head_they_were_made_from(every_action):
    organization, start = every_action
    minutes = build.build(organization, first=start + 1)
    signing.verify_head(organization.slug, minutes.head)
    organization.refresh_from_db()
    assert minutes.head["tree_size"] == minutes.last == organization.record_length
    texts = [item.text for item in minutes.items]
    secret = Poll.objects.get(organization=organization, secret=True).pk
    shown = Poll.objects.get(organization=organization, secret=False).pk
    assert f"1 secret ballot of poll {secret} published." in texts
    assert any(text.startswith(f"Poll {secret} closed: yes 1, no 0, abstain 0") for text in texts)
    assert any("recalled" in text or "Recall" in text for text in texts)
    markdown = render.markdown(minutes)
    html = render.html(minutes)
    for text in (markdown, html):
        assert minutes.head["root_hash"] in text
        assert minutes.head["signature"] in text
    assert f"Poll {shown} opened (open) in Union Council: “Strike?” (yes / no / abstain)." in html
    pdf = render.pdf(minutes)
    assert pdf.startswith(b"%PDF-")


def test_minutes_escape_what_members_write(union):
    name = "<script>alert(1)</script> | *bold*"
    admit_member(actor=union.organizer, unit=union.works, number="x1", name=name)
    minutes = build.build(union.organization)
    assert "<script>" not in render.html(minutes)
    assert "\\<script\\>" in render.markdown(minutes)
    assert "\\|" in render.markdown(minutes)


def test_minutes_pdf_embeds_a_unicode_font_or_falls_back(union, settings, monkeypatch):
    admit_member(actor=union.organizer, unit=union.works, number="x2", name="Юлий Мартов")
    minutes = build.build(union.organization)
    if any(path.is_file() for path in render.UNICODE_FONTS):
        assert b"/FontFile2" in render.pdf(minutes)  # the TrueType font travels in the file
    settings.SOVET_PDF_FONT = "/nowhere.ttf"
    monkeypatch.setattr(render, "UNICODE_FONTS", [])
    fallback = render.pdf(minutes)
    assert fallback.startswith(b"%PDF-")
    assert b"/FontFile2" not in fallback
    assert b"Helvetica" in fallback


@pytest.mark.parametrize(
    ("query", "status"),
    [("", 200), ("?from=2&to=5", 200), ("?from=5&to=2", 400), ("?from=x", 400)],
)
def test_minutes_over_http_for_record_readers(union, client, query, status):
    assert client.get(f"/o/union/minutes.md{query}").status_code == 403
    client.force_login(union.organizer)
    answer = client.get(f"/o/union/minutes.md{query}")
    assert answer.status_code == status
    if status == 200:
        assert answer["Content-Type"].startswith("text/markdown")
    assert client.get("/o/union/minutes.pdf").content.startswith(b"%PDF-")
    assert client.get("/o/union/minutes.doc").status_code == 404


def test_minutes_command(union, tmp_path, capsys):
    for form in ("md", "html", "pdf"):
        path = tmp_path / f"minutes.{form}"
        assert cli.main(["minutes", "union", "-o", str(path)]) == 0
        assert path.stat().st_size > 0
    assert cli.main(["minutes", "union", "-o", str(tmp_path / "m.txt")]) == 2
    assert "--format must be one of" in capsys.readouterr().err
    assert cli.main(["minutes", "union", "--from", "0", "-o", str(tmp_path / "m.md")]) == 2
    assert "minutes cover entries from 1" in capsys.readouterr().err
