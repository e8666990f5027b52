"""Minutes as Markdown, HTML and PDF; each names the signed tree head it was made from."""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from fpdf import FPDF

from sovet.minutes.build import Item, Minutes

# A font with Cyrillic, Greek and more, where the system has one; else the PDF's own Helvetica.
UNICODE_FONTS = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
]


def _entries(item: Item) -> str:
    return f"#{item.first}" if item.first == item.last else f"#{item.first} to #{item.last}"


def _seal(minutes: Minutes) -> list[str]:
    head = minutes.head
    return [
        f"Made from the record's tree head of {head['tree_size']} entries, signed at "
        f"{minutes.head_time} ({head['reason']}).",
        f"root_hash {head['root_hash']}",
        f"public_key {head['public_key']}",
        f"signature {head['signature']}",
        f"Check any entry: sovet ledger prove {minutes.slug} SEQ, or "
        f"/o/{minutes.slug}/ledger/entries/SEQ/proof.json",
    ]


def _markdown_text(text: str) -> str:
    for special in "\\`*_[]<>#|":
        text = text.replace(special, "\\" + special)
    return text


def markdown(minutes: Minutes) -> str:
    """Return the minutes as Markdown."""
    lines = [
        f"# {_markdown_text(minutes.title)}",
        "",
        f"{_markdown_text(minutes.organization)}, record entries {minutes.first} to "
        f"{minutes.last}.",
        "",
        "| entry | time (UTC) | by | what |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {_entries(item)} | {item.at} | {_markdown_text(item.actor)} | "
        f"{_markdown_text(item.text)} |"
        for item in minutes.items
    ]
    lines += ["", "---", ""]
    lines += [f"{line}  " for line in _seal(minutes)]
    return "\n".join(lines) + "\n"


def html(minutes: Minutes) -> str:
    """Return the minutes as a standalone HTML page."""
    rows = [(_entries(item), item) for item in minutes.items]
    return render_to_string(
        "sovet/minutes.html", {"minutes": minutes, "rows": rows, "seal": _seal(minutes)}
    )


def _font(pdf: FPDF) -> tuple[str, bool]:
    configured = settings.SOVET_PDF_FONT
    for path in [Path(configured)] * bool(configured) + UNICODE_FONTS:
        if path.is_file():
            pdf.add_font("minutes", fname=str(path))
            return "minutes", True
    return "helvetica", False


def pdf(minutes: Minutes) -> bytes:
    """Return the minutes as a PDF document."""
    document = FPDF(format="A4")
    document.set_title(minutes.title)
    document.set_creator("Sovet")
    family, unicode = _font(document)

    def text(value: str) -> str:
        # Helvetica covers Latin-1 only; the HTML and Markdown minutes carry every character.
        return value if unicode else value.encode("latin-1", "replace").decode("latin-1")

    document.add_page()
    document.set_font(family, size=16)
    document.multi_cell(0, 9, text(minutes.title), new_x="LMARGIN", new_y="NEXT")
    document.set_font(family, size=10)
    intro = f"{minutes.organization}, record entries {minutes.first} to {minutes.last}."
    document.multi_cell(0, 6, text(intro), new_x="LMARGIN", new_y="NEXT")
    document.ln(3)
    for item in minutes.items:
        when = f"  {item.at[:19].replace('T', ' ')}" if item.at else ""
        document.set_font(family, size=8)
        document.multi_cell(
            0, 4, text(f"{_entries(item)}{when}  {item.actor}"), new_x="LMARGIN", new_y="NEXT"
        )
        document.set_font(family, size=10)
        document.multi_cell(0, 5, text(item.text), new_x="LMARGIN", new_y="NEXT")
        document.ln(1)
    document.ln(4)
    document.set_font(family, size=7)
    for line in _seal(minutes):
        document.multi_cell(0, 4, text(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())
