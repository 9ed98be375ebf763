"""Duplicates and campaigns: exact after normalisation, near-duplicates, families with the earliest representative."""

from __future__ import annotations

from nlp.screening import screen
from nlp.screening.decision import prepare
from nlp.screening.dedup import DuplicateFinder, dedup_key

BASE = "我们下坪村二组的机耕路三年没修了，一下雨就过不去，希望这次整治先把这条路硬化。"


def test_key_strips_prefix_signature_and_numbers():
    variant = "同意楼上！我们下坪村二组的机耕路3年没修了，一下雨就过不去，希望这次整治先把这条路硬化。——下坪村二组全体村民"
    assert dedup_key(prepare(variant)) == dedup_key(prepare(BASE))


def test_campaign_family_has_earliest_representative_and_count():
    items = [
        {"id": "a", "text": "补偿太低了"},
        {"id": "b", "text": BASE},
        {"id": "c", "text": "同意楼上！" + BASE},
        {"id": "d", "text": BASE.replace("下坪村", "上坪村")},
        {"id": "e", "text": BASE + "另外沟渠也要清淤。"},
        {"id": "f", "text": BASE.replace("三年", "3年") + "——下坪村二组全体村民"},
        {"id": "g", "text": "安置房离镇上太远了，买菜看病都不方便"},
    ]
    results = screen(items)
    assert [r.duplicate_of for r in results] == [None, None, "b", "b", "b", "b", None]
    assert results[1].family_size == 5
    assert any("代表 5 条" in r for r in results[1].reasons)


def test_exact_duplicates_after_normalisation():
    results = screen([{"id": 1, "text": "补偿太低了"}, {"id": 2, "text": "補償太低了！！"}])
    assert results[1].duplicate_of == 1


def test_stance_is_never_stripped():
    results = screen([{"id": 1, "text": "支持修这条机耕路"}, {"id": 2, "text": "反对修这条机耕路"}])
    assert results[1].duplicate_of is None


def test_different_opinions_on_the_same_topic_are_not_duplicates():
    results = screen([
        {"id": 1, "text": "宅基地补偿标准太低，要求提高到每平方米两千元"},
        {"id": 2, "text": "宅基地审批太慢了，年轻人结婚没地方建房"},
    ])
    assert results[1].duplicate_of is None


def test_content_free_posts_are_not_grouped():
    results = screen([{"id": 1, "text": "+1"}, {"id": 2, "text": "+1"}])
    assert all(r.low_info and r.duplicate_of is None for r in results)


def test_large_campaign_is_fast_and_linear():
    import time

    items = [{"id": i, "text": f"{BASE}——{i % 7}组村民"} for i in range(3000)]
    start = time.perf_counter()
    roots = DuplicateFinder().families([prepare(x["text"]) for x in items])
    assert time.perf_counter() - start < 5
    assert set(roots) == {0}


def test_an_ad_reposted_with_reordered_phrases_joins_by_its_shared_contact():
    results = screen([
        {"id": "a", "text": "高价收购增减挂钩指标、占补平衡指标，个人村集体都可以，现款结算，威信：zbzb_666"},
        {"id": "b", "text": "收购占补平衡指标 增减挂钩指标 村集体个人都收 现款 威 信 zbzb 666"},
    ])
    assert results[1].duplicate_of == "a"


def test_one_residents_two_requests_with_the_same_phone_are_not_a_campaign():
    results = screen([
        {"id": "a", "text": "银行卡 6228 4800 1234 5678 903 补偿款打这个卡"},
        {"id": "b", "text": "卡号：6228 4800 1234 5678 903 户主自己的卡"},
    ])
    assert results[1].duplicate_of is None


def test_two_residents_giving_their_own_cards_are_not_one_campaign():
    results = screen([
        {"id": "a", "text": "补偿款请打到我的卡上 6222021234567890128 谢谢"},
        {"id": "b", "text": "补偿款请打到我的卡上：6228 4801 2345 6789 012，户主赵红梅"},
    ])
    assert results[1].duplicate_of is None


def test_a_copied_ad_with_the_handle_spaced_out_stays_in_its_family():
    results = screen([
        {"id": "a", "text": "宅基地审批 不动产登记 征收评估 专业代办 包过 不成功不收费 V：zjd2026bg"},
        {"id": "b", "text": "代办宅基地审批 不动产证 征收评估 包过 不成功不收费 +微 z j d 2 0 2 6 b g"},
    ])
    assert results[1].duplicate_of == "a"
