"""Word pools and templates that make the simulated posts and comments read like a district's.

Everything here is data plus small pure functions that draw from a ``random.Random`` the
caller seeds, so the same post always gets the same text. The sensitive snippets are what
the desk's scanner must catch: a resident ID number with a correct GB 11643 check digit, a
mainland mobile number, secrecy markings and paid-service/advertising phrases.
"""

from __future__ import annotations

import random
from typing import Final

from jb_watchdesk.domain.sensitive.detectors import id_check_char

# Operating units of Jiangbei District (Chongqing) and the brand their accounts carry.
UNITS: Final[tuple[tuple[str, str], ...]] = (
    ("区委宣传部", "江北发布"),
    ("区政府办公室", "江北政务"),
    ("观音桥街道", "观音桥"),
    ("华新街街道", "华新街"),
    ("五里店街道", "五里店"),
    ("江北城街道", "江北城"),
    ("石马河街道", "石马河"),
    ("大石坝街道", "大石坝"),
    ("寸滩街道", "寸滩"),
    ("铁山坪街道", "铁山坪"),
    ("郭家沱街道", "郭家沱"),
    ("复盛镇", "复盛"),
    ("鱼嘴镇", "鱼嘴"),
    ("五宝镇", "五宝"),
    ("区教委", "江北教育"),
    ("区卫生健康委", "健康江北"),
    ("区市场监管局", "江北市场监管"),
    ("区公安分局", "平安江北"),
    ("区生态环境局", "江北环境"),
    ("区城市管理局", "江北城管"),
    ("区住房城乡建委", "江北住建"),
    ("区人力社保局", "江北人社"),
    ("区民政局", "江北民政"),
    ("区文化旅游委", "文旅江北"),
    ("区应急管理局", "江北应急"),
    ("区交通运输委", "江北交通"),
    ("区司法局", "法治江北"),
    ("区发展改革委", "江北发改"),
    ("区财政局", "江北财政"),
    ("区规划自然资源局", "江北规划资源"),
    ("区水利局", "江北水利"),
    ("区农业农村委", "江北农业农村"),
    ("区商务委", "江北商务"),
    ("区退役军人事务局", "江北退役军人"),
    ("区医保局", "江北医保"),
    ("区统计局", "江北统计"),
    ("区信访办", "江北信访"),
    ("区融媒体中心", "江北融媒"),
    ("团区委", "青春江北"),
    ("区妇联", "江北女性"),
    ("区残联", "江北残联"),
    ("区科协", "江北科普"),
    ("区档案馆", "江北档案"),
    ("区图书馆", "江北图书馆"),
    ("区人民医院", "江北区人民医院"),
    ("区中医院", "江北中医院"),
    ("区疾控中心", "江北疾控"),
    ("区消防救援支队", "江北消防"),
    ("区税务局", "江北税务"),
    ("区总工会", "江北工会"),
    ("区红十字会", "江北红十字"),
    ("江北嘴中央商务区管委办", "重庆江北嘴"),
)

# Name suffixes per served platform; brand × suffix gives over 400 distinct names each.
NAME_SUFFIXES: Final[dict[str, tuple[str, ...]]] = {
    "wechat_mp": ("", "发布", "在线", "微讯", "之声", "服务", "资讯", "e站"),
    "weibo": ("", "发布", "在线", "微博", "动态", "之窗", "资讯", "速递"),
    "douyin": ("", "发布", "视界", "在线", "说", "频道", "Vlog", "故事"),
    "rss": ("", "发布", "在线", "号", "资讯", "头条", "视频", "速览"),
}

_SURNAMES: Final = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
_GIVEN: Final = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华红玉兰建国志文斌宇浩凯婷雪梅琳晨"

_PLACES: Final = (
    "观音桥商圈", "北仓文创街区", "鎏嘉码头", "江北嘴", "大石坝公园", "寸滩国际新城", "铁山坪森林公园",
    "五里店立交", "石马河社区", "郭家沱老街", "鸿恩寺公园", "九街", "红旗河沟", "金源时代购物中心",
)
_ACTIVITIES: Final = (
    "垃圾分类宣传", "消防安全演练", "文明城区创建", "志愿服务", "防汛应急演练", "反诈宣传进社区",
    "敬老助老", "全民健身", "健康义诊", "法律咨询", "安全生产大检查", "食品安全抽检", "燃气安全入户检查",
    "退役军人关爱", "青少年科普", "无偿献血",
)
_NOTICES: Final = (
    "调整部分公交线路", "城市道路临时交通管制", "停水检修", "开展燃气安全检查", "2026年秋季学期入学报名",
    "居民医保参保缴费", "老旧小区改造项目公示", "重点项目征地补偿公示", "暑期防溺水安全", "高温天气作息调整",
)
_POLICIES: Final = (
    "居住证办理流程", "城乡居民医保待遇", "灵活就业社保补贴", "新能源汽车消费补贴", "养老服务补贴",
    "创业担保贷款", "住房公积金提取", "残疾人两项补贴", "义务教育入学政策", "临时救助办法",
)
_SENTENCES: Final = (
    "活动吸引了辖区{n}余名居民参与，现场气氛热烈。",
    "下一步，{unit}将持续推进相关工作，切实增强群众获得感、幸福感、安全感。",
    "工作人员向群众发放宣传资料{n}余份，并现场解答了群众关心的问题。",
    "请广大市民提前规划出行路线，注意安全。",
    "详情可拨打咨询电话 023-6785{n:04d}，工作时间为周一至周五 9:00—17:00。",
    "本次活动由{unit}主办，{place}所在社区协办。",
    "据统计，今年以来已累计开展各类活动{n}场次，服务群众超过{m}人次。",
    "如有疑问，请在工作日前往区政务服务中心咨询办理。",
    "此次检查共出动执法人员{n}人次，发现并督促整改问题隐患{m}处。",
    "市民朋友可通过“渝快办”平台在线办理，实现“最多跑一次”。",
)
_COMMENTS: Final = (
    "请问{place}附近的路灯什么时候修好？已经坏了好几天了。",
    "我们小区门口积水严重，有人管吗？",
    "办理居住证需要带哪些材料？",
    "{place}周末停车太难了，能不能增加车位？",
    "孩子入学报名的时间能再确认一下吗？",
    "楼下餐馆油烟很大，已经反映过一次了。",
    "请问医保缴费可以在手机上办理吗？",
    "小区电梯经常停，物业不处理怎么办？",
    "给工作人员点赞，辛苦了！",
    "什么时候能恢复供水？",
    "公交线路调整后我们这边没有站了，能考虑一下吗？",
    "夜里施工噪音太大，影响休息。",
)
_REPLIES: Final = (
    "您好，您反映的问题已转{unit}核实处理，感谢您的关注。",
    "您好，感谢留言！相关情况已反馈至责任单位，处理结果将及时告知。",
    "您好，具体材料清单可在“渝快办”查询，也可拨打政务服务热线咨询。",
    "感谢您的支持与鼓励，我们会继续努力！",
    "您好，已通知所在社区工作人员现场查看，请保持电话畅通。",
)
_NETIZENS: Final = (
    "江北居民小王", "观音桥老李", "路过的网友", "山城小雨", "爱吃小面的阿杰", "石马河张姐", "北滨路跑者",
    "大石坝老街坊", "嘉陵江畔", "寸滩小陈", "五里店刘师傅", "铁山坪徒步爱好者",
)

SENSITIVE_KINDS: Final = ("id_number", "mobile", "secret_mark", "internal", "lowest_price", "paid_agent")
_MOBILE_PREFIXES: Final = ("138", "139", "135", "186", "177", "150", "188")
# 500105 is the administrative division code of Jiangbei District, Chongqing.
_JIANGBEI_DIVISION: Final = "500105"


def person_name(rng: random.Random) -> str:
    """A plausible Chinese personal name (surname plus one or two characters)."""
    given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))
    return rng.choice(_SURNAMES) + given


def resident_id(rng: random.Random) -> str:
    """A syntactically valid 18-digit resident ID number with its GB 11643 check character."""
    year = rng.randint(1955, 2004)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    first17 = f"{_JIANGBEI_DIVISION}{year:04d}{month:02d}{day:02d}{rng.randint(0, 999):03d}"
    return first17 + id_check_char(first17)


def mobile_number(rng: random.Random) -> str:
    """A mainland mobile number written the way people type it: ``138 1234 5678``."""
    return f"{rng.choice(_MOBILE_PREFIXES)} {rng.randint(0, 9999):04d} {rng.randint(0, 9999):04d}"


def sensitive_sentence(kind: str, *, rng: random.Random) -> str:
    """One sentence carrying the given kind of sensitive content, in an otherwise normal tone."""
    if kind == "id_number":
        return f"经核实，申请人{rng.choice(_SURNAMES)}某某（身份证号：{resident_id(rng)}）已按规定完成登记。"
    if kind == "mobile":
        return f"如有疑问请联系{rng.choice(_SURNAMES)}老师，手机 {mobile_number(rng)}。"
    if kind == "secret_mark":
        return "绝密★ 本通知仅限内部传达，请各单位严格落实。"
    if kind == "internal":
        return "以下为内部资料 请勿外传，仅供参考。"
    if kind == "lowest_price":
        return "辖区商家联合促销，全网最低价，欢迎市民选购。"
    if kind == "paid_agent":
        return "另有专人提供代办驾照、收费代办服务，联系即可快速办结。"
    raise ValueError(f"unknown sensitive kind {kind!r}")


def post_title(rng: random.Random, *, brand: str) -> str:
    """A headline in the style of a district government account."""
    shape = rng.randrange(6)
    if shape == 0:
        return f"{brand}开展{rng.choice(_ACTIVITIES)}活动"
    if shape == 1:
        return f"关于{rng.choice(_NOTICES)}的通知"
    if shape == 2:
        return f"一图读懂｜{rng.choice(_POLICIES)}"
    if shape == 3:
        return f"【提醒】{rng.choice(_NOTICES)}，请相互转告"
    if shape == 4:
        return f"{rng.choice(_PLACES)}：{rng.choice(_ACTIVITIES)}进行时"
    return f"江北区召开{rng.choice(_ACTIVITIES)}工作推进会"


def post_sentences(rng: random.Random, *, unit: str, count: int) -> list[str]:
    """``count`` body sentences with their placeholders filled in."""
    chosen = rng.sample(_SENTENCES, k=min(count, len(_SENTENCES)))
    return [
        sentence.format(
            unit=unit,
            place=rng.choice(_PLACES),
            n=rng.randint(20, 300),
            m=rng.randint(300, 9000),
        )
        for sentence in chosen
    ]


def comment_text(rng: random.Random) -> str:
    """A member of the public's comment: a question, a complaint or praise."""
    return rng.choice(_COMMENTS).format(place=rng.choice(_PLACES))


def reply_text(rng: random.Random, *, unit: str) -> str:
    """The account's answer to a comment."""
    return rng.choice(_REPLIES).format(unit=unit)


def netizen_name(rng: random.Random) -> str:
    """A commenter's screen name."""
    return rng.choice(_NETIZENS) + (str(rng.randint(1, 99)) if rng.random() < 0.5 else "")
