"""The people served (SPEC §2): where the target group, an objective or an activity names children or youth, persons
with disabilities or older people in need of protection, the safeguarding clause is required."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.library.clauses import Library
from pipeline.spec.model import Spec
from pipeline.spec.settings import Settings

from .facts import Add

# Vulnerable users (SPEC §2): children and youth, persons with disabilities, older people in need of care or
# protection. Thai words anywhere (Thai has no spaces between words), English as whole words.
_CHILDREN_TH = re.compile(
    r"เด็ก|เยาวชน|นักเรียน|วัยเรียน|ทารก|วัยรุ่น|ผู้เยาว์|คนพิการ|ผู้พิการ|ความพิการ"
    r"|ผู้สูงอายุที่ต้องได้รับการคุ้มครอง|ผู้สูงอายุติดเตียง|ผู้สูงอายุที่มีภาวะพึ่งพิง"
)
_CHILDREN_EN = re.compile(
    r"\b(child|children|youth|youths|minor|minors|pupil|pupils|student|students|kid|kids|infant|infants|adolescent"
    r"|adolescents|teenager|teenagers|disabled|disability|disabilities|bedridden|dependent older"
    r"|older persons? who needs? protection)\b",
    re.I,
)


def names_children(text: str | None) -> bool:
    return bool(text and (_CHILDREN_TH.search(text) or _CHILDREN_EN.search(text)))


def names_vulnerable(
    target_group: object, objectives: Iterable[object], activities: Iterable[Iterable[object]]
) -> bool:
    """The safeguarding rule's test, on a spec or on answers: the target group, an objective or an activity (name,
    description) names vulnerable users."""
    texts = [target_group, *objectives, *(t for pair in activities for t in pair)]
    return any(names_children(t if isinstance(t, str) else str(t or "")) for t in texts)


def safeguarding(spec: Spec, settings: Settings, library: Library, add: Add) -> None:
    """Vulnerable users (children or youth, persons with disabilities, older people in need of protection) named in
    the target group, an activity or an objective: the safeguarding clause (scope.vulnerable_users) is required."""
    if spec.scope.vulnerable_users:
        return
    activities = [(a.name, a.description) for a in spec.scope.activities]
    if names_vulnerable(spec.scope.target_group, spec.objectives, activities):
        add(
            ("scope", "vulnerable_users"),
            "กลุ่มเป้าหมาย กิจกรรม หรือวัตถุประสงค์เกี่ยวกับเด็กหรือเยาวชน คนพิการ หรือผู้สูงอายุที่ต้องได้รับการคุ้มครอง "
            "ต้องกำหนด scope.vulnerable_users: true เพื่อให้มีข้อการคุ้มครองเด็กและผู้เปราะบาง",
            "the target group, an activity or an objective names children or youth, persons with disabilities or "
            "older people in need of protection: set scope.vulnerable_users: true, which adds the safeguarding clause",
        )
