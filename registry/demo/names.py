"""Believable Linhai names, people, addresses and identifiers for demo and benchmark data.

Pure functions of a ``random.Random``: the same seed gives the same Linhai. The trade names (字号) are built
from syllables and a few well-known real Linhai firms are excluded, so demo credit listings never name a real
company. Nothing here touches the database.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from stdnum.cn import uscc as stdnum_uscc

LINHAI_DIVISION = "331082"
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

_FIRST = "华永宏恒金鑫东海天瑞泰嘉博康新明丰宇盛佳远联力创兴正信源诚耀杰卓凯达中汇通光江浩昌荣晟誉"
_SECOND = "华达昌盛泰丰源隆通宇辉鸿信诚德凯锦顺腾越恒瑞迪科威邦豪峰晖祥康利发展鼎"
_REAL_TRADE_NAMES = {"华海", "永强", "伟星", "海正", "联化", "宏达", "精工", "东海", "海翔", "天宇", "华康"}

# Industry code -> (business words, typical products used in standards, certificates and patents).
INDUSTRY_TRADES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "auto_machinery": (("汽车部件", "汽车零部件", "机械", "机电", "精密机械", "动力科技", "传动科技"),
                       ("等速万向节", "汽车转向节", "制动钳总成", "减震器", "汽车座椅调角器", "水泵", "齿轮箱",
                        "电动工具", "空气压缩机", "摩托车发动机")),
    "medical_health": (("医药", "药业", "制药", "生物科技", "医疗器械", "健康科技"),
                       ("缬沙坦原料药", "盐酸二甲双胍片", "医用输液器", "一次性使用注射器", "医用防护口罩",
                        "维生素E软胶囊", "血糖试纸", "中药饮片")),
    "fashion_leisure": (("休闲用品", "户外用品", "工艺品", "眼镜", "服饰", "家居用品"),
                        ("户外休闲桌椅", "遮阳伞", "吊床", "太阳镜", "光学眼镜架", "圣诞装饰灯串", "户外折叠椅",
                         "藤编家具")),
    "building_materials": (("建材", "新型建材", "管业", "建设", "建筑工程", "装饰工程"),
                           ("PPR给水管", "PE燃气管", "预拌混凝土", "蒸压加气混凝土砌块", "建筑铝型材",
                            "防水卷材", "装配式建筑构件")),
    "new_materials": (("新材料", "高分子材料", "化工", "光电材料", "复合材料"),
                      ("聚氨酯弹性体", "有机硅密封胶", "碳纤维复合板", "光学膜", "改性工程塑料", "水性涂料")),
    "trade_logistics": (("物流", "供应链管理", "商贸", "国际贸易", "冷链物流"),
                        ("冷链仓储服务", "城乡配送服务", "港口物流服务", "跨境电商服务")),
    "culture_tourism": (("文旅", "旅游开发", "文化创意", "酒店管理", "文化传媒"),
                        ("古城景区服务", "精品民宿服务", "研学旅行服务", "文创礼品")),
    "other": (("农业开发", "食品", "电力设备", "印务", "水务"),
              ("临海蜜橘罐头", "西兰花速冻制品", "配电柜", "包装印刷品", "净水设备")),
}

# Business word (in the company name) -> what such a company makes, so an enterprise's standards, certificates
# and patents name its own products: a 眼镜 company patents spectacle frames, not garden chairs.
_PRODUCTS_BY_WORD: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("汽车部件", ("等速万向节", "汽车转向节", "制动钳总成", "减震器", "汽车座椅调角器")),
    ("汽车零部件", ("等速万向节", "汽车转向节", "制动钳总成", "减震器", "水泵")),
    ("精密机械", ("齿轮箱", "空气压缩机", "电动工具")), ("机电", ("电动工具", "水泵", "空气压缩机")),
    ("机械", ("齿轮箱", "空气压缩机", "电动工具", "水泵")), ("动力科技", ("摩托车发动机", "水泵")),
    ("传动科技", ("等速万向节", "齿轮箱")),
    ("医疗器械", ("医用输液器", "一次性使用注射器", "医用防护口罩", "血糖试纸")),
    ("生物科技", ("维生素E软胶囊", "血糖试纸", "缬沙坦原料药")), ("健康科技", ("维生素E软胶囊", "医用防护口罩")),
    ("药", ("缬沙坦原料药", "盐酸二甲双胍片", "维生素E软胶囊", "中药饮片")),
    ("眼镜", ("太阳镜", "光学眼镜架", "老花镜")), ("休闲用品", ("户外休闲桌椅", "遮阳伞", "吊床", "户外折叠椅")),
    ("户外用品", ("户外折叠椅", "遮阳伞", "吊床", "户外休闲桌椅")), ("工艺品", ("圣诞装饰灯串", "藤编家具", "树脂工艺品")),
    ("服饰", ("针织服装", "户外冲锋衣")), ("家居用品", ("藤编家具", "户外休闲桌椅")),
    ("管业", ("PPR给水管", "PE燃气管")), ("建设", ("装配式建筑构件", "预拌混凝土")),
    ("建筑工程", ("装配式建筑构件", "预拌混凝土")), ("装饰工程", ("建筑铝型材", "防水卷材")),
    ("建材", ("预拌混凝土", "蒸压加气混凝土砌块", "建筑铝型材", "防水卷材")),
    ("化工", ("有机硅密封胶", "水性涂料", "聚氨酯弹性体")), ("光电材料", ("光学膜",)),
    ("高分子材料", ("聚氨酯弹性体", "改性工程塑料")), ("复合材料", ("碳纤维复合板",)),
    ("食品", ("临海蜜橘罐头", "西兰花速冻制品")), ("农业开发", ("临海蜜橘罐头", "西兰花速冻制品")),
    ("电力设备", ("配电柜",)), ("印务", ("包装印刷品",)), ("水务", ("净水设备",)),
    ("蜜橘", ("涌泉蜜橘",)), ("西兰花", ("上盘西兰花",)), ("杨梅", ("白水洋杨梅",)),
)

_SURNAMES = "王陈李张林金郑周杨徐何许朱叶项卢屈蒋应郭潘冯罗胡黄吴梁蔡"
_GIVEN = "伟强军平华明海斌杰敏静丽芳燕建国志刚永红军胜利晓峰立新宏伟春生国平玲秀英婷磊勇超"
_ROADS = ("兴业路", "工业大道", "东方大道", "靖江路", "洛河路", "大洋路", "柏叶路", "望江路", "创业大道",
          "前江路", "府前街", "解放路", "崇和路", "东海大道", "医化园路", "科技路", "聚贤路", "文昌路")
DISTRICT_NAMES = {"331082Z01": "头门港经济开发区", "331082Z02": "临海经济开发区"}


def trade_name(rng: random.Random, taken: set[str]) -> str:
    """A two-character 字号 not yet in ``taken`` (added to it), avoiding well-known real Linhai firms."""
    for _ in range(10_000):
        name = rng.choice(_FIRST) + rng.choice(_SECOND)
        if name[0] != name[1] and name not in taken and name not in _REAL_TRADE_NAMES:
            taken.add(name)
            return name
    # Fall back to three characters once the two-character space is crowded (the benchmark's 100,000).
    while True:
        name = rng.choice(_FIRST) + rng.choice(_SECOND) + rng.choice(_SECOND)
        if name not in taken:
            taken.add(name)
            return name


def company_name(rng: random.Random, trade: str, industry_code: str, above_scale: bool) -> str:
    """E.g. '浙江鑫隆汽车部件股份有限公司', '临海市瑞丰休闲用品有限公司', '台州恒达物流有限公司'."""
    words = INDUSTRY_TRADES.get(industry_code, INDUSTRY_TRADES["other"])[0]
    if above_scale and rng.random() < 0.45:
        prefix, form = "浙江", rng.choice(("股份有限公司", "有限公司", "集团有限公司"))
    else:
        prefix = rng.choices(("临海市", "台州", "浙江"), weights=(6, 2, 1))[0]
        form = rng.choices(("有限公司", "有限责任公司", "股份有限公司"), weights=(12, 2, 1))[0]
    return f"{prefix}{trade}{rng.choice(words)}{form}"


def products_for(company: str, industry_code: str) -> tuple[str, ...]:
    """What a company of this name makes (by its business word), else its industry's typical products."""
    for word, products in _PRODUCTS_BY_WORD:
        if word in company:
            return products
    return INDUSTRY_TRADES.get(industry_code, INDUSTRY_TRADES["other"])[1]


def person_name(rng: random.Random) -> str:
    given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.75 else "")
    return rng.choice(_SURNAMES) + given


def address(rng: random.Random, jurisdiction_name: str) -> str:
    return f"浙江省临海市{jurisdiction_name}{rng.choice(_ROADS)}{rng.randint(1, 888)}号"


def phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"


def org_code(body8: str) -> str:
    """GB 11714 organisation code: 8 characters plus its check character (0-9 or X)."""
    total = sum(_ORG_ALPHABET.index(c) * w for c, w in zip(body8, _ORG_WEIGHTS))
    check = 11 - total % 11
    return body8 + ("X" if check == 10 else "0" if check == 11 else str(check))


def uscc(rng: random.Random, established: date, taken: set[str], entity_type: str = "91") -> str:
    """A valid Linhai credit code: '9' + type + 331082 + organisation code + check.

    Enterprises registered since the 2015 reform get an 'MA' organisation code, older ones a digit code,
    as real codes do. ``entity_type`` '91' is a company, '93' a farmers' cooperative.
    """
    while True:
        if established.year >= 2016:
            body8 = "MA" + "".join(rng.choice(_USCC_ALPHABET) for _ in range(6))
        else:
            body8 = f"{rng.randint(10_000_000, 79_999_999)}"
        first17 = entity_type + LINHAI_DIVISION + org_code(body8)
        code = first17 + stdnum_uscc.calc_check_digit(first17)
        if code not in taken:
            taken.add(code)
            return code


def patent_number(year: int, type_digit: int, serial: int) -> str:
    """Application number 'YYYYTNNNNNNN.C' with the check character of registry.identifiers."""
    body = f"{year}{type_digit}{serial:07d}"
    total = sum(int(d) * (2 + i % 8) for i, d in enumerate(body))
    return f"{body}.{'X' if total % 11 == 10 else total % 11}"


def day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max((end - start).days, 0) + 1))


def add_years(day: date, years: int) -> date:
    """Same day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
