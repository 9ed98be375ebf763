"""Content-free (low-information) posts: "嗯", "+1", "666", "顶", "???", "路过", keyboard mashing, emoji only.

A short real opinion ("补偿太低了", "祖坟不能迁！", "公示时间太短了") is *not* content-free: the test is whether
anything is left once filler words, laughter, repeated characters, digits and punctuation are removed.
"""

from __future__ import annotations

import re

from nlp.screening.decision import Decision, Prepared
from nlp.screening.patterns import compile_alternation
from nlp.text import strip_punct

# Filler posts, matched against the whole squashed text (longest first so "同意楼上" wins over "同意").
FILLERS = (
    "同意楼上", "支持楼上", "赞同楼上", "顶楼上", "楼上说得对", "楼上说的对", "说得好", "说的好", "说得对", "说的对",
    "附议", "同上", "同楼上", "我也是", "我也一样", "加一", "一样", "路过", "路过看看", "打酱油", "围观", "看看", "来看看",
    "看一下", "沙发", "板凳", "地板", "前排", "占座", "打卡", "签到", "顶", "顶起", "顶一下", "帮顶", "up", "mark",
    "马克", "收藏", "关注", "已阅", "阅", "已读", "嗯", "嗯嗯", "恩", "哦", "噢", "喔", "哈", "呵", "嘿", "哇", "啊",
    "额", "呃", "唉", "哎", "好", "好的", "行", "可以", "对", "是的", "是", "ok", "okay", "666", "牛", "赞", "点赞",
    "厉害", "不错", "很好", "挺好", "太好了", "没意见", "无意见", "没有意见", "无", "没有", "暂无", "无所谓", "随便",
    "不知道", "不清楚", "不懂", "呵呵", "哈哈", "嘻嘻", "test", "测试", "测试一下", "111", "nb", "yyds", "xswl",
    "hhh", "lol", "www", "dd", "ding", "zan", "1", "飘过", "冒泡", "水一贴", "灌水", "楼主好人", "谢谢", "谢谢分享",
    "辛苦了", "学习了", "收到", "知道了", "明白", "了解", "楼上1", "1楼上", "楼上加1", "顶楼主", "嗯呐", "嗯哪", "恩恩",
    "对的", "是滴", "好滴", "来了", "来啦", "俺也一样", "我也同意", "+1",
    # Forum filler: marking a thread or one's presence ("插眼", "冒个泡", "前排围观", "码住").
    "插眼", "插旗", "留名", "留爪", "码住", "码", "马住", "先马", "mark住", "火钳刘明", "占楼", "抢沙发", "坐沙发",
    "前排围观", "前排留名", "路过留名", "冒头", "潜水", "报道", "吃瓜", "已阅", "朕已阅", "踩", "踩踩", "dd一下",
    # Waiting and watching ("坐等", "蹲一个", "来了老弟"); 同问/同求 echo someone else's question like 同上 and 附议.
    "坐等", "坐等更新", "坐等后续", "坐等结果", "坐等回复", "蹲", "蹲后续", "蹲结果", "蹲个后续", "前排蹲", "蹲蹲",
    "来了老弟", "来了老铁", "老铁", "来了来了", "我来了", "我又来了", "又来了", "吃瓜群众", "吃瓜看戏", "前来围观",
    "默默围观", "围观群众", "搬板凳", "搬小板凳", "搬好板凳", "看戏", "看热闹", "留个脚印", "同问", "同求", "同蹲",
    "楼上正解", "正解", "顶上去",
    # Pointing at the post above, and bare greetings or calls ("在吗", "有人吗") that ask nothing yet.
    "望领导重视", "请领导重视", "希望领导重视", "望重视", "请重视", "望领导关注", "请领导关注", "望采纳", "望批准",
    "楼上", "在吗", "在不在", "有人吗", "有人在吗", "有没有人", "你好", "您好", "大家好", "各位好", "领导好", "各位领导好", "大家好啊", "哈喽", "hello", "hi", "早",
    "早上好", "晚上好",
)
# Bare assent with no object ("支持", "支持一下", "完全同意", "举双手赞成"): a "+1" that says nothing about what is
# supported. "支持修机耕路" and "不同意迁坟" keep content; a bare "反对" is a stance and is kept too.
ASSENT = tuple(
    degree + verb
    for verb in ("支持", "同意", "赞成", "赞同", "拥护", "点赞", "点个赞", "赞一个")
    for degree in ("", "我", "俺", "我们", "俺们", "非常", "十分", "很", "完全", "坚决", "大力", "全力", "双手", "举双手",
                   "我也", "俺也", "都")
)
_FILLER_SET = frozenset(FILLERS + ASSENT)
_FILLER_CHARSET = frozenset("".join(_FILLER_SET) + "一下个起来上去了啦啊呀哦噢嗯吧呢哈呵嘿么嘛的哇~呐哪滴")
_FILLER_ALT_RE = compile_alternation("|".join(re.escape(f) for f in sorted(_FILLER_SET, key=len, reverse=True)))
# Characters that add nothing to a filler post ("顶顶顶！！", "嗯嗯嗯~", "666666").
_FILLER_CHARS_RE = re.compile(r"(?:一下|一个|一波|起来|上去|上来|[了啦啊呀哦噢嗯啊吧呢哈呵嘿么嘛的哇~呐哪滴])+$")
_MEASURE_RE = re.compile(r"(?<=[\u4e00-\u9fff])[个下](?=[\u4e00-\u9fff])")
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
_VOWELS_RE = re.compile(r"[aeiouv]")
_CJK_RE = re.compile(r"[\u3400-\u9fff]")
# Animal emoji written for a word ("🐶官" = 狗官): read as the word, so an insult is not mistaken for repetition.
_WORD_EMOJI = str.maketrans({"🐶": "狗", "🐕": "狗", "🐷": "猪", "🐖": "猪"})
_WORD_EMOJI_RE = re.compile(r"[🐶🐕🐷🐖](?=\s*[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])[🐶🐕🐷🐖]")
# Emoticon codes of chat apps ("[微笑]", "[捂脸]", "[OK]"), as forwarded from a WeChat group: like emoji, no content.
_EMOTICON_CODE_RE = re.compile(r"\[[\u4e00-\u9fffa-z]{1,4}\]")


def _collapse_repeats(text: str) -> str:
    """``顶顶顶`` → ``顶``, ``哈哈哈哈`` → ``哈``, ``666666`` → ``6``, ``hhhh`` → ``h``, ``好好好`` → ``好``."""
    out = re.sub(r"(.)\1+", r"\1", text)
    # Repeated two-character units: "哈哈哈" is handled above; "嗯嗯" too; "呵呵呵" too; "6a6a6a" rarely matters.
    return re.sub(r"(..)\1+", r"\1", out)


def _is_keyboard_mash(latin: str) -> bool:
    """Latin letters that are no word: keyboard rows, no vowels, or a single letter repeated."""
    if len(latin) < 3:
        return True
    if len(set(latin)) <= 2:
        return True
    if any(row.find(latin[:4]) >= 0 for row in _KEYBOARD_ROWS):
        return True
    vowels = len(_VOWELS_RE.findall(latin))
    return vowels / len(latin) < 0.2


class LowInfoDetector:
    """Flags content-free posts.

    Parameters
    ----------
    max_len:
        Posts longer than this (squashed characters) are never content-free; default 40, chosen on
        ``tests/data/screening_dev.jsonl`` (the longest filler post there has 12 characters).
    """

    def __init__(self, max_len: int = 40) -> None:
        self.max_len = max_len

    def detect(self, prep: Prepared) -> Decision:
        """Decide whether one prepared comment is content-free."""
        flat = prep.flat.replace("\ufffd", "")
        if _WORD_EMOJI_RE.search(prep.norm):  # "🐶官 🐶官" is two words, not a repeated 官
            flat = strip_punct(prep.norm.translate(_WORD_EMOJI)).replace("\ufffd", "")
        if "[" in prep.norm and _EMOTICON_CODE_RE.search(prep.norm):
            flat = strip_punct(_EMOTICON_CODE_RE.sub("", prep.norm)).replace("\ufffd", "")
        if not flat:
            what = "空内容" if not prep.original.strip() else "只有表情或符号"
            return Decision(True, 1.0, [f"无实质内容: {what}"], {"kind": "empty"})
        if len(flat) > self.max_len:
            return Decision(False, 0.0, [], {"kind": "long"})
        collapsed = _collapse_repeats(flat)
        if flat in _FILLER_SET or collapsed in _FILLER_SET:
            return Decision(True, 1.0, [f"无实质内容: 灌水/附和 ({prep.norm[:20]})"], {"kind": "filler"})
        unmeasured = collapsed
        # A measure word inside a filler ("冒个泡", "打个卡", "插个眼", "占个座") adds nothing.
        collapsed = _MEASURE_RE.sub("", collapsed) or collapsed
        if collapsed in _FILLER_SET:
            return Decision(True, 1.0, [f"无实质内容: 灌水/附和 ({prep.norm[:20]})"], {"kind": "filler"})
        stripped = _FILLER_CHARS_RE.sub("", collapsed)
        if stripped in _FILLER_SET:
            return Decision(True, 0.9, [f"无实质内容: 灌水/附和 ({prep.norm[:20]})"], {"kind": "filler"})
        # Several fillers chained: "路过顶一下", "嗯嗯好的", "+1+1 同意楼上".
        rest = "?"
        # Several fillers chained can only use the characters fillers are made of: most opinions stop here.
        readings = () if not set(flat) <= _FILLER_CHARSET else dict.fromkeys((collapsed, unmeasured, flat))
        for text in readings:  # stop at the first reading that is all filler
            rest = _FILLER_CHARS_RE.sub("", _collapse_repeats(_FILLER_ALT_RE.sub("", text)))
            if not rest:
                break
        if not rest:
            return Decision(True, 0.8, [f"无实质内容: 灌水/附和 ({prep.norm[:20]})"], {"kind": "filler"})
        if not _CJK_RE.search(flat):
            if flat.isdigit():
                return Decision(True, 0.9, ["无实质内容: 只有数字"], {"kind": "digits"})
            letters = re.sub(r"[^a-z]", "", flat)
            if letters and len(letters) >= 0.6 * len(flat) and _is_keyboard_mash(letters):
                return Decision(True, 0.9, ["无实质内容: 乱码或乱敲键盘"], {"kind": "mash"})
            if not letters:
                return Decision(True, 0.8, ["无实质内容: 只有符号或乱码"], {"kind": "junk"})
        elif len(set(flat)) == 1:
            return Decision(True, 0.8, ["无实质内容: 重复字符"], {"kind": "repeat"})
        return Decision(False, 0.0, [], {"kind": "content"})
