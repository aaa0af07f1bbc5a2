"""Chinese by default, English with ``?lang=en`` (remembered in a cookie)."""

from __future__ import annotations

from fastapi import Request

from .. import labels

LANG_COOKIE = "shequ_lang"

WORDS: dict[str, tuple[str, str]] = {
    "app": ("社区发展监测评估", "Community development monitoring"),
    "overview": ("总览", "Overview"),
    "ranking": ("排名", "Ranking"),
    "scorecard": ("记分卡", "Scorecard"),
    "map": ("地图", "Map"),
    "entry": ("数据填报", "Data entry"),
    "imports": ("文件导入", "Imports"),
    "runs": ("评估与报告", "Evaluations & reports"),
    "desk": ("意见办理", "Suggestions desk"),
    "audit": ("操作记录", "Audit trail"),
    "periods": ("整期锁定", "Whole-period locks"),
    "approvals": ("审核锁定", "Approve & lock"),
    "users": ("用户", "Users"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "username": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "survey": ("满意度调查", "Satisfaction survey"),
    "suggest": ("意见建议", "Make a suggestion"),
    "indicator": ("指标", "Indicator"),
    "value": ("数值", "Value"),
    "target": ("目标", "Target"),
    "status": ("状态", "Status"),
    "trend": ("趋势", "Trend"),
    "projection": ("预测", "Projection"),
    "period": ("期间", "Period"),
    "unit": ("单位", "Unit"),
    "score": ("得分", "Score"),
    "rank": ("名次", "Rank"),
    "rank_interval": ("90%排名区间", "90% rank interval"),
    "save": ("保存", "Save"),
    "upload": ("上传", "Upload"),
    "start": ("开始评估", "Start evaluation"),
    "no_run": (
        "尚无评估结果，请先运行评估（评估与报告页面或 shequ evaluate）",
        "no evaluation yet: start one (Evaluations page or shequ evaluate)",
    ),
    "no_geometry": (
        "尚未导入社区边界（shequ import boundaries），地图无法绘制",
        "no geometry imported (shequ import boundaries): the map cannot be drawn",
    ),
    "no_echarts": (
        "图表库未安装（运行 make install 安装 ECharts），以下以表格显示",
        "the chart library is not installed (make install installs ECharts): tables only",
    ),
    "urgent": ("最突出的差距", "Most urgent gaps"),
    "dimensions": ("五个维度", "Five dimensions"),
    "peers": ("相似单位", "Peers"),
    "diagnosis": ("诊断", "Diagnosis"),
    "tasks": ("整改任务", "Follow-up tasks"),
    "export": ("导出", "Export"),
    "filter": ("筛选", "Filter"),
    "level": ("层级", "Level"),
    "overall": ("综合", "Overall"),
    "voice_pending": (
        "居民之声模块尚未接入本版本，此页面暂不可用",
        "the residents' voice module is not part of this build yet: this page is a placeholder",
    ),
    "quarantine": ("下载隔离报告", "Download the quarantine report"),
    "locked": ("已锁定", "locked"),
    "lock": ("审核并锁定", "Approve and lock"),
    "unlock": ("解锁", "Unlock"),
}


def lang_of(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "zh"
    return "en" if chosen.lower().startswith("en") else "zh"


def translator(lang: str):
    def t(key: str) -> str:
        pair = WORDS.get(key)
        return key if pair is None else labels.pick(pair, lang)

    return t


def status_label(status: str, lang: str) -> str:
    return labels.pick(labels.STATUS.get(status, (status, status)), lang)
