"""What a content check reports: a finding with a stable code, a severity, a Chinese message and the
exact span of text it is about."""

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


FIELDS = ("title", "body", "summary", "number")

# code → (severity, Chinese label). Codes are stable: editors, flags and the API refer to them.
CODES: dict[str, tuple[Severity, str]] = {
    "impossible-time": (Severity.ERROR, "不存在的时间"),
    "impossible-date": (Severity.ERROR, "不存在的日期"),
    "citation-marker": (Severity.WARNING, "残留的引用标记"),
    "markup-residue": (Severity.WARNING, "残留的排版符号"),
    "page-chrome": (Severity.WARNING, "混入正文的网页元素"),
    "answer-residue": (Severity.WARNING, "摘要开头残留的答案片段"),
    "repeated-title": (Severity.WARNING, "正文中重复的标题"),
    "empty-contact": (Severity.ERROR, "联系方式为空"),
    "placeholder": (Severity.ERROR, "未填写的占位符"),
    "non-answer": (Severity.ERROR, "没有回答问题"),
    "self-flagged-uncertainty": (Severity.ERROR, "文中自称可能有误"),
    "phone-invalid": (Severity.ERROR, "无效的电话号码"),
    "phone-missing-area-code": (Severity.WARNING, "电话缺少区号"),
    "phone-region-mismatch": (Severity.ERROR, "电话区号与地区不符"),
    "phone-conflict": (Severity.ERROR, "同一机构的电话号码不一致"),
    "phone-short-code-misused": (Severity.ERROR, "短号码被误作机构自己的电话"),
    "stale-figure": (Severity.WARNING, "过时的年度数字"),
    "year-in-title": (Severity.WARNING, "标题中的年份已过"),
    "obsolete-term": (Severity.WARNING, "已停用的名称"),
    "policy-date": (Severity.INFO, "政策生效日期"),
    "off-topic": (Severity.ERROR, "与医保、医院和健康服务无关"),
    "clinical-advice": (Severity.ERROR, "应由医生给出的用药或诊疗建议"),
    "duplicate-body": (Severity.WARNING, "与其他条目正文相同"),
    "contradiction": (Severity.ERROR, "与其他条目的回答相反"),
    "missing-date": (Severity.WARNING, "缺少日期"),
    "missing-official-source": (Severity.WARNING, "缺少官方来源"),
}

# Codes about the item as a whole (its date, its sources), not about a span of its text.
ITEM_CODES = frozenset({"missing-date", "missing-official-source"})


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    quote: str
    start: int
    end: int
    field: str = "body"

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "quote": self.quote,
            "field": self.field,
            "start": self.start,
            "end": self.end,
        }


def finding(code: str, message: str, text: str, start: int, end: int, field: str = "body") -> Finding:
    """A finding about ``text[start:end]`` of ``field``; its severity comes from ``CODES``."""
    if code not in CODES:
        raise KeyError(f"unknown check code {code!r}")
    if field not in FIELDS:
        raise ValueError(f"unknown field {field!r}")
    return Finding(code, CODES[code][0], message, text[start:end], start, end, field)


def item_finding(code: str, message: str) -> Finding:
    """A finding about the whole item: an empty span at the start of its title."""
    return finding(code, message, "", 0, 0, "title")
