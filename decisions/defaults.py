"""Default meeting bodies and the scope table （一定）， as DOMAIN.md gives them.

Used by the demo and the tests, which may start from a flushed database (the data migration
decisions/0003 carries its own frozen copy). Idempotent.
"""

from decimal import Decimal

BODIES = [
    # code, name, decides, secretary role, order
    ("PC", "党委会", True, "party_office", 1),
    ("PO", "校长办公会", True, "affairs_office", 2),
    ("SA", "校务会", False, "affairs_office", 3),
    ("AS", "全教会", False, "affairs_office", 4),
    # 中心组学习: the central group's theory study, a body of its own with the same study records.
    ("CG", "党委理论学习中心组", False, "party_office", 5),
]

# 一定: DOMAIN.md's default scope per meeting. Administrators edit it afterwards.
SCOPE = {
    "PC": [
        ("study", "理论学习（第一议题）"),
        ("report", "听取重要工作汇报"),
        ("proposal", "“三重一大”及重大问题的提议"),
        ("decision", "“三重一大”、重大事项决议；对校长办公会重要事项方案作出决议"),
        ("briefing", "上级文件、会议精神通报"),
    ],
    "PO": [
        ("report", "教育教学、行政管理工作汇报"),
        ("proposal", "教育教学、行政管理、日常财务事项的提议"),
        ("decision", "日常事务决定；重要事项商议后报党委会决议"),
    ],
    "SA": [
        ("study", "理论学习"),
        ("report", "听取汇报、布置工作"),
        ("briefing", "传达文件精神；通报党委会决议"),
    ],
    "AS": [
        ("report", "各部门重要工作"),
        ("briefing", "通报党委会决策事项"),
    ],
    "CG": [
        ("study", "党委理论学习中心组学习"),
    ],
}

# 第一议题: the bodies whose agenda opens with theory study, and those whose study asks every
# participant for a reflection (心得体会). Administrators change both per body.
# 第一议题 is the school's own switch (admin → 会议机构): off as installed, so that an upgrade never
# refuses an agenda the school was about to publish.
STUDY_FIRST: set[str] = set()
REFLECTIONS_REQUIRED = {"CG"}


def ensure_defaults(MeetingBody, ScopeRule, DecisionPolicy) -> int:
    created = 0
    for code, name, decides, secretary_role, order in BODIES:
        body, new = MeetingBody.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "decides": decides,
                "secretary_role": secretary_role,
                "sort_order": order,
                "study_first": code in STUDY_FIRST,
                "reflections_required": code in REFLECTIONS_REQUIRED,
            },
        )
        created += new
        for category, note in SCOPE[code]:
            _, new = ScopeRule.objects.get_or_create(body=body, category=category, defaults={"note": note})
            created += new
    if not DecisionPolicy.objects.exists():
        DecisionPolicy.objects.create(major_amount_threshold=Decimal("100000"))
        created += 1
    return created
