"""Abusive language: a lexicon matched on the normalised text, its pinyin and Latin abbreviations, combined
with a char n-gram classifier trained on COLD (Apache-2.0) plus our own seed texts.

A rude comment that also carries a real grievance is flagged abusive, but nothing is cut from it: the
grievance stays visible to reviewers (only personal data is ever redacted).
"""

from __future__ import annotations

import re
from pathlib import Path

from nlp.screening.decision import Decision, Prepared
from nlp.screening.model import TextClassifier
from nlp.screening.patterns import compile_alternation
from nlp.text import get_tokenizer, strip_punct, to_pinyin

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "abuse_model.joblib"

# Insults that are abusive wherever they appear (matched on the squashed text).
STRONG = (
    r"傻逼|傻b|傻比|傻币|煞笔|沙比|傻屄|傻叉|傻x|傻缺|傻帽|脑残|智障|弱智|白痴|蠢货|蠢猪|猪脑子|猪狗不如|狗东西|狗官|狗日|狗娘养|"
    r"狗腿子|走狗|狗杂种|狗屁|狗眼|狗崽子|畜生|畜牲|禽兽|王八蛋|王八羔子|混蛋|浑蛋|混账|人渣|败类|杂种|杂碎|贱人|贱货|"
    r"婊子|妈的|妈逼|妈b|操你|草你|肏|艹|日你|草泥马|尼玛(?![乡县镇村])|你妈(的|逼|b|死|了个|个)|去死|死全家|全家死|不得好死|断子绝孙|"
    r"死绝|滚蛋|滚出|滚吧|给我滚|吃屎|放屁|屁话|放你娘|废物|饭桶|老不死|神经病|有病吧|脑子进水|脑子有病|脑子被驴踢|"
    r"卧槽|我操|我艹|操蛋|他娘的|奶奶的|娘的|鸡巴|屌|装逼|逼样|孙子们|二逼|逗比|傻屌|死鬼|短命鬼|天打雷劈|"
    r"沙雕|傻雕|特么|特码的|踏马|他喵的|干你妈|你娘的|二百五(?![十万千百元块亩平米个0-9])|是猪吗|是猪啊|猪一样|猪脑|脑子被门夹|脑袋被门夹|"
    r"(你个|你这个?|这个|那个|这|那|个)老东西|老东西们|老不要脸|狗杂碎|狗娘|贱种|找死|王八|"
    r"狗比|狗b|狗逼|狗玩意|狗贼|老狗|老贼|脑瘫|辣鸡|死妈|妈卖批|麻痹的|你麻痹|日你妈|你大爷|"
    r"蠢蛋|蠢材|蠢驴|笨猪|窝囊废|渣渣|二货|孙贼|混球|臭不要脸|给老子|滚你|你滚|滚出去|滚远点|滚粗|贱骨头|"
    r"脑子有坑|脑子坏了|脑子瓦特|缺心眼|丢人现眼|欠揍|欠打|欠收拾|找抽|不是东西|不是个东西|算个什么东西|算什么东西|你算老几|"
    r"良心(?:都|早|早就|全|怕是)?(?:被|让|叫|遭)狗(?:给)?吃|狗娘养|傻批|去屎吧|"
    # Aimed at people in any region: names for a person that are never literal, and curses wishing them harm.
    r"白眼狼|没良心的(?:东西|玩意)|丧良心的(?:东西|玩意)|狗奴才|烂人|下三滥|坏种|孬种|土鳖(?!虫)|兔崽子|(?<![养观爱遛捕打护])鸟人|"
    r"全家死光|死光光|全家死绝|出门(?:就)?被车撞(?![了伤倒到过])|出门撞死|挨千刀|杀千刀|挨刀的|挨枪子|"
    # Wishing someone hell or a bad end ("全家都该下地狱", "死无葬身之地"; not "像下地狱一样" about conditions).
    r"(?:该|要|会|得|都|全|快|早晚|迟早|统统|一起|全家|一家)下(?:十八层)?地狱|下十八层地狱|死无葬身之地|不得善终|"
    r"死无全尸|横死街头|生(?:孩子|儿子)没屁眼|"
    # The rude gesture made by the writer ("给你们竖个中指", and 🖕 below; "一名男子向业主竖起中指" reports someone
    # else's) and sarcasm about someone's brain ("脑子是拿来凑身高的吧").
    r"(?:给|冲|朝|对)(?:你|你们|他们|您)竖(?:个)?中指|(?:脑子|脑袋|脑壳)是?(?:拿来|用来|留着|长来)[\u4e00-\u9fff]{1,6}的吧|"
    r"(?:脑子|脑袋)(?:是|当)(?:摆设|装饰品?)|(?:脑子|脑袋|脑壳)里?(?:装的|灌的)?(?:全|都)?是(?:屎|粪|大粪|浆糊)|"
    r"(?:狗|猪|畜生)都不如|看谁狠|拉出去(?:毙了|枪毙)|就该(?:枪毙|毙了)|谁(?:也|都)别想好过|看谁先扛不住|眼睛长在?屁股上|(?:知道|看)(?:你|他)(?:的|家)?(?:孩子|小孩)(?:上学|放学)?走哪|"
    r"去(?:你|他)家门口堵(?:你|他)|(?:就像|像)一坨(?:屎|粪|大便)|知道你(?:的)?(?:孩子|小孩|儿子|女儿|家人|老婆)在哪|爹妈[^。！？!?]{0,12}白瞎|"
    r"别让我(?:在[^。！？!?]{0,6})?碰(?:见|到)你|蠢得(?:冒泡|要死|可以)|蠢到家|"
    r"长得(?:跟|像)(?:个|只)?(?:老鼠|猪|狗|猴子?|癞蛤蟆)|"
    r"(?:把|去把)(?:村委会|村部|村委|镇政府|乡政府|政府|你家|他家|办公室|拆迁办)[^。！？!?]{0,4}一把火(?:点了|烧了)|"
    r"一把火(?:把|给)?(?:村委会|村部|村委|镇政府|乡政府|政府|你家|他家|办公室|拆迁办)(?:点了|烧了|烧掉)|跪舔|知道你家(?:住)?(?:在)?哪|汽油[^。！？!?]{0,12}(?:上新闻|一起死|同归于尽)|"
    r"吃人不吐骨头的(?:好官|官|东西|干部|领导|家伙)|(?:是|就是)猪做的|(?:猪|狗)都(?:知道|懂|明白|会)(?!了)|(?:是|就是|也是)一坨(?:屎|粪|大便)|"
    r"让(?:他|你|你们|他们)横着(?:出去|回去|走|抬出去)|不拉人屎|吃人饭不|不干人事|缩头乌龟|烂泥扶不上墙|要点脸吧|要点脸好吗|还要不要脸|要不要点脸|"
    r"来一个(?:我)?(?:砍|打|剁|捅|弄)一个|(?:都是|就是|全是|简直是|呸[，,!！]?)\s*一窝(?:耗子|老鼠|狼|蛇|蛆|土匪|强盗|蛀虫)|你妹的|滚回(?:家|去|老家)|打断(?:你|他|你们|他们|谁)的?(?:狗)?腿|一命换一命|(?:跟|和)(?:你|他|你们|他们)拼(?:了|命)|"
    # Beasts shaking their heads at someone's work ("规划水平真高，猪看了都直摇头") or doing better than them.
    r"(?:猪|狗)(?:看了|见了|听了|看见)(?:都|也)(?:要|会|得)?(?:直?摇头|自愧不如|自叹不如)|猪头(?:ld|领导|干部|书记|村长|主任|专家|官)|"
    r"一把火(?:把|给)?(?:你|你们|他|他们)[\u4e00-\u9fff]{0,6}?(?:点了|烧了|烧掉)|(?:猪|狗)都(?:比|强过)(?:你|你们|他|他们|这帮|这些)|"
    # 大聪明 ("a real genius") is never praise when said of someone.
    r"(?:这位|那位|哪位|哪个|你个|这个|那个|这群|这帮|一群|一帮|你们这些)大聪明|大聪明(?:们|领导|干部|书记|支书|村长|镇长|主任|局长|专家|设计)|"
    # Threats of violence ("提着汽油跟你们同归于尽", "队长晚上走夜路小心点", "弄死你"): the writer's own threat (not
    # "走夜路小心，路灯坏了" without someone it is aimed at).
    r"(?:跟|和|与)(?:你|你们|他|他们|她|她们|恁)[\u4e00-\u9fff]{0,4}同归于尽|"
    r"(?:你|你们|他|他们|队长|书记|支书|村长|主任|组长|干部|老板)[\u4e00-\u9fff]{0,4}走夜路(?:的时候)?(?:小心|当心)|(?:小心|当心)(?:你|你们|他)的?(?:狗命|小命|脑袋|狗头)|"
    r"(?:弄|整|砍|捅)死(?:你|你们|他们)(?!了)|杀了(?:你|你们|他们)(?!了)|要(?:你|你们)(?:的)?(?:狗命|命)|让(?:你|你们)见血|"
    r"放火烧了?(?:你|你们|他)|"
    # The writer taking a weapon or petrol to someone ("再来量地我拿锄头劈了你们", "老子就拿刀去村部找你们算账",
    # "拎桶汽油去乡政府门口，大家一起死"); not "拿锄头去挖沟".
    r"(?:劈|砍|剁|宰)了?(?:你|你们|他|他们)(?![\u4e00-\u9fff]{0,2}(?:的|家的)?(?:树|竹|柴|地|田))|(?:大家|一起|全都)(?:同归于尽|一起死)"
)
# Regional and dialect insults aimed at people, by region (matched after t2s, so traditional spellings are
# covered). Exclamations of anger or bad luck are not insults: 嬲死 (Hunan "furious"), 完犊子 ("done for"),
# 日塌 (Shaanxi "ruined"), 顶你个肺 (Cantonese "damn"); mild ones are in MILD_REGIONAL.
REGIONAL = {
    "粤语": r"扑领母|仆领母|扑你老母|仆你老母|废柴|扑街|仆街|冚家铲|冚家拎|咸家铲|丢你老母|丢你老味|丢那妈|丢雷老母|丢那星|你老母(?![亲鸡猪牛])|屌你|食屎|死蠢|"
            r"蠢过(?:只|头)?猪|衰人|衰仔|衰婆|衰鬼|[躝𨅬](?:开|尸|远|啦)|痴线|黐线|契弟|(?<![姑六])八婆|戆居|傻閪|閪|撚样|柒头",
    "中原/山东": r"憨熊|鳖崽子|龟崽子|恁老母|驴日的|驴日下的|鳖孙|瘪孙|龟孙子|龟孙|孬孙|日恁娘|[日操草干]恁[娘妈]|日你娘|信球|夯货|潮巴",
    "湖南/湖北": r"(?:是个|真是个|就是个|你个)苕(?![皮粉地])|蠢宝|板马(?:养的|日的|崽)|哈卵|哈宝|打靶鬼|砍脑壳|你个苕|苕货",
    "川渝": r"憨包|瓜娃子|龟儿子|仙人板板|先人板板|日你先人|憨批|憨逼|憨憨批|哈批|瓜批|锤子玩意|你个锤子|晓得个锤子|懂个锤子|烂批|宝器(?![厂店行公司物])",
    "东北": r"滚犊子|傻狍子|瘪犊子|王八犊子|犊子玩意|损犊子|虎逼|虎b|彪子|完蛋玩意|山炮玩意",
    "西北": r"二球货|二球|灰猴|日(?:他|你|恁)先人|瓜皮|瓜怂|碎怂|怂货",
    "吴语": r"瘪三|册那|戆大|赤佬|猪头三(?![个只斤块十百元])|娘希匹",
    "闽语": r"干你老母|干恁老母|姦恁老母|干你娘|干恁娘|干恁老师|姦恁娘|猴死囡仔|死囡仔",
}
# Mild regional words ("silly", "shameless", "go to hell" said in passing): they need a second cue like MILD.
MILD_REGIONAL = {
    "粤语": r"收皮|黐孖筋",
    "湖南/湖北": r"宝里宝气|宝气",
    "川渝": r"方脑壳|瓜兮兮|背时鬼",
    "东北": r"扯犊子|虎了吧唧|彪呼呼|山炮|熊样",
    "吴语": r"十三点|寿头|阿木林",
    "闽语": r"夭寿|卖见笑|靠北(?![边面侧头墙方部京])|靠夭|白目",
}
# Harsh words that may also be plain accusations ("黑心开发商"): they need a second cue.
MILD = (
    r"无耻|不要脸|缺德|丧尽天良|狼心狗肺|没良心|昧良心|流氓|无赖|土匪|强盗|吸血鬼|蛀虫|黑心|贪官|垃圾(官|干部|政府|东西|"
    r"玩意|领导|书记|村长|支书|主任|人)|一群垃圾|都是垃圾|真垃圾|滚|恶心|下贱|不是人|人模狗样|蛇鼠一窝|一丘之貉|狗仗人势|"
    r"吃人不吐骨头|没有?一?点人性|毫无人性|没人性|灭绝人性|我靠|老赖|土皇帝|遭报应|有报应|不得好报|吃里扒外|忘恩负义|吃相(?:太|真|很)?难看|脸都不要了|刁民|二愣子|半吊子|怂包|软蛋|讨债鬼|扫把星|丧门星|狐狸精|"
    + "|".join(MILD_REGIONAL.values())
)
# Pinyin of homophone spellings (煞笔, 草泥马, 踏马的 …), matched on whole syllables of the CJK text.
PINYIN = (
    "sha bi", "cao ni ma", "ni ma de", "ni ma bi", "ta ma de", "gou ri de", "wang ba dan", "nao can", "ri ni ma",
    "si quan jia", "bu de hao si", "gou dong xi", "gun dan", "ma mai pi",
    # Regional insults in homophones (憋孙, 归儿子, 呱娃子, 白眼郎).
    "bie sun", "gui er zi", "gua wa zi", "wang ba du zi", "bai yan lang", "ri ni xian ren",
)
# Real words that sound like an insult ("沙壁" = sha bi): removed before the pinyin match.
_PINYIN_SAFE_RE = re.compile(r"沙壁|[告离分区特差级类识性个鉴辨派道]别|沙碧|砂壁|纱壁|杀毙|傻笔记|马德里|闹残疾|他妈的(病|坟|房|地|户口|身体|名字|养老)")
# Latin abbreviations and spelled-out pinyin ("sb", "tmd", "nmsl", "caonima").
LATIN = (
    r"sb|mdzz|wbd|zz(?=一个|[，,。.!！\s]|$)|(?<=[，,\s])nt(?=[，,。.!！\s]|$)|2b(?![铅室栋号楼座单层区])|tmd|tm(?=的|d|地|滴|叫|是|就|都|还|又|也|真)|(?<=一群|一帮|这帮|那帮|你个|就是)cs|nmsl|cnm|wcnm|mlgb|nnd|rnm|qnmd|nmb|nmd|fuck|fck|fuk|shit|bitch|wtf|shabi|caonima|tamade|nima|nimabi|"
    r"gouride|wangbadan|dsb|jb|md|on9|dllm|pk街|diu(?=\s?(?:你|nei|lei|老母))|sha\s?bi|cao\s?ni\s?ma|ta\s?ma\s?de|gun|stupid|idiot|mmp|sjb|goubi|naotan|"
    # Insults spelled in pinyin, with or without spaces ("就是个 hun dan", "ren zha").
    r"hun\s?dan|wang\s?ba\s?dan|ren\s?zha|bai\s?chi|zhi\s?zhang|ruo\s?zhi|nao\s?can|chu\s?sheng|gou\s?ri\s?de|"
    r"gou\s?dong\s?xi|lao\s?bu\s?si|sha\s?diao|sha\s?cha|bie\s?san|gui\s?sun|bie\s?sun|wo\s?cao|ni\s?ma\s?(?:de|bi)|"
    # English swear words and insults, also masked with asterisks ("f***ing", "sh*t", "b**ch").
    r"fucking|fucker|motherfucker|assholes?|bastards?|morons?|scumbags?|dumbass|bullshit|idiots|"
    # English names for people aimed at them ("these officials are parasites", "you are a bunch of leeches").
    r"(?:are|r|is)\s(?:all\s|just\s)?(?:a\s|an\s)?(?:bunch\sof\s|pack\sof\s)?(?:[a-z*]+ing\s)?"
    r"(?:parasites?|leeches|bloodsuckers?|vampires|scum|scumbags?|idiots?|morons?)|"
    r"f[*#@]+(?:ck|k|king|kin|ing|in|ed|er|s)?|f[u*][c*]k(?:ing|in|er|ed|s)?|sh[*]+t|s[*]+t|b[*]+(?:tch|ch|h)|a[*]+hole|"
    r"c[*]+nt|d[*]+mn|mother[*]+(?:er|ker)"
)
# Derogatory nouns aimed at people ("你们就是一群猪", "这帮土匪"): animals need a person or a copula before them,
# because in a village "一群猪" and "这些狗" are usually just animals.
_ANIMALS = "狗|猪|乌龟|老鼠|蛆|豺狼|狼|蛇|癞皮狗|哈巴狗|疯狗|死狗|死猪"
# "You" and "they" in Mandarin and dialects (Cantonese 你哋/佢哋, Henan 恁, Wu 侬).
_YOU = "你们?|他们|你哋|佢哋|恁们?|侬"
_PERSON_NOUNS = ("贼|吸血蚂蟥|蚂蟥|贪官污吏|贪官|看门狗|哈巴狗|跟屁虫|狗腿|畜生|畜牲|禽兽|败类|人渣|寄生虫|蛀虫|吸血鬼|白眼狼|走狗|奴才|汉奸|狗腿子|强盗|土匪|流氓|无赖|废物|饭桶|蠢货|"
                 "混蛋|小丑|瘪三|地痞|恶棍|恶霸|狗东西|败家子|叛徒|孬种|鳖孙|龟孙|蠢猪|扫把星|丧门星|狐狸精")
ADDRESSED = (
    # Names for people in scare quotes ("他那几条“看门狗”"): the quotes are on the squashed text gone, so the
    # people words before them decide: a pronoun, an official or "他那几条" with a measure word.
    rf"(?:他|她|他们|她们|你|你们|书记|支书|村长|主任|镇长|乡长|老板|开发商|领导|干部|包工头)(?:的|那|这|手下)?"
    rf"(?:几|一|两|些|帮|群|伙)?(?:条|只|个|帮|群|伙)?(?:看门狗|哈巴狗|狗腿子?|走狗)(?![叫咬])|"
    rf"(?:当|做|是|成了|养的|养了一?群)(?:[\u4e00-\u9fff]{{1,6}}的)?(?:看门狗|哈巴狗)(?![叫咬])|"
    rf"(?:{_YOU})(?:都是|就是|简直是|全是|真是|是|像)?(?:这|那)?(?:一)?(?:群|帮|伙|些|个|班)?(?:{_ANIMALS})"
    rf"(?![肉叫咬窝圈场仔崽年粮食])"
    rf"|(?:都是|就是|全是|简直是|真是)(?:一群|一帮|一伙)(?:{_ANIMALS})(?![肉叫咬窝圈场仔崽年粮食])"
    # "村支书就是条狗", "他简直是头猪": an emphatic copula and a measure word aimed at someone (not the concessive
    # "就是头猪闻到都要躲" = "even a pig would …").
    rf"|(?:就是|简直是|简直就是|真是|纯粹是|根本就是)(?:一)?(?:条|只|头)(?:{_ANIMALS})(?![肉叫咬窝圈场仔崽年粮食])(?!.{{0,8}}[都也])"
    # "就是个老赖", "你这个老赖": 老赖 (a judgment defaulter) said to someone's face; "这些老赖" in a letter is a charge.
    rf"|(?:就是|真是|简直是|你|你这|他|这)(?:一)?个老赖|老赖一个"
    # "吸血鬼一样的东西", "畜生一样的人".
    rf"|(?:{_PERSON_NOUNS}|{_ANIMALS})(?:一样|似的|一般)的?(?:东西|玩意儿?|家伙|货)"
    # "拆迁办的那些人跟土匪一样，跟野狗一样": people compared with beasts or bandits.
    rf"|(?:{_YOU}|人|家伙|当官的|干部|领导|拆迁办|开发商)(?:就|简直|真)?(?:跟|和|像|如同|好像|好比)(?:一群|一帮|一伙)?"
    rf"(?:{_ANIMALS}|野狗|疯狗|土匪|强盗|畜生|畜牲|禽兽|豺狼|恶狼)(?:一样|似的|一般|没两样)"
    rf"|(?:{_YOU}|这帮|那帮|一帮|这群|那群|一群|这伙|那伙|一伙|这些|那些|都是|就是|全是|简直是)(?:人|家伙|当官的|干部|村干部)?"
    rf"(?:都是|就是|是|全是|真是)?(?:一群|一帮|个|这个|那个|这种)?(?:{_PERSON_NOUNS})"
)
_STRONG_RE = compile_alternation(STRONG + "|" + "|".join(REGIONAL.values()))
# Threats and insults that begin with very common characters (你, 去, 拿 …) and a stretch of text: each runs only when
# its rare word is in the comment, so the main lexicon stays fast. The writer taking a weapon or petrol to someone
# ("再来量地我拿锄头劈了你们", "老子就拿刀去村部找你们算账", "拎桶汽油去乡政府门口，大家一起死"; not "拿锄头去挖沟"),
# paint or dung thrown at an office, "walk carefully at night", a head like a wax gourd.
_GATED = (
    (re.compile(r"刀|斧|锄头|铁锹|汽油|炸药|棍子|钢管|扁担"), re.compile(
    r"(?:拿|拎|提|扛|带|揣|抄)(?:着|上|起|把|桶|根|瓶|壶)?[\u4e00-\u9fff]{0,2}(?:刀|斧头|斧子|锄头|镰刀|铁锹|汽油|炸药|棍子|钢管|扁担)"
        r"[\u4e00-\u9fff]{0,12}?(?:劈|砍|剁|捅|宰|烧死|炸死|弄死|拼命|拼了|算账|同归于尽|一起死|陪葬|见血|门口坐着|上门)"
    )),
    (re.compile(r"泼"), re.compile(r"(?:去|到)[^。！？!?]{0,10}泼(?:油漆|粪|大粪|汽油)")),
    (re.compile(r"小心点"), re.compile(r"(?:你|你们|他|他们)[^。！？!?，,]{0,6}(?:走路|出门|走夜路)小心点")),
    (re.compile(r"脑袋"), re.compile(r"(?:你|就是个|真是个|是个)[^。！？!?]{0,6}(?:冬瓜|榆木|猪)脑袋")),
)
# Praise in scare quotes before an official ("感谢“大聪明”领导", "“父母官”们"): sarcasm aimed at people, matched on the
# normalised text because the quotes are what make it sarcastic.
_SARCASTIC_RE = re.compile(
    r"[“\"「『‘](?:大聪明|小聪明|大天才|天才|人才|卧龙|凤雏|大能人|能人|砖家|叫兽|青天大老爷|父母官|好官|清官|大善人|活雷锋|"
    r"人民公仆|公仆)[”\"」』’](?:们|领导|干部|书记|支书|村长|镇长|乡长|主任|局长|县长|专家|设计师|规划师|老板|开发商|官员|同志)"
)
_ADDRESSED_RE = re.compile(ADDRESSED)
_MILD_RE = compile_alternation(MILD)
# A Latin run followed by a digit or a hyphen and a digit is a code ("SB-03地块", "2B栋"), not an abbreviation.
_LATIN_RE = re.compile(rf"(?<![a-z0-9\-])({LATIN})(?![a-z0-9])(?!\s?[\-_]\s?\d)")
_PINYIN_RE = re.compile("(?:^| )(" + "|".join(PINYIN) + ")(?= |$)")
_CJK_ONLY_RE = re.compile(r"[^\u3400-\u9fff]")
_MIXED_RE = re.compile(r"[^a-z\u3400-\u9fff]")
_LATIN_RUN_RE = re.compile(r"([a-z]+)")
_SPACES_RE = re.compile(r" +")
_SCAM_RE = re.compile(r"骗子|骗人|骗钱|诈骗|被骗|骗局|骗了")
# Idioms for a rash decision ("脑子一热就定了"): criticism of how a plan was made, which the word features of
# the classifier read as "脑子" insults; like scam warnings they need a near-certain classifier score (≥ 0.97).
_RASH_RE = re.compile(r"脑子一热|头脑一热|头脑发热|脑袋一热|拍脑袋|拍脑门|脑门一拍|拍拍脑袋|"
                      # 垃圾 said of a plan or a project, not of people ("垃圾方案，重做吧")
                      r"垃圾(?:方案|规划|设计|工程|政策|项目|图纸|标准|质量)")
# Animal emoji aimed at people ("村支书🐶", "🐷脑子"): read as the character before the lexicon is matched.
_EMOJI_WORDS = str.maketrans({"🐶": "狗", "🐕": "狗", "🐷": "猪", "🐖": "猪", "🐢": "乌龟", "🐀": "老鼠", "🐭": "老鼠",
                               "💩": "屎", "🧠": "脑"})
_EMOJI_RE = re.compile("[🐶🐕🐷🐖🐢🐀🐭💩🧠]")
# Animal emoji pointed at people ("负责验收的专家👉🐷🐷🐷", "这帮🐷"): officials or a group, then the emoji.
_EMOJI_AT_RE = re.compile(r"[🐷🐶🤡💩][^。！？!?]{0,4}说的就是(?:你|你们|他|他们)|(?:专家|领导|干部|当官的|官员|书记|支书|村长|主任|镇长|乡长|局长|县长|组长|设计师|设计院|开发商|拆迁办|"
                          r"这帮|那帮|这群|那群|一群|一帮|这伙|这些人|那些人|你们|他们|那几位|这几位|那几个|这几个|几位|一个个|那位|这位)"
                          r"(?:\s*[:：]?\s*(?:👉|=|就是|都是|是|像)?\s*[🐷🐶🐖🐕]|[^。！？!?，,]{1,12}[🐷🐶🐖🐕]{2})")
# An insult with its second character masked by a cross or stars ("傻✘规划", "傻*"), as people write "傻X".
_MASKED_RE = re.compile(r"(?:傻|煞|沙)\s*[✘✗✖×╳*＊]")
# Rude gesture emoji: the writer's own gesture at whatever they follow ("这个公示🖕🖕🖕"), unless quoted as someone else's.
_GESTURE_RE = re.compile("🖕")
# Characters written as their two components to dodge filters ("亻尔 女马 白勺" = 你妈的, "女表子" = 婊子,
# "才喿" = 操): joined again for matching only. "马女" is not joined before 士/儿/生 … ("马女士" is Ms Ma).
SPLIT_CHARS = {
    "亻尔": "你", "⺅尔": "你", "亻也": "他", "女也": "她", "女马": "妈", "马女": "妈", "白勺": "的", "女表": "婊",
    "才喿": "操", "扌喿": "操", "⺘喿": "操", "犭句": "狗", "⺨句": "狗", "犭者": "猪", "⺨者": "猪", "歹匕": "死",
    "贝戋": "贱", "女昌": "娼",
}
# "Martian script" (火星文): rare variant or look-alike characters for common ones ("伱們這群囙扱幹蔀", "詓屎吧"),
# read as the ordinary characters for matching only (traditional characters are already simplified).
VARIANT_CHARS = {
    "囙扱": "垃圾", "伱": "你", "妳": "你", "莪": "我", "嘚": "的", "吣": "心", "詓": "去", "𫍜": "去", "ㄋ": "了", "蔀": "部",
    "迯": "逃", "孒": "子", "菿": "到", "湜": "是",
}
_VARIANT_RE = re.compile("|".join(VARIANT_CHARS))
_SPLIT_RE = re.compile("|".join(k if k != "马女" else "马女(?![士儿孩生婿人性同工主子])" for k in SPLIT_CHARS))
# Words *about* insults ("我不是骂人", "有人在群里骂人", "说脏话") are not insults, but the COLD-trained classifier
# scores 骂人 alone at 1.0; they are hidden from the classifier (the lexicon still sees the whole text).
# "张口就骂", "破口大骂" report that someone swore (the words they used are hidden as reported speech below).
_META_RE = re.compile(r"骂人|骂街|骂娘|辱骂|谩骂|脏话|粗口|爆粗|骂了?(?:我|我们|村民|大家|他|她|他们)|"
                      r"(?:张口|开口|张嘴|破口|当面|当众|指着鼻子)(?:就)?大?骂(?:道|着|了)?")
# Reported speech: words someone else said or shouted, quoted after a speech verb ("施工队的人冲我妈喊“你个老东西
#别挡道”", "他骂道：滚出去"), are the writer's report, not the writer's insult; they are hidden from the lexicon and
# the classifier. The writer's own words in quotes stay ("我就想说“你们都是畜生”": a first-person speaker).
# Officials an insult may be said to or of, in reported speech ("骂了镇长是“狗官”", "骂村长是土皇帝").
_OFFICIALS = "镇长|乡长|村长|书记|支书|组长|主任|队长|局长|领导"
_REPORTED_RE = re.compile(
    r"(?:喊|骂|吼|嚷|说|讲|叫|嚷嚷|大喊|大骂|吼叫|骂骂咧咧地?)(?:着|了|道|说)?"
    # whom it was said to, and "…是" ("骂我爸“老不死的”", "说我们是“刁民”")
    rf"(?:[我俺他她你]们?|大家|村民|老人|群众|{_OFFICIALS}|干部)?(?:爸|妈|爹|娘|家)?(?:是|为)?\s*[:：,，]?\s*"
    r"(?:[“\"「『‘]([^”\"」』’]{1,80})[”\"」』’]|(?<=[:：])([^。！？!?\n]{1,40}))"
)
# Further insults quoted right after the first ("骂“刁民”“穷鬼”", "骂“刁民”、“穷鬼”"): the same reported speech.
_MORE_QUOTES_RE = re.compile(r"(?:\s*[、,，和与及]?\s*[“\"「『‘][^”\"」』’]{1,80}[”\"」』’])+")
_FIRST_PERSON_RE = re.compile(r"(?:我|俺|咱)们?(?:就|只|真|也|还|要|想|得|倒|非|偏|一定|必须|今天|当面)*$")


def without_reported_speech(norm: str) -> str:
    """``norm`` with quoted speech of others removed (the writer's own quoted words are kept)."""
    if not _REPORTED_RE.search(norm):
        return norm
    out = []
    last = 0
    for m in _REPORTED_RE.finditer(norm):
        if _FIRST_PERSON_RE.search(norm[max(0, m.start() - 8) : m.start()]):
            continue
        span = m.span(1) if m.group(1) is not None else m.span(2)
        end = span[1]
        if m.group(1) is not None:
            more = _MORE_QUOTES_RE.match(norm, m.end())
            end = more.end() if more else end
        out.append(norm[last : span[0]] + " ")
        last = end
    return "".join(out) + norm[last:]


_QUOTE_OR_COLON_RE = re.compile(r"[“\"「『‘:：]")
_CONTENT_RE = re.compile(r"[a-z\u3400-\u9fff]")
# Harmless words that contain a lexicon word ("操心", "狗肉", "猪肉", "死亡", "滚动", "靠近" …), removed before matching.
_SAFE_RE = compile_alternation(
    r"(?:确实|真|太|很|好|贼|老)屌(?![你丝毛])|屌爆|屌炸|操心|操作|操场|体操|节操|情操|狗肉|养狗|狗叫|狗咬|猪肉|养猪|猪圈|猪场|生猪|母猪|猪仔|死亡|死人|去世|死者|病死|饿死|淹死|"
    r"该死的(天气|雨)|死角|死水|生死|死活|死不|死了|滚动|滚石|打滚|靠近|依靠|可靠|靠谱|靠山|靠边|靠着|靠不住|不靠|靠的|靠自己|"
    r"垃圾(站|桶|处理|分类|池|场|堆|车|房|清运|填埋|焚烧|中转|收集)|狗屁不通|热狗|疯狗咬|土狗|狗窝|死刑|该死心|死心|"
    r"黑心棉|骗子(公司)?(广告|电话|短信)|防骗|被骗|诈骗|(?<!长在)(?<!长)屁股|放屁虫|咸鱼|打扰|日子|今日|日你们?村|"
    r"[他她]妈的(病|坟|房|地|田|户口|身体|名字|养老|腿|眼睛|医药费|药|手术|低保|房子|补偿)|[妈姑舅姨大老后干奶]妈的|"
    r"(俺|我|咱|阿)(们|家)?(妈|娘|奶奶)的|[姑新大老后干亲师婆]娘的|"
    r"(?:家|养)的?老狗|老狗(?=都|已经|今年|死|病|[\d一二三四五六七八九十几]+岁)|"
    r"牲畜|家畜|畜牧|畜禽|畜产|种畜|役畜|养王八|王八(塘|池|汤|肉|壳|苗|场|养殖|鱼)|二货(?=[运车物场站源架柜款轮梯道])|"
    r"废物(利用|处理|回收|排放|堆放|处置|综合)|麻痹(大意|思想|症|了)|西瓜皮|猪头肉|卤猪头|(面部|神经|肢体|面瘫|小儿)麻痹|(固体|建筑|危险|工业|生活)废物|恶心(呕吐|想吐)"
)

# Short lexicon entries that are also pieces of ordinary words (牲畜生产区, 第二货运通道, 姑娘的): a hit on one of
# them counts only when no dictionary word straddles its edges. Checked on hits only, so it costs nothing per comment.
BOUNDED = frozenset(("畜生", "畜牲", "王八", "二货", "娘的", "奶奶的", "尼玛", "孙子们", "死鬼", "废柴", "混球", "瓜皮",
                     "老狗", "老贼", "找死", "狗眼", "册那", "信球", "坏种", "烂人", "食屎", "死蠢", "衰人", "衰仔", "衰婆",
                     "衰鬼", "八婆", "宝器", "彪子", "哈宝", "鸟人", "柒头", "契弟", "夯货", "怂货", "死光光", "閪"))
# jieba dictionary frequency a straddling word needs (the dictionary also lists rare junk and zero-frequency prefixes).
_MIN_WORD_FREQ = 20


def _straddles_word(flat: str, start: int, end: int) -> bool:
    """True when a dictionary word of 2–4 characters overlaps ``flat[start:end]`` and runs past one of its edges."""
    freq = get_tokenizer().FREQ
    for a in range(max(0, start - 3), end):
        for b in range(max(a + 2, start + 1), min(len(flat), a + 4) + 1):
            if (a < start or b > end) and freq.get(flat[a:b], 0) >= _MIN_WORD_FREQ:
                return True
    return False


# An insult reported without quotation marks, right after someone else's 骂/说 and whom it was said to ("骂人骂得很难听，
# 说我们是刁民", "有人骂镇干部是王八蛋", "那个人骂他老不死的"); not the writer's own ("我骂他是王八蛋" stays).
_REPORTED_BEFORE_RE = re.compile(r"(?<![我俺])(?:骂|说)(?:了|过|道)?(?:一句|两句|几句|一声)?(?:[我你他她俺]们?家?的?)?"
                                 r"(?:老娘|老爹|老妈|老头|娘|妈|爸|爹|奶奶|爷爷|儿子|女儿|家人|老人|人家|大家|村民|干部|镇干部|村干部|群众|"
                                 rf"{_OFFICIALS})?"
                                 r"(?:是|为|成|作)?$")


def _reported_insult(flat: str, start: int) -> bool:
    return bool(_REPORTED_BEFORE_RE.search(flat[max(0, start - 8) : start]))


def _hide_unquoted_reports(norm: str) -> str:
    """``norm`` with insults reported without quotation marks blanked (for the classifier)."""
    for regex in (_STRONG_RE, _MILD_RE):
        for m in regex.finditer(norm):
            if _reported_insult(norm, m.start()):
                norm = norm[: m.start()] + " " * (m.end() - m.start()) + norm[m.end() :]
    return norm


def lexicon_hits(prep: Prepared) -> tuple[list[str], list[str]]:
    """(strong hits, mild hits) of one comment: Chinese lexicon, pinyin homophones and Latin abbreviations."""
    flat, norm = prep.flat, prep.norm
    if _QUOTE_OR_COLON_RE.search(norm):
        norm = without_reported_speech(norm)
        flat = strip_punct(norm) if norm != prep.norm else flat
    if _EMOJI_RE.search(norm):
        flat = strip_punct(norm.translate(_EMOJI_WORDS))
    flat = _SPLIT_RE.sub(lambda m: SPLIT_CHARS[m.group(0)], flat)
    if _VARIANT_RE.search(flat):
        flat = _VARIANT_RE.sub(lambda m: VARIANT_CHARS[m.group(0)], flat)
    flat = _SAFE_RE.sub("|", flat)
    strong, reported = [], []
    for m in _STRONG_RE.finditer(flat):
        if _reported_insult(flat, m.start()):
            reported.append(m.span())
        elif m.group(0) not in BOUNDED or not _straddles_word(flat, m.start(), m.end()):
            strong.append(m.group(0))
    for trigger, regex in _GATED:
        if trigger.search(flat):
            strong += [m.group(0) for m in regex.finditer(flat) if not _reported_insult(flat, m.start())]
    for s, e in reported:  # hidden from the pinyin and mild matching below too
        flat = flat[:s] + "|" * (e - s) + flat[e:]
    strong += [m.group(0) for m in _ADDRESSED_RE.finditer(flat) if m.group(0) not in strong]
    strong += [m.group(0) for m in _SARCASTIC_RE.finditer(norm) if strip_punct(m.group(0)) not in strong]
    strong += [m.group(0) for m in _GESTURE_RE.finditer(norm)][:1]
    strong += [m.group(0) for m in _EMOJI_AT_RE.finditer(norm)][:1] + [m.group(0) for m in _MASKED_RE.finditer(norm)][:1]
    strong += [m.group(0) for m in _LATIN_RE.finditer(norm)]
    latin_flat = [m.group(0) for m in _LATIN_RE.finditer(flat)]
    strong += [h for h in latin_flat if h not in strong]
    mild = [m.group(0) for m in _MILD_RE.finditer(flat) if not _reported_insult(flat, m.start())]
    cjk = _CJK_ONLY_RE.sub("", _PINYIN_SAFE_RE.sub("|", flat))
    if cjk and not strong:
        # Latin pinyin mixed with characters ("cao 你妈") is matched on whole syllables too.
        mixed = _MIXED_RE.sub("", _PINYIN_SAFE_RE.sub("|", flat))
        syllables = _SPACES_RE.sub(" ", to_pinyin(_LATIN_RUN_RE.sub(r" \1 ", mixed), sep=" ")).strip()
        hit = _PINYIN_RE.search(syllables)
        if hit:
            strong.append(f"谐音({hit.group(1).replace(' ', '')})")
    return list(dict.fromkeys(strong)), list(dict.fromkeys(mild))


class AbuseDetector:
    """Lexicon plus classifier.

    Parameters
    ----------
    threshold:
        Classifier probability above which a comment with no lexicon hit is abusive. Default 0.9, chosen on
        ``tests/data/screening_dev.jsonl`` and real citizen letters for the char + word n-gram model (0.8 flags
        1.4% of real letters, 0.9 flags 1.0%, as few as the previous model did at 0.8); the COLD benchmark score
        of ``bench/screen.py`` uses 0.5, the threshold chosen by cross-validation on the COLD train sample.
    mild_threshold:
        Classifier probability that, with one mild word, makes a comment abusive (two mild words: half of it).
        Default 0.7 (descriptions like "臭气熏天，恶心" stay below it).
    min_chars:
        Letters/characters the classifier needs before it may flag alone (default 4: "？" is never abusive).
    model_path:
        Where the trained classifier is loaded from.
    """

    def __init__(self, threshold: float = 0.9, mild_threshold: float = 0.7, model_path: Path | None = None,
                 min_chars: int = 4) -> None:
        self.threshold = threshold
        self.mild_threshold = mild_threshold
        self.min_chars = min_chars
        self.model_path = model_path

    def load(self) -> AbuseDetector:
        """Load the trained classifier (once); returns self."""
        if getattr(self, "classifier_", None) is None:
            self.classifier_ = TextClassifier.load(self.model_path or MODEL_PATH)
        return self

    def probabilities(self, preps: list[Prepared]) -> list[float]:
        """Classifier probability of offensiveness per comment (0 when no model is available)."""
        self.load()
        if self.classifier_ is None:
            return [0.0] * len(preps)
        probas = self.classifier_.predict_proba([_META_RE.sub(" ", p.norm) for p in preps])
        # Reported speech may only lower a score: a text cut around an empty quote can read oddly to the model.
        # Only scores that some decision could use are re-scored: lowering one already below every threshold (two
        # mild words need half of ``mild_threshold``) changes nothing, and the regexes cost time on every comment.
        lowest = min(self.threshold, self.mild_threshold / 2)
        reported = {}
        for i, p in enumerate(preps):
            if probas[i] < lowest:
                continue
            text = without_reported_speech(p.norm) if _QUOTE_OR_COLON_RE.search(p.norm) else p.norm
            if "骂" in text or "说" in text:
                text = _hide_unquoted_reports(text)
            if text != p.norm:
                reported[i] = text
        if reported:
            lower = self.classifier_.predict_proba([_META_RE.sub(" ", t) for t in reported.values()])
            for i, q in zip(reported, lower, strict=True):
                probas[i] = min(probas[i], q)
        return probas

    def decide(self, prep: Prepared, proba: float) -> Decision:
        """Combine lexicon hits and the classifier probability for one comment."""
        strong, mild = lexicon_hits(prep)
        reasons = []
        if strong:
            flag = True
            reasons.append("辱骂用语: " + "、".join(strong[:4]))
        elif len(mild) >= 2 and proba >= self.mild_threshold / 2 or mild and proba >= self.mild_threshold:
            flag = True
            reasons.append("攻击性用语: " + "、".join(mild[:4]))
        else:
            # The classifier alone needs some words to judge: "？" or "666" is never abusive.
            # Calling scammers scammers ("那是骗子") is a warning, not abuse; the COLD-trained model overrates 骗子.
            threshold = self.threshold
            if _SCAM_RE.search(prep.flat):
                threshold = max(threshold, 0.95)
            if _RASH_RE.search(prep.flat):
                threshold = max(threshold, 0.97)
            flag = proba >= threshold and len(_CONTENT_RE.findall(prep.flat)) >= self.min_chars
        if flag and proba >= 0.5:
            reasons.append(f"冒犯分类器: {proba:.2f}")
        score = 1.0 if strong else proba
        return Decision(flag, round(score, 3), reasons, {"strong": strong, "mild": mild, "proba": round(proba, 3)})
