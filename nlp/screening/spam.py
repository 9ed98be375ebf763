"""Spam and advertising: contact-evasion patterns, links, promotional language and a trained classifier.

Hard cases close to the domain — offers to 代办/包过 land certificates, 帮你多报补偿面积, 迁坟一条龙, 征地前种苗木 —
are spam; a resident *complaining* about such offers ("有人发广告说加薇信代办土地证，大家别信") is not: complaint and
warning cues lower the score unless the post also carries a concrete contact (a phone number, a handle).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from nlp.screening.decision import Decision, Prepared
from nlp.screening.model import TextClassifier
from nlp.screening.patterns import compile_alternation
from nlp.screening.pii import is_own_wechat, spelled_mobile
from nlp.text import strip_punct

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "spam_model.joblib"

# Spellings of "WeChat"/"QQ" chosen to dodge filters: always a strong cue (matched on the squashed text).
_EVASION_RE = compile_alternation(
    r"(加[v威薇卫维徽威胃喂]信?|加微(?![信博笑调])|[v威薇徽维围]信|[薇威徽]亻言|亻言|vx|v❤|wei信|微x|威x|薇x|w信|wx号|v号|weixin|wechat|vchat|"
    r"[微薇威徽维卫围v][訫伩]|扣扣|蔻蔻|抠抠|扣1(?![0-9组号栋亩米万元户年月日])|扣个1|评论1(?![0-9])|企鹅号|加q|q群(?![里上中内])|球球|加我v|私v|威芯|微芯|薇芯|卫芯|v芯|绿泡泡|小绿书|绿色软件|dd我|滴滴我|私我|"
    r"[薇威]:?(?=[a-z0-9]{4})|纸飞机|飞机号|tg号|群号\d{5,}|企鹅(?=[\d零一二三四五六七八九幺]{5,})|(?<![a-z])v我(?=[a-z0-9_]{4})|jia(?:wei|vx|v|weixin|qq)(?=[a-z0-9_]{4}))"
)
# Plain spellings of "WeChat" that a resident also uses for their own ID ("vx：chenli_1990 本人陈丽").
_PLAIN_WECHAT = frozenset(("vx", "wx号", "v信", "weixin", "wechat", "微x"))
# Hearts and similar symbols glued to a contact word ("wei❤", "v♥"): matched on the normalised text.
_HEART_RE = re.compile(r"(?<![a-z])(wei|v|w|微|威|薇)\s*[❤♥♡💗💚💓💕]|[❤♥♡💗💚💓💕]\s*信")
# The QQ penguin as a contact word ("私聊🐧 33890276", "加🐧"): matched on the normalised text (emoji are punctuation
# to the squashed one).
_PENGUIN_RE = re.compile(r"(?:加|私聊?|联系|扣)\s*🐧|🐧\s*[:：号]?\s*\d{5,}")
# A handle right after a bare "v"/"q"/"wx" ("➕V：bdc6688", "q 12345678"); a Latin-digit handle standing alone.
_BARE_CONTACT_RE = re.compile(
    r"(?<![a-z])(?:v|vx|wx|q|w)\s*[:：]?\s*(?=[a-z0-9_]{5,})(?=[a-z_]*\d|\d)|(?<![a-z])(?:v|vx|wx)\s*[:：]\s*[a-z][a-z0-9_]{3,}"
    r"|[+＋]\s*v(?![a-z])|详情\s*[+＋]?\s*v(?![a-z])"
)
# Private channels offered to readers instead of a number ("懂的私信我", "群号在我主页", "留个言 我告诉你"): the ad
# moves the contact off the page, which is contact evasion as much as a spelled-out WeChat.
_CHANNEL_RE = re.compile(
    r"私信我|私聊我|私信给我|(?:懂的|要的|想要的|需要的|感兴趣的|有意的|想知道的|想了解的)(?:私信|私聊|私|加|找我)|"
    r"(?:私信|私聊)(?:详谈|细聊|详聊|了解|咨询|领取|问)?$|(?:要的|需要的|想要的|有意的|感兴趣的|详情|了解|联系)看?(?:我的?)?主页|"
    r"(?:懂的|要的|想要的|需要的|有要的|感兴趣的|有意的|有意者)[\u4e00-\u9fff]{0,3}找(?:我|俺|[\u4e00-\u9fff]?老板|老[\u4e00-\u9fff])|"
    r"看(?:我的?)?主页$|看(?:我的?)?主页置顶|看(?:我的?)?头像[。.!！]?$|群号(?:发不出|发不了|不让发)|(?:群号|联系方式|电话|微信|号码|方式|链接)(?:都)?(?:在|见|看)(?:我|俺)?的?主页|"
    r"主页(?:有|留|见|私)(?:了|个)?(?:联系|电话|微信|号|方式|私|我)|"
    # The avatar or profile blurb as the contact ("点我头像下单", "扫我简介里的二维码"), and a seller of religious
    # goods asking the "destined" buyer to write privately ("有缘人私信结缘").
    r"(?:点|戳|扫)(?:我的?)?头像|看(?:我的?)?头像(?:联系|加|下单|领|了解|咨询|私|购买)|头像(?:里|上)?(?:有|见)(?:联系|电话|微信|方式|号|码)|"
    r"(?:看|扫|见)(?:我的?)?简介|(?:我的?)简介(?:里|上|中)?(?:有|的|见)?(?:二维码|码|联系|电话|微信|方式|号|v)|扫我.{0,6}(?:二维码|码)|(?:私信|私聊|私|加我?|找我)结缘|结缘(?:请)?(?:私|加)|"
    r"(?:需要的|要的|想要的|有意的|感兴趣的|有需要)(?:留|留下|留个)(?:邮箱|电话|微信|联系方式|号码|qq)|"
    r"有缘(?:人|者)?(?:私|加|请|联系|可|来|找|带走)|群号(?:在|见|私|找)|留(?:个|下)?言.{0,3}(?:我|俺)(?:告诉|教|发给?)你|(?:我|俺)私下(?:告诉|教|发)你"
)
# Platform accounts given instead of a number: a disguised platform name (抖Y, 某音, 某书, 红薯) or a "same name on
# <platform>" referral (小红书同名, 全网同名) is an evasion; a plain "抖音搜…", "关注视频号" is a call to action.
_PLATFORM = r"(?:小程序|小红书|红书|抖音|快手|视频号|公众号|b站|微博|头条|知乎|闲鱼|拼多多|淘宝|直播间|全网|全平台)"
_PLATFORM_EVASION_RE = re.compile(
    # An account named on a platform ("抖音搜“老陈迁坟服务”", "小红书搜 @乡村筑梦设计", "公众号搜「乡土维权帮」"); the
    # squashed text keeps no quotes, so this one is matched on the normalised text (see rule_features).
    rf"抖y|抖阴|斗音|dou音|某音|某手|某书|某红书|某(?:乎|宝|鱼|团|多多|东|度|博|站|信)(?:上|里)?(?:搜|号|店|同名|id)|红薯(?:号|搜|同名|id)|dy号|dy搜|{_PLATFORM}同名|同名{_PLATFORM}"
)
_PLATFORM_NAMED_RE = re.compile(
    rf"(?:{_PLATFORM}|百度|应用商店|应用市场|app\s?store|飞机|纸飞机|telegram|tg)(?:上|里)?\s*(?:搜索?|联系|号|id)?\s*[:：]?\s*(?:[@＠][\w\u4e00-\u9fff]|[“\"「『【《][^”\"」』】》]{{2,16}}[”\"」』】》])"
    # "小红书搜 乡村规划王师傅", "搜闲鱼用户“流转老陈”": a name set off by a space, or the platform after 搜.
    rf"|(?:{_PLATFORM}|百度)搜索?[^，。！？,.!?]{{2,15}}?第一(?:个|条)就是|{_PLATFORM}(?:上|里)?搜索?\s+[\w\u4e00-\u9fff]{{3,}}|搜索?{_PLATFORM}(?:用户|账号|店铺|号)?\s*[:：]?\s*[“\"「『【《@＠]"
)
_PLATFORM_CALL_RE = re.compile(
    rf"{_PLATFORM}(?:搜索?|号[:：]?(?=[a-z0-9])|id|主页|私信|见)|(?:搜|关注|进|来|上)(?:我的?)?{_PLATFORM}|"
    r"开播|直播间|进直播|来直播|小黄车|橱窗|(?:应用商店|应用市场|app\s?store)(?:里)?搜|复制口令|口令[¥￥$]|打开(?:抖音|快手|淘宝|拼多多|app)"
)
# A neighbour's voice naming whom to call ("找老周", "找我老三", "找张老板", "有意的找王总").
_WHOM_RE = re.compile(r"找(?:我|俺)?老[\u4e00-\u9fff]|找[\u4e00-\u9fff](?:老板|总|经理|师傅)")
_LONE_HANDLE_RE = re.compile(r"(?<![a-z0-9_@.])[a-z]{2,10}_?\d{2,8}(?![a-z0-9_.@])")
_PLAIN_CONTACT_RE = compile_alternation(
    r"(加微信|qq号|qq|q号|进群|入群|扫码|评论区留言|留言|报名|预约|详情|详询|(?:想要|需要|想|要)(?:买|卖|办|租|了解)?的(?:联系|找|加|私)|加群|来找我|联系小[\u4e00-\u9fff]|电话里聊|微信转账|关注就能|评论区扣|咨询(?=\d)|电话咨询|[王李张刘陈杨赵黄周吴孙胡朱高林何郭马罗](?:经理|教练)|客户经理|业务员|百度搜|微信搜|抖音搜|快手搜|搜索.{0,8}(?:加好友|关注)|加我微信|加个微信|微信号|微信同号|加好友|联系电话|咨询电话|联系方式|手机同号|电话同号|热线|来电|致电|"
    r"打电话给我|电话联系|联系我|找我|加我(?!们)|私聊|私信|扫码|二维码|请拨|拨打|添加|同微信|关注公众号|公众号)"
)
_HANDLE_RE = re.compile(r"(?:微信|v信|vx|wx|薇信|威信|qq|扣扣|号|:|：)\s*[:：]?\s*([a-z][a-z0-9_\-]{4,19}|\d{5,12})")
_EMAIL_RE = re.compile(r"[a-z0-9][a-z0-9._%+\-]{0,63}@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,10}")
# Links residents cite as evidence (government sites, news, search): not an ad by themselves.
_SAFE_LINK_RE = re.compile(
    r"(?:https?://)?(?:[a-z0-9\-]+\.)*(?:gov\.cn|baidu\.com|people\.com\.cn|xinhuanet\.com|news\.cn|weibo\.com|"
    r"mp\.weixin\.qq\.com)(?:/[\x21-\x7e]*)?"
)
_MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
# A mistyped mobile given after 电话/手机 ("电话：13 5 0 7 4 2 9 8 6 1 3", one digit too many): a plain contact.
_PHONE_GIVEN_RE = re.compile(r"(?:电话|手机|tel)1\d{8,11}(?!\d)")
_LINK_RE = re.compile(
    r"(https?://|www\.|t\.cn/|t\.me/|dwz\.|url\.cn|bit\.ly|tinyurl|[a-z0-9\-]{2,}\.(?:com|cn|net|top|xyz|cc|vip|me|io|ly|"
    r"site|shop|club|info|link)(?![a-z]))"
)
# Promotional language: (pattern, weight). Weighted 1.5 for service offers typical of land/demolition ads.
_PROMO = [
    (r"代办|代理办|帮忙办理|代为办理|帮(你|您)办(理|证)?|代跑|包办|包过|包解决|包搞定|包办成|包拿到|保证(拿到|下证|批下来)|包批|包下证|包通过|保证通过|保过|一条龙|一站式|包赢|包胜诉|不成功不收费|成功率|包你拿", 1.5),
    (r"多报(补偿)?面积|面积多报|面积(能|可以|也能)多报|(能|可以|帮你?们?|帮您|帮人)多报|多报(点|些|几|一)|"
     r"(把|将)?面积(弄|搞|报|做|整)(上去|大了|大些|多了)|多拿(补偿|补尝|赔偿|赔尝|补助|钱|拆迁款)|多报补偿|补偿翻倍|(?:补偿|赔偿)翻(?:一)?番|多赔|赔偿翻倍|提高补偿金?额?的?办法|套取补偿|骗补|"
     r"多拿[\d零一二三四五六七八九十两几百千万]+万|平均多拿|多拿\d+|多拿[一二三四五六七八九十几]成|教你.{0,6}(?:多拿|多要|多赔|多补|翻倍)|"
     r"多算面积|多算|多评|我教你|手把手教|教你(几|三|两)招|教你怎么|教您怎么|帮你(提高|多|算)|帮您(提高|多|算)", 1.5),
    (r"内部(关系|渠道|指标|名额|办理|价|有人|的人)|上面有人|有关系|老关系|走关系|找关系|搞定|打通关系|疏通关系|摆平|(?<![没无])有门路|"
     r"认识[^。！？!?]{0,8}的人(?:可以)?帮忙|(?:县|镇|乡|市|局|上面|里面|那边)(?:里|上)?有熟人|我有(?:渠道|路子|关系)|费用面谈|价格面谈|"
    r"内部文件|已流出|下载地址|熟人(?:能|可以|会)?帮|认识(?:领导|里面的人|上面的人)", 1.5),
    # Payment on success and grade-raising are a tout's terms ("事成后再付款", "把房屋等级往上调一档").
    (r"事成(?:之?后)?(?:再)?(?:付款|付钱|给钱|收费|收钱|结账|付)|办成(?:了|之?后)(?:再)?(?:付款|给钱|收费|收钱)|"
     r"先办事后?收钱|成功(?:后|再|了再)(?:付款|收费|收钱|给钱)|(?:等级|档次|评级|标准)(?:往上|向上)?(?:调|提|升|评)(?:高|上去)?(?:一|两|二|几)档|"
     r"往上调一档|调高一档|提一档|升一档", 1.5),
    (r"(提供|供应|出售|批发|代种|包种)(苗木|树苗|果苗)|苗木(基地|供应|批发|种植服务)|抢种|突击种|种(?!地|田|粮|庄稼).{0,4}赔|"
     r"(栽|种)(苗子|树苗|苗木|果苗|果树|树).{0,8}(来得及|多赔|多补|多拿)|(苗子|树苗|苗木)我(这|这里|家)?(有|包)|"
     r"(征地|征收|拆迁)前.{0,3}(栽|种)", 1.5),
    # Grave and superstition services ("择日动土", "安神位"): a resident's letter about moving graves may name them.
    (r"迁坟|殡葬|墓地(出售|特价)|风水(大师|先生)|看风水|算命|起名|改运|择日|择吉|吉日|安神位|安香火|算卦|测字|生辰八字", 0.5),
    # Religious goods sold to families moving house ("开光貔貅", "有缘人私信结缘"): words letters do not use.
    (r"开光|貔貅|镇宅|化煞|招财|转运|法器|护身符|灵符|符咒|请(?:一尊|尊)|结缘|灵验|风水(?:摆件|布局|调理|化解|局)", 1.0),
    (r"原价\d*|现价\d|今天只要|今日只要|只要\d+(?:元|块)?(?:包邮|到手)?$|到手价|活动价|秒杀价|打[一二三四五六七八九\d]折|"
     r"[一二三四五六七八九\d]折(?:优惠|起|酬宾)|全场[一二三四五六七八九\d]折|随叫随到|随时上门|"
     r"价格(?:低|便宜|实惠)|价钱(?:低|便宜|公道)|价低|厂家价|出厂价|[\d一二三两五七十]+天(?:出图|出证|完工|办好|下证|拿证)|"
     r"代做|代画|帮做|帮画|看过来|瞧一瞧|抢红包|领红包|发红包|天天红包|优惠|特价|低价|折扣|打折|促销|限时|名额有限|先到先得|免费(送|领|咨询|评估|上门|测量|测算|测|算|估|装|安装|设计|试用|体验|试|帮(?:你|您))|首次免费|送货上门|上门服务|上门勘察|上门(测量|评估)|不收费|费用低|收费低|速度快|办理快|签约(就)?送|送(油|米|大米|礼品|鸡蛋)|防水补漏|房屋翻新|免费领取|前[\d一二三四五六七八九十百]+名|名额只剩|只剩\d+个|专享价|体验价|到店体验|付费[\d.]+元|[\d.]+元(?:即可)?(?:查看|解锁)|名额仅剩|名额不多|名额紧张|仅剩\d+|最后\d+个|手续(我们)?全包|我们全包|赠送|送礼品|大酬宾", 1.0),
    # A soft ad sending readers to a shop ("想流转的可以去镇上丰禾农服门店问问", "需要的可以去安福堂看看").
    (r"(?:需要|想[\u4e00-\u9fff]{1,4})的(?:可以)?(?:去|到)[^。！？!?]{0,10}(?:门店|店里|店|公司|车行|馆|堂)(?:问问|看看|咨询|了解)?|"
     r"有意的(?:打|联系|加|找)", 1.5),
    (r"欢迎(咨询|来电|联系|垂询|订购|选购)|报我(?:的)?名字|有意者|加群领取|进群领取|私信领取|有意(私|加|联系|请|电)|点这里|戳这里|请点(?!评)|点此|点链接|有(需要|意向|房源|地)的?(朋友|老乡|家人|请|可以|联系|加|找|私)|"
     r"需要.{0,8}的(朋友|老乡|家人|联系|加|私)|详情(咨询|请|见|加)|了解详情|价格(公道|实惠|合理|面议|好商量|透明|从优)|"
     r"回复\d|领取(资料|补贴|红包)|点击(链接|领取)|点击.{0,12}(领|查看|查询|下载|算)|关注(公众号|我)", 1.5),
    # Chain messages ("转发本条到五个群，凭截图领取红包").
    (r"转发(?:本条|此条|这条|到)[^。！？!?]{0,6}群|凭截图(?:即可)?(?:领|兑)", 1.5),
    # Apps, invitation codes and "not an ad" testimonials ("应用商店搜…下载", "填邀请码6677", "真心推荐 不是广告").
    (r"(?:应用商店|应用市场|app\s?store)(?:里)?搜|邀请码|推荐码|复制口令|口令[¥￥$]|不是广告|非广告|真心推荐|亲测有效|亲测到账|领取[^。！？!?]{0,10}红包|"
     r"充[\d一二三四五六七八九十百]+送[\d一二三四五六七八九十百]+|正规平台|来玩两把|玩两把", 1.5),
    (r"加盟|招商|代理商|诚招|招聘|招工|包吃住|兼职|日赚|日结|月入|躺赚|赚钱|有钱赚|年年有钱|稳赚|返利|返现|刷单|佣金|提成|高收益|回报高", 1.5),
    (r"贷款|无抵押|秒批|放款|低息|信用卡|套现|网贷|借款|额度", 1.0),
    # A lender's terms ("征信花了也能贷", "随借随还", "按日计息"): loan ads name an app instead of a number.
    (r"(?:征信|黑户|白户|逾期)(?:花了|不好|差|黑了|有问题)?(?:也|都)(?:能|可以)(?:贷|借|下款)|随借随还|按日计息|日息(?:低|仅|只要)|"
     r"不看征信|不查征信|先息后本|当天下款|极速(?:放款|下款)|秒下款|下款快", 1.5),
    # Collections at a distance ("每人捐50元即可加入维权基金，转账至工行卡…"): a fee or donation paid into a card.
    (r"(?:每人|每户|每家)(?:捐|交|出|凑|缴)\d+(?:元|块)?(?:钱)?(?:即可|就能|就可以|就)?(?:加入|入会|入群|参加|报名)|"
     r"维权基金|爱心互助", 1.5),
    (r"(?:转账|汇款|打款|转)(?:至|到)[^。！？!?]{0,6}?(?:银行卡|[工农建中交邮招]行卡|卡号|账户|账号)", 1.0),
    (r"(?:代开|开具?|提供|可开|出售|各类|正规|增值税)发票|发票(?:代开|出售|可开)|代开|办证|刻章|假证|学历|证件办理|资质代办", 1.5),
    (r"赢真钱|赢钱提现|提现秒到|秒提现|秒到账|博彩|(?<!中)(?<!中了)(?<!买)彩票(?!一样|似的|一般)|六合彩|时时彩|棋牌|娱乐城|赌场|百家乐|老虎机|真人视讯|体育投注|"
     r"葡京|真人荷官|荷官|首存|首充送|存送|彩金|线上娱乐|澳门(?:在线|赌|娱乐|威尼斯|金沙)|威尼斯人", 2.0),
    (r"厂家直销|批发价|出厂价|报价|全国(包邮|接案|服务)|包邮|下单|团购|微商|代购|秒杀|爆款|专卖", 1.0),
    (r"(征地|拆迁|土地)(律师|维权团队|咨询公司)|律师团队|律师一对一|一对一(服务|解答|指导)|专业(团队|律师|办理|评估|测绘|代理)|找专业的|成功案例|案例(?:上百|几百|无数|上千)|能赔多少|能拿多少|快速到账|到账通道|公司(承接|专业)|承接", 1.0),
    (r"出售|出租|转让|收购|回收|求购|急售|急租|买卖|房源", 0.5),
    # A seller's voice and the terms of a deal ("我们公司专门收购…现金结算", "不下证不收钱").
    (r"我们公司|本公司|我司|公司专门|专门(收购|办理|做|承接|代办|回收)|我们有办法|有办法(让|帮|把)|包下来|"
     r"(?:找|联系)我们(?![村组的])|不下证不收钱|不成不收|不收钱|现金结算|量大价优|价优|便宜处理|处理价|低价处理|送到家|代缴|转账就行|手续简单|"
     r"高价(?:收|回收|收购)|黄金回收|回收黄金|上门回收|现金回收|今日金价|保底回购|高价回购|"
     r"加急|当天出(?:结果|证|图)|"
     r"免费发布|\d+天到账|当天到账|到账快|有需要的?(我|俺)(帮|给)(你|您|大家)|[一二三四五六七八九十两\d]+(块|元)[一二三四五六七八九\d]?一个", 1.0),
    # General marketing language (shops, property sales, apps), as in SMS ads; none of it trained on.
    (r"钜惠|巨惠|火爆|火热(开启|进行|招募|启幕)|抢购|抢占|不容错过|别错过|等你来|详询|致电|认筹|开盘|样板间|不限购|内测|"
     r"新店开业|开业酬宾|新开[\u4e00-\u9fff]{1,4}开业|办卡|0首付|零首付|提车|送全车|(?:比别家|比别人家|比同行)(?:每亩)?(?:高|便宜|低)|"
     r"点击下载|下载(app|客户端)|注册就送|注册送|会员招募|尊享|特惠|惊喜价|大促|清仓|新品上市|盛大开业|进店有礼|(?:到店|进店)(?:就|即)?(?:送|领|有礼)|"
     r"低至|最低只要|仅需|(?:每|一)(?:月|天|小时|次|平米?|亩|位|人)\d+(?:元|块)?起(?![来床诉草步飞])|\d+(?:元|块)起(?![来床诉草步飞])|"
     r"金牌(?:护工|月嫂|保姆|服务|团队|律师|讲师)|只需\d+元|买一送一|买[一二两三四五\d]送[一二两三\d]|满\d+减|送\d+元|立减|报名(?:就)?(?:送|减|优惠)", 1.0),
    # Insurance and health products sold to households with compensation money ("拆迁款别存死期 买分红险").
    # Specific product words only: letters speak of 养老保险, 根治 and 门店 in complaints.
    (r"祖传(?:秘方|偏方|接骨|中医|膏方|秘制|老方)|秘方|专治|[\d一二三四五六七八九十几]+(?:贴|次|天|副|疗程)(?:见效|好|除根|治愈)|"
     r"见效快|药到病除|一贴灵|治愈率|无效退款|"
     r"分红险|年金险|理财险|增额终身寿|年年返|月月返|返本|存死期|鱼油|纳豆|保健品|降三高|艾灸贴|艾灸|保养身体|氨糖|软骨素|磁疗|理疗床垫|纳米|灵芝|孢子粉|富硒|虫草|蜂胶|尽孝首选|送礼首选|包治|特效药|神药|偏方|一盒顶|"
     r"顶[\d一二三四五六七八九十几]+副药|吃了都说好|用了都说好|都在用|草本膏药|膏药贴", 1.0),
    # A 400 number is a company's sales line ("免费试用📞400-820-6688"); residents give mobiles.
    (r"(?<!\d)400\d{7}(?!\d)", 0.75),
    # Building trades ("屋面补漏、外墙翻新，十年质保"): a guarantee term is a contractor's promise.
    # Not a contract's term a resident quotes ("合同里面约定质保两年").
    (r"(?<!约定)(?<!承诺)(?<!说好)(?<!合同)[\d一二三四五六七八九十两]+年(?:质保|保修)|(?<!约定)(?<!承诺)(?<!说好)(?<!合同)(?:质保|保修)[\d一二三四五六七八九十两]+年|终身质保|包质保|屋面补漏|外墙翻新", 1.0),
    # English spam ("Earn $500/day from home", "No experience needed", "Click bit.ly/…"), matched on the squashed text.
    (r"earn\d+|\d+(?:perday|day|aday|week|month)fromhome|fromhome|workfromhome|noexperience(?:needed|required)|"
     r"limitedoffer|freegift|makemoney|getpaid|winner|congratulations(?:you|!)|freetrial|crypto|bitcoin|forex|"
     r"investment(?:opportunity|plan)|guaranteed(?:returns?|income|profit)|cashloan|loanavailable", 1.5),
    (r"click(?:here|now|the|this|link|bit)|actnow|claimyour|whatsapp|telegram|dmme|messageme|contactusnow", 1.0),
    (r"涨停|牛股|荐股|必涨|主力资金|做庄|稳定收益|理财产品|高回报|保本|退订|回t|回复td|usdt|"
     # A crypto scheme's pitch ("跟着老师做数字货币，月收益稳定30%"); letters warning about 数字货币 scams stay letters.
     r"(?:跟着?|带你)(?:老师)?(?:做|炒|玩)(?:数字货币|虚拟币|币)|年化|保本保息|保本付息|"
     r"内部(?:规划|图纸|消息|资料)|[日周月年]收益(?:稳定)?\d|收益稳定|带你飞|带你赚|带你(?:翻倍|发财|致富|上岸)", 1.5),
    (r"您|亲们|老板们|宝宝们|家人们|老表们|老乡们", 0.3),
]
_PROMO_RES = [(compile_alternation(p), w) for p, w in _PROMO]
# A seller's trade or price ("卖二手挖机", "有资质可挂靠", "接…土方活", "一亩五块"): an ad only together with a mobile
# to call; alone it is a resident talking about a market. A price next to compensation words
# ("每亩4.8万 太低") is a resident's figure, not an offer.
_SELLER_RE = re.compile(
    r"出售|转让|批发|出租|急售|低价|(?<![不占还])便宜|厂家|直销|代写|承接|接(?!不)[\u4e00-\u9fff]{0,6}?活(?!动)|挂靠|"
    r"有资质|资质齐全|手续齐全|手续全|包工(?!头)|包活|全包|现货|新货|货源|一口价|^卖|[专出]卖|卖(?:二手|新|各种|全新)|二手"
)
_UNIT = r"(?:亩|棵|株|平米?|平方米?|方|斤|吨|天|次|个|台|车|趟|小时|米)"
_NUM = r"[\d.零一二三四五六七八九十两百千万]+"
_PRICE_RE = re.compile(rf"(?:一|每|1){_UNIT}(?:只要|才|仅)?{_NUM}(?:块|元)|{_NUM}(?:块|元)(?:钱)?(?:一|每|1){_UNIT}")
# A price said without a currency ("搬一趟二百", "五十一车"): a number of tens or more next to a per-unit word.
_PRICE_NUM = r"(?:\d{2,}|[零一二三四五六七八九两]*[十百千万][零一二三四五六七八九十百千万两]*)"
_BARE_PRICE_RE = re.compile(
    rf"(?:一|每)(?:趟|车|亩|方|吨|天|次|小时)(?:一年|每年)?(?:只要|才|仅)?{_PRICE_NUM}(?![趟车亩方吨天次小时个户人年岁])|"
    rf"{_PRICE_NUM}(?:块|元)?(?:钱)?(?:一|每)(?:趟|车)"
)
# A resident's own affairs or a question ("俺家的地出租给合作社了", "价格怎么定"): a trade word there is no offer.
_RESIDENT_VOICE_RE = re.compile(r"俺家|我家|我们家|俺们家|咱家|怎么|咋|吗|啥|什么|多少钱?合适|能不能|为什么|凭什么|没给|不给|拖欠|"
                                r"还没|投诉|反映")
_COMPENSATION_RE = re.compile(r"补偿|补尝|赔偿|赔|征收|征地|太低|太少|才给|只给|不够|少了")
# A resident warning about or complaining against such offers (these lower the score).
_COMPLAINT_RE = compile_alternation(
    r"(骗子|骗人|骗局|诈骗|被骗|骗了|骗走|骗钱|上当|小心|当心|别信|别上当|不要信|不要相信|不能信|谨防|提醒大家|大家注意|注意别|举报|"
    r"有人(在|发|说|打|找|加|到处|冒充|挨家)|让他们别|别让他们|别再来|不要再来|别来了|赶走|没理|不理他|没信|不信|没上当|发广告|打广告|什么广告|的广告|清理一下|广告太多|这种广告|这些广告|管管|管一管|查处|查一查|查查|"
    r"打击|严查|取缔|这种人|这些人|这帮人|到处(贴|发|打)|群里(有人|发)|是真的吗|靠谱吗|可信吗|能信吗|违法|非法|黑中介|"
    r"骚扰|冒充|假的|不可信|太黑了|价格太黑|坑人|被坑|宰人|那些搞|上门推销|撵走|请核查|要求核查|不公平|希望政府|政府(能|要|应该)|请政府|请(有关|相关)部门)"
)


# Phishing dressed as an official notice: asking readers to send ID, card or code numbers, or to pay a fee into an
# account, at a distance ("请在24小时内回复本人身份证号…否则将影响补偿发放", "工本费…请转账至指定账户"): a
# request (请…) under a sender's header (【…】) or with a threat (否则, 逾期, 以免 …) in a notice's voice (…通知：, 您的),
# in a short post,
# and not when the office is to be visited in person. Letters quote such demands at length (300+ characters).
_PHISH_ASK_RE = re.compile(
    r"请(?:将|把)[^。！？!?]{0,16}?(?:身份证|银行卡|卡号|验证码|密码)[^。！？!?]{0,12}?(?:发送|回复|发到|发给|上传|提交|告知)|"
    r"(?:长按|扫描|扫码|识别|扫)[^。！？!?]{0,8}?二维码[^。！？!?]{0,6}?(?:领取|申领|登记|办理|认证|激活|核验|验证|核实)|"
    r"(?:点击|打开|登录|登陆|访问)[^。！？!?]{0,40}?(?:输入|填写|提交|核对)[^。！？!?]{0,6}?(?:身份证|银行卡|卡号|密码|验证码)|"
    r"(?:需|须|应)(?:先)?(?:缴纳|交纳|支付|缴)[^。！？!?]{0,12}?(?:费|保证金|押金)|请[^。！？!?]{0,6}?(?:转账|汇款|转)(?:至|到)\s*\d{12,}|"
    r"(?:请|须|需|务必)[^。！？!?]{0,20}?(?:登录|登陆|点击|打开|访问)[^。！？!?]{0,30}?(?:核验|认证|登记|验证|激活|领取|申领|核对|核实|更新|提交|确认)|"
    r"请[^。！？!?]{0,16}?(?:回复|发送|短信|私信|填写|输入|提交|上传|告知|报上|提供|转账|汇款|汇入|转入|转(?=至|到)|打款|缴纳|交纳|支付)(?:至|到)?[^。！？!?]{0,14}?"
    r"(?:身份证号?|银行卡号?|卡号|验证码|密码|账户|账号|工本费|手续费|保证金|押金|激活费|解冻费|认证费|服务费)"
)
# An advance fee for a subsidy or payout ("申领失地养老补贴…需先交50元工本费"): a scam however it is dressed.
_ADVANCE_FEE_RE = re.compile(
    r"(?:补贴|补助|补偿|养老金|返还|奖励|发放|申领|领取)[^。！？!?]{0,30}?(?:需|须|要|得)?先(?:交|缴|付|转)[^。！？!?]{0,8}?"
    r"(?:工本费|手续费|保证金|押金|激活费|解冻费|认证费|服务费|材料费|资料费)"
)
_PHISH_HEADER_RE = re.compile(r"^【[^】]{2,14}】")
_PHISH_VOICE_RE = re.compile(r"^.{0,30}(?:通知|温馨提示|提醒|注意)[:：]|您的|尊敬的|【[^】]{2,14}】$")
_PHISH_THREAT_RE = re.compile(r"否则|暂停发放|停发|逾期|[一二三两\d]+[日天]内有效|以免|过期(?:作废|视为|不)|小时内|限期|冻结|视为(?:自动)?放弃|不予")
_PHISH_MAX_CHARS = 200
_IN_PERSON_RE = re.compile(r"(?:到|来|去|前往|携带)[^。！？!?]{0,10}(?:村委|村部|居委|镇政府|乡政府|便民|服务中心|窗口|现场|办事处)")


# A resident offering others something they wrote or photographed ("意见书我写好了，有需要的找我要"): the
# "需要的…找我" of an ad, but nothing is sold; without an offer or a price it is no channel evasion.
_SHARE_RE = re.compile(r"(?:意见书|模板|范本|申请书|表格|照片|日志|材料|资料|录音|视频)[^。！？!?]{0,6}(?:写好|拍了|整理|录了|做好|准备好)")
_QUOTED_RE = re.compile(r"[“\"「『‘'][^”\"」』’']{2,120}[”\"」』’']")
# A post that ends as a question or asks others ("请问", "谁知道") is usually a resident asking.
_QUESTION_RE = re.compile(r"(吗|么|呢|没有)\s*[?？!！。.]*\s*$|[?？]\s*$|请问|想问|问一下|(?<![店去找家司])问问|谁知道|有没有人(知道|办过|找过)")


def rule_features(prep: Prepared) -> dict[str, Any]:
    """The pattern cues of one comment: evasion spellings, plain contacts, handles, phones, links, promo hits."""
    flat, norm = prep.flat, prep.norm
    if "@" in norm or "#" in norm:  # an e-mail address ("li@qq.com") is personal data, not a QQ handle or a link
        norm = _EMAIL_RE.sub(" ", norm.replace("#", "@"))
        flat = strip_punct(norm)
    channel = set(_CHANNEL_RE.findall(flat))
    evasion = sorted(set(_EVASION_RE.findall(flat)) | {m.group(0).replace(" ", "") for m in _HEART_RE.finditer(norm)}
                     | {"🐧" for _ in _PENGUIN_RE.finditer(norm)}
                     | channel | set(_PLATFORM_EVASION_RE.findall(flat))
                     | {m.group(0) for m in _PLATFORM_NAMED_RE.finditer(norm)})
    if evasion and set(evasion) <= _PLAIN_WECHAT and is_own_wechat(norm):
        # "vx：chenli_1990 本人陈丽 …": a resident's own WeChat ID (personal data); an ad only with an offer below.
        evasion, own_wechat = [], evasion
    else:
        own_wechat = []
    bare = _BARE_CONTACT_RE.search(norm) if not (evasion or own_wechat) else None
    plain = sorted(set(_PLAIN_CONTACT_RE.findall(flat)) | set(_PLATFORM_CALL_RE.findall(flat))
                   | set(_WHOM_RE.findall(flat)))
    handle = [h for h in _HANDLE_RE.findall(flat) if not h.isdigit() or len(h) >= 5]
    handle += [h for h in _LONE_HANDLE_RE.findall(norm) if h not in handle]
    mobile = _MOBILE_RE.findall(flat)
    spelled = not mobile and bool(spelled_mobile(flat))  # "号码13 8 那个 后面是4417 0926"
    link = _LINK_RE.findall(_SAFE_LINK_RE.sub(" ", norm)) or _LINK_RE.findall(_SAFE_LINK_RE.sub("", flat))
    promo = []
    promo_score = 0.0
    for regex, weight in _PROMO_RES:
        hit = regex.search(flat)
        if hit:
            promo.append(hit.group(0))
            promo_score += weight
    if channel and not promo and _SHARE_RE.search(flat):
        evasion = [e for e in evasion if e not in channel]
    seller = []
    if not _RESIDENT_VOICE_RE.search(flat):
        seller = [m.group(0) for m in _SELLER_RE.finditer(flat)][:2]
        price = _PRICE_RE.search(flat) or _BARE_PRICE_RE.search(flat)
        if price and not _COMPENSATION_RE.search(_PRICE_RE.sub(" ", _BARE_PRICE_RE.sub(" ", flat))):
            seller.append(price.group(0))
    if own_wechat:
        (evasion if promo or seller else plain).extend(own_wechat)
    if bare:
        # "v: abc123" before an offer is an evasion; a resident giving their own "wx: qiuyue_0731" to the office
        # with no offer and no price is a plain contact (personal data, capped below the threshold like a phone).
        hit = bare.group(0).strip(" :：")
        (evasion if promo or seller or hit[:1] in "+＋详" else plain).append(hit)
    # Not inside a quoted name ("小程序搜“地块查查”").
    unquoted = strip_punct(_QUOTED_RE.sub(" ", norm)) if _QUOTED_RE.search(norm) else flat
    complaint = sorted({m.group(0) for m in _COMPLAINT_RE.finditer(unquoted)})
    norm_text = prep.norm
    phishing = bool(len(flat) <= _PHISH_MAX_CHARS and _PHISH_ASK_RE.search(norm_text)
                    and (_PHISH_HEADER_RE.search(norm_text) or _PHISH_VOICE_RE.search(norm_text)
                         and _PHISH_THREAT_RE.search(norm_text))
                    and not _IN_PERSON_RE.search(norm_text))
    phishing = phishing or bool(len(flat) <= _PHISH_MAX_CHARS and _ADVANCE_FEE_RE.search(norm_text)
                                and not _QUESTION_RE.search(norm) and not _COMPLAINT_RE.search(flat))
    if not mobile and _PHONE_GIVEN_RE.search(flat) and "电话" not in plain:
        plain.append("电话")
    spaced_phone = spelled or bool(mobile) and not _MOBILE_RE.search(re.sub(r"\s+", "", prep.plain))
    return {
        "evasion": evasion,
        "contact": plain,
        "handle": handle[:3],
        "mobile": bool(mobile) or spelled,
        "spaced_phone": spaced_phone,
        "link": bool(link),
        "promo": promo,
        "promo_score": promo_score,
        "seller": seller,
        "complaint": complaint,
        "question": bool(_QUESTION_RE.search(norm)),
        "phishing": phishing,
    }


class SpamDetector:
    """Rules plus a char n-gram classifier trained on our own seed texts (``nlp/data/seeds``).

    Parameters
    ----------
    threshold:
        Spam when the combined score reaches it (+0.5 above 150 characters, +1 above 400). Default 1.25,
        chosen on ``tests/data/screening_dev.jsonl`` (blind rounds of resident-voice comments) and the evasion set
        of ``bench/screen.py``: plain ads with one offer and one call to action score 1.1–1.9; residents' comments
        with an ad word score at most 1.0 (complaint cues −3, a closing question −1.5) and a phone number or
        contact alone is capped below the threshold. No dev-set false alarm from 1.2 to 2.0; real citizen letters
        (long) are flagged about 1% with the length allowance.
    model_weight:
        How much the classifier probability moves the score: ``model_weight * (p - 0.5)``. Default 3.0.
    model_path:
        Where the trained classifier is loaded from (``python -m nlp.screening.train`` writes it).
    """

    def __init__(self, threshold: float = 1.25, model_weight: float = 3.0, model_path: Path | None = None) -> None:
        self.threshold = threshold
        self.model_weight = model_weight
        self.model_path = model_path

    def load(self) -> SpamDetector:
        """Load the trained classifier (once); returns self."""
        if getattr(self, "classifier_", None) is None:
            self.classifier_ = TextClassifier.load(self.model_path or MODEL_PATH)
        return self

    def probabilities(self, preps: list[Prepared]) -> list[float]:
        """Classifier spam probability for each comment (0.5 when no model is available)."""
        self.load()
        if self.classifier_ is None:
            return [0.5] * len(preps)
        return self.classifier_.predict_proba([p.norm for p in preps])

    def decide(self, prep: Prepared, proba: float) -> Decision:
        """Combine the rule cues of one comment with its classifier probability."""
        f = rule_features(prep)
        score = 0.0
        reasons = []
        concrete = f["mobile"] or bool(f["handle"]) or f["link"]
        if (f["promo"] or f["evasion"] or concrete) and _QUOTED_RE.search(prep.norm):
            # A resident quoting the ad ("有人发“加V tdz888 代办土地证”，是骗子吧", "电线杆上贴了张“迁坟一条龙”，
            # 这是村里指定的吗"): judge the words outside the quotes.
            unquoted = _QUOTED_RE.sub(" ", prep.norm)
            outside = rule_features(Prepared(prep.original, "", unquoted, strip_punct(unquoted)))
            outside_concrete = outside["mobile"] or bool(outside["handle"]) or outside["link"]
            if f["complaint"] or f["question"]:
                concrete = outside_concrete
            if not (outside["evasion"] or outside["promo"] or outside_concrete or outside["contact"]):
                score -= 1.0  # every ad cue is inside the quotes
        if f["phishing"]:
            score += 2.5
            reasons.append("冒充通知索要个人信息或费用")
        if f["evasion"]:
            score += 2.0
            reasons.append("含联系方式变体: " + "、".join(f["evasion"][:3]))
        if f["contact"]:
            score += 0.75 if len(f["contact"]) < 2 else 1.0
            reasons.append("含联系方式: " + "、".join(f["contact"][:3]))
        if f["handle"]:
            score += 1.0
        if f["mobile"]:
            score += 0.75
            if f["spaced_phone"]:
                score += 0.5
                reasons.append("电话号码被拆开书写")
        if f["link"]:
            score += 1.5
            reasons.append("含链接")
        promo = min(f["promo_score"], 3.0)
        if promo:
            score += promo
            reasons.append("推广用语: " + "、".join(f["promo"][:4]))
        seller = bool(f["seller"]) and f["mobile"]  # a mobile, not a landline or a code that looks like a handle
        if seller:
            score += 1.25
            reasons.append("买卖或报价并留手机号: " + "、".join(f["seller"][:3]))
        if f["complaint"]:
            score -= 1.0 if concrete else 3.0
        elif f["question"]:  # a resident asking ("…免费咨询吗？") rather than offering
            score -= 1.5
        # The classifier is trained on a few hundred own texts: it may nudge the rules, never veto a clear cue.
        score += max(0.0 if f["evasion"] else -0.5, self.model_weight * (proba - 0.5))
        if not (f["evasion"] or f["link"] or promo or seller or f["phishing"]) and proba < 0.97:
            # A phone number or "联系我" alone is a resident leaving contact details: personal data, not an ad.
            score = min(score, self.threshold - 0.01)
        # Long letters collect stray cue words (报名, 招聘, 贷款 in a complaint); ads are short.
        threshold = self.threshold + (0.0 if len(prep.flat) <= 150 else 0.5 if len(prep.flat) <= 400 else 1.0)
        flag = score >= threshold
        if flag and proba >= 0.5:
            reasons.append(f"广告分类器: {proba:.2f}")
        if not flag:
            reasons = []
        feats = {**f, "proba": round(proba, 3), "score": round(score, 2)}
        return Decision(flag, max(0.0, min(1.0, score / (2 * self.threshold))), reasons, feats)
