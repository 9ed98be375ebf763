"""Seed texts (our own writing, ``nlp/data/seeds``) and the generators built on them.

Used by ``python -m nlp.screening.train`` (training data) and ``bench/screen.py`` (evasion and campaign
sets). Seed lines are split deterministically: every fifth line (``index % 5 == 0``) is held out for the
benchmark and never used for training.
"""

from __future__ import annotations

import random
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent.parent / "data" / "seeds"

SERVICES = [
    "土地证代办", "宅基地证代办", "不动产权证加急办理", "农房审批代办", "拆迁补偿评估", "征地补偿多报面积", "青苗补偿多报",
    "迁坟一条龙", "殡葬一条龙服务", "苗木供应（征地前抢种多赔）", "安置房指标转让", "基本农田调出", "土地纠纷代理",
    "测绘出图", "宅基地买卖中介", "资质代办", "无抵押贷款", "代开发票", "兼职刷单", "土地流转求购",
]
OFFERS = [
    "包过", "保证通过", "内部渠道", "价格优惠", "三天出证", "一条龙服务", "不成功不收费", "有关系能搞定", "名额有限",
    "先到先得", "免费咨询", "赔偿翻倍", "多拿几十万", "专业团队", "欢迎咨询", "有需要的联系", "手续简单", "全国接案",
]
CONTACTS = [
    "加V信{h}", "薇信{h}", "威信：{h}", "VX {h}", "v❤ {h}", "加V {h}", "扣扣{q}", "加q {q}", "电话{p}", "手机{p}同微信",
    "微信号{h}", "私聊", "详情私信", "{p}", "联系{p}", "加我微信{h}", "微信同号{p}", "w x：{h}",
]
PLACES = ["石桥村", "下坪村二组", "上坪村", "柳树湾", "河东组", "三组", "老屋场", "新塘村五组", "村口", "学校旁边", "东山脚下"]
TOPICS = [
    ("机耕路", ["一下雨全是泥", "坑坑洼洼拖拉机进不去", "只修了一半"], ["硬化", "拓宽到四米", "修到每块田边"]),
    ("沟渠", ["堵了好几年", "一下大雨就淹田", "漏水严重"], ["清淤", "重新砌", "加深"]),
    ("青苗补偿", ["太低了", "一直没发", "标准不统一"], ["按市场价算", "直接打到卡上", "公开标准"]),
    ("宅基地", ["审批太慢", "被划进基本农田", "面积量少了"], ["开放审批", "重新丈量", "留出建房用地"]),
    ("安置房", ["离镇上太远", "质量太差", "面积不够"], ["建在学校附近", "按人口分", "加快建设"]),
    ("祖坟", ["不能迁", "迁坟补偿太低", "迁到哪里没说清楚"], ["留出公益性公墓", "提高迁坟补偿", "让村民自己选地方"]),
    ("公示", ["时间太短", "图看不清", "贴在没人去的地方"], ["延长到三十天", "发到村民群里", "开个座谈会讲解"]),
    ("高标准农田", ["把田埂推平了", "灌溉渠没有水源", "土层太薄"], ["恢复界桩", "配套水源", "覆土改良"]),
    ("垃圾中转站", ["建在我们组旁边太臭了", "离水井太近", "苍蝇蚊子多"], ["搬到远离住户的地方", "加盖密封", "每天清运"]),
    ("养猪场", ["臭气熏天", "污水直接排到河里", "离学校太近"], ["搬走", "建化粪池", "关停"]),
    ("补偿款", ["被村里扣了", "到现在没到账", "比别的村少"], ["一次性发放", "公开账目", "按政策标准给"]),
]
RESIDENT_CONTACT = ["，我的电话{p}", "，有事打我电话{p}", "，联系我{p}", "。联系人老{s}，{p}", "，我家电话 {p} 晚上在家"]


def load_seed(name: str) -> list[str]:
    """Lines of ``nlp/data/seeds/<name>.txt`` without comments and blanks."""
    path = SEEDS_DIR / f"{name}.txt"
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]


def split(lines: list[str], part: str) -> list[str]:
    """``part="train"``: lines whose index % 5 != 0; ``part="bench"``: the others (held out)."""
    return [ln for i, ln in enumerate(lines) if (i % 5 == 0) == (part == "bench")]


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))


def _handle(rng: random.Random) -> str:
    return rng.choice(["tudi", "fw", "zhengdi", "banzheng", "wang", "li", "chen"]) + str(rng.randint(100, 99999))


def contact(rng: random.Random) -> str:
    """A random contact line in one of the evasive or plain forms."""
    return rng.choice(CONTACTS).format(h=_handle(rng), q=rng.randint(10000, 9999999999), p=_phone(rng))


def spam_texts(rng: random.Random, n: int) -> list[str]:
    """``n`` generated ads: a service, one or two offers and a contact."""
    out = []
    for _ in range(n):
        parts = [rng.choice(SERVICES), rng.choice(OFFERS)]
        if rng.random() < 0.5:
            parts.append(rng.choice(OFFERS))
        if rng.random() < 0.85:
            parts.append(contact(rng))
        rng.shuffle(parts[1:])
        out.append(rng.choice(["，", "！", " ", "。"]).join(parts))
    return out


def ham_texts(rng: random.Random, n: int) -> list[str]:
    """``n`` generated resident comments: a place, a problem and often a proposal."""
    out = []
    for _ in range(n):
        topic, problems, fixes = rng.choice(TOPICS)
        text = f"{rng.choice(PLACES)}的{topic}{rng.choice(problems)}"
        if rng.random() < 0.7:
            text += rng.choice(["，希望", "，建议", "，能不能", "，请政府"]) + rng.choice(fixes)
        text += rng.choice(["", "。", "！", "！！", "?"])
        if rng.random() < 0.15:  # residents leave their own number: personal data, not an ad
            text += rng.choice(RESIDENT_CONTACT).format(p=_phone(rng), s=rng.choice("王李张刘陈杨"))
        out.append(text)
    return out


_HOMOGLYPH = {"微": "薇", "信": "信", "加": "+", "电话": "電話", "联系": "聯系"}
_CN = dict(zip("0123456789", "零一二三四五六七八九", strict=True))


def evade(text: str, rng: random.Random) -> str:
    """Apply one or two evasion edits: spaced or dotted digits, digits in Chinese, spaced characters,
    zero-width characters, full-width forms, traditional characters, emoji padding."""
    edits = rng.sample(range(7), k=rng.choice([1, 2]))
    for e in edits:
        if e == 0:
            text = "".join(c + " " if c.isdigit() and rng.random() < 0.5 else c for c in text)
        elif e == 1:
            text = "".join(_CN.get(c, c) for c in text).replace("一", rng.choice(["一", "幺"]), 1)
        elif e == 2:
            text = "".join(c + "." if c.isdigit() and rng.random() < 0.3 else c for c in text)
        elif e == 3:
            text = "\u200b".join(text[:8]) + text[8:]
        elif e == 4:
            text = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
        elif e == 5:
            text = text.replace("证", "證").replace("补偿", "補償").replace("联系", "聯繫")
        else:
            text = rng.choice(["🔥", "💰", "✅"]) + text + rng.choice(["👍", "📞", "🈶"])
    return text


PREFIXES = ["同意楼上！", "+1 ", "附议。", "我也是，", "顶！", "说得对。"]
SIGNATURES = ["——{place}全体村民", "—— {place}村民联名", "（{place}受影响农户）", "——{place}村民代表"]
EXTRA = ["另外村口的路灯也坏了。", "请领导重视！", "希望尽快答复。", "我们等了三年了。", "这事关系到几十户人家。"]


def campaign_variant(text: str, rng: random.Random) -> str:
    """A near-duplicate of ``text`` as a campaign member would write it: a prefix, a signature, numbers in
    characters, a changed place name or an added sentence (one to three of these)."""
    edits = rng.sample(range(5), k=rng.choice([1, 2, 3]))
    for e in edits:
        if e == 0:
            text = rng.choice(PREFIXES) + text
        elif e == 1:
            text = text + rng.choice(SIGNATURES).format(place=rng.choice(PLACES))
        elif e == 2:
            text = "".join(_CN.get(c, c) for c in text)
        elif e == 3:
            for place in PLACES:
                if place in text:
                    text = text.replace(place, rng.choice([p for p in PLACES if p != place]), 1)
                    break
            else:
                text = text.replace("村", "屯", 1)
        else:
            text = text + rng.choice(EXTRA)
    return text
