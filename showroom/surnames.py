"""Chinese surnames, for the kiosk's surname picker and for greeting a customer by name.

The kiosk has no keyboard, so a customer picks their surname from keys: first the
pinyin initial, then the surname. The list holds the 百家姓 (single and compound
surnames), the surnames in everyday use that it lacks or spells differently (肖, 付,
覃, 代, 冼, 禤 ...) and the common compound ones (欧阳, 司马, 诸葛, 上官, 完颜 ...):
561 in all, the most frequent first (their order is the modern population rank
for the first hundred, then the order of 百家姓).

The pinyin is the surname's reading, which is not always the word's everyday one
(单 Shan, 解 Xie, 查 Zha, 曾 Zeng, 区 Ou, 仇 Qiu, 朴 Piao, 盖 Ge, 乐 Yue, 尉迟 Yuchi,
万俟 Moqi, 长孙 Zhangsun, 单于 Chanyu). It was drafted with pypinyin and the
surname readings set by hand; pypinyin is not needed to run. ``ü`` is kept (吕 Lü)
and filed under L. No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

# surname:pinyin, most frequent first.
_DATA = """
王:wang 李:li 张:zhang 刘:liu 陈:chen 杨:yang 黄:huang 赵:zhao 吴:wu 周:zhou 徐:xu 孙:sun 马:ma
朱:zhu 胡:hu 郭:guo 何:he 林:lin 高:gao 罗:luo 郑:zheng 梁:liang 谢:xie 宋:song 唐:tang 许:xu
韩:han 冯:feng 邓:deng 曹:cao 彭:peng 曾:zeng 肖:xiao 田:tian 董:dong 袁:yuan 潘:pan 于:yu
蒋:jiang 蔡:cai 余:yu 杜:du 叶:ye 程:cheng 苏:su 魏:wei 吕:lü 丁:ding 任:ren 沈:shen 姚:yao
卢:lu 姜:jiang 崔:cui 钟:zhong 谭:tan 陆:lu 汪:wang 范:fan 金:jin 石:shi 廖:liao 贾:jia 夏:xia
韦:wei 付:fu 方:fang 白:bai 邹:zou 孟:meng 熊:xiong 秦:qin 邱:qiu 江:jiang 尹:yin 薛:xue 闫:yan
段:duan 雷:lei 侯:hou 龙:long 史:shi 陶:tao 黎:li 贺:he 顾:gu 毛:mao 郝:hao 龚:gong 邵:shao
万:wan 钱:qian 严:yan 覃:qin 武:wu 戴:dai 莫:mo 孔:kong 向:xiang 汤:tang 褚:chu 卫:wei 尤:you
施:shi 华:hua 戚:qi 喻:yu 柏:bai 水:shui 窦:dou 章:zhang 云:yun 葛:ge 奚:xi 郎:lang 鲁:lu
昌:chang 苗:miao 凤:feng 花:hua 俞:yu 柳:liu 酆:feng 鲍:bao 费:fei 廉:lian 岑:cen 倪:ni 滕:teng
殷:yin 毕:bi 邬:wu 安:an 常:chang 乐:yue 时:shi 傅:fu 皮:pi 卞:bian 齐:qi 康:kang 伍:wu 元:yuan
卜:bo 平:ping 和:he 穆:mu 萧:xiao 湛:zhan 祁:qi 禹:yu 狄:di 米:mi 贝:bei 明:ming 臧:zang 计:ji
伏:fu 成:cheng 谈:tan 茅:mao 庞:pang 纪:ji 舒:shu 屈:qu 项:xiang 祝:zhu 阮:ruan 蓝:lan 闵:min
席:xi 季:ji 麻:ma 强:qiang 路:lu 娄:lou 危:wei 童:tong 颜:yan 梅:mei 盛:sheng 刁:diao 骆:luo
樊:fan 凌:ling 霍:huo 虞:yu 支:zhi 柯:ke 昝:zan 管:guan 经:jing 房:fang 裘:qiu 缪:miao 干:gan
解:xie 应:ying 宗:zong 宣:xuan 贲:ben 郁:yu 单:shan 杭:hang 洪:hong 包:bao 诸:zhu 左:zuo 吉:ji
钮:niu 嵇:ji 邢:xing 滑:hua 裴:pei 荣:rong 翁:weng 荀:xun 羊:yang 於:yu 惠:hui 甄:zhen 曲:qu
家:jia 封:feng 芮:rui 羿:yi 储:chu 靳:jin 汲:ji 邴:bing 糜:mi 松:song 井:jing 富:fu 巫:wu 乌:wu
焦:jiao 巴:ba 弓:gong 牧:mu 隗:wei 山:shan 谷:gu 车:che 宓:mi 蓬:peng 全:quan 郗:xi 班:ban
仰:yang 秋:qiu 仲:zhong 伊:yi 宫:gong 宁:ning 仇:qiu 栾:luan 暴:bao 甘:gan 钭:tou 厉:li 戎:rong
祖:zu 符:fu 景:jing 詹:zhan 束:shu 幸:xing 司:si 韶:shao 郜:gao 蓟:ji 薄:bo 印:yin 宿:su 怀:huai
蒲:pu 邰:tai 从:cong 鄂:e 索:suo 咸:xian 籍:ji 赖:lai 卓:zhuo 蔺:lin 屠:tu 蒙:meng 池:chi
乔:qiao 阴:yin 鬱:yu 胥:xu 能:nai 苍:cang 双:shuang 闻:wen 莘:shen 党:dang 翟:zhai 贡:gong
劳:lao 逄:pang 姬:ji 申:shen 扶:fu 堵:du 冉:ran 宰:zai 郦:li 雍:yong 卻:que 璩:qu 桑:sang 桂:gui
濮:pu 牛:niu 寿:shou 通:tong 边:bian 扈:hu 燕:yan 冀:ji 郏:jia 浦:pu 尚:shang 农:nong 温:wen
别:bie 庄:zhuang 晏:yan 柴:chai 瞿:qu 阎:yan 充:chong 慕:mu 连:lian 茹:ru 习:xi 宦:huan 艾:ai
鱼:yu 容:rong 古:gu 易:yi 慎:shen 戈:ge 庾:yu 终:zhong 暨:ji 居:ju 衡:heng 步:bu 都:du 耿:geng
满:man 弘:hong 匡:kuang 国:guo 文:wen 寇:kou 广:guang 禄:lu 阙:que 东:dong 欧:ou 殳:shu 沃:wo
利:li 蔚:yu 越:yue 夔:kui 隆:long 师:shi 巩:gong 厍:she 聂:nie 晁:chao 勾:gou 敖:ao 融:rong
冷:leng 訾:zi 辛:xin 阚:kan 那:na 简:jian 饶:rao 空:kong 毋:wu 沙:sha 乜:nie 养:yang 鞠:ju 须:xu
丰:feng 巢:chao 关:guan 蒯:kuai 相:xiang 查:zha 后:hou 荆:jing 红:hong 游:you 竺:zhu 权:quan
逯:lu 盖:ge 益:yi 桓:huan 公:gong 仉:zhang 督:du 晋:jin 楚:chu 法:fa 汝:ru 鄢:yan 涂:tu 钦:qin
岳:yue 帅:shuai 缑:gou 亢:kang 况:kuang 郈:hou 有:you 琴:qin 商:shang 牟:mou 佘:she 佴:nai 墨:mo
哈:ha 谯:qiao 笪:da 年:nian 爱:ai 阳:yang 佟:tong 言:yan 福:fu 代:dai 粟:su 揭:jie 綦:qi 兰:lan
邝:kuang 冼:xian 麦:mai 禤:xuan 仝:tong 谌:chen 郄:qie 庹:tuo 檀:tan 玉:yu 邸:di 门:men 敬:jing
苟:gou 苑:yuan 展:zhan 原:yuan 禚:zhuo 芦:lu 栗:li 信:xin 初:chu 修:xiu 战:zhan 衣:yi 隋:sui
来:lai 开:kai 过:guo 郇:xun 刀:dao 伞:san 生:sheng 朴:piao 植:zhi 区:ou 种:chong 员:yun 繁:po
召:shao 折:she 眭:sui 雒:luo 迟:chi 阿:a 达:da 但:dan 凃:tu 欧阳:ouyang 司马:sima 上官:shangguan
诸葛:zhuge 东方:dongfang 皇甫:huangfu 慕容:murong 令狐:linghu 司徒:situ 夏侯:xiahou 尉迟:yuchi
公孙:gongsun 端木:duanmu 长孙:zhangsun 宇文:yuwen 轩辕:xuanyuan 钟离:zhongli 独孤:dugu
南宫:nangong 西门:ximen 呼延:huyan 申屠:shentu 淳于:chunyu 澹台:tantai 单于:chanyu 赫连:helian
万俟:moqi 闻人:wenren 公羊:gongyang 公冶:gongye 宗政:zongzheng 濮阳:puyang 太叔:taishu
仲孙:zhongsun 鲜于:xianyu 闾丘:lüqiu 司空:sikong 亓官:qiguan 司寇:sikou 子车:ziju 颛孙:zhuansun
巫马:wuma 公西:gongxi 漆雕:qidiao 乐正:yuezheng 壤驷:rangsi 公良:gongliang 拓跋:tuoba 夹谷:jiagu
宰父:zaifu 谷梁:guliang 段干:duangan 百里:baili 东郭:dongguo 南门:nanmen 归海:guihai
羊舌:yangshe 微生:weisheng 梁丘:liangqiu 左丘:zuoqiu 东门:dongmen 伯赏:boshang 第五:diwu
完颜:wanyan 爱新觉罗:aixinjueluo
"""


@dataclass(frozen=True)
class Surname:
    """One surname: its characters, its reading and its rank (0 = the most common)."""

    text: str
    pinyin: str
    rank: int

    @property
    def initial(self) -> str:
        return self.pinyin[0].upper()

    @property
    def latin(self) -> str:
        """The reading as written in English: ``Ouyang``, ``Lü``."""
        return self.pinyin[:1].upper() + self.pinyin[1:]


def _parse(data: str) -> tuple[Surname, ...]:
    surnames = []
    for rank, pair in enumerate(data.split()):
        text, _, pinyin = pair.partition(":")
        surnames.append(Surname(text, pinyin, rank))
    return tuple(surnames)


SURNAMES: tuple[Surname, ...] = _parse(_DATA)
BY_TEXT: dict[str, Surname] = {s.text: s for s in SURNAMES}
# The longest first, so that 欧阳 wins over 欧 when a full name is read.
_COMPOUNDS = tuple(sorted((s.text for s in SURNAMES if len(s.text) > 1), key=len, reverse=True))
# How many the picker shows before a letter is chosen (the most common ones).
COMMON_COUNT = 60


def common(count: int = COMMON_COUNT) -> list[Surname]:
    """The ``count`` most frequent surnames, most frequent first."""
    return list(SURNAMES[:count])


@cache
def initials() -> tuple[str, ...]:
    """The initials that start at least one surname, A to Z (no I, U or V in pinyin)."""
    return tuple(sorted({s.initial for s in SURNAMES}))


@cache
def with_initial(letter: str) -> tuple[Surname, ...]:
    """Surnames whose reading starts with ``letter``, most frequent first."""
    wanted = letter.upper()
    return tuple(s for s in SURNAMES if s.initial == wanted)


def surname_of(name: str) -> str:
    """The surname in a full name: a known compound surname (欧阳娜娜 -> 欧阳), else the
    first character. Empty for an empty name."""
    name = name.strip()
    for compound in _COMPOUNDS:
        if name.startswith(compound):
            return compound
    return name[:1]


def latin(surname: str) -> str | None:
    """The surname as written in English (``Ouyang``), or None when it is not in the list."""
    known = BY_TEXT.get(surname)
    return known.latin if known is not None else None
