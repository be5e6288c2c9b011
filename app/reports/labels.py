"""How the report names outcomes, transfer reasons, age bands and caller types (UI)."""

from __future__ import annotations

OUTCOME_LABELS: dict[str, str] = {
    "completed": "自助办完",
    "transferred": "转人工",
    "caller_hung_up": "来电人挂断",
}
REASON_LABELS: dict[str, str] = {
    "asked": "主动要求转人工",
    "silence": "两次没有回答",
    "not_understood": "两次没听懂",
    "system_error": "系统出错",
    "emergency": "紧急情况",
    "flow": "流程转人工",
    "unknown": "原因未记录",
}
AGE_BAND_LABELS: dict[str, str] = {
    "60-69": "60-69岁",
    "70-79": "70-79岁",
    "80+": "80岁以上",
    "unknown": "年龄不详",
}
CALLER_TYPE_LABELS: dict[str, str] = {
    "self": "本人电话",
    "family": "家人或其他电话",
    "unregistered": "未登记",
}
