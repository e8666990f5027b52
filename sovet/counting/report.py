"""A count as text: the elected in order and a table of rounds, one column per round."""

from fractions import Fraction

from sovet.counting.result import Result

PLACES = 5


def decimal(value: Fraction | int, places: int = PLACES) -> str:
    """Show a value with up to `places` decimals, truncated toward zero; whole numbers bare."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    sign = "-" if value < 0 else ""
    scaled = abs(value.numerator) * 10**places // value.denominator
    whole, part = divmod(scaled, 10**places)
    return f"{sign}{whole}.{part:0{places}d}".rstrip("0").rstrip(".")


def text(result: Result) -> str:
    """Return the elected and the rounds as a plain-text report."""
    names = result.candidates
    lines = [f"Method: {result.method}; seats: {result.seats}; valid poll: {decimal(result.valid)}"]
    lines.append("Elected: " + ", ".join(result.elected_names))
    for tie in result.tie_breaks:
        among = ", ".join(names[c] for c in tie.among)
        lines.append(
            f"Tie in round {tie.round} ({tie.purpose}) among {among}: "
            f"{names[tie.chosen]} chosen by lot, seed {tie.seed}"
        )
    if not result.rounds:
        return "\n".join(lines)
    shown = sorted({c for r in result.rounds for c in r.votes}, key=lambda c: names[c])
    header = ["Candidate"] + [str(r.number) for r in result.rounds]
    rows = [header]
    for candidate in shown:
        row = [names[candidate]]
        for r in result.rounds:
            mark = "*" if candidate in r.elected else "-" if candidate in r.excluded else ""
            value = r.votes.get(candidate)
            row.append(mark if value is None else decimal(value) + mark)
        rows.append(row)
    rows.append(["Non-transferable"] + [decimal(r.exhausted) for r in result.rounds])
    if any(r.quota is not None for r in result.rounds):
        rows.append(
            ["Quota"] + ["" if r.quota is None else decimal(r.quota) for r in result.rounds]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines.append("")
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    lines.append("")
    lines.append("Rounds (* elected, - excluded):")
    for r in result.rounds:
        subject = f" {names[r.subject]}" if r.subject is not None else ""
        note = f": {r.note}" if r.note else ""
        lines.append(f"  {r.number}. {r.action}{subject}{note}")
    return "\n".join(lines)
