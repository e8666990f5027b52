"""The `sovet` command line: run the server, import members, list organizations.

Exit codes: 0 success, 1 failure while working, 2 bad input (the message says what to fix).
"""

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

EXIT_BAD_INPUT = 2


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sovet.settings")
    import django

    django.setup()


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    print(f"sovet: {message}", file=sys.stderr)
    return code


def _organization(slug: str):  # type: ignore[no-untyped-def]
    from sovet.organizations.models import Organization

    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        known = ", ".join(Organization.objects.values_list("slug", flat=True)) or "none yet"
        raise LookupError(f"no organization {slug!r} (known: {known}); see `sovet org list`")
    return organization


def cmd_run(args: argparse.Namespace) -> int:
    import uvicorn

    port = args.port or int(os.environ.get("PORT", "8000"))
    print(f"Sovet is serving on http://{args.host}:{port}/", flush=True)
    uvicorn.run(
        "sovet.asgi:application",
        host=args.host,
        port=port,
        workers=args.workers,
        log_level="warning",
        lifespan="off",
        # Live messages are a few dozen bytes: compressing them saves nothing, and would cost
        # each connection a compressor's memory and each message its time.
        ws_per_message_deflate=False,
    )
    return 0


def cmd_setup(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from sovet import example
    from sovet.record import signing

    call_command("migrate", verbosity=0, interactive=False)
    organization = example.load()
    username, password = example.organizer_login()
    print(f"Example organization: {organization.name} ({organization.slug})")
    print(f"Organizer login: {username} / {password}")
    print(f"Tree heads are signed with Ed25519 key {signing.public_key_hex()}")
    return 0


def cmd_org_list(args: argparse.Namespace) -> int:
    from sovet.organizations.models import Organization

    rows = list(Organization.objects.order_by("slug").values("slug", "name"))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif rows:
        width = max(len(row["slug"]) for row in rows)
        for row in rows:
            print(f"{row['slug']:<{width}}  {row['name']}")
    else:
        print("No organizations yet.", file=sys.stderr)
    return 0


def cmd_import_members(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from sovet.errors import ActionError
    from sovet.organizations.importing import ImportRefused, import_members

    try:
        organization = _organization(args.organization)
    except LookupError as error:
        return _fail(str(error))
    path = Path(args.file)
    bar = tqdm(unit=" rows", disable=None, file=sys.stderr)

    def progress(rows: int, expected: int) -> None:
        bar.total = max(expected, rows)
        bar.update(rows - bar.n)

    try:
        report = import_members(
            actor=None,
            organization=organization,
            path=path,
            skip_bad=args.skip_bad,
            progress=progress,
        )
    except ImportRefused as refusal:
        bar.close()
        for row in refusal.report.bad:
            print(f"{path}:{row}", file=sys.stderr)
        return _fail(refusal.message)
    except ActionError as error:
        bar.close()
        return _fail(error.message)
    bar.close()
    for row in report.bad:
        print(f"{path}:{row} (skipped)", file=sys.stderr)
    counts = report.counts()
    print(
        ", ".join(f"{name} {value}" for name, value in counts.items()) + f"; sha256 {report.sha256}"
    )
    return 0


def cmd_count(args: argparse.Namespace) -> int:
    from sovet.counting import methods, report
    from sovet.counting.formats import FormatError, read_ballots
    from sovet.counting.profile import Profile, ProfileError

    if args.seats is not None and args.seats < 1:
        return _fail("--seats must be at least 1")
    bar = _bar("B")
    try:
        profile = read_ballots(Path(args.file), seats=args.seats, progress=_progress(bar))
        if args.seats is not None and args.seats != profile.seats:
            profile = Profile(
                candidates=profile.candidates,
                seats=args.seats,
                ballots=profile.ballots,
                withdrawn=profile.withdrawn,
                title=profile.title,
            )
        result = methods.count(profile, args.method, seed=args.seed)
    except (FormatError, ProfileError) as error:
        return _fail(str(error))
    except OSError as error:
        return _fail(f"cannot read {args.file}: {error.strerror}")
    finally:
        bar.close()
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        print(report.text(result))
    return 0


def _print_fields(fields: dict[str, object], as_json: bool) -> None:
    if as_json:
        print(json.dumps(fields, ensure_ascii=False, indent=2))
        return
    for name, value in fields.items():
        if isinstance(value, list):
            print(f"{name}:")
            for item in value:
                print(f"  {item}")
        else:
            print(f"{name}: {value}")


def cmd_ledger(args: argparse.Namespace) -> int:
    from sovet.errors import ActionError
    from sovet.record import log, tree

    try:
        organization = _organization(args.organization)
        if args.ledger_command == "head":
            fields = log.latest_head(organization).to_json()
        elif args.ledger_command == "prove":
            fields = tree.entry_proof(organization, args.seq, log.latest_head(organization))
        else:
            fields = tree.consistency(organization, args.old_size, args.new_size)
    except (LookupError, ActionError) as error:
        return _fail(getattr(error, "message", str(error)))
    _print_fields(fields, args.json)
    return 0


EXIT_FAILS_VERIFICATION = 1


def _bar(unit: str) -> Any:
    from tqdm import tqdm

    return tqdm(unit=unit, unit_scale=True, disable=None, file=sys.stderr, leave=False)


def _progress(bar: Any) -> Any:
    def progress(done: int, total: int) -> None:
        bar.total = total or None
        bar.update(done - bar.n)

    return progress


def cmd_export(args: argparse.Namespace) -> int:
    from sovet.archive.export import export_organization
    from sovet.errors import ActionError

    path = Path(args.output)
    if not path.parent.resolve().is_dir():
        return _fail(f"cannot write {path}: the folder {path.parent} does not exist")
    bar = _bar(" rows")
    try:
        organization = _organization(args.organization)
        exported = export_organization(
            actor=None, organization=organization, path=path, progress=_progress(bar)
        )
    except (LookupError, ActionError) as error:
        return _fail(getattr(error, "message", str(error)))
    except OSError as error:
        return _fail(f"cannot write {path}: {error.strerror}")
    finally:
        bar.close()
    print(
        f"{path}: {exported.rows} data rows, {exported.entries} record entries, "
        f"{exported.heads} signed tree heads; root {exported.root_hash}"
    )
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from sovet.archive.verify import ExportInvalid, read_head, verify_export

    path = Path(args.file)
    if not path.is_file():
        return _fail(f"{path}: no such file")
    try:
        kept = read_head(Path(args.head)) if args.head else None
    except ValueError as error:
        return _fail(str(error))
    bar = _bar("B")
    try:
        verified = verify_export(path, kept_head=kept, progress=_progress(bar))
    except ExportInvalid as error:
        return _fail(f"{path}: {error}", EXIT_FAILS_VERIFICATION)
    finally:
        bar.close()
    print(
        f"{path}: verified. {verified.organization}: {verified.rows} data rows, "
        f"{verified.entries} record entries, {len(verified.heads)} signed tree heads, "
        f"every leaf and head checked; root {verified.root_hash}"
    )
    print(f"signed by: {', '.join(sorted(verified.public_keys))}")
    if verified.kept_head is not None:
        print(
            f"the record of {verified.kept_head['tree_size']} entries in the kept tree head only "
            f"grew since: consistent with this one of {verified.entries}"
        )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from sovet.archive.restore import import_organization
    from sovet.archive.verify import ExportInvalid
    from sovet.errors import ActionError

    path = Path(args.file)
    if not path.is_file():
        return _fail(f"{path}: no such file")
    bar = _bar("B")
    try:
        organization = import_organization(actor=None, path=path, progress=_progress(bar))
    except ExportInvalid as error:
        return _fail(f"{path}: {error}; nothing was imported", EXIT_FAILS_VERIFICATION)
    except ActionError as error:
        return _fail(f"{path}: {error.message}; nothing was imported")
    finally:
        bar.close()
    print(f"imported {organization.name} ({organization.slug}) with its whole record")
    return 0


def cmd_minutes(args: argparse.Namespace) -> int:
    from sovet.errors import ActionError
    from sovet.minutes import build, render

    path = Path(args.output)
    form = args.format or (path.suffix.lstrip(".").replace("markdown", "md") or "md")
    if form not in MINUTES_FORMATS:
        return _fail(f"--format must be one of {', '.join(MINUTES_FORMATS)}, not {form!r}")
    try:
        organization = _organization(args.organization)
        first, last, title = args.first, args.last, args.title
        if args.session is not None:
            first, last, title = build.session_span(organization, args.session)
            title = args.title or title
        minutes = build.build(organization, first=first, last=last, title=title)
    except (LookupError, ActionError) as error:
        return _fail(getattr(error, "message", str(error)))
    if form == "pdf":
        content = render.pdf(minutes)
    else:
        content = (render.html(minutes) if form == "html" else render.markdown(minutes)).encode()
    try:
        path.write_bytes(content)
    except OSError as error:
        return _fail(f"cannot write {path}: {error.strerror}")
    print(f"{path}: minutes of entries {minutes.first} to {minutes.last} ({form})")
    return 0


MINUTES_FORMATS = ("md", "html", "pdf")


def cmd_token_create(args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model

    from sovet.api.tokens import issue_token
    from sovet.errors import ActionError

    user = get_user_model().objects.filter(username=args.username).first()
    if user is None:
        return _fail(f"no user {args.username!r}; the organizers grant members their logins")
    try:
        token, secret = issue_token(actor=None, user=user, name=args.name)
    except ActionError as error:
        return _fail(error.message)
    print(f"API token {token.name!r} for {user.get_username()} (shown this once):", file=sys.stderr)
    print(secret)
    return 0


def cmd_scenario(args: argparse.Namespace) -> int:
    from sovet.scenarios import scenarios

    known = scenarios()
    if args.scenario_command == "list":
        for scenario in known.values():
            print(f"{scenario.name}  {scenario.title}")
        return 0
    scenario = known.get(args.name)
    if scenario is None:
        return _fail(f"no scenario {args.name!r}; see `sovet scenario list` ({', '.join(known)})")
    from sovet.scenarios.congress_1903 import free_slug

    slug = free_slug(args.slug or f"rsdlp-{scenario.name}")
    organization, steps = scenario.run(slug=slug)
    if args.json:
        print(json.dumps([step.to_json() for step in steps], ensure_ascii=False, indent=2))
    else:
        print(f"{scenario.title}, replayed into {organization.name} ({organization.slug})")
        for step in steps:
            mark = "matches" if step.matches else "DIFFERS"
            print(
                f"\n[{mark}] {step.action}\n  system:  {step.outcome}\n  sources: {step.reported}"
            )
    return 0 if all(step.matches for step in steps) else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sovet",
        description="Sovet: council democracy for member organizations.",
        epilog="Exit codes: 0 success, 1 failure, 2 bad input.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = commands.add_parser("run", help="serve the web application (ASGI)")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, help="port (default: $PORT or 8000)")
    run.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    run.set_defaults(handler=cmd_run)

    setup = commands.add_parser(
        "setup", help="migrate the database, load the example organization, create the organizer"
    )
    setup.set_defaults(handler=cmd_setup)

    imports = commands.add_parser(
        "import-members",
        help="import members from a CSV file (columns: number,name,unit[,email,status,since])",
    )
    imports.add_argument("organization", metavar="ORG", help="organization slug")
    imports.add_argument("file", metavar="FILE.csv")
    imports.add_argument(
        "--skip-bad", action="store_true", help="import the good rows and report the bad ones"
    )
    imports.set_defaults(handler=cmd_import_members)

    from sovet.counting.methods import names as method_names

    count = commands.add_parser(
        "count",
        help="count a ballot file (BLT, PrefLib .soi/.toi, ranked CSV)",
        description="Count ranked ballots and print the elected in order and every round.",
    )
    count.add_argument("file", metavar="FILE")
    count.add_argument("--method", required=True, choices=method_names())
    count.add_argument("--seats", type=int, help="seats to fill (default: from the file)")
    count.add_argument("--seed", type=int, help="seed for ties decided by lot")
    count.add_argument("--json", action="store_true", help="print the result as JSON")
    count.set_defaults(handler=cmd_count, django=False)

    org = commands.add_parser("org", help="organizations")
    org_commands = org.add_subparsers(dest="org_command", metavar="SUBCOMMAND", required=True)
    org_list = org_commands.add_parser("list", help="each organization's slug and name")
    org_list.add_argument("--json", action="store_true", help="print a JSON list")
    org_list.set_defaults(handler=cmd_org_list)

    ledger = commands.add_parser(
        "ledger",
        help="the record as an RFC 6962 Merkle log: signed tree heads and proofs",
        description="Hashes and bytes are lowercase hex; proofs run from the leaf to the root.",
    )
    ledger_commands = ledger.add_subparsers(
        dest="ledger_command", metavar="SUBCOMMAND", required=True
    )
    head = ledger_commands.add_parser(
        "head", help="the signed tree head of the whole record (signed now if it grew)"
    )
    prove = ledger_commands.add_parser(
        "prove", help="the inclusion proof of entry SEQ in the latest signed tree head"
    )
    consistency = ledger_commands.add_parser(
        "consistency", help="the proof that the record of OLD_SIZE entries grew into NEW_SIZE"
    )
    for command in (head, prove, consistency):
        command.add_argument("organization", metavar="ORG", help="organization slug")
        command.add_argument("--json", action="store_true", help="print a JSON object")
        command.set_defaults(handler=cmd_ledger)
    prove.add_argument("seq", metavar="SEQ", type=int, help="entry number, from 1")
    consistency.add_argument("old_size", metavar="OLD_SIZE", type=int)
    consistency.add_argument("new_size", metavar="NEW_SIZE", type=int)

    export = commands.add_parser(
        "export", help="write an organization, its whole record and signed tree heads to a file"
    )
    export.add_argument("organization", metavar="ORG", help="organization slug")
    export.add_argument("-o", "--output", required=True, metavar="FILE")
    export.set_defaults(handler=cmd_export)

    verify = commands.add_parser(
        "verify",
        help="check an export: every leaf, root and signature (exit 1 if it fails)",
        description="Recompute every leaf and root of an export and check its signatures. Exit "
        "codes: 0 verified, 1 the file fails (the message names the first line or entry that "
        "fails), 2 the command cannot run (missing file, unreadable --head).",
    )
    verify.add_argument("file", metavar="FILE")
    verify.add_argument(
        "--head", metavar="HEAD.json", help="a tree head kept from earlier: prove the record grew"
    )
    verify.set_defaults(handler=cmd_verify, django=False)

    restore = commands.add_parser(
        "import",
        help="create an organization from an export, after verifying all of it",
        description="Exit codes: 0 imported, 1 the file fails verification, 2 the import "
        "cannot run (missing file, the organization exists here). Nothing is written unless "
        "everything verifies.",
    )
    restore.add_argument("file", metavar="FILE")
    restore.set_defaults(handler=cmd_import)

    minutes = commands.add_parser(
        "minutes", help="minutes made from the record, sealed by its signed tree head"
    )
    minutes.add_argument("organization", metavar="ORG", help="organization slug")
    minutes.add_argument("-o", "--output", required=True, metavar="FILE")
    minutes.add_argument(
        "--format", choices=MINUTES_FORMATS, help="default: from the file's suffix, else md"
    )
    minutes.add_argument(
        "--session", type=int, metavar="ID", help="the entries of one session (its id)"
    )
    minutes.add_argument("--from", dest="first", type=int, metavar="SEQ", help="first entry")
    minutes.add_argument("--to", dest="last", type=int, metavar="SEQ", help="last entry")
    minutes.add_argument("--title", default="", help="default: Minutes of ORGANIZATION")
    minutes.set_defaults(handler=cmd_minutes)

    token = commands.add_parser("token", help="API tokens (see sovet/api/API.md)")
    token_commands = token.add_subparsers(dest="token_command", metavar="SUBCOMMAND", required=True)
    token_create = token_commands.add_parser(
        "create", help="issue an API token for a user and print its secret, this once"
    )
    token_create.add_argument("username", metavar="USERNAME")
    token_create.add_argument(
        "--name", default="", help="what the token is for (default: API token)"
    )
    token_create.set_defaults(handler=cmd_token_create)

    scenario = commands.add_parser(
        "scenario",
        help="replay events from the essay through the actions",
        description="Exit codes: 0 every step matches the sources, 1 a step differs, 2 bad input.",
    )
    scenario_commands = scenario.add_subparsers(
        dest="scenario_command", metavar="SUBCOMMAND", required=True
    )
    scenario_commands.add_parser("list", help="the scenarios").set_defaults(handler=cmd_scenario)
    replay = scenario_commands.add_parser(
        "run", help="replay a scenario into a fresh organization and print each step's outcome"
    )
    replay.add_argument("name", metavar="NAME")
    replay.add_argument("--slug", help="the new organization's slug (default: rsdlp-NAME)")
    replay.add_argument("--json", action="store_true", help="print the steps as a JSON list")
    replay.set_defaults(handler=cmd_scenario)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = build_parser().parse_args(argv)
    if getattr(args, "django", True):
        _setup_django()
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
