"""Phrase pools for synthetic suggestions: per category, problems said with and without the
taxonomy's keywords (residents do not speak in keywords), plus shared openings, durations
and requests. `compose` draws one text; `reword` makes a near-duplicate of a text."""

from __future__ import annotations

import numpy as np

PROBLEMS: dict[str, tuple[str, ...]] = {
    "lighting": (
        "楼道灯坏了",
        "路灯不亮",
        "声控灯不灵敏",
        "楼道照明太暗",
        "晚上回家黑漆漆的看不见台阶",
        "单元门口一到晚上就一片漆黑",
        "楼梯间的灯泡烧了没人换",
        "小路上晚上太黑老人摔倒了",
    ),
    "elevator": (
        "电梯经常困人",
        "电梯异响",
        "加装电梯进度太慢",
        "电梯停运好几天",
        "上下楼全靠爬，腿脚不好的没法出门",
        "升降梯按钮失灵",
        "轿厢里有异味",
        "老楼没有升降设施，希望尽快立项",
    ),
    "parking": (
        "停车难",
        "车位不够",
        "电动车充电桩太少",
        "僵尸车长期占位",
        "消防通道被私家车堵了一半",
        "晚上回来找不到地方停车",
        "外来车辆随便进出占位",
        "小区门口乱停乱放",
    ),
    "roads": (
        "路面坑洼",
        "人行道砖松动",
        "井盖松动有响声",
        "下雨积水严重",
        "小区主干道破损",
        "门口那段路坑坑洼洼，骑车容易摔",
        "地砖翘起来绊倒人",
        "一下雨门口就成了小河",
    ),
    "utilities": (
        "经常停水",
        "水压太低",
        "暖气不热",
        "燃气管道老化",
        "水管漏水",
        "冬天屋里只有十几度",
        "高层住户早上没水用",
        "自来水发黄有锈味",
    ),
    "environment": (
        "垃圾清运不及时",
        "垃圾分类投放点有异味",
        "绿化带杂草丛生",
        "卫生死角没人管",
        "垃圾桶满了好几天没人收",
        "树枝挡住窗户需要修剪",
        "楼下堆满杂物苍蝇很多",
        "花坛里全是烟头和塑料袋",
    ),
    "elderly_care": (
        "希望增设老年助餐点",
        "长者食堂饭菜太贵",
        "日间照料中心名额不够",
        "希望开展适老化改造",
        "家里老人独居没人照看",
        "高龄老人吃饭成问题",
        "希望有人定期上门看看空巢老人",
        "助老服务太少",
    ),
    "medical": (
        "卫生服务站看病排队长",
        "家庭医生联系不上",
        "希望社区能体检",
        "药房缺常用药",
        "社区门诊下午就关门",
        "打疫苗要跑很远",
        "慢性病拿药不方便",
        "希望有医生定期坐诊",
    ),
    "home_help": (
        "希望提供家政服务",
        "上门保洁价格太高",
        "找不到靠谱的保姆",
        "希望社区推荐上门服务",
        "家电坏了找不到人修",
        "想找钟点工打扫卫生",
        "维修服务响应慢",
        "希望有便民维修点",
    ),
    "childcare": (
        "托育机构太少",
        "幼儿园学位紧张",
        "希望开设四点半课堂",
        "放学后孩子没人托管",
        "双职工家庭接孩子难",
        "儿童游乐设施老旧",
        "希望有课后看护",
        "附近没有托班",
    ),
    "property": (
        "物业不作为",
        "物业费上涨不合理",
        "业委会迟迟不成立",
        "维修基金使用不透明",
        "保安经常不在岗",
        "报修好几次都没人来",
        "管理公司服务太差",
        "小区公共收益去向不明",
    ),
    "disputes": (
        "楼上噪音扰民",
        "邻居占用楼道堆物",
        "邻居家养狗不拴绳",
        "楼上漏水到楼下协商不成",
        "半夜装修吵得睡不着",
        "对门把鞋柜放在公共走廊",
        "遛狗不清理粪便",
        "楼下烧烤油烟熏人",
    ),
    "openness": (
        "居务公开不及时",
        "公示栏内容太旧",
        "希望公开账目",
        "议事会议题没有提前通知",
        "选举程序不透明",
        "开会通知只贴在一个地方",
        "希望多听听居民意见再决定",
        "财务收支看不到",
    ),
    "activities": (
        "希望多组织文艺活动",
        "广场舞音乐太吵",
        "希望开办书法班",
        "讲座太少",
        "年轻人参加的活动太少",
        "希望周末有亲子手工课",
        "想组建合唱团没有人牵头",
        "节日能不能搞点晚会",
    ),
    "venues": (
        "活动室经常锁门",
        "图书室书太旧",
        "健身器材损坏",
        "希望增加阅览室开放时间",
        "想看书没有地方",
        "乒乓球台坏了很久",
        "老年人下棋没有地方",
        "文化站平时不开门",
    ),
    "fire": (
        "消防通道被占",
        "灭火器过期",
        "楼道飞线充电有隐患",
        "烟感报警器坏了",
        "电瓶车推进楼里充电太危险",
        "楼道堆满纸箱一点就着",
        "消火栓里没有水带",
        "担心发生火灾",
    ),
    "public_order": (
        "最近有盗窃",
        "监控坏了",
        "门禁形同虚设",
        "有陌生人在楼里发小广告",
        "自行车在楼下被偷了",
        "晚上有人在小区里游荡",
        "老人接到诈骗电话",
        "希望增加巡逻",
    ),
    "food_safety": (
        "超市卖过期食品",
        "早餐摊卫生差",
        "无证经营的小饭馆",
        "食品变质",
        "买的熟食吃了拉肚子",
        "路边摊用地沟油",
        "菜市场肉品没有检疫章",
        "外卖店后厨脏乱",
    ),
    "traffic_safety": (
        "路口没有红绿灯",
        "车辆超速",
        "斑马线褪色",
        "希望加装减速带",
        "学校门口车开得太快",
        "过马路没有信号灯很危险",
        "电动车逆行太多",
        "拐角视线不好经常剐蹭",
    ),
}
OPENINGS = ("", "", "您好，", "社区领导：", "反映一个问题：", "我是本小区居民，")
PLACES = ("{b}号楼", "{b}栋", "{b}号楼{u}单元", "小区东门", "小区南门", "{b}栋楼下", "")
DURATIONS = ("", "", "已经好几天了", "有一个多月了", "反映过多次", "最近越来越严重")
REQUESTS = ("", "希望尽快处理", "请相关部门解决", "麻烦社区协调一下", "盼回复", "谢谢！")
FILLERS = ("又", "还是", "一直", "")
PUNCT = ("，", "。", "！", " ", "")


def compose(rng: np.random.Generator, category: str) -> tuple[str, str]:
    """(text, location) of one new suggestion about ``category``."""
    place = rng.choice(PLACES).format(b=int(rng.integers(1, 31)), u=int(rng.integers(1, 5)))
    parts = [
        rng.choice(OPENINGS),
        place,
        rng.choice(PROBLEMS[category]),
        "，",
        rng.choice(DURATIONS),
        "，" if rng.random() < 0.6 else "",
        rng.choice(REQUESTS),
    ]
    text = "".join(parts).strip("，")
    if rng.random() < 0.03:  # some residents leave their number in the text
        text += f"，联系电话{rng.choice(['138', '139', '186', '157'])}{rng.integers(10**7, 10**8)}"
    return text, place


def reword(rng: np.random.Generator, text: str) -> str:
    """The same complaint said again with small changes (punctuation, fillers, endings)."""
    out = text
    for old in ("，", "。"):
        if old in out and rng.random() < 0.5:
            out = out.replace(old, str(rng.choice(PUNCT)), 1)
    if rng.random() < 0.5:
        out = str(rng.choice(FILLERS)) + out
    if rng.random() < 0.6:
        out += str(rng.choice(("，请尽快处理", "！", "。谢谢", "，大家都很着急", "")))
    return out
