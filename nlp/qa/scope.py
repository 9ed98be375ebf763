"""Questions the knowledge base must not answer even when they look like it could.

Retrieval scores alone cannot tell "征地补偿标准怎么定" (answerable from the law) from "石桥村每亩补多少钱" (a
figure only the local compensation scheme holds) or from an accusation against a named cadre (which needs
the complaint channels, not an article). These rules catch such questions before the threshold does.
"""

from __future__ import annotations

import re

_PLACE_SUFFIX = re.compile(r"(村|镇|乡|社区|街道|组)")
# Words before 村/镇/… that do not name a place (我们村, 农村, 本村, 隔壁村, 每个组).
_GENERIC_BEFORE = frozenset(
    ["我们", "咱们", "俺们", "你们", "他们", "我", "俺", "咱", "你", "他", "本", "农", "乡", "城", "山", "这个", "那个", "哪个", "每个", "各", "全", "一个", "整个", "附近", "外", "邻", "隔壁", "其他", "别的", "原", "该", "小", "大", "个", "各个", "村", "集", "城乡", "乡镇", "乡村", "试点", "规划", "示范", "美丽", "中心", "新", "贫困", "行政", "自然", "居民", "小组", "村民", "专业", "合作", "工作", "领导", "的", "在", "到", "是", "给", "了", "个"]
)
_FIGURE = re.compile(r"(多少钱|多少万|几万|几千|多少元|补多少|赔多少|给多少|多少补偿|补偿多少|每亩.{0,4}多少|一亩.{0,6}多少|具体金额|具体数额)")
_ACCUSATION = re.compile(r"(贪污|贪了|贪占|侵吞|挪用|克扣|腐败|受贿|行贿|私吞|中饱私囊|黑心|骗子|坑人|偷|收黑钱|打人|恶霸|包庇|勾结|贪官|不是东西|滚蛋|枪毙)")
_ROLE = re.compile(r"(支书|书记|主任|村长|镇长|乡长|县长|局长|组长|会计|干部|所长|队长)")
_SURNAME_NAME = re.compile(r"[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤][\u4e00-\u9fff]{0,2}(?:某|某某)?")


def named_places(text: str) -> list[str]:
    """Specific place names in ``text`` (石桥村, 城关镇, 三组), ignoring generic ones (我们村, 本村, 农村)."""
    out = []
    for m in _PLACE_SUFFIX.finditer(text):
        before = text[max(0, m.start() - 2) : m.start()]
        if len(before) < 1 or not all("\u4e00" <= c <= "\u9fff" or c.isdigit() for c in before):
            continue
        if before in _GENERIC_BEFORE or before[-1:] in _GENERIC_BEFORE:
            continue
        out.append(before + m.group(0))
    return out


def asks_specific_figure(text: str) -> bool:
    """A compensation figure for a named village or town: only the local scheme can answer it."""
    return bool(_FIGURE.search(text)) and bool(named_places(text))


def accuses_person(text: str) -> bool:
    """An accusation against a named or identifiable person (姓 + 职务, 王某某 …)."""
    if not _ACCUSATION.search(text):
        return False
    for m in _ROLE.finditer(text):
        before = text[max(0, m.start() - 3) : m.start()]
        after = text[m.end() : m.end() + 3]
        if _SURNAME_NAME.match(before[-1:] or " ") or "某" in before or _SURNAME_NAME.match(after or " "):
            return True
    return bool(re.search(r"[\u4e00-\u9fff]某{1,2}", text))


# Everyday subjects no law of the KB covers. Questions about them share words like 赔偿 and 怎么办 with land
# questions, and retrieval alone then finds a confident-looking but unrelated article.
_OFF_TOPIC = re.compile(
    "(天气|下雨|下雪|气温|交通事故|车祸|撞车|工资|欠薪|离婚|结婚|彩礼|医保|看病|发烧|感冒|股票|基金|彩票|比特币|"
    "电影|电视剧|新歌|唱歌|游戏|球赛|比赛|足球|篮球|减肥|菜谱|做饭|红烧|信用卡|网贷|快递|外卖|高铁|火车票|机票|驾照|"
    "考研|高考|手机|宠物|猫咪|狗|彩票)"
)


def off_topic(text: str) -> bool:
    """An everyday subject outside the KB (weather, traffic accidents, wages, marriage …) and no land term."""
    if not _OFF_TOPIC.search(text):
        return False
    from nlp.qa.lang import DOMAIN_TERMS

    # generic legal words (赔偿, 诉讼, 公告 …) also belong to the off-topic subjects; only land terms count.
    # Any 地 (正地, 宅机地 typos included) or 房 keeps the question in scope.
    if any(term in text for term in DOMAIN_TERMS if term not in _GENERIC_TERMS):
        return False
    return not re.search("[地房林田]", text.replace("地方", ""))


_GENERIC_TERMS = frozenset(["补偿", "补偿款", "补偿费", "赔偿", "审批", "批准", "诉讼", "复议", "行政复议", "信访",
                            "公告", "公示", "闲置", "转让", "社保", "社会保障", "拆除", "安置"])


def out_of_scope_reason(text: str) -> str | None:
    """``"figure"``, ``"accusation"``, ``"off_topic"`` or None, for an already normalised question."""
    if accuses_person(text):
        return "accusation"
    if asks_specific_figure(text):
        return "figure"
    if off_topic(text):
        return "off_topic"
    return None
