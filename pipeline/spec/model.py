"""The agreement spec (SPEC.md §1) as typed models, and loading a YAML file into one with every problem located."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from pipeline.errors import Problem, SpecError
from pipeline.spec.source import Source, parse
from pipeline.values import BE_OFFSET

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
MAX_AMOUNT = (
    Decimal(10) ** 15
)  # a thousand trillion baht: above every budget there is, below what arithmetic strains at
Money = Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT)]
FiscalYear = Annotated[int, Field(ge=1, le=9999)]  # Buddhist-Era years; the rules say what a Gregorian one meant
Model = Literal["grant", "performance", "commissioning"]
PartyKind = Literal["government", "lao", "cso", "academic", "private"]
PartyRef = Literal["delegator", "partner", "supporters"]
Frequency = Literal["monthly", "quarterly", "semiannual", "annual", "once"]
MODELS: tuple[str, ...] = get_args(Model)
EARLIEST, LATEST = dt.date(1957, 1, 1), dt.date(2200, 12, 31)


def _meant(d: dt.date) -> dt.date | None:
    """The Gregorian date a user probably meant by an impossible year: 2568 (Buddhist Era) or 68 (two-digit BE or CE)."""
    year = d.year
    if 2400 <= year <= LATEST.year + BE_OFFSET:
        year -= BE_OFFSET
    elif year < 100:
        be = 2500 + year  # a two-digit year as Thai users write it: 68 -> 2568
        year = be - BE_OFFSET if EARLIEST.year <= be - BE_OFFSET <= LATEST.year else 2000 + year
    else:
        return None
    try:
        return d.replace(year=year)
    except ValueError:  # 29 February in a year that has none
        return d.replace(year=year, day=28)


def _plausible(d: dt.date) -> dt.date:
    if EARLIEST <= d <= LATEST:
        return d
    meant = _meant(d)
    if meant is not None and d.year >= 2400:  # a year past 2743 (9999) is no era at all: out of range
        raise PydanticCustomError("date_buddhist_era", "Buddhist-Era year", {"meant": meant.isoformat(), "be": d.year})
    if meant is not None:
        raise PydanticCustomError("date_short_year", "two-digit year", {"meant": meant.isoformat(), "year": d.year})
    raise PydanticCustomError("date_range", "date out of range", {})


Date = Annotated[dt.date, AfterValidator(_plausible)]


def count_signatories(supporters_sign: Iterable[object]) -> int:
    """The delegator, the partner, and each supporter that signs (one bool per supporter)."""
    return 2 + sum(1 for signs in supporters_sign if signs is True)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, frozen=True)


class Representative(Strict):
    name: Text
    position: Text
    acting_for: Text | None = None  # the office acted for under the authority (ปฏิบัติราชการแทน …)


class Account(Strict):
    bank: Text
    branch: Text | None = None
    name: Text
    number: Text


class Party(Strict):
    name: Text
    kind: PartyKind
    address: Text
    representative: Representative
    authority: Text | None = None
    account: Account | None = None
    part_of: Text | None = None  # the juristic person a unit (faculty, institute, centre) belongs to: the party bound
    registration: Text | None = (
        None  # a foundation's, association's or company's registration, or the act setting it up
    )


class Supporter(Strict):
    name: Text
    kind: PartyKind
    contribution: Text | None = None
    address: Text | None = None
    representative: Representative | None = None
    authority: Text | None = None
    account: Account | None = None
    part_of: Text | None = None
    registration: Text | None = None
    signs: bool = False


class Parties(Strict):
    delegator: Party
    partner: Party
    supporters: list[Supporter] = []

    def supporter(self, name: str | None) -> Supporter | None:
        """The supporter a reference means: the one named, or the only one."""
        if name is None:
            return self.supporters[0] if len(self.supporters) == 1 else None
        return next((s for s in self.supporters if s.name == name), None)


class Signing(Strict):
    place: Text
    date: Date


class Term(Strict):
    start: Date
    end: Date


class Activity(Strict):
    name: Text
    description: Text | None = None


class Scope(Strict):
    target_group: Text
    area: Text
    activities: Annotated[list[Activity], Field(min_length=1)]
    vulnerable_users: bool = False


class Roles(Strict):
    delegator: Annotated[list[Text], Field(min_length=1)]
    partner: Annotated[list[Text], Field(min_length=1)]
    supporters: list[Text] | dict[str, Annotated[list[Text], Field(min_length=1)]] = []


class BudgetSource(Strict):
    type: Literal["state_budget", "own_revenue", "donation", "fund", "other"]
    amount: Money
    provider: PartyRef
    supporter: Text | None = None
    fiscal_year: FiscalYear | None = None
    fiscal_years: dict[FiscalYear, Money] | None = None
    note: Text | None = None


class UnitCost(Strict):
    unit: Text
    amount: Money
    quantity: Money


class BudgetLine(Strict):
    item: Text
    amount: Money
    fiscal_year: FiscalYear | None = None


class Budget(Strict):
    total: Money
    sources: Annotated[list[BudgetSource], Field(min_length=1)]
    unit_cost: UnitCost | None = None
    lines: list[BudgetLine] = []  # the line-item budget of the delegator's money
    carry_over: bool = False  # money for a payment after the final evaluation carried over from the term's last year


AFTER = re.compile(r"^(signing|final|midterm|midterm [1-9][0-9]?|yearly [1-9][0-9]?)$")


def _after(value: str) -> str:
    value = " ".join(value.split())
    if not AFTER.match(value):
        raise PydanticCustomError("after", "unknown evaluation", {"input": value})
    return value


class Instalment(Strict):
    percent: Annotated[Decimal, Field(ge=0, le=100)] | None = None
    amount: Money | None = None
    due: Date
    after: Annotated[str, AfterValidator(_after)] | None = None
    condition: Text | None = None

    @model_validator(mode="after")
    def _said(self) -> Instalment:
        if self.after is None and self.condition is None:
            raise PydanticCustomError("after_or_condition", "after or condition", {})
        return self


class Evaluation(Strict):
    midterm: Date | list[Date] | None = None
    yearly: list[Date] = []
    final: Date
    methods: Annotated[
        list[Literal["internal", "external", "field_visit", "service_user_feedback"]], Field(min_length=1)
    ]
    pass_criteria: Text | None = None  # what passing an evaluation means

    @property
    def midterms(self) -> list[dt.date]:
        """The mid-term evaluations, one or several, in the order the spec gives them."""
        m = self.midterm
        return [] if m is None else (list(m) if isinstance(m, list) else [m])


class Reporting(Strict):
    frequency: Frequency
    final_within_days: Annotated[int, Field(ge=1, le=365)] | None = None


class Step(Strict):
    at: Annotated[str, AfterValidator(_after)]  # an evaluation, written as an instalment's `after`
    target: Annotated[Decimal, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT)] | Text


class Indicator(Strict):
    name: Text
    unit: Text
    baseline: Annotated[Decimal, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT)] | Text | None = None
    target: Annotated[Decimal, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT)] | Text
    frequency: Frequency
    data_source: Text
    responsible: Text
    supporter: Text | None = None
    steps: list[Step] = []  # the value to reach by each evaluation a payment waits for


class SlaLeads(Strict):
    delegator: Text
    partner: Text


class SlaService(Strict):
    name: Text
    description: Text | None = None
    standard: Text


class Sla(Strict):
    start: Date
    end: Date
    review: Frequency
    leads: SlaLeads
    services: Annotated[list[SlaService], Field(min_length=1)]
    escalation: Annotated[list[Text], Field(min_length=1)]
    remedy: Text
    signing: Signing | None = None  # a renewal's own signing place and date (sla_renewals)


class Member(Strict):
    position: Text
    party: PartyRef
    supporter: Text | None = None
    role: Literal["chair", "vice_chair", "member", "secretary", "assistant_secretary"]


class JointCommittee(Strict):
    name: Text
    members: Annotated[list[Member], Field(min_length=1)]
    duties: Annotated[list[Text], Field(min_length=1)]
    meetings: Frequency
    secretariat: Text


class Action(Strict):
    activity: Text
    start: Date
    end: Date
    responsible: Text
    supporter: Text | None = None
    budget: Money | None = None


class PersonalData(Strict):
    involved: bool
    categories: list[Text] = []
    purpose: Text | None = None
    retention: Text | None = None
    lawful_basis: Text | None = None  # the PDPA basis the delegator relies on (s.24(4), s.26 …)
    partner_role: Literal["processor", "controller"] | None = None  # default: by the partner's kind


class ExtraClause(Strict):
    title: Text
    text: Text


class ClauseOptions(Strict):
    include: list[Text] = []
    exclude: list[Text] = []
    extra: list[ExtraClause] = []


class Witness(Strict):
    name: Text
    position: Text
    party: PartyRef
    supporter: Text | None = None


class Signer(Strict):
    role: Text  # delegator, partner, supporter:NAME, witness:N
    subject: Text  # the signing certificate's subject


class Signed(Strict):
    """The agreement was signed (issue 11 acts on it; accepted here so such specs load)."""

    date: Date
    place: Text | None = None
    pdf_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
    signers: list[Signer] = []


class Screening(Strict):
    """The questionnaire's screening answers (issue 3); accepted and otherwise ignored by the rules."""

    mission: Literal["project", "service", "portfolio"] | None = None
    time_bound: bool | None = None
    routine: bool | None = None
    capacity_gap: bool | None = None
    joint_structure: bool | None = None


class Spec(Strict):
    spec_version: Literal[1]
    model: Model
    language: Literal["th", "en"] = "th"
    reference_no: Text | None = None
    title: Text
    background: Text
    signing: Signing
    term: Term
    parties: Parties
    legal_basis: list[Text] = []
    objectives: Annotated[list[Text], Field(min_length=1)]
    scope: Scope
    deliverables: Annotated[list[Text], Field(min_length=1)]
    roles: Roles
    budget: Budget
    instalments: list[Instalment] = []
    evaluation: Evaluation
    reporting: Reporting | None = None
    indicators: list[Indicator] = []
    sla: Sla | None = None
    sla_renewals: list[Sla] = []
    signed: Signed | None = None
    amends: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"^[^/\\\x00]+$")] | None = (
        None
    )
    joint_committee: JointCommittee | None = None
    action_plan: list[Action] = []
    personal_data: PersonalData | None = None
    clauses: ClauseOptions = ClauseOptions()
    witnesses: list[Witness] = []
    copies: Annotated[int, Field(ge=1, le=20)] | None = None  # default: one per signatory (signatories())
    copies_kept_by: list[Text] = []
    screening: Screening | None = None

    def signatories(self) -> int:
        return count_signatories(s.signs for s in self.parties.supporters)

    def copy_count(self) -> int:
        return self.copies if self.copies is not None else self.signatories()


_SIGNED_BLOCK = re.compile(rb"^(?:# signed[^\n]*\n)?signed:[^\n]*\n(?:(?:[ \t]+[^\n]*|[ \t]*)\n)*", re.M)


def without_signed(raw: bytes) -> bytes:
    """The spec's bytes without its `signed` block (and the workspace's comment above it)."""
    if b"signed:" not in raw:
        return raw
    return _SIGNED_BLOCK.sub(b"", raw if raw.endswith(b"\n") else raw + b"\n")


def spec_hash(raw: bytes) -> str:
    """The provenance hash a built document carries: the spec's bytes without its `signed` block (and the comment the
    workspace writes above it), so that recording the signing — or correcting it — leaves it unchanged; a spec
    without one hashes as its bytes."""
    return hashlib.sha256(without_signed(raw)).hexdigest()


def read_source(path: Path) -> tuple[bytes, Source]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError(
            [Problem(str(path), None, "", "เปิดไฟล์ไม่ได้", f"could not open file '{path}': {exc.strerror}")]
        ) from exc
    return raw, parse(raw, str(path))
