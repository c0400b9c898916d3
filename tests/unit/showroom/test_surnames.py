"""The surname list: every 百家姓 surname and the everyday and compound ones, found by initial."""

from __future__ import annotations

import re

from showroom import surnames

# The opening of 百家姓 and surnames customers could not find on the old 44-key grid.
MUST_HAVE = (
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨"  # 百家姓's first lines
    "薛廖尹覃付肖闫代邝冼禤佘佟"  # the examples and everyday ones it lacks
)
COMPOUNDS = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "慕容", "令狐", "尉迟", "万俟", "长孙")


def test_several_hundred_surnames_none_twice() -> None:
    texts = [s.text for s in surnames.SURNAMES]
    assert len(texts) >= 500
    assert len(set(texts)) == len(texts)
    for surname in MUST_HAVE:
        assert surname in surnames.BY_TEXT, surname
    for surname in COMPOUNDS:
        assert surname in surnames.BY_TEXT, surname
    assert sum(len(t) > 1 for t in texts) >= 60  # the compound surnames of 百家姓 and more


def test_readings_are_plain_pinyin_and_surname_readings_are_used() -> None:
    for s in surnames.SURNAMES:
        assert re.fullmatch(r"[a-zü]+", s.pinyin), s
    readings = {t: surnames.BY_TEXT[t].pinyin for t in ("单", "解", "查", "曾", "区", "仇", "朴")}
    assert readings == {
        "单": "shan",
        "解": "xie",
        "查": "zha",
        "曾": "zeng",
        "区": "ou",
        "仇": "qiu",
        "朴": "piao",
    }
    assert (surnames.latin("尉迟"), surnames.latin("万俟"), surnames.latin("吕")) == (
        "Yuchi",
        "Moqi",
        "Lü",
    )
    assert surnames.latin("不是姓") is None


def test_every_surname_is_under_its_initial_most_common_first() -> None:
    letters = surnames.initials()
    assert "I" not in letters and "U" not in letters and "V" not in letters
    found = [s for letter in letters for s in surnames.with_initial(letter)]
    assert sorted(s.text for s in found) == sorted(s.text for s in surnames.SURNAMES)
    assert [s.text for s in surnames.with_initial("O")] == ["欧", "区", "欧阳"]
    assert surnames.BY_TEXT["吕"] in surnames.with_initial("L")
    for letter in letters:
        ranks = [s.rank for s in surnames.with_initial(letter)]
        assert ranks == sorted(ranks)
    assert [s.text for s in surnames.common(5)] == ["王", "李", "张", "刘", "陈"]


def test_the_surname_of_a_full_name_keeps_compound_surnames_whole() -> None:
    assert surnames.surname_of("欧阳娜娜") == "欧阳"
    assert surnames.surname_of("司马光") == "司马"
    assert surnames.surname_of("张伟") == "张"
    assert surnames.surname_of(" 薛 ") == "薛"
    assert surnames.surname_of("") == ""
