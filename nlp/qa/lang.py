"""Residents' language → retrieval forms: normalisation, dialect and homophone expansion, tokens, bigrams.

Residents write 正地 for 征地, 宅机地 for 宅基地, 俺/咋/啥时候 for 我/怎么/什么时候, and use everyday words (卖给城里人,
赔多少钱) where the law says 转让, 补偿. The query is never rewritten destructively: the standard terms found are
*appended* (query expansion), so a wrong guess only adds a little noise.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

try:  # the shared normaliser/segmenter (nlp/text.py); a minimal fallback keeps this package usable alone
    from nlp.text import normalize as _normalize
    from nlp.text import tokenize as _tokenize
except ImportError:  # pragma: no cover - only before nlp/text.py exists
    _normalize = None
    _tokenize = None

_CJK_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
_WORD_RE = re.compile(r"[a-z0-9]+")

#: Dialect and colloquial phrasings → the words the laws and FAQ use (appended, not substituted).
COLLOQUIAL: dict[str, str] = {
    "俺": "我", "咱": "我们", "咋": "怎么", "啥": "什么", "啥时候": "什么时候 期限", "中不中": "可以吗", "行不行": "可以吗",
    "能不能": "可以吗", "弄啥": "做什么", "莫得": "没有", "晓得": "知道", "屋头": "家里", "娃": "子女",
    "地被征": "征收土地 征地", "地被收": "征收土地 征地", "收地": "征收土地", "占地": "占用土地", "征了": "征收",
    "赔": "补偿", "赔钱": "补偿费", "给钱": "支付补偿费", "补钱": "补偿费", "钱": "费用", "多少钱": "补偿标准",
    "拆房": "房屋征收 拆迁", "拆迁": "房屋征收 补偿", "扒房": "拆除房屋", "老房子": "房屋 宅基地", "房子": "住宅 房屋",
    "盖房": "建住宅 宅基地", "起房": "建住宅 宅基地", "建房": "建住宅 宅基地", "翻建": "建住宅 宅基地",
    "城里人": "城镇居民", "卖给": "转让 买卖", "卖地": "买卖土地 转让", "卖掉": "转让", "买地": "买卖土地",
    "庄稼": "青苗 农作物", "苗": "青苗", "树": "林木 地上附着物", "坟": "坟墓 地上附着物", "养老": "养老保险 社会保障",
    "社保": "社会保障", "种地": "耕种 承包地", "地荒着": "闲置 荒芜 耕地", "撂荒": "闲置 荒芜 耕地",
    "包地": "土地承包", "租地": "土地经营权 流转", "出租": "流转 出租", "不让盖": "规划许可",
    "告": "申请行政复议 提起诉讼", "告状": "信访 诉讼", "上访": "信访", "投诉": "信访 举报", "举报": "举报 检举",
    "村干部": "村民委员会", "村委": "村民委员会", "村里": "村民委员会 集体经济组织", "大队": "村民委员会",
    "公家": "政府", "上面": "政府", "乡里": "乡镇人民政府", "镇上": "乡镇人民政府", "县里": "县级人民政府",
    "红线": "三区三线 永久基本农田 生态保护红线", "基本田": "永久基本农田", "好地": "耕地 永久基本农田",
    "挖塘": "挖塘养鱼 耕地", "种树": "植树 耕地", "查": "查询 公开", "看规划": "规划公开 查询",
    "听证会": "听证", "公告": "公告 公示", "户口": "户籍 集体经济组织成员", "闺女": "妇女", "嫁出去": "妇女 出嫁",
    "外嫁女": "妇女 出嫁 集体经济组织成员", "猪圈": "设施农业用地", "大棚": "设施农业用地",
    # everyday words for the subjects of the less central laws (forests, grassland, wetlands, villages, housing)
    "草场": "草原", "草地": "草原", "放羊": "放牧 畜牧业", "放牛": "放牧 畜牧业", "林子": "林地 森林 林木",
    "山林": "林地 森林 林木", "树林": "林地 森林 林木", "砍树": "采伐 林木", "砍了": "采伐", "采伐证": "采伐许可证",
    "挖沙": "采砂 取土 破坏", "填土": "填埋", "罢免": "罢免 村民委员会成员", "村主任": "村民委员会 主任 成员",
    "村长": "村民委员会 主任", "账": "财务 村务公开 公布", "贴出来": "公布 公开", "补贴": "补贴补助 资金",
    "排污": "污染环境 排放污染物", "污水": "污染环境 排放污染物", "污染": "污染环境", "保护区": "自然保护区",
    "农家乐": "旅游 建设 设施", "古村": "历史文化名村 历史建筑", "老村子": "历史文化名村", "期房": "商品房预售",
    "开发商": "房地产开发企业", "评估": "房地产价格评估 评估机构", "换房": "产权调换", "要房子": "产权调换",
    "强拆": "强制拆除 申请人民法院强制执行", "荒了": "闲置 荒芜 耕地", "没种": "闲置 荒芜", "落户": "进城落户",
    "法院": "人民法院 诉讼 起诉", "打官司": "诉讼 起诉", "去世": "继承", "死了": "继承", "灾": "自然灾害",
    "城里": "城市 国有土地", "黑土": "黑土地 黑土", "占地税": "耕地占用税", "办证": "登记 许可证",
    "查档": "查询 登记资料", "仲裁": "仲裁 调解", "环评": "环境影响评价",
}

#: Domain terms used for homophone/typo expansion (pinyin match on the resident's characters).
DOMAIN_TERMS: tuple[str, ...] = (
    "征地", "征收", "征用", "补偿", "补偿款", "补偿费", "宅基地", "拆迁", "安置", "安置费", "青苗", "青苗费", "复垦",
    "耕地", "基本农田", "永久基本农田", "农用地", "建设用地", "承包地", "承包", "流转", "听证", "听证会", "公示",
    "公告", "信息公开", "规划", "村庄规划", "国土空间规划", "占补平衡", "高标准农田", "土地整治", "综合整治",
    "地上附着物", "社会保障", "集体经济组织", "村民委员会", "一户一宅", "确权", "不动产登记", "土地证", "房产证",
    "违建", "违法建筑", "林地", "草原", "湿地", "生态保护红线", "三区三线", "城镇开发边界", "复议", "诉讼",
    "行政复议", "信访", "宅基地使用权", "经营权", "出让", "转让", "划拨", "审批", "批准", "土地使用权", "黑土地",
    "耕地占用税", "闲置", "撂荒", "设施农业", "区片综合地价", "社保", "搬迁", "拆除", "赔偿",
)

#: Near-homophone folding for dialect speakers: zh/ch/sh ~ z/c/s, -ng ~ -n, l ~ n.
_FUZZY = ((re.compile(r"^([zcs])h"), r"\1"), (re.compile(r"ng$"), "n"), (re.compile(r"^l"), "n"))


def normalize(text: str) -> str:
    """NFKC, traditional → simplified, lower-case; the shared :func:`nlp.text.normalize` when available."""
    if _normalize is not None:
        return _normalize(text)
    return _fallback_normalize(text)


@lru_cache(maxsize=1)
def _opencc():  # pragma: no cover - fallback path
    import opencc

    return opencc.OpenCC("t2s")


def _fallback_normalize(text: str) -> str:  # pragma: no cover - fallback path
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub("[\u200b-\u200f\u2060\ufeff]", "", text)
    return re.sub(r"\s+", " ", _opencc().convert(text)).strip().lower()


_jieba_lock = threading.Lock()
_jieba = None


def tokenize(text: str) -> list[str]:
    """Word tokens (jieba with the planning domain dictionary, stopwords removed) of already normalised text."""
    if _tokenize is not None:
        return _tokenize(text)
    global _jieba  # pragma: no cover - fallback path
    with _jieba_lock:
        if _jieba is None:
            import jieba

            _jieba = jieba.Tokenizer()
            for term in DOMAIN_TERMS:
                _jieba.add_word(term, freq=2000)
    return [t for t in _jieba.lcut(text) if t.strip() and not all(_is_punct(c) for c in t)]


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PSZC"


def bigrams(text: str) -> list[str]:
    """Character bigrams of each CJK run (a lone character stands alone) plus Latin/digit words."""
    out: list[str] = []
    for run in re.findall("[\u3400-\u4dbf\u4e00-\u9fff]+", text):
        out.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
    out.extend(_WORD_RE.findall(text))
    return out


def has_cjk(text: str) -> bool:
    """True when ``text`` contains at least one Chinese character."""
    return bool(_CJK_RE.search(text))


@lru_cache(maxsize=65536)
def _readings(ch: str) -> frozenset[str]:
    """All tone-less readings of a character (heteronyms: 长 → chang, zhang), fuzzy-folded too."""
    from pypinyin import Style, pinyin

    exact = set(pinyin(ch, style=Style.NORMAL, heteronym=True, errors="default")[0])
    return frozenset(exact | {"~" + _fuzzy(s) for s in exact})


def _fuzzy(syllable: str) -> str:
    for pattern, repl in _FUZZY:
        syllable = pattern.sub(repl, syllable)
    return syllable


@lru_cache(maxsize=1)
def _terms_by_first_reading() -> dict[str, list[tuple[str, list[frozenset[str]]]]]:
    """First-character reading → ``(term, readings of each character)`` for every domain term."""
    table: dict[str, list[tuple[str, list[frozenset[str]]]]] = {}
    for term in DOMAIN_TERMS:
        readings = [_readings(c) for c in term]
        for r in readings[0]:
            table.setdefault(r, []).append((term, readings))
    return table


def homophone_terms(text: str) -> list[str]:
    """Domain terms that a window of ``text`` sounds like but is not spelt as (正地 → 征地, 宅机地 → 宅基地).

    Two-character terms need an exact reading match; longer ones also accept dialect near-homophones
    (zh~z, -ng~-n, l~n).
    """
    table = _terms_by_first_reading()
    found: list[str] = []
    for run in re.findall("[\u3400-\u4dbf\u4e00-\u9fff]+", text):
        readings = [_readings(c) for c in run]
        for i in range(len(run)):
            candidates = {term: rs for r in readings[i] for term, rs in table.get(r, [])}
            for term, rs in candidates.items():
                n = len(term)
                window = run[i : i + n]
                if len(window) < n or window == term or term in text or term in found:
                    continue
                fuzzy_ok = n >= 3
                if all(
                    (readings[i + j] & rs[j]) if fuzzy_ok else ({s for s in readings[i + j] if s[0] != "~"}
                                                               & rs[j])
                    for j in range(n)
                ):
                    found.append(term)
    return found


def colloquial_terms(text: str) -> list[str]:
    """Standard words for the dialect/colloquial phrasings found in ``text``."""
    out: list[str] = []
    for phrase, standard in COLLOQUIAL.items():
        if phrase in text:
            out.extend(w for w in standard.split() if w not in out)
    return out


def expand_query(question: str) -> str:
    """Normalised question plus the standard terms it implies (homophones, dialect, everyday words)."""
    text = normalize(question)
    extra = homophone_terms(text)
    extra += [w for w in colloquial_terms(text + " " + " ".join(extra)) if w not in extra]
    return f"{text} {' '.join(extra)}".strip() if extra else text


#: Greetings, thanks and self-introductions that carry no question (removed from long questions).
_FILLER_RE = re.compile(
    r"(你好|您好|老师好|领导好|请问一下|请问|麻烦问一下|麻烦|谢谢你?们?|谢谢|多谢|感谢|打扰了|我想问一下|想问一下|想问问|问一下|"
    r"我也不太懂|我不太懂|不好意思)"
)
_CLAUSE_RE = re.compile(r"[^，,。.！!？?；;、\s…~]+[，,。.！!？?；;、\s…~]*")
_QUESTION_WORDS = ("吗", "么", "呢", "怎么", "咋", "啥", "什么", "能不能", "可不可以", "可以", "行不行", "多少", "多久",
                   "谁", "哪", "是否", "是不是", "要不要", "会不会", "有没有", "合法", "违法")


def condense(text: str, limit: int = 96) -> str:
    """The question part of a long, rambling question, at most ``limit`` characters.

    Short questions come back unchanged. Longer ones lose greetings and thanks, then keep the clauses
    with the most domain terms, dialect words and question words (in their original order). Used for the
    dense query, whose cost grows with length and whose meaning a story drowns out; BM25 still sees all.
    """
    if len(text) <= limit:
        return text
    clauses = [c for c in (_FILLER_RE.sub("", m) for m in _CLAUSE_RE.findall(text)) if c.strip("，,。.！!？?；;、 …~")]
    if not clauses:
        return text[:limit]

    def weight(i: int) -> float:
        clause = clauses[i]
        terms = sum(1 for t in DOMAIN_TERMS if t in clause) + len(colloquial_terms(clause))
        asks = any(w in clause for w in _QUESTION_WORDS) or clause.rstrip().endswith(("?", "？"))
        return 2.0 * terms + 1.5 * asks + i / (10 * len(clauses))  # later clauses usually hold the question

    chosen: list[int] = []
    used = 0
    for i in sorted(range(len(clauses)), key=weight, reverse=True):
        if used + len(clauses[i]) > limit or chosen and weight(i) < 1:  # story clauses only fill nothing
            continue
        chosen.append(i)
        used += len(clauses[i])
    if not chosen:
        return clauses[max(range(len(clauses)), key=weight)][:limit]
    return "".join(clauses[i] for i in sorted(chosen)).strip()


#: Words that name the subject of one particular law or regulation (law title fragment → words). When a
#: resident names the subject (草场 → 草原, 林子 → 林地), that law's articles get one extra vote in the fusion,
#: so that a general law with more shared words (承包, 占用) does not win on word count alone.
LAW_HINTS: dict[str, tuple[str, ...]] = {
    "森林法": ("森林", "林地", "林木", "采伐"),
    "草原法": ("草原",),
    "湿地保护法": ("湿地",),
    "黑土地保护法": ("黑土",),
    "自然保护区条例": ("自然保护区",),
    "历史文化名城名镇名村保护条例": ("历史文化名", "历史建筑", "历史文化街区"),
    "耕地占用税法": ("耕地占用税",),
    "信访工作条例": ("信访",),
    "政府信息公开条例": ("信息公开", "政府信息"),
    "不动产登记暂行条例": ("不动产登记", "登记资料"),
    "村民委员会组织法": ("罢免", "村务公开", "村民选举", "村民小组会议"),
    "农村土地承包经营纠纷调解仲裁法": ("仲裁",),
    "土地复垦条例": ("复垦",),
    "土地调查条例": ("土地调查",),
    "环境影响评价法": ("环境影响评价", "环评"),
    "规划环境影响评价条例": ("规划环境影响评价", "规划环评"),
    "环境保护法": ("污染环境", "排放污染物"),
}


def law_hints(expanded: str) -> list[str]:
    """Law title fragments whose subject an (expanded) question names, see :data:`LAW_HINTS`."""
    return [law for law, words in LAW_HINTS.items() if any(w in expanded for w in words)]
