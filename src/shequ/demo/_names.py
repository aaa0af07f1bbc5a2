"""Name material for the sample city: districts, streets (街道) and communities (社区).

The lists are plain tuples in a fixed order so that drawing from them with a seeded
generator is reproducible. Curated words come first; generated combinations are only a
fallback for cities larger than the default one.
"""

from __future__ import annotations

CITY_NAME = "示范市"

#: District names in the order they are assigned (district 02 gets the first one).
DISTRICTS: tuple[str, ...] = (
    "东湖区",
    "西城区",
    "南山区",
    "北塘区",
    "高新区",
    "滨江区",
    "临港区",
    "江北区",
    "青山区",
    "金湖区",
    "云溪区",
    "新城区",
)

#: Characters combined pairwise when more districts are asked for than ``DISTRICTS`` has.
DISTRICT_FIRST = "东西南北中上下前后"
DISTRICT_SECOND = "河湖江山林港岭川原台"

#: Two-character street (街道) names, as found all over China.
STREET_WORDS: tuple[str, ...] = (
    "望江",
    "新华",
    "解放",
    "人民",
    "朝阳",
    "建设",
    "长安",
    "胜利",
    "光明",
    "东风",
    "红旗",
    "友谊",
    "中山",
    "南湖",
    "清河",
    "白云",
    "青龙",
    "金山",
    "银湖",
    "石桥",
    "花园",
    "太平",
    "永安",
    "长青",
    "振兴",
    "复兴",
    "和兴",
    "安宁",
    "康乐",
    "育才",
    "迎宾",
    "滨河",
    "湖滨",
    "府前",
    "学院",
    "文昌",
    "广场",
    "新村",
    "桃源",
    "柳营",
    "龙泉",
    "凤鸣",
    "双桥",
    "三里",
    "五里",
    "九龙",
    "黄河",
    "长江",
    "珠江",
    "泰山",
    "华山",
    "嵩山",
    "西湖",
    "北关",
    "南关",
    "东关",
    "西关",
    "鼓楼",
    "钟楼",
    "城关",
    "草堂",
    "芙蓉",
    "丰收",
    "前进",
    "跃进",
    "红星",
    "新风",
    "工农",
    "团结",
    "民主",
)

#: Characters combined pairwise when more street names are needed than ``STREET_WORDS``.
STREET_FIRST = "东西南北新老上下大小金银玉石青红白黄"
STREET_SECOND = "桥门街营庄湾塘坪岗坝口店湖河田园林溪源洲埠寺亭阁"

#: Two-character community stems; a community name is a stem, or a stem plus one of
#: ``COMMUNITY_SUFFIXES`` (和平 -> 和平社区, 和平里社区).
COMMUNITY_STEMS: tuple[str, ...] = (
    "翠苑",
    "锦绣",
    "和平",
    "幸福",
    "阳光",
    "春晓",
    "明珠",
    "金桥",
    "银杏",
    "紫荆",
    "丹桂",
    "玉兰",
    "海棠",
    "碧水",
    "青松",
    "绿洲",
    "东方",
    "华庭",
    "凤凰",
    "龙湖",
    "香樟",
    "梧桐",
    "枫林",
    "荷塘",
    "柳岸",
    "桃李",
    "杏林",
    "梅园",
    "兰亭",
    "竹韵",
    "松涛",
    "花溪",
    "清泉",
    "云景",
    "星河",
    "月湖",
    "晨光",
    "朝晖",
    "晓风",
    "春江",
    "秋实",
    "冬青",
    "夏荷",
    "欣苑",
    "嘉禾",
    "瑞祥",
    "吉庆",
    "永宁",
    "长乐",
    "安居",
    "康宁",
    "和谐",
    "友爱",
    "文苑",
    "书香",
    "雅居",
    "怡景",
    "悦来",
    "盛世",
    "繁华",
    "富民",
    "兴旺",
    "民安",
    "国泰",
    "金沙",
    "银河",
    "宝山",
    "玉泉",
    "翡翠",
    "珊瑚",
    "彩虹",
    "天鹅",
    "白鹭",
    "黄鹂",
    "燕子",
    "鸿雁",
    "鹤鸣",
    "鹿苑",
    "卧龙",
    "望月",
    "观澜",
    "听涛",
    "临江",
    "沿河",
    "滨湖",
    "半岛",
    "江湾",
    "湖畔",
    "山水",
    "林荫",
    "绿园",
    "芳草",
    "丽景",
    "华府",
    "御景",
    "锦华",
    "新苑",
    "宏福",
    "广厦",
    "福馨",
)

COMMUNITY_SUFFIXES = "里园苑湾坊庭居城岸东西南北"

#: Used only when the curated pool is exhausted (和平一社区, 和平二社区, ...).
ORDINALS = "一二三四五六七八九十"


def district_pool() -> list[str]:
    """Return all district names, curated ones first, without duplicates."""
    pool = list(DISTRICTS)
    seen = set(pool)
    for a in DISTRICT_FIRST:
        for b in DISTRICT_SECOND:
            name = f"{a}{b}区"
            if name not in seen:
                seen.add(name)
                pool.append(name)
    return pool


def street_pools() -> tuple[list[str], list[str]]:
    """Return (curated, fallback) two-character street words, disjoint and ordered."""
    curated = list(dict.fromkeys(STREET_WORDS))
    seen = set(curated)
    fallback = []
    for a in STREET_FIRST:
        for b in STREET_SECOND:
            word = a + b
            if word not in seen:
                seen.add(word)
                fallback.append(word)
    return curated, fallback


def community_pools() -> tuple[list[str], list[str]]:
    """Return (curated, fallback) community name stems of two or three characters."""
    stems = list(dict.fromkeys(COMMUNITY_STEMS))
    curated = list(stems)
    for stem in stems:
        curated.extend(stem + s for s in COMMUNITY_SUFFIXES if s not in stem)
    curated = list(dict.fromkeys(curated))
    seen = set(curated)
    fallback = [stem + o for stem in stems for o in ORDINALS if stem + o not in seen]
    return curated, fallback
