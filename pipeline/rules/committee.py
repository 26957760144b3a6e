"""The joint committee of the commissioning model (SPEC §2): members from both sides, a chair and a secretary."""

from __future__ import annotations

from pipeline.library.clauses import Library
from pipeline.spec.model import Spec
from pipeline.spec.settings import Settings

from .facts import Add


def check(spec: Spec, settings: Settings, library: Library, add: Add) -> None:
    if spec.model == "commissioning" and spec.joint_committee:
        members = spec.joint_committee.members
        parties = {m.party for m in members}
        roles = {m.role for m in members}
        for party, th in (("delegator", "ผู้มอบภารกิจ"), ("partner", "ผู้รับมอบภารกิจ")):
            if party not in parties:
                add(
                    ("joint_committee", "members"),
                    f"คณะกรรมการร่วมต้องมีกรรมการจากฝ่าย{th}",
                    f"the joint committee needs a member from the {party}",
                )
        for role, th in (("chair", "ประธานกรรมการ"), ("secretary", "เลขานุการ")):
            if role not in roles:
                add(("joint_committee", "members"), f"คณะกรรมการร่วมต้องมี{th}", f"the joint committee needs a {role}")
