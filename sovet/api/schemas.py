"""What the API reads and writes, as it appears in the OpenAPI schema."""

import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, field_validator

from sovet.organizations.models import STATUTE_RULES

# Keys are big integers; numbers (of motions, agenda items) are integers. Larger values find
# nothing, and the databases would refuse them rather than say so.
MAX_ID = 2**63 - 1
MAX_NUMBER = 2**31 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Number = Annotated[int, Field(ge=1, le=MAX_NUMBER)]
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
ErrorCode = Literal[
    "invalid", "invalid_input", "not_allowed", "not_found", "sign_in", "csrf", "method_not_allowed"
]


class Error(Schema):
    """Every refusal: a code for programs and a reason for people."""

    code: ErrorCode
    reason: str


PUBLIC = {400: Error, 404: Error}
SIGNED_IN = {400: Error, 401: Error, 403: Error, 404: Error}


def answers(ok: Any, status: int = 200, *, public: bool = False) -> dict[int, Any]:
    """Return an operation's responses: its answer and every refusal it can give."""
    return {status: ok, **(PUBLIC if public else SIGNED_IN)}


def _storable(value: Any) -> None:
    """Refuse NUL characters, which PostgreSQL cannot store in text (pydantic refuses the rest)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("the text contains a NUL character, which no field accepts")
    elif isinstance(value, dict):
        for key, item in value.items():
            _storable(key)
            _storable(item)
    elif isinstance(value, list):
        for item in value:
            _storable(item)


class Input(Schema):
    """A request body: unknown fields and text no database can store are refused."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def storable(cls, value: Any) -> Any:
        _storable(value)
        return value


def Text(max_length: int) -> Any:
    """Return the type of a text field of at most `max_length` characters."""
    return Annotated[str, Field(max_length=max_length)]


Ids = Annotated[list[Id], Field(max_length=1000)]
Rules = Annotated[dict[str, str | int | bool], Field(max_length=len(STATUTE_RULES))]


# References


class PersonRef(Schema):
    id: int
    name: str


class Ref(Schema):
    """A council or a body, by its id and name."""

    id: int
    name: str


class UnitRef(Schema):
    id: int
    code: str
    name: str


# Organizations


class OrganizationOut(Schema):
    slug: str
    name: str
    created_at: datetime.datetime
    statute_version: int
    record_length: int


class StatuteOut(Schema):
    version: int
    adopted_at: datetime.datetime
    adopted_by: str
    rules: dict[str, Any]


class LevelOut(Schema):
    name: str
    depth: int


class OrganizationDetail(OrganizationOut):
    levels: list[LevelOut]
    statute: StatuteOut


class UnitOut(Schema):
    id: int
    code: str
    name: str
    parent: int | None
    level: str
    depth: int
    members: int = Field(description="Direct members of the unit, not of the units below it.")
    assistants: int


class UnitPage(Schema):
    units: list[UnitOut]
    next_offset: int | None


class UnitIn(Input):
    parent: Id
    code: Text(64)
    name: Text(200)


class MembershipOut(Schema):
    id: int
    number: str
    person: PersonRef
    unit: UnitRef
    status: str
    since: datetime.date


class MemberIn(Input):
    unit: Id
    number: Text(64)
    name: Text(200)
    email: Text(254) = ""
    status: Text(16) = "member"
    since: datetime.date | None = None


class TransferIn(Input):
    unit: Id
    reason: Text(500) = ""


class StatusIn(Input):
    status: Text(16)
    reason: Text(500) = ""


class AmendStatuteIn(Input):
    changes: Rules
    note: Text(500) = ""


# Councils


class CouncilOut(Schema):
    id: int
    name: str
    unit: UnitRef
    constituency_level: str
    fixed_seats: int | None
    seats: int


class MandateOut(Schema):
    id: int
    council: int
    unit: UnitRef
    delegate: PersonRef
    votes: int
    term_start: datetime.date
    term_end: datetime.date | None
    state: str
    substitutes: list[PersonRef]


class RecallOut(Schema):
    id: int
    mandate: int
    state: str
    opened_at: datetime.datetime
    reason: str
    supports: int
    needed: int


class ConstituencyOut(Schema):
    unit: UnitRef
    seats: int
    members: int
    vacant: int
    mandates: list[MandateOut]
    recalls: list[RecallOut]


class CouncilDetail(CouncilOut):
    constituencies: list[ConstituencyOut]


class MandateIn(Input):
    unit: Id
    delegate: Id = Field(description="The delegate's person id.")
    votes: int = Field(1, ge=1, le=1000)
    term_start: datetime.date | None = None
    term_end: datetime.date | None = None
    substitutes: Ids = Field(default_factory=list, description="Person ids, in order.")


class ReasonIn(Input):
    reason: Text(500) = ""


class ResignationOut(Schema):
    successor: MandateOut | None


# Sessions


class QuorumOut(Schema):
    present: int
    entitled: int
    needed: int
    reached: bool


class SessionOut(Schema):
    id: int
    number: int
    council: Ref
    title: str
    place: str
    opens_on: datetime.date
    state: str
    speaking_time: int
    alternate_speakers: bool


class AgendaItemOut(Schema):
    position: int
    title: str
    current: bool
    speakers_closed: bool
    speaking_time: int | None


class CredentialOut(Schema):
    mandate: int
    delegate: PersonRef
    votes: int
    accredited: bool
    present: bool
    reason: str


class SessionDetail(SessionOut):
    quorum: QuorumOut
    agenda: list[AgendaItemOut]
    credentials: list[CredentialOut]


class SessionIn(Input):
    title: Text(200)
    opens_on: datetime.date
    place: Text(200) = ""
    agenda: Annotated[list[Text(300)], Field(max_length=500)] = Field(default_factory=list)
    alternate_speakers: bool = False


class CredentialsIn(Input):
    mandates: Ids
    accredited: bool = True
    reason: Text(500) = ""


class MandateRefIn(Input):
    mandate: Id


class WalkoutIn(Input):
    mandates: Ids
    reason: Text(500)


class AdjournIn(Input):
    until: Text(200) = ""


class SpeakerOut(Schema):
    id: int
    mandate: int
    delegate: PersonRef
    kind: str
    stance: str
    speech: int
    state: str
    requested: int


class NextSpeakerOut(Schema):
    speaker: SpeakerOut | None


class SpeakIn(Input):
    mandate: Id
    kind: Text(16) = "speech"
    stance: Text(8) = ""


# Motions


class MotionOut(Schema):
    number: int
    title: str
    kind: str
    state: str
    session: int
    submitted_by: PersonRef
    referred_to: str


class AmendmentOut(Schema):
    number: int
    amends: int | None
    old: str
    new: str
    submitted_by: PersonRef
    state: str


class FormulationOut(Schema):
    label: str
    text: str
    proposed_by: PersonRef
    eliminated: bool
    statute_changes: dict[str, Any] | None


class MotionDetail(MotionOut):
    text: str
    original_text: str
    statute_changes: dict[str, Any] | None
    supporters: list[str]
    amendments: list[AmendmentOut]
    formulations: list[FormulationOut]
    polls: list[int]


class MotionIn(Input):
    mandate: Id
    title: Text(300)
    text: Text(100_000)
    kind: Text(20) = "resolution"
    statute_changes: Rules | None = None


class SupportOut(Schema):
    supporters: int


class ReferIn(Input):
    to: Text(200)


class AmendmentIn(Input):
    mandate: Id
    old: Text(100_000)
    new: Text(100_000)
    amends: Number | None = Field(None, description="The number of the amendment it amends.")


class FormulationIn(Input):
    mandate: Id
    label: Text(100)
    text: Text(100_000)
    statute_changes: Rules | None = None


class PutIn(Input):
    secret: bool = False


# Factions, bodies, elections


class FactionOut(Schema):
    id: int
    name: str
    platform: str
    declared_at: datetime.datetime
    members: int


class FactionIn(Input):
    name: Text(200)
    platform: Text(10_000) = ""


class BodySeatOut(Schema):
    id: int
    person: PersonRef
    how: str


class BodyOut(Schema):
    id: int
    name: str
    seats: int
    members: list[BodySeatOut]


class SeatIn(Input):
    person: Id
    reason: Text(500) = ""


class CandidateOut(Schema):
    id: int
    person: PersonRef
    accepted: bool | None


class ElectionOut(Schema):
    id: int
    session: int
    body: Ref
    seats: int
    method: str
    state: str
    candidates: list[CandidateOut]
    poll: int | None
    result: dict[str, Any] | None = Field(description="Once counted: the elected and each round.")


class ElectionIn(Input):
    body_name: Text(200)
    seats: int = Field(ge=1, le=1000)


class NominationIn(Input):
    person: Id


class AnswerIn(Input):
    accept: bool


class BallotPaperIn(Input):
    secret: bool = True


# Polls


class TallyRow(Schema):
    choice: str
    votes: int


class TurnoutOut(Schema):
    ballots: int = Field(description="Mandates that voted.")
    votes: int = Field(description="Votes those mandates carry.")


class RollCallRow(Schema):
    mandate: int
    delegate: PersonRef
    votes: int
    ballot: list[dict[str, Any]]


class PollSummary(Schema):
    id: int
    council: int
    session: int | None
    kind: str
    purpose: str
    question: str
    secret: bool
    state: str
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    motion: int | None = Field(description="The number of the motion it decides, if any.")
    election: int | None


class PollOut(PollSummary):
    options: list[str]
    majority_rule: str
    majority_base: str
    turnout: TurnoutOut
    tally: list[TallyRow] | None = Field(
        description="Once closed; while open, only for a poll that is not secret."
    )
    result: dict[str, Any] | None = Field(description="Once closed.")
    roll_call: list[RollCallRow] | None = Field(description="Once closed, for an open poll.")


class PollIn(Input):
    question: Text(500)
    options: Annotated[list[Text(200)], Field(max_length=100)] | None = Field(
        None, description="Empty for a yes/no poll: yes, no and abstain."
    )
    kind: Text(10) = "yes/no"
    secret: bool = False
    session: Id | None = Field(None, description="A session of the council: for those present.")
    majority_rule: Text(20) = ""
    majority_base: Text(10) = ""


class BallotIn(Input):
    mandate: Id
    choice: Text(200) | Annotated[list[Text(200)], Field(max_length=100)] | None = Field(
        None, description="An option; a list of options for approval and ranked polls."
    )
    split: Annotated[dict[Text(200), int], Field(max_length=100)] | None = Field(
        None, description="Votes per option, where the statute allows split votes."
    )


class ReceiptOut(Schema):
    receipt: str | None = Field(
        description="For a secret poll: the code to check the ballot once the poll closes."
    )


# Record


class RecordEntryOut(Schema):
    seq: int
    at: datetime.datetime
    actor: str
    action: str
    statute_version: int | None
    payload: dict[str, Any]


class RecordPage(Schema):
    entries: list[RecordEntryOut]
    next_after: int | None = Field(description="Pass as ?after= for the next page.")
    record_length: int


class TreeHeadOut(Schema):
    tree_size: int
    root_hash: str
    timestamp: int
    signature: str
    public_key: str
    reason: str


# Tokens and the signed-in user


class TokenIn(Input):
    name: Text(100) = ""


class TokenOut(Schema):
    id: int
    name: str
    created: datetime.datetime
    last_used: datetime.datetime | None


class TokenIssued(TokenOut):
    token: str = Field(description="The secret: shown this once, send it as a Bearer token.")


class MyMandate(Schema):
    id: int
    organization: str
    council: Ref
    unit: UnitRef
    votes: int


class MyMembership(Schema):
    id: int
    organization: str
    number: str
    person: PersonRef
    unit: UnitRef
    status: str


class MeOut(Schema):
    username: str
    memberships: list[MyMembership]
    mandates: list[MyMandate]


class Done(Schema):
    done: bool = True
