"""The agreement spec (SPEC.md §1) as typed models, and loading a YAML file into one with every problem located."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from .errors import Problem, SpecError
from .yamlsource import Source, dotted, parse

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Money = Annotated[Decimal, Field(ge=0)]
Model = Literal["grant", "performance", "commissioning"]
PartyKind = Literal["government", "lao", "cso", "academic", "private"]
PartyRef = Literal["delegator", "partner", "supporters"]
Frequency = Literal["monthly", "quarterly", "semiannual", "annual", "once"]
MODELS: tuple[str, ...] = Model.__args__


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, frozen=True)


class Representative(Strict):
    name: Text
    position: Text


class Party(Strict):
    name: Text
    kind: PartyKind
    address: Text
    representative: Representative
    authority: Optional[Text] = None


class Supporter(Strict):
    name: Text
    kind: PartyKind
    contribution: Optional[Text] = None


class Parties(Strict):
    delegator: Party
    partner: Party
    supporters: list[Supporter] = []


class Signing(Strict):
    place: Text
    date: dt.date


class Term(Strict):
    start: dt.date
    end: dt.date


class Activity(Strict):
    name: Text
    description: Optional[Text] = None


class Scope(Strict):
    target_group: Text
    area: Text
    activities: Annotated[list[Activity], Field(min_length=1)]


class Roles(Strict):
    delegator: Annotated[list[Text], Field(min_length=1)]
    partner: Annotated[list[Text], Field(min_length=1)]
    supporters: list[Text] = []


class BudgetSource(Strict):
    type: Literal["state_budget", "own_revenue", "donation", "fund", "other"]
    amount: Money
    provider: PartyRef
    fiscal_year: Optional[int] = None
    note: Optional[Text] = None


class UnitCost(Strict):
    unit: Text
    amount: Money
    quantity: Money


class Budget(Strict):
    total: Money
    sources: Annotated[list[BudgetSource], Field(min_length=1)]
    unit_cost: Optional[UnitCost] = None


class Instalment(Strict):
    percent: Optional[Annotated[Decimal, Field(ge=0, le=100)]] = None
    amount: Optional[Money] = None
    due: dt.date
    condition: Text


class Evaluation(Strict):
    midterm: Optional[dt.date] = None
    final: dt.date
    methods: Annotated[list[Literal["internal", "external", "field_visit", "service_user_feedback"]], Field(min_length=1)]


class Indicator(Strict):
    name: Text
    unit: Text
    baseline: Optional[Decimal | Text] = None
    target: Decimal | Text
    frequency: Frequency
    data_source: Text
    responsible: Text


class SlaLeads(Strict):
    delegator: Text
    partner: Text


class SlaService(Strict):
    name: Text
    description: Optional[Text] = None
    standard: Text


class Sla(Strict):
    start: dt.date
    end: dt.date
    review: Frequency
    leads: SlaLeads
    services: Annotated[list[SlaService], Field(min_length=1)]
    escalation: Annotated[list[Text], Field(min_length=1)]
    remedy: Text


class Member(Strict):
    position: Text
    party: PartyRef
    role: Literal["chair", "vice_chair", "member", "secretary", "assistant_secretary"]


class JointCommittee(Strict):
    name: Text
    members: Annotated[list[Member], Field(min_length=1)]
    duties: Annotated[list[Text], Field(min_length=1)]
    meetings: Frequency
    secretariat: Text


class Action(Strict):
    activity: Text
    start: dt.date
    end: dt.date
    responsible: Text
    budget: Optional[Money] = None


class PersonalData(Strict):
    involved: bool
    categories: list[Text] = []
    purpose: Optional[Text] = None
    retention: Optional[Text] = None


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


class Screening(Strict):
    """The questionnaire's screening answers (issue 3); accepted and otherwise ignored by the rules."""

    mission: Optional[Literal["project", "service", "portfolio"]] = None
    time_bound: Optional[bool] = None
    routine: Optional[bool] = None
    capacity_gap: Optional[bool] = None
    joint_structure: Optional[bool] = None


class Spec(Strict):
    spec_version: Literal[1]
    model: Model
    language: Literal["th", "en"] = "th"
    reference_no: Optional[Text] = None
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
    indicators: list[Indicator] = []
    sla: Optional[Sla] = None
    joint_committee: Optional[JointCommittee] = None
    action_plan: list[Action] = []
    personal_data: Optional[PersonalData] = None
    clauses: ClauseOptions = ClauseOptions()
    witnesses: list[Witness] = []
    copies: Annotated[int, Field(ge=1, le=20)] = 2
    screening: Optional[Screening] = None


# pydantic error type -> (Thai, English) sentence; {x} fields come from the error's ctx and input.
_MESSAGES = {
    "missing": ("ต้องระบุข้อมูลนี้", "this field is required"),
    "extra_forbidden": ("ไม่รู้จักคีย์นี้ (พิมพ์ผิดหรือไม่)", "unknown key (a typo?)"),
    "literal_error": ("ค่า '{input}' ใช้ไม่ได้ ต้องเป็นค่าใดค่าหนึ่งต่อไปนี้: {expected}", "'{input}' is not allowed; use one of {expected}"),
    "date_from_datetime_parsing": ("วันที่ไม่ถูกต้อง ต้องเป็นวันที่มีอยู่จริง เขียนแบบ ค.ศ. ปปปป-ดด-วว เช่น 2024-04-22", "not a valid date: write a real date as YYYY-MM-DD (Gregorian), e.g. 2024-04-22"),
    "date_parsing": ("วันที่ไม่ถูกต้อง ต้องเป็นวันที่มีอยู่จริง เขียนแบบ ค.ศ. ปปปป-ดด-วว เช่น 2024-04-22", "not a valid date: write a real date as YYYY-MM-DD (Gregorian), e.g. 2024-04-22"),
    "date_type": ("ต้องเป็นวันที่ เขียนแบบ ค.ศ. ปปปป-ดด-วว เช่น 2024-04-22", "must be a date written as YYYY-MM-DD, e.g. 2024-04-22"),
    "decimal_parsing": ("ต้องเป็นตัวเลข", "must be a number"),
    "decimal_type": ("ต้องเป็นตัวเลข", "must be a number"),
    "int_parsing": ("ต้องเป็นจำนวนเต็ม", "must be a whole number"),
    "int_type": ("ต้องเป็นจำนวนเต็ม", "must be a whole number"),
    "int_from_float": ("ต้องเป็นจำนวนเต็ม", "must be a whole number"),
    "string_type": ("ต้องเป็นข้อความ", "must be a text"),
    "string_too_short": ("ต้องไม่เว้นว่าง", "must not be empty"),
    "list_type": ("ต้องเป็นรายการ (เขียนแต่ละรายการขึ้นต้นด้วย - )", "must be a list (one '- ' item per line)"),
    "dict_type": ("ต้องเป็นชุดคีย์และค่า", "must be a mapping of keys to values"),
    "model_type": ("ต้องเป็นชุดคีย์และค่า", "must be a mapping of keys to values"),
    "bool_type": ("ต้องเป็น true หรือ false", "must be true or false"),
    "bool_parsing": ("ต้องเป็น true หรือ false", "must be true or false"),
    "too_short": ("ต้องมีอย่างน้อย {min_length} รายการ", "needs at least {min_length} item(s)"),
    "greater_than_equal": ("ต้องไม่น้อยกว่า {ge} (ห้ามติดลบ)", "must be at least {ge} (not negative)"),
    "less_than_equal": ("ต้องไม่เกิน {le}", "must be at most {le}"),
}


def _problem_from_pydantic(err: dict, src: Source) -> Problem:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and ("[" in p or p in ("function-after",))))
    # Unions report one error per member ("decimal", "str"): keep the field path only.
    loc = tuple(p for p in loc if p not in ("decimal", "str", "constrained-str", "date"))
    ctx = dict(err.get("ctx") or {})
    ctx.setdefault("input", err.get("input"))
    ctx = {k: (str(v) if not isinstance(v, (int, str)) else v) for k, v in ctx.items()}
    th, en = _MESSAGES.get(err["type"], ("ค่าไม่ถูกต้อง: {msg}", "{msg}"))
    ctx["msg"] = err["msg"]
    try:
        th, en = th.format(**ctx), en.format(**ctx)
    except (KeyError, IndexError):
        th, en = "ค่าไม่ถูกต้อง", err["msg"]
    return Problem(src.name, src.line(loc), dotted(loc), th, en)


def typed(src: Source) -> tuple[Spec | None, list[Problem]]:
    """Plain data -> Spec, or the list of every type problem with its line."""
    problems = [Problem(src.name, line if line else src.line(path), dotted(path), th, en) for path, line, th, en in src.problems]
    if src.data is None:
        return None, problems
    try:
        spec = Spec.model_validate(src.data)
    except ValidationError as exc:
        seen = set()
        for err in exc.errors():
            p = _problem_from_pydantic(err, src)
            if (p.field, p.en) not in seen:  # a union reports the same field once per member
                seen.add((p.field, p.en))
                problems.append(p)
        return None, problems
    return (spec if not problems else None), problems


def spec_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def read_source(path: Path) -> tuple[bytes, Source]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError([Problem(str(path), None, "", "เปิดไฟล์ไม่ได้", f"could not open file '{path}': {exc.strerror}")])
    return raw, parse(raw, str(path))


def source_of(spec: Spec) -> Source:
    """A Source for a spec built in memory (the questionnaire), so rule problems still name fields."""
    return Source("<answers>", spec.model_dump(mode="python"))
