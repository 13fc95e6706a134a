"""Worked examples the contract test runs: evasions that must be caught, innocent texts that must pass.

Each is (text, category, least decision the rules must force). ``PASS`` means
the category must stay clean: the innocent side includes warnings and
public-service texts that name what they warn about.
"""

from __future__ import annotations

from classifiers.base import Content, Example
from modpipe.domain import Category as C
from modpipe.domain import Decision as D
from modpipe.domain import Kind

BLOCK, REVIEW, PASS = D.BLOCK, D.REVIEW, D.PASS

CASES: list[tuple[str, C, D]] = [
    # evasions, one or more per category
    ("出 售 手 枪，货到付款", C.ILLEGAL_CONTENT, BLOCK),
    ("出售冰毒，量大从优", C.ILLEGAL_CONTENT, BLOCK),
    ("有人出卖国家机密换钱", C.NATIONAL_SECURITY, BLOCK),
    ("我们要推翻共产党", C.NATIONAL_SECURITY, REVIEW),
    ("这些人就会侮辱国旗", C.NATIONAL_HONOR, REVIEW),
    ("烤肉邱少云哈哈", C.HEROES_MARTYRS, BLOCK),
    ("那些烈士都是傻子，死得好", C.HEROES_MARTYRS, REVIEW),
    ("教你自制炸药配方", C.TERRORISM_EXTREMISM, BLOCK),
    ("把他们都杀光，维族滚出去", C.ETHNIC_HATRED, REVIEW),
    ("法*轮*功好", C.RELIGION_CULT_SUPERSTITION, BLOCK),
    ("修炼 F L G 三去车仑工力", C.RELIGION_CULT_SUPERSTITION, BLOCK),
    ("法輪大法好", C.RELIGION_CULT_SUPERSTITION, BLOCK),
    ("紧急扩散！明天全市停水", C.RUMOR_DISORDER, REVIEW),
    ("網絡賭博，日赚千元", C.PORN_GAMBLING_VIOLENCE, BLOCK),
    ("wangluodubo 稳赚不赔", C.PORN_GAMBLING_VIOLENCE, BLOCK),
    ("真人荷官在线发牌", C.PORN_GAMBLING_VIOLENCE, BLOCK),
    ("你就是个傻逼", C.INSULT_DEFAMATION_PRIVACY, REVIEW),
    ("人肉出他的家庭住址和手机号", C.INSULT_DEFAMATION_PRIVACY, REVIEW),
    ("明天下午三点人民广场集会，大家都来", C.ILLEGAL_ASSEMBLY, REVIEW),
    ("我们是未经登记的慈善协会", C.ILLEGAL_ORGANIZATION, REVIEW),
    ("必须否定社会主义制度", C.SEVEN_BOTTOM_LINES, REVIEW),
    ("加薇信 １２３４５６ 领福利", C.SPAM_ADS_SEXUAL, REVIEW),
    ("+V：abc12345 兼职刷单", C.SPAM_ADS_SEXUAL, REVIEW),
    ("出售远控木马，包免杀", C.MALWARE, BLOCK),
    ("最新虐猫视频合集", C.PUBLIC_MORALITY, REVIEW),
    ("高价收购银行卡", C.OTHER_ILLEGAL, BLOCK),
    # innocent texts, warnings and public-service texts: these are not blocked or flagged
    ("我们在路口交通信号灯下等待", C.PORN_GAMBLING_VIOLENCE, PASS),
    ("远离毒品，珍爱生命", C.ILLEGAL_CONTENT, PASS),
    ("社区开展反邪教宣传活动", C.RELIGION_CULT_SUPERSTITION, PASS),
    ("扫黄打非进社区", C.PORN_GAMBLING_VIOLENCE, PASS),
    ("本周六在社区中心组织志愿者活动，欢迎报名", C.ILLEGAL_ASSEMBLY, PASS),
    ("清明节我们去烈士陵园缅怀革命先烈", C.HEROES_MARTYRS, PASS),
    ("我们的客服会在一个工作日内回复您", C.SPAM_ADS_SEXUAL, PASS),
    ("学校组织学生参观博物馆", C.OTHER_ILLEGAL, PASS),
]

INNOCENT = [t for t, _, d in CASES if d is PASS] + [
    "警惕网络赌博诈骗，如遇可疑情况请拨打110",
    "远离黄赌毒，从我做起",
    "举报电信诈骗，守护群众钱袋子",
    "禁毒宣传月：毒品危害大，珍爱生命远离毒品",
    "反对民族歧视，维护民族团结",
    "依法打击非法集资，保护群众财产安全",
    "我爱北京天安门",
    "今天出口交易额创新高",
    "人口交流与迁移研究报告",
    "基金会将在本周发布年度捐赠报告，感谢每一位爱心人士",
    "这家店的红烧肉很好吃，推荐大家去尝尝",
    "孩子们在操场上踢足球",
]
# The example texts above are the classifier's; the blocked-free ones must never block.


def examples() -> list[Example]:
    return [Example(Content(kind=Kind.TEXT, text=t), cat, d) for t, cat, d in CASES]
