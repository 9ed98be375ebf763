"""Personal data: mobile and landline numbers, ID numbers (GB 11643), bank cards (Luhn), e-mail, QQ,
names after 户主/姓名/我叫…, and house addresses (…村…组…号). Produces the redacted text the public sees.

Detection runs on the *original* text through a one-to-one character view (full-width → half-width,
traditional → simplified, Chinese digits → Arabic), so every match maps back to original positions and redaction
keeps the rest of the comment exactly as written: ``138****5678``, ``陈**``, ``石桥村五组**号``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from nlp.screening.decision import Decision
from nlp.screening.names import find_names
from nlp.text import CN_DIGITS, get_tokenizer, to_simplified, word_freq

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Separators allowed inside a written number ("138 1234 5678", "138-1234-5678", "138.1234.5678").
# Keycap emoji ("1️⃣3️⃣8️⃣") are a digit followed by U+FE0F and U+20E3: the two marks count as separators.
_SEPARATORS = frozenset(" \t-.·_—–/,，、\ufe0f\u20e3")
_WEAK_CN = frozenset("两洞拐勾○")
# The hundred most common Chinese surnames (plus a few compound ones), to tell "户主陈大明" from "户主签字".
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余于杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石"
    "廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳"
    "翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳"
    "时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞"
    "敖巩明佘池查麻苑迟邝"
)
_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "夏侯", "长孙")
# Second characters that show the word after 户主/我叫 is not a name ("户主签字", "我叫不出").
_NOT_NAME_CHARS = frozenset("的了是在签同本人不没都也要说有和与就还被把给让去来到家里们些个等员户主部书记官方面地田房屋路边头口村组体")
_NAME_CHARS = r"[\u4e00-\u9fff]"
_CN_NUM = "0-9零〇一二三四五六七八九十百两幺"
# The dots of the domain may be typed as Chinese full stops ("bansu_zx＠163。com").
_EMAIL_RE = re.compile(r"[a-z0-9][a-z0-9._%+\-]{0,63}@[a-z0-9\-]+(?:[.。][a-z0-9\-]+)*[.。][a-z]{2,10}", re.IGNORECASE)
# An e-mail spelled out to dodge scrapers ("liuxiaomei88 at qq dot com", "abc(at)163(dot)com"),
# also with the Chinese words for them ("zhoujh 艾特 qq 点 com").
_SPELLED_EMAIL_RE = re.compile(r"(?<![a-z0-9._\-])([a-z0-9][a-z0-9._\-]{2,63})(?:\s+at\s+|\s*艾特\s*|\s*[(\[（]\s*at\s*[)\]）]\s*)"
                               r"([a-z0-9\-]+)(?:\s+dot\s+|\s*点\s*|\s*[(\[（]\s*dot\s*[)\]）]\s*|\.)(com|cn|net|org)(?![a-z])")
# Not "look at this dot com": a spelled address needs a digit in its local part or a mail cue before it.
_MAIL_CUE_RE = re.compile(r"邮箱|邮件|邮址|e-?mail|mail|信箱|发给?我|发到|寄到|寄给")
# An address with "#" for "@", explained or not ("lihua_1979#163.com（#换成@）").
_HASH_EMAIL_RE = re.compile(r"(?<![a-z0-9._\-])([a-z0-9][a-z0-9._\-]{2,63})#(?:qq|163|126|139|sina|sohu|yeah|foxmail|gmail|hotmail|outlook|aliyun)"
                            r"\.(?:com|cn|net)(?:\.cn)?(?![a-z])")
# Name cues: the name follows these words.
_NAME_CUE_RE = re.compile(
    r"(户主|户名|姓名|名字(?![写打登])|本人|我叫|我是|联系人|签名|落款|申请人|承包人|承包户|村民|老人|父亲|母亲|爷爷|奶奶|丈夫|妻子|老公|老婆|老伴)"
    r"\s*[:：是为叫]?\s*"
    # After 他叫/她叫 the words may be an ordinary noun ("他叫司机过来"): checked against the dictionary below.
    r"|(?P<pron>[他她])(?:叫|名叫|名字叫|名字是)\s*"
    r"|(?:爸|妈|爹|娘|哥|姐|弟|妹|叔|伯|舅|姨|姑|婶|嫂|儿子|女儿|侄子|外甥|老伴|爷爷|奶奶|外公|外婆|公公|婆婆|媳妇)"
    r"(?:叫|名叫|名字叫|名字是)\s*"
    r"|(?:[，,]\s*|名)叫\s*"
    # A name written wrongly and its correction ("他名字写错了，陈阿毛写成陈阿茂").
    r"|名字(?:写|打|登记)错了\s*[，,:：]?\s*"
    # A role word set off by a space or colon ("村民代表 吴志强", "代表：李建国"); the name must then stand alone.
    r"|(?P<role>(?:村民|群众|农户|居民|党员|妇女|户)?代表人?|老?党员|老?组长|小组长|老?队长|老村长|老支书|老会计|网格员|"
    r"老兵|退伍军人|老教师|老干部|五保户|低保户)(?:\s*[:：]\s*|\s+)"
    r"|(?P<role3>会计|出纳|组长|村长|主任|书记|支书|队长|文书|网格员|测量员|联络员)(?=[\u4e00-\u9fff]{3}(?:[,，。.!！?？、\s]|问|说|讲|家|$))"
)
# House address: …村…组…号 / …小区…栋…号 / …路…号 (the number part is redacted).
_ADDRESS_RE = re.compile(
    rf"((?:[\u4e00-\u9fff]{{1,8}}(?:村|社区|小区|街道|镇|乡|屯|寨|庄|湾))"
    rf"(?:[{_CN_NUM}a-z]{{1,4}}(?:组|社|队|片|栋|幢|单元|排|巷|弄|街|路))*)"
    rf"([{_CN_NUM}a-z\-]{{1,5}})(号|室|户|号院|号楼)"
)
_STREET_RE = re.compile(rf"([\u4e00-\u9fff]{{2,8}}(?:路|街|巷|弄|大道))([{_CN_NUM}\-]{{1,5}})(号)")
# A bare "Q"/"q" counts too ("联系王姐 Q：2874516093"); the number must then follow a colon or a space.
_QQ_RE = re.compile(r"(?:(?:qq|扣扣|企鹅|🐧|球球|q号|qq号)\s*[:：号]?\s*(?:是|为)?|(?<![a-z0-9])q\s*(?=[:：\s])|(?<=加)q|(?<![a-z0-9])(?:q|qq|扣)\s*我)\s*[:：]?\s*$",
                    re.IGNORECASE)
# An office's published number (村委会, 国土所, 监督电话 …) is not a resident's personal data; mobiles always are.
_OFFICE_CUE_RE = re.compile(
    r"(村委|居委|村部|政府|办公室|国土所|自然资源|规划局|服务中心|服务站|便民|办事处|派出所|指挥部|拆迁办|征收办|"
    r"公司|公告|公示|公布|热线|监督电话|举报电话|服务电话|公开电话|办公电话|值班电话|咨询电话|客服电话|办事电话)"
)
# An office's published mailbox on a government domain ("…@xxx.gov.cn") is not a resident's personal data.
# Quoted passages (someone else's words, such as an ad a resident complains about).
_QUOTED_SPAN_RE = re.compile(r"[“\"「『][^”\"」』]{2,120}[”\"」』]")
_OFFICIAL_EMAIL_RE = re.compile(r"\.gov(?:\.[a-z]{2})?$")
# A WeChat ID a resident gives as their own ("我微信号tianlaoer_1975", "wx: qiuyue_0731 我是邱月"): the spam
# detector uses this to tell a resident's contact from a seller's.
_WECHAT = r"(?:微信|wx|vx|v信|weixin)(?:号|id)?\s*(?:是|为)?\s*[:：]?\s*([a-z][a-z0-9_\-]{5,19})"
_OWN_WECHAT_RE = re.compile(
    rf"(?<![加添+＋])(?:我|俺|本人)(?:的|家)?\s*{_WECHAT}|{_WECHAT}(?=\s*(?:我是|我叫|俺是|本人))"
)
# Any WeChat ID is personal data, like a QQ number or a mobile, also in an ad ("加我微信zhanghf_1977",
# "薇❤：tudi_888", "加V：xqh-2024lj"): an ID names one person's account. After a plain spelling (微信, vx, 绿泡泡)
# (also spaced or disguised: w e i x i n, V x, 威芯, 薇亻言) an ID of 6–20 letters, digits, _ and - starting with a
# letter (WeChat's own rule; 5 with a digit after a space or colon: 威芯 cqpg9, not 微信c1903班级群); after a
# one-character disguise (薇, 威, v …) it must follow a space or colon and hold a digit or "_" (not "vivoX21",
# "v ok", "薇 hello").
_WECHAT_CUE = (r"(?:微信|[微薇威徽卫维围v]\s*[❤♥💗💚]?\s*[信訫伩芯]|[薇威徽]亻言|(?<![a-z0-9])(?:w\s?e\s?i\s?x\s?i\s?n|we\s?chat|"
               r"v\s?chat|v[\s.]?x|w[\s.]?x)|绿泡泡|w信|[微薇威]x)(?:号|id)?")
_WECHAT_SEP = r"(?:\s*(?:是|为|同号|[:：❤♥💗💚+➕]))*\s*"
# A company's or an office's account that readers are asked to follow ("关注南航官方微信CS95539") names no person.
_OFFICIAL_ACCOUNT_RE = re.compile(r"关注|官方|公众号|服务号|订阅号")
_WECHAT_ID_RE = re.compile(
    rf"(?:{_WECHAT_CUE}{_WECHAT_SEP}(?P<id>[a-z][a-z0-9_\-]{{5,19}}|(?<=[\s:：❤♥💗💚])(?=[a-z_\-]*\d)[a-z][a-z0-9_\-]{{4}})"
    r"|(?<![a-z0-9])(?:[薇威徽v]|wei)(?:号|id)?(?:\s*[:：❤♥💗💚]\s*|\s+)+"
    r"(?P<short>(?=[a-z0-9_\-]*[\d_])[a-z][a-z0-9_\-]{4,19}))(?![a-z0-9_\-])"
)
# A mobile told in pieces after a cue, with words between them ("号码13 8 那个 后面是4417 0926"): the pieces are
# joined when they are close, no piece is a quantity, and together they make exactly one mobile number.
_PHONE_CUE_RE = re.compile(r"号码|电话|手机|联系|打给?我|拨打")
_PIECE_GAP = 8
_UNIT_AFTER = frozenset("亩元块万千百号栋组户岁年月日米平方斤吨天个人次点分层楼")
# A landline without its area code (7–8 digits) after a phone cue, and a mistyped mobile (9–12 digits starting with 1,
# "电话：13 5 0 7 4 2 9 8 6 1 3") right after 电话/手机; not hotlines listed after 拨打 ("拨打12345、12319").
_PHONE_BEFORE_RE = re.compile(r"(电话|座机|手机|联系|打)\s*[:：]?\s*$")
_MOBILE_CUE_RE = re.compile(r"(电话|手机|找我|联系我|打给我|同号)(号码?)?\s*[:：,，]?\s*$")
_CARD_CUE_RE = re.compile(r"(卡号|银行卡|账号|帐号|账户|帐户|存折|社保卡)\s*[:：]?\s*$")
# Codes of plots, parcels, projects and documents: long numbers that name no person.
_CODE_CUE_RE = re.compile(r"(?:代码|编码|编号|单元号|宗地号|地块号|权证号|证书号|文号|项目号|合同号|批次号|流水号)\s*(?:是|为)?\s*[:：]?\s*$")
_ID_CUE_RE = re.compile(r"(身份证|证件号|身份号|公民身份)")


@dataclass
class Match:
    """One piece of personal data: its kind, the original span, and which character positions to mask."""

    kind: str
    start: int
    end: int
    mask: list[int]
    label: str


def luhn_ok(digits: str) -> bool:
    """True when ``digits`` passes the Luhn check used by bank cards."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def id_check_ok(number: str) -> bool:
    """True when an 18-character ID number has the right GB 11643 (ISO 7064 MOD 11-2) check character."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def _plausible_id(number: str) -> bool:
    """Region code, birth year 19xx/20xx, month and day in range: an ID even if the check digit was mistyped."""
    if len(number) == 15:  # first-generation ID: YYMMDD at 6..12
        month, day = int(number[8:10]), int(number[10:12])
        return number[0] in "123456789" and 1 <= month <= 12 and 1 <= day <= 31
    if len(number) != 18:
        return False
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    return number[0] in "123456789" and 1900 <= year <= 2030 and 1 <= month <= 12 and 1 <= day <= 31


class _ViewTable(dict):
    """``str.translate`` table for :func:`_char_view`, filled on first sight of each character."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        n = unicodedata.normalize("NFKC", ch).lower()
        value = n if len(n) == 1 else ch
        if "\u3400" <= value <= "\u9fff":  # traditional → simplified, so 吳/陳 are surnames and 組 a group
            simple = to_simplified(value)
            value = simple if len(simple) == 1 else value
        self[code] = value
        return value


_VIEW = _ViewTable()


def _char_view(text: str) -> str:
    """One-to-one matching view: NFKC per character when it stays one character, lower-case."""
    return text.translate(_VIEW)


def _digit_runs(view: str) -> list[tuple[str, list[int]]]:
    """Runs of digits (Arabic or Chinese, incl. 幺) allowing single separators between them.

    Returns the digit string and the position of each digit in the text; ``x`` ends an ID number.
    """
    runs: list[tuple[str, list[int]]] = []
    digits: list[str] = []
    positions: list[int] = []
    gap = 0
    last_arabic = False
    for i, ch in enumerate(view):
        d = ch if ch.isascii() and ch.isdigit() else CN_DIGITS.get(ch)
        if d is not None and digits and gap and (ch.isascii() != last_arabic):
            # A change of script across a separator starts a new number ("押一，13812345678": 一 is a word)
            runs.append(("".join(digits), positions))
            digits, positions, gap = [], [], 0
        if d is not None and (ch not in _WEAK_CN or digits):
            last_arabic = ch.isascii()
            digits.append(d)
            positions.append(i)
            gap = 0
            continue
        nxt = view[i + 1 : i + 3]
        if digits and ch == "o" and (nxt[:1].isdigit() or nxt[:1] in _SEPARATORS and nxt[1:].isdigit()):
            # the letter O typed for a zero ("15O 8831…")
            digits.append("0")
            positions.append(i)
            gap = 0
            continue
        if digits and ch == "x" and len(digits) in (17, 14):
            digits.append("X")
            positions.append(i)
            continue
        if digits and ch in _SEPARATORS and gap < 3:
            gap += 1
            continue
        if digits:
            runs.append(("".join(digits), positions))
        digits, positions, gap = [], [], 0
    if digits:
        runs.append(("".join(digits), positions))
    return runs


_DIGITISH = "0-9" + "".join(CN_DIGITS)
_SEP_CLASS = re.escape("".join(sorted(_SEPARATORS)))
# Spans that may hold a number of 5+ digits; only these go through the per-character scan.
_CANDIDATE_RE = re.compile(rf"[{_DIGITISH}](?:[{_SEP_CLASS}]{{0,3}}[{_DIGITISH}xo]){{4,}}")


def _candidate_runs(view: str) -> list[tuple[str, list[int]]]:
    runs = []
    for m in _CANDIDATE_RE.finditer(view):
        for digits, pos in _digit_runs(m.group(0)):
            runs.append((digits, [p + m.start() for p in pos]))
    return runs


def _number_matches(text: str, view: str) -> list[Match]:
    found: list[Match] = []
    for digits, pos in _candidate_runs(view):
        n = len(digits)
        before = view[max(0, pos[0] - 12) : pos[0]]
        start, end = pos[0], pos[-1] + 1
        arabic = sum(1 for p in pos if view[p].isdigit() and view[p].isascii())
        if n < 5:
            continue
        if n in (18, 15) and (digits[:-1].isdigit()) and (_plausible_id(digits) or _ID_CUE_RE.search(before)):
            label = "身份证号" if n == 15 or id_check_ok(digits) else "疑似身份证号(校验位不符)"
            found.append(Match("id", start, end, pos[3:-4], label))
            continue
        if "X" in digits:
            continue
        if re.match(r"[x×*]{2,}", view[end : end + 3]):
            continue  # already masked by the writer ("0743-8821xxx")
        if _CODE_CUE_RE.search(before) and not _CARD_CUE_RE.search(before):
            continue  # a plot, parcel or document code ("地块代码是4115231052010300128")
        if 16 <= n <= 19 and (luhn_ok(digits) or _CARD_CUE_RE.search(before)):
            found.append(Match("bank_card", start, end, pos[:-4], "银行卡号"))
            continue
        mobile = re.search(r"(?:^|86)(1[3-9]\d{9})$", digits) if n in (11, 13) else None
        if mobile is None and n == 12 and arabic < n // 2:
            # A mobile in Chinese numerals with one digit doubled at the start ("一壹叁玖 伍伍陆柒 贰壹捌捌"): no code or
            # amount is written that way.
            mobile = re.search(r"^\d(1[3-9]\d{9})$", digits)
        if mobile is None and n == 11 and digits[0] == "1":
            mobile = re.match(r"(1\d{10})$", digits)
        if mobile:
            offset = mobile.start(1)
            found.append(Match("mobile", pos[offset], end, pos[offset + 3 : offset + 7], "手机号"))
            continue
        if _QQ_RE.search(before) and 5 <= n <= 11:
            found.append(Match("qq", start, end, pos[2:], "QQ号"))
            continue
        if arabic < n // 2 and not view[pos[0] : pos[0] + 2].isdigit():
            continue  # Chinese numerals in prose ("三三两两", "一五一十") are not numbers to redact
        if _OFFICE_CUE_RE.search(view[max(0, pos[0] - 16) : pos[0]]) and n <= 12:
            continue
        landline = re.match(r"0\d{9,11}$", digits) or 7 <= n <= 8 and _PHONE_BEFORE_RE.search(before)
        if landline or 9 <= n <= 12 and digits[0] == "1" and _MOBILE_CUE_RE.search(before):
            found.append(Match("phone", start, end, pos[max(0, n - 8) : n - 2], "电话号码"))
            continue
        if n >= 15:
            found.append(Match("long_number", start, end, pos[2:-2], "疑似证件或账号"))
        elif _CARD_CUE_RE.search(before) and n >= 10:
            found.append(Match("account", start, end, pos[:-4], "账号"))
    return found


# jieba frequency from which a two-character word after 他叫 is an ordinary word (司机 1455, 高峰 1556), not a name
# (names such as 何长, 张伟 are absent or rare).
_COMMON_WORD_FREQ = 100
# A surname followed by a title or kinship word is how someone is addressed, not a name ("他叫王师傅来修").
_TITLE_RE = re.compile(r"^.(?:师傅|老板|总|经理|医生|大夫|老师|主任|书记|会计|叔|婶|姨|哥|姐|伯|爷|奶|"
                       r"[村队组部科所镇县站处局院厂校社乡区市省]长)")


def is_own_wechat(view: str) -> bool:
    """True when a resident gives a WeChat ID as their own ("我微信号…", "wx: … 我是…"), not "加我微信…" in an ad."""
    return bool(_OWN_WECHAT_RE.search(view))


def spelled_mobile(view: str) -> list[int]:
    """Positions of the digits of a mobile told in pieces after a phone cue (empty when there is none)."""
    for cue in _PHONE_CUE_RE.finditer(view):
        window = view[cue.end() : cue.end() + 48]
        pieces = [(d, [p + cue.end() for p in pos]) for d, pos in _digit_runs(window)]
        if len(pieces) < 2 or pieces[0][1][0] - cue.end() > 4 or not pieces[0][0].startswith("1"):
            continue
        digits: list[str] = []
        positions: list[int] = []
        for d, pos in pieces:
            if positions and pos[0] - positions[-1] - 1 > _PIECE_GAP:
                break
            if view[pos[-1] + 1 : pos[-1] + 4].lstrip()[:1] in _UNIT_AFTER:
                break
            digits.append(d)
            positions += pos
            if len(positions) >= 11:
                break
        if len(positions) == 11 and len(digits) >= 2 and re.match(r"1[3-9]\d{9}$", "".join(digits)):
            return positions
    return []


def _is_name(candidate: str) -> bool:
    if len(candidate) < 2 or _TITLE_RE.match(candidate) or _NICKNAME_RE.match(candidate, 1):
        return False
    if candidate[:2] in _COMPOUND_SURNAMES:
        return len(candidate) >= 3
    return candidate[0] in SURNAMES and candidate[1] not in _NOT_NAME_CHARS


# Given-name characters that are also common words (王有福, 李来顺, 张家明): a name only right after an explicit
# naming cue ("我爸叫", "她叫", "老伴叫"), where a full three-character name is expected, and only when the given
# name is no common word ("我叫王有点事": 有点 is, jieba frequency ≥ 100).
_COMMON_GIVEN_CHARS = frozenset("有来家田地和本")
# A surname with a birth-order nickname ("蒋老四", "王老三", "李老幺") names no one by their full name.
_NICKNAME_RE = re.compile(r"老[大二三四五六七八九十幺]")


def _is_named_with_common_char(candidate: str) -> bool:
    return (len(candidate) == 3 and candidate[0] in SURNAMES and candidate[1] in _COMMON_GIVEN_CHARS
            and candidate[2] not in _NOT_NAME_CHARS and not _TITLE_RE.match(candidate)
            and word_freq(candidate[1:]) < _COMMON_WORD_FREQ)


def _is_break(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch)[0] in "PSZ" or ch in "电手住家"


# A letter's closing formula after the signed name ("——新安村 张立平 敬上").
_CLOSING = r"(?:敬上|谨上|拜上|敬呈|谨呈|叩首)?"
# A date after a signature: 2024.6.3, 2024-06-03, 2024年6月3日, 6月3日 (optional).
_DATE = r"(?:(?:\d{2,4}\s*[.\-/年]\s*)?\d{1,2}\s*[.\-/月]\s*\d{1,2}\s*[日号]?)?"
# A kinship word with a possessive, then a full name without 叫 ("我妈刘秀英一个人住", "俺爹周长贵"): only a
# three-character name counts, and not when it starts with a very common word or its last character starts one
# ("我妈高兴坏了", "我妈成天念叨", "我爸张罗着搬家").
_KIN_RE = re.compile(r"(?:我|俺|咱)(?:的|家)?(?:爸|妈|爹|娘|哥|姐|弟|妹|儿子|女儿|舅舅?|叔叔?|姨|姑姑?|婶婶?|嫂子?|"
                     r"媳妇|儿媳妇?|女婿|孙子|孙女|外孙女?|侄子|侄女|外甥女?|爱人|岳父|岳母|公公|婆婆|外公|外婆|大爷|大娘|大伯|伯伯|"
                     r"老头子?|老太婆|老婆子|老伴儿?|老公|老婆)"
                     r"(?=[\u4e00-\u9fff]{3})")
# Without a possessive, only kinship words that name a relative of someone ("平时都是侄子赵红军帮我") and village
# roles ("我们组组长孙建国上周…") count; unless the name stands alone, the stricter check applies: the first two
# characters must be no word of jieba frequency ≥ 100 ("组长周末都不在", "主任何时能来", "书记张口就骂").
_BARE_KIN_RE = re.compile(r"(?:侄子|侄女|外甥女?|女婿|儿媳妇?|外孙女?|[堂表](?:哥|弟|姐|妹)|小?组长|村长|队长|村主任|"
                          r"(?<![副])主任|书记|支书|会计(?!师)|出纳|文书|网格员|村医|(?:村民|群众|党员)?代表)(?=[\u4e00-\u9fff]{3})")
# Surnames that are also function words: after a bare role word they are the function word ("主任和村长").
_FUNCTION_SURNAMES = frozenset("和与于向从对把被给让为同跟及在将")
_PARTICLES = frozenset("着得地过了吧呢啊呀吗么下上里中边前后去回起开完好坏能会该想应")
_VERY_COMMON_FREQ = 1000


def _kin_name(text: str, start: int, strict: bool = False) -> str:
    """The three-character name right after a kinship word at ``start`` (empty when it is no name).

    ``strict`` (no possessive before the kinship or role word) rejects a start that is any common word.
    """
    cand = text[start : start + 3]
    if not _is_name(cand) or any(ch in _NOT_NAME_CHARS or ch in _PARTICLES for ch in cand[1:]):
        return ""
    freq = get_tokenizer().FREQ
    nxt = text[start + 3 : start + 4]
    common = _COMMON_WORD_FREQ if strict else _VERY_COMMON_FREQ
    if (freq.get(cand[:2]) or 0) >= common or (freq.get(cand) or 0) >= _MIN_NAME_WORD_FREQ:
        return ""
    if nxt and (freq.get(cand[2] + nxt) or 0) >= _COMMON_WORD_FREQ:
        return ""
    return cand


_MIN_NAME_WORD_FREQ = 20
# Cues after which ordinary words are as likely as names ("我是高中生", "村民全程参与", "老人家里…").
_LOOSE_CUES = frozenset(("我是", "村民", "老人", "本人", "父亲", "母亲", "爷爷", "奶奶", "丈夫", "妻子", "老公", "老婆",
                         "老伴"))


def _common_start(name: str) -> bool:
    """True when ``name`` begins with a common word (jieba frequency ≥ 100: 高中, 全程) or is itself a word."""
    freq = get_tokenizer().FREQ
    return (freq.get(name[:2]) or 0) >= _COMMON_WORD_FREQ or (freq.get(name) or 0) >= _MIN_NAME_WORD_FREQ


# A person noun or honorific right after a full name ("吴凤英老奶奶", "何德明大爷", "李秀兰同志").
_HONORIFIC_RE = re.compile(r"(?<=[的，,。、：:\s（(“\"])([\u4e00-\u9fff]{3})(?=老奶奶|老大爷|老爷子|老太太|老太|老大娘|大爷|大娘|"
                           r"大妈|老人家?|同志|老汉|老伯|阿婆|阿公|老师傅)")
# A list of names joined by 、 ("罗建华、罗建平、何秀英"): nothing in it a common word, and at least two
# three-character items that jieba reads as a name (one token, or surname + given name; not 车难|等、车难|坐).
_NAME_LIST_RE = re.compile(r"[\u4e00-\u9fff]{2,3}(?:、[\u4e00-\u9fff]{2,3})+")
# A full name after the household of the same surname ("隔壁周家的周建军把…"; not "我家的高压线").
_HOUSEHOLD_RE = re.compile(r"([\u4e00-\u9fff])家的(?=\1[\u4e00-\u9fff]{2})")


def _list_names(text: str) -> list[tuple[int, int]]:
    """Spans of the names in a 、-list holding at least two three-character names and nothing that is not a name."""
    spans = []
    for m in _NAME_LIST_RE.finditer(text):
        before, after = text[m.start() - 1 : m.start()] or "。", text[m.end() : m.end() + 1] or "。"
        if not (_is_break(before) or before in "有是") or not (_is_break(after) or after in "等和"):
            continue
        items = m.group(0).split("、")
        if not all(_is_name(x) and not _common_start(x) for x in items):
            continue
        if sum(len(x) == 3 and len(get_tokenizer().lcut(x)[0]) != 2 for x in items) < 2:
            continue
        pos = m.start()
        for x in items:
            spans.append((pos, pos + len(x)))
            pos += len(x) + 1
    return spans


def _given_name(start: int, end: int) -> Match:
    """A name match for ``text[start:end]``, the given name after the surname (all of it is masked)."""
    return Match("name", start, end, list(range(start, end)), "姓名")


def _covered(found: list[Match], pos: int) -> bool:
    """True when an earlier match already covers position ``pos``."""
    return any(m.start <= pos < m.end for m in found)


def _name_matches(text: str) -> list[Match]:
    found: list[Match] = []
    for cue in _KIN_RE.finditer(text):
        name = _kin_name(text, cue.end())
        if name:
            s = cue.end()
            found.append(_given_name(s + 1, s + 3))
    for cue in _NAME_CUE_RE.finditer(text):
        start = cue.end()
        window = text[start : start + 4]
        m = re.match(rf"{_NAME_CHARS}{{2,4}}", window)
        if not m:
            continue
        cand = m.group(0)
        # Keep the likeliest name length: surname + 1 or 2 given-name characters, stopping at common words.
        length = 3 if len(cand) >= 3 and cand[2] not in _NOT_NAME_CHARS and cand[2] not in "村组家户说讲" else 2
        if cand[:2] in _COMPOUND_SURNAMES:
            length = min(len(cand), 4)
        name = cand[:length]
        after = text[start + length : start + length + 1]
        if cue.group(1) in ("我是", "村民", "老人", "本人") and length < 3 and after and not _is_break(after):
            continue  # "我是村民", "本人同意": two characters after these cues are rarely a name
        if cue.group(1) in _LOOSE_CUES and any(ch in "一二三四五六七八九十两零" for ch in name[1:]):
            continue  # "我是高二学生", "本人三组的"
        if cue.group(1) in _LOOSE_CUES and word_freq(name[:2]) >= _VERY_COMMON_FREQ:
            continue  # "本人文化低，": a very common word, even standing alone
        if cue.group(1) in _LOOSE_CUES and _common_start(name) and (
                length < 3 or not _is_break(after or "。") or word_freq(name) > 0):
            continue  # "我是高中生", "村民全程参与": a common word, not a given name (but "本人陈云富，" stands alone)
        if cue.group("role") and after and not _is_break(after):
            continue
        if cue.group("role3") and not _kin_name(text, start):
            continue  # "村长马上来", "组长任务重"
        if cue.group("pron") and word_freq(name[:2]) >= _COMMON_WORD_FREQ:
            continue
        named = cue.group(0).rstrip().endswith(("叫", "名字是"))
        if not (_is_name(name) or named and _is_named_with_common_char(name)):
            continue
        keep = 2 if name[:2] in _COMPOUND_SURNAMES else 1
        found.append(_given_name(start + keep, start + len(name)))
    for cue in _BARE_KIN_RE.finditer(text):
        s = cue.end()
        if text[s] in _FUNCTION_SURNAMES:
            continue  # "书记和相关领导", "会计和出纳", "主任向大家解释"
        strict = not _is_break(text[s + 3 : s + 4] or "。")  # "侄子赵红军，" stands alone; "组长孙建国上周" not
        if not _covered(found, s + 1) and _kin_name(text, s, strict=strict):
            found.append(_given_name(s + 1, s + 3))
    for s, e in _list_names(text):
        if not _covered(found, s + 1):
            found.append(_given_name(s + 1, e))
    for m in list(_HONORIFIC_RE.finditer(text)) + list(_HOUSEHOLD_RE.finditer(text)):
        s = m.end() if m.re is _HOUSEHOLD_RE else m.start()
        if (text[s] not in _FUNCTION_SURNAMES and _kin_name(text, s, strict=True)
                and not _covered(found, s + 1)):
            found.append(_given_name(s + 1, s + 3))
    # "我是下坪村二组的刘建国": a full name right after a village or group.
    for m in re.finditer(rf"(?:村|组|社|队|屯|号)的({_NAME_CHARS}{{2,3}})", text):
        cand = m.group(1)
        # Only a name when it stands alone: "二组的刘建国，…" (not "组的路灯坏了"), or when a verb follows a full name
        # (the checks of a name after a kinship word: "六组的吴国平把自家的地…").
        nxt = text[m.end() : m.end() + 1] or "。"
        subject = len(cand) == 3 and nxt in _AFTER_NAME_VERBS and bool(_kin_name(text, m.start(1)))
        if len(cand) == 3 and not _is_break(nxt) and not subject:
            cand = cand[:2]
        after = text[m.start(1) + len(cand) : m.start(1) + len(cand) + 1] or "。"
        if not _is_name(cand) or not (_is_break(after) or subject) or (len(cand) == 3 and cand[2] in _NOT_NAME_CHARS):
            continue
        s = m.start(1)
        if not _covered(found, s + 1):
            found.append(_given_name(s + 1, s + len(cand)))
    # "白果村四组李秀英 身份证…": a full name written straight after a numbered group, standing alone.
    for m in re.finditer(rf"[一二三四五六七八九十\d]+(?:组|队|社)({_NAME_CHARS}{{2,3}})", text):
        s = m.start(1)
        for cand in (m.group(1), m.group(1)[:2]):
            after = text[s + len(cand) : s + len(cand) + 1] or "。"
            if _is_name(cand) and _is_break(after) and cand[-1] not in _NOT_NAME_CHARS:
                if not _covered(found, s + 1):
                    found.append(_given_name(s + 1, s + len(cand)))
                break
    # "……——王桂兰" signed with a dash at the very end, perhaps dated ("——马玉兰 2024.6.3", "——李强 6月3日").
    dash = re.search(rf"(?:——|--|—|－－)\s*({_NAME_CHARS}{{2,3}})[\s,，]*{_DATE}[\s。.!！]*$", text)
    if dash and _is_name(dash.group(1)) and not _covered(found, dash.start(1)):
        found.append(_given_name(dash.start(1) + 1, dash.end(1)))
    # Signatures: "——石桥村五组 陈大明" at the very end.
    sig = re.search(rf"(?:村|组|社|队|户主|村民)[\s:：]*({_NAME_CHARS}{{2,4}}?)[\s,，]*{_DATE}[\s,，]*{_CLOSING}[\s。.!！]*$",
                    text)
    if sig and _is_name(sig.group(1)) and not _covered(found, sig.start(1)):
        keep = 2 if sig.group(1)[:2] in _COMPOUND_SURNAMES else 1
        if len(sig.group(1)) - keep <= 2:  # "司马红旗"; four characters only with a compound surname
            found.append(_given_name(sig.start(1) + keep, sig.end(1)))
    # Names with no cue at all ("邓小红去年就申请了…", "隔壁的赵德胜…"): see nlp.screening.names.
    for s, e, surname_len in find_names(text):
        if not _covered(found, s + surname_len):
            found.append(_given_name(s + surname_len, e))
    return found


# Verbs that often follow a person named as the subject ("…组的吴国平把…", "…村的陈建华在…").
_AFTER_NAME_VERBS = frozenset("把被在说讲去也都就让给跟要私偷占")


def _address_matches(view: str) -> list[Match]:
    found = []
    for regex, kind in ((_ADDRESS_RE, "address"), (_STREET_RE, "street")):
        for m in regex.finditer(view):
            s, e = m.span(2)
            found.append(Match(kind, m.start(), m.end(), list(range(s, e)), "门牌地址"))
    return found


class PiiDetector:
    """Finds personal data and produces the redacted text.

    Parameters
    ----------
    mask_char:
        Character written over redacted positions (default ``*``).
    name_mask:
        Replacement for a given name after the kept surname (default ``**``, so ``陈大明`` → ``陈**``).
    """

    def __init__(self, mask_char: str = "*", name_mask: str = "**") -> None:
        self.mask_char = mask_char
        self.name_mask = name_mask

    def find(self, text: str) -> list[Match]:
        """All personal-data matches in ``text`` (original positions), without overlaps of the same position."""
        view = _char_view(text)
        matches = _number_matches(text, view)
        if not any(m.kind == "mobile" for m in matches):
            pieces = spelled_mobile(view)
            if pieces:
                matches.append(Match("mobile", pieces[0], pieces[-1] + 1, pieces[3:7], "手机号"))
        for m in _WECHAT_ID_RE.finditer(view):
            if _OFFICIAL_ACCOUNT_RE.search(view[max(0, m.start() - 12) : m.start()]):
                continue
            s, e = m.span("id") if m.group("id") else m.span("short")
            matches.append(Match("wechat", s, e, list(range(s + 2, e - 2)), "微信号"))
        for m in _SPELLED_EMAIL_RE.finditer(view):
            s, e = m.span(1)
            if (any(ch.isdigit() for ch in m.group(1)) or "(" in m.group(0) or "（" in m.group(0)
                    or _MAIL_CUE_RE.search(view[max(0, s - 12) : s])):
                matches.append(Match("email", m.start(), m.end(), list(range(s + 1, e)), "电子邮箱"))
        for m in _HASH_EMAIL_RE.finditer(view):
            s, e = m.span(1)
            matches.append(Match("email", m.start(), m.end(), list(range(s + 1, e)), "电子邮箱"))
        for m in _EMAIL_RE.finditer(view):
            if _OFFICIAL_EMAIL_RE.search(m.group(0)):
                continue
            local_end = view.index("@", m.start())
            matches.append(Match("email", m.start(), m.end(), list(range(m.start() + 1, local_end)), "电子邮箱"))
        matches += _name_matches(view)
        matches += _address_matches(view)
        return matches

    def redact(self, text: str, matches: list[Match]) -> str:
        """``text`` with every masked position replaced; names become surname + ``name_mask``."""
        if not matches:
            return text
        chars = list(text)
        name_spans = []
        for m in matches:
            if m.kind == "name":
                name_spans.append((m.start, m.end))
                continue
            for p in m.mask:
                if not chars[p].isspace() and chars[p] not in _SEPARATORS:
                    chars[p] = self.mask_char
        for start, end in sorted(set(name_spans), reverse=True):  # two cues may find the same name
            chars[start:end] = [self.name_mask]
        return "".join(chars)

    def detect(self, text: str) -> tuple[Decision, str]:
        """The decision (flag, reasons naming each kind found) and the redacted text."""
        matches = self.find(text)
        redacted = self.redact(text, matches)
        reasons = []
        for label in dict.fromkeys(m.label for m in matches):
            shown = [self.redact(text, [m])[m.start : m.end] for m in matches if m.label == label][:2]
            reasons.append(f"含个人信息: {label}" + (f" ({', '.join(shown)})" if label != "姓名" else ""))
        kinds = sorted({m.kind for m in matches})
        quoted = [range(*q.span()) for q in _QUOTED_SPAN_RE.finditer(text)] if matches else []
        inside = bool(quoted) and all(any(m.start in q for q in quoted) for m in matches)
        return Decision(bool(matches), 1.0 if matches else 0.0, reasons, {"kinds": kinds, "quoted": inside}), redacted
