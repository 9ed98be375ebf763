"""Personal data: phones in every written form, IDs with the GB 11643 check, Luhn cards, e-mail, names, addresses."""

from __future__ import annotations

import pytest

from nlp.screening.pii import PiiDetector, id_check_ok, luhn_ok


@pytest.fixture(scope="module")
def pii():
    return PiiDetector()


@pytest.mark.parametrize(
    "text,redacted",
    [
        ("电话13812345678", "电话138****5678"),
        ("电话 138 1234 5678", "电话 138 **** 5678"),
        ("电话138-1234-5678", "电话138-****-5678"),
        ("电话１３８１２３４５６７８", "电话１３８****５６７８"),
        ("电话幺三八一二三四五六七八", "电话幺三八****五六七八"),
        ("+86 13812345678", "+86 138****5678"),
    ],
)
def test_mobile_numbers_in_every_form(pii, text, redacted):
    decision, out = pii.detect(text)
    assert decision.flag and out == redacted


def test_id_number_with_valid_check_digit(pii):
    assert id_check_ok("11010519491231002X")
    assert not id_check_ok("110105194912310021")
    decision, out = pii.detect("身份证11010519491231002X")
    assert decision.flag and "19491231" not in out
    assert any("身份证号" in r for r in decision.reasons)


def test_id_number_with_mistyped_check_digit_is_still_redacted(pii):
    decision, out = pii.detect("身份证号430104195803124521")
    assert decision.flag and "19580312" not in out


def test_bank_card_with_luhn(pii):
    assert luhn_ok("6222021234567890128")
    decision, out = pii.detect("打到卡上 6222021234567890128")
    assert decision.flag and out.endswith("0128") and "62220212" not in out


def test_email(pii):
    decision, out = pii.detect("邮箱 zhangwei1968@163.com")
    assert decision.flag and "zhangwei1968" not in out and out.endswith("@163.com")


@pytest.mark.parametrize(
    "text,expected",
    [
        ("户主陈大明，住石桥村五组12号", "户主陈**，住石桥村五组**号"),
        ("我叫王建国", "我叫王**"),
        ("我是下坪村二组的刘建国，我家老房子在红线里", "我是下坪村二组的刘**，我家老房子在红线里"),
        ("住址：新塘村五组18号", "住址：新塘村五组**号"),
        ("我是下坪村三组12号的王桂兰，地被划进去了", "我是下坪村三组**号的王**，地被划进去了"),
        ("白果村四组李秀英 我家地里堆了土", "白果村四组李** 我家地里堆了土"),
        ("坟地的事请尽快答复——王桂兰", "坟地的事请尽快答复——王**"),
    ],
)
def test_names_and_house_addresses(pii, text, expected):
    decision, out = pii.detect(text)
    assert decision.flag and out == expected


@pytest.mark.parametrize(
    "text",
    [
        "户主签字才行",
        "我是石桥村五组的村民",
        "俺们组的路灯坏了",
        "2023年5月12日公示",
        "补偿款1200000元太少",
        "12345热线打了好几次",
        "我们村五组有二十几户的地被占了",
        "三三两两的人在看公示",
        "户主不在家的能不能让家里人代签",
        "征地公告上说每亩三万八",
        "二组全体村民反对",
        "三组张家的地被占了",
        "四组王大爷说路太窄",
        "——下坪村二组全体村民",
    ],
)
def test_no_false_alarms(pii, text):
    decision, out = pii.detect(text)
    assert not decision.flag, decision.reasons
    assert out == text


def test_huge_text_is_redacted_to_the_end(pii):
    text = "补偿太低" * 100_000 + "电话13812345678"
    decision, out = pii.detect(text)
    assert decision.flag and out.endswith("138****5678")


@pytest.mark.parametrize(
    "text",
    [
        "村委会电话 0731-84561234，有问题打这个问就行",
        "镇政府公布的监督电话 0731-88886666 根本没人接",
        "补偿标准每亩38000元，隔壁县是45000",
        "文件编号 湘自然资发〔2023〕15号",
        "身份证尾号4529的那户是我家",
        "王家湾3组的路灯全坏了",
    ],
)
def test_office_numbers_and_figures_are_not_personal_data(pii, text):
    decision, out = pii.detect(text)
    assert not decision.flag, decision.reasons
    assert out == text


@pytest.mark.parametrize(
    "text,hidden",
    [
        ("咨询热线 1 8 9 - 7 3 1 2 - 0 0 6 6", "7 3 1 2"),
        ("我的QQ号是 345678912，有资料发我", "345678912"),
        ("我老伴张桂芳七十五了", "桂芳"),
        ("我爸叫何大山，他的承包地被划走了", "大山"),
        ("村支书的手机13912345678", "13912345678"),
    ],
)
def test_spaced_numbers_qq_and_relatives_names(pii, text, hidden):
    decision, out = pii.detect(text)
    assert decision.flag and hidden not in out


@pytest.mark.parametrize("text,hidden", [("我叔叫李满仓，他家的地也被划进去了", "满仓"),
                                         ("找村里的会计杨秀珍问过，她说不知道", "秀珍")])
def test_names_after_relatives_and_roles(pii, text, hidden):
    decision, out = pii.detect(text)
    assert decision.flag and hidden not in out


@pytest.mark.parametrize("text", ["组长说下个月开工", "书记来了也没用", "张书记说会公开"])
def test_roles_without_a_name_are_not_personal_data(pii, text):
    assert not pii.detect(text)[0].flag


def test_name_after_a_comma_and_jiao(pii):
    decision, out = pii.detect("我们家户主是我公公，叫罗德厚")
    assert decision.flag and "德厚" not in out
    assert not pii.detect("没人管，叫他们来看看")[0].flag


@pytest.mark.parametrize("text,hidden", [("村民代表 吳志強 東山村六組 反對強拆", "志強"), ("村民代表：李建国 反对强拆", "建国"),
                                         ("戶主 陳大明 石橋村五組", "大明")])
def test_names_after_a_role_word_and_in_traditional_characters(pii, text, hidden):
    decision, out = pii.detect(text)
    assert decision.flag and hidden not in out


@pytest.mark.parametrize("text", ["村民代表大会什么时候开", "代表全村 反对建垃圾站", "（李家冲五组全体）"])
def test_role_words_and_whole_groups_are_not_names(pii, text):
    assert not pii.detect(text)[0].flag


@pytest.mark.parametrize("text,hidden", [("她叫刘桂芳 是我妈", "桂芳"), ("我爷爷叫李德福 九十了", "德福"),
                                         ("老党员 许德明 三组", "德明"), ("组长 何建国 说的", "建国")])
def test_names_after_he_is_called_and_after_role_words(pii, text, hidden):
    decision, out = pii.detect(text)
    assert decision.flag and hidden not in out


@pytest.mark.parametrize("text", ["他叫司机过来拉土", "他叫王师傅来修", "他叫人来量地"])
def test_he_calls_someone_over_is_not_a_name(pii, text):
    assert not pii.detect(text)[0].flag


@pytest.mark.parametrize("text,hidden", [("俺的微信号 wanggang_88 有事联系", "ngga"), ("wx: li_hua88 我是二组李华", "hua"),
                                         ("号码1️⃣3️⃣9️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣", "4️⃣5️⃣6️⃣"),
                                         ("号码139 就是那个 2231 后面 8890", "2231")])
def test_own_wechat_keycap_digits_and_a_mobile_told_in_pieces(pii, text, hidden):
    decision, out = pii.detect(text)
    assert decision.flag and hidden not in out


@pytest.mark.parametrize("text", ["邮箱 zrzyj@hunan.gov.cn 是自然资源局的", "电话 135 后面 2 栋 1234 567",
                                  "家长群是微信c1903班级群", "拨打12345、12319都没人管", "v ok 收到"])
def test_official_mail_class_names_hotlines_and_numbers_with_units_are_not_personal_data(pii, text):
    assert not pii.detect(text)[0].flag


@pytest.mark.parametrize("text,hidden", [("我爸叫王有福 八十了", "有福"), ("我老伴叫李来顺 地在东坡", "来顺"),
                                         ("私聊🐧 三三八九零二七六", "八九零")])
def test_common_given_name_characters_after_naming_cues_and_the_qq_penguin(pii, text, hidden):
    decision, out = pii.detect(text)
    assert decision.flag and hidden not in out


@pytest.mark.parametrize("text", ["我叫王有点事想问", "我妈叫人来量地", "家里小孩喜欢🐧 玩具"])
def test_naming_cues_before_ordinary_words_are_not_names(pii, text):
    assert not pii.detect(text)[0].flag


@pytest.mark.parametrize("text,hidden", [("加我微信fw7011 代办", "70"), ("代办宅基地证 v信 zjd2025 包过", "d20"),
                                         ("w e i x i n：tudi666 土地证", "di6"), ("加我微信li_ming88，我把照片发你", "_min"),
                                         ("Q: 87654321 有事找我", "654"), ("电话：13 9 0 7 3 1 2 2 4 5 5", "7 3 1")])
def test_wechat_ids_also_in_ads_bare_q_numbers_and_mistyped_mobiles(pii, text, hidden):
    decision, out = pii.detect(text)
    assert decision.flag and hidden not in out


@pytest.mark.parametrize("text,hidden", [("我爸张德福一个人在家", "德福"), ("我哥王建军的地被划进去了", "建军"),
                                         ("——王秀珍 2024年6月5日", "秀珍"), ("问题还没解决。——李强 6.3", "强")])
def test_names_after_a_kinship_word_and_dated_dash_signatures(pii, text, hidden):
    decision, out = pii.detect(text)
    assert decision.flag and hidden not in out


@pytest.mark.parametrize("text", ["我妈高兴得睡不着", "我爸常年在外打工", "我妈成天念叨", "我爸何时能拿到钱",
                                  "——二组全体 2024.6.3"])
def test_kinship_words_before_ordinary_words_are_not_names(pii, text):
    assert not pii.detect(text)[0].flag


def test_a_sellers_handle_is_masked_but_a_residents_own_handle_is_personal_data():
    from nlp.screening import screen

    ad, own, ad_with_mobile = screen([
        {"id": 1, "text": "宅基地证代办 包过 加我微信 tudi_8866 三天拿证"},
        {"id": 2, "text": "我微信号laowang_1962 水渠漏水的照片我拍了 村里谁能帮我转给国土所"},
        {"id": 3, "text": "宅基地证代办 包过 电话13912345678"},
    ])
    assert ad.spam and not ad.pii
    assert "tudi_8866" not in ad.redacted and any("广告联系方式" in r for r in ad.reasons)
    assert own.pii and not own.spam and "laowang_1962" not in own.redacted
    assert ad_with_mobile.spam and ad_with_mobile.pii  # a mobile is personal data even in an ad


@pytest.mark.parametrize("text,name", [
    ("村里会计钱德顺去年就说过要重新丈量", "钱德顺"), ("外甥女潘晓燕在城里，有事打给她", "潘晓燕"),
    ("我们队队长蒋文斌前天来量过地", "蒋文斌"), ("——白杨村 何秀兰 谨上", "何秀兰"),
])
def test_names_after_roles_and_relatives_without_a_possessive_and_before_a_closing(pii, text, name):
    decision, redacted = pii.detect(text)
    assert decision.flag and name not in redacted, redacted


@pytest.mark.parametrize("text", ["组长周末都不在家", "主任何时能给个说法", "书记张口就骂人", "村长马上就来",
                                  "组长任务重", "儿子高考完了才能搬", "找会计师事务所评估",
                                  "希望书记和相关部门重视", "主任向大家解释了半天"])
def test_roles_and_relatives_before_ordinary_words_are_not_names(pii, text):
    assert not pii.detect(text)[0].flag, text


@pytest.mark.parametrize("text,name", [
    ("俺家老伴儿郑玉珍前年摔了一跤，走不了远路", "玉珍"),
    ("前排马家的马长顺把水沟填了，下雨水漫到我家", "长顺"),
    ("党员代表严国栋上次开会说得清清楚楚", "国栋"),
    ("村口的柯桂兰大娘一个人住，屋顶漏了半年", "桂兰"),
    ("没领到补贴的还有：聂春生、聂春来、龚翠萍，请核对", "翠萍"),
])
def test_names_in_natural_phrasing(pii, text, name):
    decision, redacted = pii.detect(text)
    assert decision.flag and name not in redacted, redacted


@pytest.mark.parametrize("text,hidden", [
    ("急事扣我：2387716450，晚上在", "87716450"),
    ("图纸发我邮箱 zhangtie2019 at 163 dot com 谢谢", "hangtie2019"),
    ("资料寄到我邮箱 laowu(at)126(dot)com 就行", "aowu"),
])
def test_a_qq_told_as_q_me_and_a_spelled_out_mailbox(pii, text, hidden):
    decision, redacted = pii.detect(text)
    assert decision.flag and hidden not in redacted, redacted


@pytest.mark.parametrize("text", [
    "我是初中生，替爷爷问一下", "村民全部到场签了字", "请look at this dot com一下", "交通、安全、卫生都要考虑",
    "公交车难等、车难坐，希望加线路", "本人申请复评",
])
def test_common_words_after_loose_cues_and_in_lists_are_not_names(pii, text):
    assert not pii.detect(text)[0].flag, text


@pytest.mark.parametrize("text,hidden", [
    ("材料发我邮箱 wanggl_88＠163。com", "anggl_88"),
    ("我的邮箱是 lihua 艾特 qq 点 com 有事发我", "ihua"),
    ("反对把水田划成建设用地。——河口村三组 欧阳红旗", "红旗"),
    ("俺叔王栓的地让人占了", "栓"),
    ("韦芳两口子在外打工，地被人占了", "芳"),
])
def test_mail_with_chinese_dots_and_words_compound_signatures_and_two_character_names(pii, text, hidden):
    decision, redacted = pii.detect(text)
    assert decision.flag and hidden not in redacted, redacted


@pytest.mark.parametrize("text", [
    "我家承包地的地块代码是4115231052010300128，整治后会不会变",
    "不动产单元号 360121003005GB00123F00010001 写错了",
    "项目编号 2024112503001789 的公示在哪看",
])
def test_plot_parcel_and_project_codes_are_not_personal_data(pii, text):
    assert not pii.detect(text)[0].flag, text


@pytest.mark.parametrize("text,hidden", [
    ("照片需要的话发给我：liuqiang(at)qq(dot)com", "iuqiang"),
    ("材料已发到邮箱 zhaoli_1980#163.com（#换成@）", "haoli_1980"),
])
def test_mail_with_bracketed_at_and_a_hash_for_at(pii, text, hidden):
    decision, redacted = pii.detect(text)
    assert decision.flag and hidden not in redacted, redacted


def test_a_student_saying_which_grade_is_no_name(pii):
    assert not pii.detect("我是高二学生，帮我奶奶问安置房的事")[0].flag


def test_an_offices_enquiry_line_is_not_personal_data(pii):
    assert not pii.detect("咨询电话0575-87012345是打到哪个部门的")[0].flag


@pytest.mark.parametrize("text,hidden", [
    ("出租过渡房，月付押一，13812345678", "1234"),  # a Chinese numeral before the comma is no digit of the number
    ("迁坟服务 15O-2233-4455（王师傅）", "2233"),  # the letter O typed for a zero
    ("有情况可以找我，13八0七二五五一九", "七二五五"),  # mixed scripts, one digit short, after 找我
])
def test_mobiles_after_a_numeral_word_with_a_letter_o_and_in_mixed_scripts(pii, text, hidden):
    decision, redacted = pii.detect(text)
    assert decision.flag and hidden not in redacted, redacted


def test_a_birth_order_nickname_is_no_full_name(pii):
    assert not pii.detect("村里的小组长蒋老四说签了字才能领补偿")[0].flag


def test_a_full_name_after_group_before_a_verb_and_a_writer_masked_number(pii):
    assert pii.detect("六组的吴国平把自家的地转租给外地老板")[0].flag
    assert not pii.detect("本人文化低，说话直")[0].flag
    assert not pii.detect("迁坟服务电话 0743-8821xxx 找陈师傅")[0].flag


def test_a_name_after_it_was_written_wrongly_and_a_mistyped_mobile_after_tonghao(pii):
    assert pii.detect("他名字写错了，陈阿毛写成陈阿茂")[0].flag
    assert pii.detect("装修找我们，威信同号 15.9.3.8.2.6.7.1.0.4.5")[0].flag
    assert not pii.detect("规划里写成商业用地，这不对吧")[0].flag
