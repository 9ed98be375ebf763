"""Abuse detector: lexicon after normalisation, pinyin, abbreviations, homophones; blunt complaints are fine."""

from __future__ import annotations

import pytest

from nlp.screening import screen


@pytest.mark.parametrize(
    "text",
    [
        "村支书就是个sb，啥都不懂瞎指挥",
        "tmd拆我房子不给钱",
        "nmsl 补偿款到现在一分没见到",
        "煞笔规划，把渠修到山顶上去了",
        "cao ni ma的施工队",
        "你们这帮狗官 补偿款全让你们贪了",
        "S B设计院",
        "踏马的又改方案",
        "一群吸血鬼 无耻 连老人的养老钱都克扣",
        "他媽的，又改方案",
    ],
)
def test_abusive(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.abusive, (text, result.reasons)


@pytest.mark.parametrize(
    "text",
    [
        "这个规划真是太坑人了，补偿这么低，让我们怎么活",
        "强烈反对强拆！！！",
        "垃圾中转站不要建在我们组旁边，太臭了",
        "养猪场的臭气熏天，操心死了",
        "你们当官的能不能来村里看一看",
        "这方案谁定的？问过我们老百姓没有？",
        "沙壁上长满了青苔",
    ],
)
def test_blunt_complaints_are_not_abusive(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.abusive, (text, result.reasons)


def test_grievance_stays_visible_when_abusive():
    text = "你们这帮狗官，补偿款全让你们贪了，三组的青苗补偿到现在没发"
    result = screen([{"id": 1, "text": text}])[0]
    assert result.abusive
    assert result.redacted == text  # nothing is cut; reviewers still see the grievance
    assert result.value >= 1


@pytest.mark.parametrize("text", ["cao 你妈 补偿呢", "沙雕设计，把渠修到路中间", "干你娘，我家的树全砍了",
                                  "这帮王八犊子把树都砍了", "傻Ｂ规划"])
def test_mixed_script_and_regional_insults(text):
    assert screen([{"id": 1, "text": text}])[0].abusive


@pytest.mark.parametrize(
    "text",
    [
        "妈妈的老房子被水淹了，找政府也没人管",
        "他妈的病要花钱，补偿款啥时候到",
        "建筑废物堆在路边半年了",
        "说话不算数，骗我们签字",
        "村口墙上贴的代办土地证的小广告，是不是骗子？",
        "？",
    ],
)
def test_family_words_waste_and_accusations_are_not_insults(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.abusive, result.reasons


@pytest.mark.parametrize("text", ["狗比施工队", "你们这些脑瘫设计的路", "辣鸡村委 啥也不干", "死妈玩意 补偿呢",
                                  "一群傻狍子画的图", "给老子滚", "二百五才想出这个方案"])
def test_wider_insult_lexicon(text):
    assert screen([{"id": 1, "text": text}])[0].abusive, text


@pytest.mark.parametrize("text", ["套型结构比例不合理", "星沙碧桂园的围墙违建", "补偿二百五十万是怎么算的",
                                  "卤猪头肉摊子占了路", "西瓜皮扔得到处都是", "不能麻痹大意"])
def test_homophones_and_numbers_that_only_look_like_insults(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.abusive, result.reasons


@pytest.mark.parametrize("text,abusive", [
    ("你们就是一群猪，规划成这样", True), ("村干部都是白眼狼", True), ("他们都是狗腿子", True),
    ("一群猪跑到田里把秧苗拱了", False), ("这些狗被施工车轧死了", False), ("你们家的狗咬人", False),
])
def test_derogatory_nouns_aimed_at_people_not_at_animals(text, abusive):
    assert screen([{"id": 1, "text": text}])[0].abusive is abusive


@pytest.mark.parametrize("text", ["测量队那几个货就是欠揍", "村书记不是东西，吃拿卡要样样占", "你算个什么东西，也配来我家量地"])
def test_contempt_phrases(text):
    assert screen([{"id": 1, "text": text}])[0].abusive


@pytest.mark.parametrize("text", ["我家住12b栋", "考试要带2b铅笔", "文件的md5校验", "a栋2b室漏水", "TM标志"])
def test_latin_abbreviations_inside_codes_are_not_insults(text):
    assert not screen([{"id": 1, "text": text}])[0].abusive


def test_calling_scammers_scammers_is_not_abuse():
    assert not screen([{"id": 1, "text": "有人在评论区让大家扣“要”，那是骗子"}])[0].abusive


@pytest.mark.parametrize("text", ["这规划真是脑子一热就定了吧", "领导拍脑袋决定的方案，没问过我们", "头脑发热搞的大工程"])
def test_rash_decision_idioms_are_criticism_not_abuse(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.abusive, result.reasons


def test_rash_idiom_does_not_hide_a_real_insult():
    assert screen([{"id": 1, "text": "拍脑袋的狗官，傻逼一个"}])[0].abusive


def test_portal_threshold_is_stricter_than_the_cold_benchmark_threshold():
    from nlp.screening.abuse import AbuseDetector
    from nlp.screening.decision import prepare

    prep = prepare("你们家的狗咬人")
    # A classifier score between the COLD benchmark threshold (0.5) and the portal default does not flag.
    assert not AbuseDetector().decide(prep, 0.85).flag
    assert AbuseDetector(threshold=0.5).decide(prep, 0.85).flag
    assert AbuseDetector(threshold=0.8, mild_threshold=0.6).threshold == 0.8  # old keyword arguments still work


def test_shipped_model_matches_the_training_settings():
    from nlp.screening.abuse import MODEL_PATH
    from nlp.screening.model import TextClassifier
    from nlp.screening.train import ABUSE_SETTINGS

    model = TextClassifier.load(MODEL_PATH)
    assert model is not None, "nlp/data/abuse_model.joblib is missing: run python -m nlp.screening.train --only abuse"
    for key, value in ABUSE_SETTINGS.items():
        assert getattr(model, key) == value, key


def test_classifier_with_word_ngrams_fits_saves_and_loads(tmp_path):
    from nlp.screening.model import TextClassifier

    texts = ["你这个傻子滚开", "一群废物滚出去", "滚开吧蠢货们", "废物一个傻子",
             "补偿标准请公开", "道路规划请公开", "希望修一条水渠", "水渠修到村口"] * 3
    labels = [1, 1, 1, 1, 0, 0, 0, 0] * 3
    model = TextClassifier(ngram_range=(1, 2), word_ngram_range=(1, 2), C=4.0).fit(texts, labels)
    assert model.pipeline_.steps[0][0] == "featureunion"  # char and word features both used
    path = tmp_path / "m.joblib"
    model.save(path)
    loaded = TextClassifier.load(path)
    bad, good = loaded.predict_proba(["滚开你们这群废物", "请公开补偿标准"])
    assert bad > 0.5 > good
    assert loaded.predict_proba([]) == []


def _fake_cold(root, rows_per_topic=12):
    import csv

    (root / "cold").mkdir(parents=True)
    with open(root / "cold" / "cold_train_sample5000.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["row", "orig_id", "split", "topic", "label", "text"])
        n = 0
        for topic in ("race", "gender", "region"):
            for i in range(rows_per_topic):
                label = i % 2
                text = f"{topic}这些人都是废物滚出去{i}" if label else f"{topic}的朋友们都很友好{i}"
                writer.writerow([n, n, "train", topic, label, text])
                n += 1


def test_cross_validation_reads_only_the_train_sample(tmp_path):
    from nlp.screening.train import cross_validate_abuse, load_cold

    _fake_cold(tmp_path)  # no cold_test.csv: CV must not need the test split
    texts, labels, topics = load_cold(tmp_path, "train", with_topics=True)
    assert len(texts) == len(labels) == len(topics) == 36 and set(topics) == {"race", "gender", "region"}
    scores = cross_validate_abuse(tmp_path, {"ngram_range": (1, 2), "word_ngram_range": (1, 2), "C": 4.0})
    assert set(scores) == {"kfold", "topic"}
    assert all(0.9 <= s <= 1.0 for s in scores.values()), scores  # trivially separable toy data


def test_train_without_cold_is_a_clear_error(tmp_path, capsys):
    from nlp.screening.train import main

    assert main(["--datasets", str(tmp_path), "--only", "abuse"]) == 2
    assert "COLD not found" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["规划里牲畜生产区离水源地太近了", "俺家的王八塘也在征地范围里 养的甲鱼咋算补偿",
                                  "规划的第二货运通道要从俺们组中间穿过去", "42112619590901158X 这是俺娘的身份证",
                                  "姑娘的嫁妆钱都投进房子里了", "俺奶奶的房子要拆 她八十多了"])
def test_insults_inside_ordinary_words_are_not_abuse(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.abusive, result.reasons


@pytest.mark.parametrize("text", ["那个包工头就是个畜生", "畜生！", "楼上那个二货", "施工队那帮王八蛋", "你娘的 补偿款呢",
                                  "他娘的 又不给钱", "你个王八 收钱不办事"])
def test_the_same_words_standing_alone_are_still_insults(text):
    assert screen([{"id": 1, "text": text}])[0].abusive, text


@pytest.mark.parametrize("text", ["他就是个老赖 欠钱不还", "村长就是条狗 只会舔上面", "设计院一群憨批", "🐶官 滚",
                                  "开发商吸血鬼一样的东西"])
def test_insults_aimed_at_a_person_in_new_forms(text):
    assert screen([{"id": 1, "text": text}])[0].abusive, text


@pytest.mark.parametrize("text", ["我们家老狗十几岁了 安置房能养吗", "规划图上的SB-12地块是干什么的",
                                  "我不骂人 就说一句 补偿太低", "有人在群里骂人 请管理员管管",
                                  "法院把他列为老赖了 欠俺家的钱还没还", "人在做天在看 就是头猪闻到这味也要躲开"])
def test_pets_plot_codes_and_talk_about_insults_are_not_abuse(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.abusive, result.reasons


@pytest.mark.parametrize("text", [
    "仆街 收咗钱唔做嘢", "你哋班冚家铲", "食屎啦你 规划成咁", "痴线 呢个补偿标准",  # Cantonese
    "恁这些孬种 只会欺负老百姓", "信球一个 还当组长", "日恁娘 补偿款呢",  # Henan / Shandong
    "打靶鬼 把我屋的树砍了", "砍脑壳的开发商", "你个锤子 晓得个啥子", "一群宝器 开会就晓得喝茶",  # Hunan, Sichuan
    "瘪犊子玩意 补偿款都敢扣", "碎怂 把路挖断了", "戆大 规划图也看不懂", "娘希匹 补偿这么少",  # NE, NW, Wu
    "干恁老师 土地拿去卖", "死囡仔 别来我家",  # Minnan
    "忘本的白眼狼", "挨千刀的 把我地占了", "你个兔崽子 敢动我家祖坟", "这伙坏种 拆了我家房子",
    "那个支书就是个扫把星", "憋孙 占俺地不给钱",
])
def test_regional_and_dialect_insults_aimed_at_people(text):
    assert screen([{"id": 1, "text": text}])[0].abusive, text


@pytest.mark.parametrize("text,hit", [("那个组长 亻尔 女马 白勺 就会推", "你妈的"), ("女表 子养的开发商", "婊子"),
                                      ("才喿你 又改方案", "操你")])
def test_insults_split_into_character_components(text, hit):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.abusive and hit in result.features["abuse"]["strong"], result.reasons


@pytest.mark.parametrize("text", [
    "这张是我妈的卡 补贴打到这里", "马女士的宅基地证办好了吗", "老王八十多岁了 住哪", "傻等了一个月没人来",
    "狗头山那块地规划成什么", "养鸡场要拆 补偿怎么算", "看手册那一页写着标准", "破坏种植结构的项目不能上",
    "七大姑八婆都来问拆迁的事", "买猪头三个 过年用", "房子靠北边 采光不好", "养鸟人反映树林要砍",
    "我爸出门被车撞了 这条路太窄", "土鳖虫养殖场在三组", "这事完犊子了 没人管", "嬲死哒 等了三个月",
    "告别孙子去城里上学",
])
def test_ordinary_words_containing_regional_insults_are_not_abuse(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.abusive, result.reasons


@pytest.mark.parametrize("text", [
    "这个所长就是个 wang ba dan", "村霸ren zha一个", "You are a bunch of f**king thieves", "What the sh*t is this plan",
    "村主任是开发商的“看门狗”，谁给钱听谁的", "你们这帮畜生，冲我妈喊“老东西滚”", "我就想说一句“你们这群畜生”",
])
def test_spaced_pinyin_masked_english_watchdogs_and_direct_insults_are_abuse(text):
    assert screen([{"id": 1, "text": text}])[0].abusive, text


@pytest.mark.parametrize("text", [
    "他们骂我爸“老不死的”，还推了他一把，这是执法吗？", "拆迁队的人吼道：老东西滚开！我爸当场就气哭了",
    "我家看门狗被拆迁队的车轧死了，谁赔？", "村支书就是个土皇帝，一手遮天",
])
def test_reported_insults_pet_watchdogs_and_local_despot_criticism_are_not_abuse(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.abusive, result.reasons


@pytest.mark.parametrize("text", [
    "这份补偿方案🖕 谁定的谁心里清楚", "这个方案就给你们竖个中指", "贪了修路钱的那几个，早晚下十八层地狱",
    "吞了我们安置款的人生孩子没屁眼", "这位“大天才”规划师把排污口设在水源地上游", "设计这个路口的人脑袋是用来装饰的吧",
    "村里那几个大聪明又想出新花样了，这帮大聪明",
])
def test_rude_gestures_curses_and_sarcastic_nicknames_are_abuse(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.abusive, (text, result.reasons)


@pytest.mark.parametrize("text", [
    "拆迁队来的时候开口就骂“老赖”“钉子户”，还推搡老人，请镇里查一查。",
    "他们骂我们是“刁民”、“穷鬼”，这种话能从干部嘴里说出来吗？",
    "雨季一来，这条路泥得像下地狱一样，孩子上学太难了。", "工作人员竟向业主竖起中指，请教育局查处。",
    "我爸干活时中指受伤了，工伤怎么认定？",
])
def test_reported_insults_in_a_row_and_hell_as_a_comparison_are_not_abuse(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.abusive, (text, result.reasons)


@pytest.mark.parametrize("text", [
    "谁敢动我家祖坟，我就跟他们同归于尽。", "那个姓钱的书记以后走夜路当心点。", "再来强拆就弄死你们",
    "伱們這些幹蔀嘚良吣被狗吃ㄋ", "征收办那帮人跟强盗一样，一点人性都没有，就会抢。",
])
def test_threats_martian_script_and_dehumanising_comparisons_are_abuse(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.abusive, (text, result.reasons)


@pytest.mark.parametrize("text", [
    "路灯坏了一个月了，大家走夜路小心点，请尽快修。", "雨后这条路泥得跟猪圈一样，车开不过去。",
    "物业扬言要打死你们，第二天真来了人打伤了业主，请派出所处理。",
])
def test_warnings_about_dark_roads_and_reported_threats_are_not_abuse(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.abusive, (text, result.reasons)


@pytest.mark.parametrize("text", [
    "再来量我家的地，我拿镰刀砍了你们",
    "不给说法我就提桶汽油去镇政府，大家一起死",
    "老子一把火把你们村部点了",
    "验收的专家👉🐷 这种沟渠也能过",
    "傻✘设计，路修得比房子还高",
    "那个wbd会计又把钱扣了",
    "🐷头ld又在开空头支票",
    "一群憨包干部，规划画得乱七八糟",
    "你个鳖崽子组长，钱都吞了",
    "干恁老母，半夜来推房",
    "这规划水平，猪看了都要自愧不如",
])
def test_threats_masked_insults_emoji_at_officials_and_regional_insults_are_abusive(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.abusive, (text, result.reasons)


@pytest.mark.parametrize("text", [
    "尼玛乡的牧道被围栏挡住了",
    "我拿锄头去挖沟，发现沟被填了",
    "修路要砍了他家的树，补偿怎么算",
    "房子3×4米，算不算一间",
])
def test_places_tools_and_dimensions_are_not_abusive(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.abusive, (text, result.reasons)


@pytest.mark.parametrize("text", [
    "验收的那几位 🐶🐶 懂的都懂",
    "谁再来量我家的地我打断他的腿",
    "设计院那帮人脑子里装的全是浆糊吧",
    "做这个方案的人狗都不如",
    "谁敢强拆我就跟他拼命，大不了一命换一命",
    "一帮贪官污吏，看你们能贪到几时",
    "你妹的，电话打了一百遍没人接，滚回家种地吧",
])
def test_emoji_at_a_group_threats_and_insults_by_comparison_are_abusive(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.abusive, (text, result.reasons)


@pytest.mark.parametrize("text", [
    "我们队长骂人很难听，说我们是刁民，这样的人能当干部吗",
    "邻村有人骂镇干部是王八蛋被拘留了，有意见还是要好好提",
    "量地的人骂我老娘是老不死的，要求处理",
])
def test_insults_reported_without_quotation_marks_are_not_the_writers(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.abusive, (text, result.reasons)


@pytest.mark.parametrize("text", [
    "我骂他是王八蛋怎么了",
    "这些干部一个个吃得肥头大耳🐷🐷",
    "这tm叫验收合格？",
    "你们就是一群cs",
    "吃人饭不拉人屎的东西，占了我家的地",
])
def test_own_insults_emoji_runs_and_abbreviations_are_abusive(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.abusive, (text, result.reasons)


@pytest.mark.parametrize("text", [
    "再带人来量我家的地，来一个我砍一个",
    "村干部都是一窝耗子，粮仓掏空了还装没事人",
    "mdzz，规划图连个比例尺都没有",
    "你们那点破事全村都知道，要点脸吧",
    "烂泥扶不上墙的东西，事一件不办",
    "那个会计就是个灰猴，心眼黑透了",
    "你个缩头乌龟，拿了流转款就躲起来",
    "你们这些人良心遭狗吃了",
])
def test_threats_animal_metaphors_and_northwest_insults_are_abusive(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.abusive, (text, result.reasons)


def test_a_litter_of_mice_in_the_barn_is_not_abusive():
    assert not screen([{"id": 1, "text": "仓库里一窝老鼠把粮食咬了，能不能一起整治"}])[0].abusive


@pytest.mark.parametrize("text", [
    "这规划是猪做的吧，猪都知道水往低处流",
    "做规划的人就是一坨💩",
    "定这个标准的人🐷🧠吧",
    "谁敢来挖我家祖坟我就让他横着出去",
    "谁来量我家房子我打断谁的腿",
    "这帮拆迁的就是一群吸血蚂蟥",
    "楼上收了钱的水军吧，跪舔得真香",
    "别以为没人知道你家住哪，做事留条后路",
    "再来强拆，我家里备着汽油，大家一起上新闻",
    "吃人不吐骨头的好官，老百姓的地就是你们的提款机",
])
def test_comparisons_emoji_words_veiled_threats_and_sarcasm_are_abusive(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.abusive, (text, result.reasons)


@pytest.mark.parametrize("text", [
    "那个会计你个扑领母，账目公开你装聋作哑",
    "告诉那个队长，我知道你孩子在哪个学校读书",
    "🐷🐷 说的就是你们拆迁组",
    "就这水平还当规划员？你爹妈花钱让你上学真是白瞎了",
    "副镇长就是个二球货",
    "楼上那个洗地的，zz一个",
    "你就是个冬瓜脑袋，啥也不懂还拍板",
    "姓刘的你晚上走路小心点，别让我在村口碰见你",
    "规划员真是个苕，蠢得冒泡",
    "征地那个眼镜男，长得跟个老鼠似的",
    "会计是个憨熊，账算得一塌糊涂",
    "规划局那位：🐶👉💩",
    "再不给钥匙，我就去把村委会一把火点了",
    "再拖着不给过渡费，我就去办公室门口泼油漆",
])
def test_round_28_insults_and_threats_are_abusive(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.abusive, (text, result.reasons)


@pytest.mark.parametrize("text", [
    "我们这边讲“屌”是厉害的意思，新修的机耕路确实屌，点赞",
    "我邻居被施工队的人骂了一句傻逼，还被推了一把",
    "秸秆一把火烧了污染空气，能不能统一收",
])
def test_praise_slang_reported_insults_and_burning_straw_are_not_abusive(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.abusive, (text, result.reasons)


@pytest.mark.parametrize("text", [
    "这种人就该拉出去毙了",
    "一群贼，偷老百姓的地卖钱",
    "逼急了我拿刀上门，谁也别想好过",
    "再逼我签字，我就拿汽油去你们办公室门口坐着，看谁先扛不住",
    "眼睛长在屁股上了吧，一百多平给我量成八十",
    "你们的规划就像一坨💩",
    "知道了我就天天去他家门口堵他，看他孩子上学走哪条路",
])
def test_round_30_31_threats_and_insults_are_abusive(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.abusive, (text, result.reasons)


@pytest.mark.parametrize("text", ["垃圾方案，重做吧", "村里开会说有人骂了镇长是“狗官”，骂人确实不对，但问题也得解决"])
def test_trash_said_of_a_plan_and_a_reported_insult_at_an_official_are_not_abusive(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.abusive, (text, result.reasons)
