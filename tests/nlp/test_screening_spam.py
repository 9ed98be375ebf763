"""Spam detector: contact evasion, promotion, the domain's hard cases, and residents complaining about ads."""

from __future__ import annotations

import pytest

from nlp.screening import screen


@pytest.mark.parametrize(
    "text",
    [
        "土地证代办 包过 加薇信 tudi8866",
        "专业代办宅基地证 三天出证 v信同号 1 3 8 2 2 1 6 5 5 7 9",
        "帮你多报补偿面积，一亩多拿好几万，有意者加V详聊",
        "征地前种苗木，一亩多赔三四万，苗木基地直供，电话幺三八幺二三四五六七八",
        "迁坟一条龙服务，看风水选墓地，价格优惠，联系139.0123.4567",
        "不動產登記加急辦理，內部渠道，威信：fangchan_888",
        "点击领取补偿计算器 http://t.cn/A6b9kZ",
        "w e i x i n：tudi666 土地证代办，价格实惠",
        "宅\u200b基\u200b地\u200b证代办，扣扣 88776655",
    ],
)
def test_ads_and_evasions_are_spam(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.spam, result.reasons
    assert any("联系方式" in r or "推广" in r or "链接" in r for r in result.reasons)


@pytest.mark.parametrize(
    "text",
    [
        "有人在村里群里发广告说加薇信能代办土地证，大家别上当，这是骗子",
        "最近老有人打电话说能帮我们多报补偿面积，这不是违法吗？请政府查一下",
        "听说有些人知道要征地就连夜种苗木，想多拿补偿，这种情况要严查",
        "村口电线杆上贴满了迁坟一条龙的广告，谁来管管",
        "有事请联系我 138 1234 5678",
        "补偿太低了",
        "建议把机耕路加宽到四米",
    ],
)
def test_residents_are_not_spam(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.spam, result.reasons


def test_spam_reason_names_the_evasion():
    result = screen([{"id": 1, "text": "办证找我，薇信 abc12345"}])[0]
    assert result.spam
    assert any(r.startswith("含联系方式变体") and "薇" in r for r in result.reasons)
    assert result.value == 0


@pytest.mark.parametrize(
    "text",
    [
        "不动产证加急 ➕V：bdc6688 当天出结果",
        "想拿高额拆迁补偿的 薇亻言 cq1314",
        "各位乡亲，征收前栽果树一亩能多补五万，树苗我包了，wei❤ miao88",
        "征地赔偿最高能拿多少？点这里 https://bcjs.top/a1 免费测算",
        "迁坟 风水 墓碑 一站式 18907312288",
    ],
)
def test_new_evasions_without_the_usual_spelling(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.spam, result.reasons


@pytest.mark.parametrize(
    "text",
    [
        "邮箱 liming_1972@qq.com 麻烦把图纸发一份",
        "QQ：1234567890 有消息通知我",
        "之前那个加VX办证的把我表哥骗了五千块",
        "政策原文在这里 http://www.hunan.gov.cn/zcfg/123.html 第五条写了补偿标准",
    ],
)
def test_contact_details_emails_and_cited_links_are_not_ads(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.spam, result.reasons


@pytest.mark.parametrize(
    "text",
    [
        "【惠农】征地补偿快速到账通道，内部办理，详情+V",
        "苗木批发，红叶石楠、桂花、樱花，征地补偿标准苗，送货上门，V：mm_nursery",
        "宅基地、承包地纠纷，律师一对一，首次免费，加微 lawyer_tdz",
        "农村宅基地可以买卖了！想买的联系王经理，手续我们全包",
    ],
)
def test_terse_ads_with_a_call_to_action(text):
    assert screen([{"id": 1, "text": text}])[0].spam


@pytest.mark.parametrize("text", ["镇上的律师事务所免费咨询吗？想问问宅基地的事", "有人在评论里留微信说能帮忙办证，大家当心",
                                  "我想把自家的地流转出去，村里有统一的平台吗"])
def test_residents_asking_or_warning_are_not_ads(text):
    assert not screen([{"id": 1, "text": text}])[0].spam


def test_resident_quoting_an_ad_with_its_handle_is_not_spam():
    text = "有人在群里发“加V tdz888 代办土地证”，这是骗子吧，大家别加"
    assert not screen([{"id": 1, "text": text}])[0].spam
    assert screen([{"id": 1, "text": "加V tdz888 代办土地证"}])[0].spam


@pytest.mark.parametrize("text", ["宅基地确权 扣1了解", "拆迁补偿 私信我 我教你"])
def test_evasion_alone_is_not_vetoed_by_the_classifier(text):
    assert screen([{"id": 1, "text": text}])[0].spam


def test_resident_saying_ask_my_daughter_in_law_is_not_an_ad():
    result = screen([{"id": 1, "text": "有问题找我儿媳妇周小燕，电话一五九零七三一四四五五"}])[0]
    assert not result.spam and result.pii
    assert screen([{"id": 1, "text": "帮忙办理征地社保，费用低，速度快，老乡互助"}])[0].spam


@pytest.mark.parametrize("text", ["补偿款到账慢？我们有办法，三天到账，联系小刘", "我们公司专门收购征地苗木，现金结算，量大价优",
                                  "出售农家散养土鸡蛋，一块五一个，送到家"])
def test_plain_ads_in_a_sellers_voice(text):
    assert screen([{"id": 1, "text": text}])[0].spam


@pytest.mark.parametrize("text", ["补偿款到账太慢了，三个月了还没到", "我想卖掉家里的旧拖拉机，村里有人要吗",
                                  "村里收购苗木的老板跑了，钱没给", "政府承诺三天到账，结果三个月没到"])
def test_residents_using_the_same_words_are_not_ads(text):
    assert not screen([{"id": 1, "text": text}])[0].spam


def test_long_letters_need_more_evidence():
    from nlp.screening.decision import prepare
    from nlp.screening.spam import SpamDetector

    detector = SpamDetector().load()
    short = prepare("手续简单，电话里聊")
    long = prepare("手续简单，电话里聊。" + "我们小区的路灯坏了很久，反映了很多次都没有人来修，晚上出门很不方便。" * 14)
    assert detector.decide(short, 0.5).flag
    assert not detector.decide(long, 0.5).flag


@pytest.mark.parametrize("text", ["征地补偿面积能多报 内部有人 懂的私信我", "宅基地问题私信我 包解决",
                                  "有想多拿补偿款的 进群 群号在我主页", "农药批发 比镇上便宜三成 主页有联系方式",
                                  "俺家去年找人弄的 多赔了四万多 想知道咋弄的留个言 我告诉你",
                                  "我表哥帮好几家把面积弄上去了 有需要的我帮你们问问 私聊"])
def test_private_channels_instead_of_a_contact_are_evasion(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.spam, result.reasons


@pytest.mark.parametrize("text", ["无人机打药 一亩五块 电话：１３９７４５６２２１８", "卖二手挖机 手续齐全 接土方活 电话 一三七.0731.5520",
                                  "有资质可挂靠 联系 幺三八 七四二六 五九零一", "收割机出租 一亩八十元 13973112345"])
def test_a_sellers_trade_or_price_with_a_mobile_is_an_ad(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.spam and result.pii, result.reasons


@pytest.mark.parametrize("text", ["有人说能多报面积 是骗子吧", "俺家屋顶漏了 我电话13812345678 麻烦来看看",
                                  "俺家被征了两亩 每亩4.8万 才给这么点 我电话13974112086",
                                  "有人发广告卖二手挖机 电话13812345678 别信",
                                  "村里的通知都发在群里 没进群的看不到 建议也贴公告栏"])
def test_residents_with_a_phone_or_warning_of_touts_are_not_ads(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.spam, result.reasons


@pytest.mark.parametrize("text", ["拆迁户注意 分红险年年返 抖音同名 保险小刘", "鱼油 降三高 老人吃了都说好 某音搜 养生王姐",
                                  "快手搜 老王农资 化肥种子厂家价 买十送一", "扫码进群 群里天天抢红包 化肥便宜",
                                  "今晚八点 某音号 xiaomei_farm 开播 自家新米"])
def test_a_platform_account_given_instead_of_a_number_is_a_contact(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.spam, result.reasons


@pytest.mark.parametrize("text", ["搬家找老李 一车三百 电话幺三八 一二三四 五六七八", "收承包地经营权 一亩一年九百 有意的找刘老板 v信 liu888",
                                  "黄金回收 今日金价 进店有礼 县城步行街", "代画房屋设计图 三天出图 价格便宜 q：八八七七六六五五四",
                                  "挖出来的土 有要的 三十一车 找我老五 号码13 9 就是那个 后面是2231 8890"])
def test_neighbour_voice_offers_shops_and_spelled_numbers_are_ads(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.spam, result.reasons


@pytest.mark.parametrize("text", ["村里公众号发了规划公示 大家去看看", "我在抖音上看到隔壁村拆迁了 补偿怎么算的",
                                  "视频号上村委会直播了听证会 我看了 补偿标准太低", "俺家搬家一趟花了二百 电话13812345678 谁报销",
                                  "wx: li_hua88 我是二组李华 我家的地界有争议 想发图给你们"])
def test_residents_naming_a_platform_or_giving_their_own_wechat_are_not_ads(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.spam, result.reasons


@pytest.mark.parametrize("text", [
    "老中医祖传膏方 治痛风 三天见效 一疗程只要198 点头像了解",
    "磁疗床垫 腰不疼 原价599现在199 戳我头像下单",
    "开过光的平安符 挂车上保平安 有缘的朋友私聊",
    "搬迁新居 请尊财神 开光加持 需要的看我简介",
    "殡葬一条龙 随叫随到 价格透明 电话 一八六 二二三一 四四五六",
    "防盗门 铝合金窗 安置房装修打九折 电话15907318826",
    "拆迁维权 平均多拿三成 成功案例上百 某宝搜“征地帮”",
    "驾校 拆迁户报名立减五百 联系王教练 158 7543 2190",
    "小产权房 各种房源 价格低 私聊🐧 三三八九零二七六",
])
def test_health_religious_mover_and_disguised_platform_ads(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.spam, (text, result.features["spam"])


@pytest.mark.parametrize("text", [
    "vx：wangli_1985 本人王丽 在外地打工 家里的地界问题可以加我",
    "老人说迁坟要请先生看日子 能不能推迟一个月", "我在某宝买的监控拍到夜里有人拆墙",
    "大家看我头像 房子被拆成这样了", "规划简介里的电话打不通", "凭什么安置房补偿打八折",
    "村干部随叫随到 这点要表扬", "我妈住院一个疗程花了两万 补偿款还没到",
    "有人发广告说某乎搜拆迁哥能多拿补偿 大家别信",
])
def test_residents_own_wechat_graves_and_complaints_are_not_ads(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.spam, result.reasons


@pytest.mark.parametrize("text", [
    "【县不动产登记中心】您的宅基地确权信息有误，请于48小时内回复户主身份证号和银行卡号，逾期将取消补偿资格。",
    "尊敬的用户：您的补偿款已冻结，请立即转账500元解冻费至以下账户，否则视为放弃。",
    "我在镇上有熟人，评估价能给你往上调一档，办成了再给钱，要的私信。",
    "专业月嫂育儿嫂 金牌护工每月5200起 电话 1 3 9 0 7 3 1 2 2 4 5 5",
    "黄金首饰回收 今日金价高价回购 到店即送小礼品",
    "Make money fast! Work from home, earn $300 per day. Click here: tinyurl.com/abc",
])
def test_phishing_notices_touts_care_and_gold_ads_and_english_spam(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.spam, (text, result.features["spam"])


@pytest.mark.parametrize("text", [
    "村委会通知：请各户本月底前带身份证和银行卡到村委会登记，逾期影响补偿发放。",
    "有人冒充国土局发短信，让回复身份证号和银行卡号，否则影响补偿，大家千万别信！",
    "熟人社会就是这样，评估的时候有关系的都评高了，我们没关系的吃亏。",
    "从2024年起安置房不能买卖了吗？", "拆迁款买了点黄金，现在金价涨了不少。",
    "The land use map is hard to read, please upload a bigger version.",
    "原来通知都在微信群里发，现在改到QQ群里了，老人看不到怎么办？",
    "征地补偿又不是买彩票，凭什么有的人多有的人少？", "种了一辈子地，赔的钱还不够买安置房",
])
def test_notices_in_person_warnings_metaphors_and_channel_questions_are_not_ads(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.spam, result.reasons


@pytest.mark.parametrize("text", [
    "镇政府温馨提示：耕地地力补贴每亩补发280元，扫描下方二维码登记领取，两天内有效。",
    "黑户白户都能借！不看征信，当天下款，应用市场搜“好借呗呗”",
    "【互助会】每户交100元即可入会，统一请律师，钱转到农行卡 6228 4801 2345 6789 012",
])
def test_fake_notices_with_a_qr_code_loan_apps_and_collections_into_a_card_are_spam(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.spam, (text, result.features["spam"])


@pytest.mark.parametrize("text", [
    "补偿款什么时候转到我的银行卡？都说好了三月底，现在还没到。",
    "有人在群里说每人交50元就能加入维权，还让转账到个人卡，这是不是骗子？",
    "村委会贴了二维码，说扫码登记领取补贴，老人不会用手机怎么办？",
])
def test_residents_asking_about_payments_collections_and_qr_codes_are_not_ads(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.spam, (text, result.reasons)


@pytest.mark.parametrize("text", [
    "威 尼 斯 人 线 上 娱 乐 ， 注 册 就 送 彩 金",
    "颈椎腰椎疼？祖传草本膏药贴，三贴见效，免费试用，热线400-615-2277",
    "补偿款放着也是放着，带你炒币，周收益8%，进群：t.me/gold_hands88",
    "专业屋面补漏，外墙翻新，五年质保，找小唐13972015546",
])
def test_spaced_casino_ads_health_plasters_crypto_groups_and_building_trades_are_spam(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.spam, (text, result.features["spam"])


@pytest.mark.parametrize("text", [
    "有个组织打着数字货币的幌子在微信群里拉人头，已经有老人上当了，请政府查处。",
    "我家屋顶漏雨，去年请人补过，说是保修两年，现在又漏了，农房改造能不能包括？",
    "拨打12345和国土所电话都没人接，到底找谁？",
])
def test_residents_warning_about_crypto_or_telling_of_repairs_are_not_ads(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.spam, (text, result.reasons)


@pytest.mark.parametrize("text", [
    "想看自家的地值多少钱？抖音搜“老周看地”，免费帮你估",
    "农房设计图纸 三天出图 小红书搜 @乡村小院设计",
    "土地流转大户高价承租 详情搜闲鱼用户“流转小刘”",
    "宅基地政策一对一解答，应用商店搜「确权通」下载",
    "内部规划图纸提前看，飞机联系 @land_inside",
    "承接机耕路土方工程 有项目的老板请V我 jg_tufang88",
    "补偿款放银行不划算，我们这个项目年化9%保本保息，名额不多",
    "各位乡亲请注意：申领失地农民补贴需先交80元工本费，镇上服务点即可办理",
    "【补偿款核对】请点击 https://bc-check.top 输入身份证号和银行卡号",
    "紧急通知：未缴纳确权建档费的，补偿款将暂停发放，请转账至6228480402564899018",
    "fuwu daiban, bao guo, jia wei: td8899",
    "出售全镇规划底图，含征收红线，需要的留邮箱",
])
def test_platform_referrals_apps_investment_advance_fees_and_phishing_links_are_spam(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.spam, (text, result.features["spam"])


@pytest.mark.parametrize("text", [
    "村口电线杆上贴了张“迁坟一条龙 包挖包运”，这是村里安排的吗？",
    "我家的果树是前年种的，有发票有照片，不是冲着补偿抢种的",
    "张家湾那个包工头欠了工钱跑了，他的电话 139 0745 1234 大家认得的告诉他快回来",
    "抖音上都在传征地补偿要涨，是真的吗？",
    "村里让先交50元工本费才能领补贴，这合理吗？",
])
def test_residents_quoting_posters_denying_schemes_and_asking_are_not_ads(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.spam, (text, result.reasons)


@pytest.mark.parametrize("text", [
    "【镇整治办】请各户于周五前登录 t.cn/Ab12Cd 完成补偿信息核验，逾期视为放弃",
    "想分房排前面的，我有渠道，费用面谈 📱1 3 9 0 7 4 5 1 2 3 4",
    "转发本条到三个群，凭截图即可领取耕地补贴红包，亲测到账",
    "膝盖疼下不了地？正宗氨糖软骨素，前三十名免费领",
    "拆迁户专享价1299，磁疗床垫到店体验送鸡蛋",
    "我在这个群多拿了十几万补偿，群号发不出来，看我头像",
    "@所有人 补偿标准调整的内部文件已流出，下载地址：bit.ly/xY12z",
])
def test_login_phishing_touts_chain_messages_health_goods_and_leaked_files_are_spam(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.spam, (text, result.features["spam"])


@pytest.mark.parametrize("text", [
    "合同里面约定质保两年，现在沟渠裂了，施工方必须免费修",
    "意见书我写好了，有需要的发邮箱 zhangsan88@qq.com 找我要",
])
def test_a_contracts_guarantee_and_a_resident_sharing_a_letter_are_not_ads(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.spam, (text, result.reasons)


def test_a_shops_street_address_in_an_ad_is_masked_but_not_personal_data():
    result = screen([{"id": 1, "text": "老年理疗床垫专享价999，到店体验送鸡蛋，地址：县城解放路66号"}])[0]
    assert result.spam and not result.pii and "66号" not in result.redacted


@pytest.mark.parametrize("text", [
    "闲置宅基地可挂牌出租，一次签二十年，登记请点 t.cn/Zx81kQ",
    "⚠️通知：征地补偿款未领取的农户须于24小时内登录补偿服务平台核验信息，否则冻结账户",
    "想知道自家在不在征收范围，百度搜某某县征迁地图第一个就是，付费9.9元看补偿金额",
    "土地流转找我们！租金比村里高三成，联系小刘 一八九零七四五一二三四",
])
def test_click_here_links_login_deadlines_paid_lookups_and_agents_are_spam(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.spam, (text, result.features["spam"])


def test_a_quoted_ads_handle_is_masked_but_not_personal_data():
    result = screen([{"id": 1, "text": "看到有人发广告说“加微信tdlz999，土地流转高价收”，平台能不能删了"}])[0]
    assert not result.spam and not result.pii and "tdlz999" not in result.redacted


@pytest.mark.parametrize("text", [
    "各位村民注意：补贴申报系统已升级，请扫描下方二维码进行身份核验，逾期视为自动放弃【县农业农村局】",
    "农闲无聊？来玩斗地主赢真钱，提现秒到，戳 http://u6.gg/kfX9",
    "要择日看地的到镇上“德福堂”，报我名字打九折",
])
def test_qr_verification_notices_cash_card_games_and_shop_referrals_are_spam(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.spam, (text, result.features["spam"])


def test_a_resident_asking_the_village_to_arrange_grave_moving_is_not_an_ad():
    text = "迁坟的时候村里能不能统一安排车辆，不要让大家自己去找那些搞一条龙的，价格太黑了"
    assert not screen([{"id": 1, "text": text}])[0].spam


@pytest.mark.parametrize("text", [
    "迁坟补偿标准是多少？别让我们自己去找外面那些“迁坟一条龙”，去年邻村好几家被坑了",
    "我们组有人听说征地前种苗木能多拿补偿，突击种了一片树苗，对种粮的人不公平，请核查",
])
def test_residents_reporting_schemes_they_were_cheated_by_are_not_ads(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert not result.spam, (text, result.reasons)


@pytest.mark.parametrize("text", [
    "办社保的注意：现在交可以享受内部补贴档，名额只剩20个，点 sbbt.xyz 提交资料",
    "工程分包，有资质的老板来，挂靠也行，企鹅 三九八七六五四一二",
    "想流转的可以去镇上丰禾农服门店问问，租金比别家每亩高一百",
    "新开养生馆开业，拆迁户凭征收协议办卡打五折",
    "安置房一套出租，90平，家具齐全，有意的打我电话13967001234",
    "【紧急通知】公示系统升级，请各户登录 http://xian-ghj.gov-cn.top 重新核对宅基地信息",
    "拆迁户买车找我，0首付提车，送全车贴膜",
    "我有最新测绘坐标，一户50元帮查，看我主页置顶",
])
def test_round_29_soft_ads_shop_referrals_and_notices_are_spam(text):
    result = screen([{"id": 1, "text": text}])[0]
    assert result.spam, (text, result.features["spam"])


def test_a_resident_asking_to_clear_ads_from_the_comments_is_not_an_ad():
    assert not screen([{"id": 1, "text": "评论区好多加V的广告，管理员能不能清理一下？"}])[0].spam


def test_a_health_patch_with_a_wechat_is_an_ad_and_a_resident_who_chased_a_salesman_off_is_not():
    assert screen([{"id": 1, "text": "老人腰腿疼的可以试试我们的艾灸贴，拆迁分了钱也要保养身体，微信 zhj_aijiu"}])[0].spam
    text = "迁坟有没有补助？别让那些迁坟一条龙的找上门来，上次就有人上门推销被我撵走了。"
    assert not screen([{"id": 2, "text": text}])[0].spam
