"""Targets read from clause text, and rubric bands read from a printed criterion.

The texts are as the documents print them (PDF spacing, full-width digits, the FY2025 report's
spaced-out annual plan); the expected values were read off the lines by a person.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from kg.ingest.rubric import bands_in
from kg.ingest.targets import stated_targets
from kg.records import AchievementBand, Span

SPAN = Span("doc", 1, 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # 000 line 7927: the PDF breaks the measure's name apart
            "見直しを進めること等を通して、システ ム 稼 働 率99.9％以上の確保を目指す。",
            ("99.9", "%", ">=", "システ ム 稼 働 率99.9％以上", None, "システム稼働率"),
        ),
        (  # 004 line 1507: full-width digits
            "安全かつ安定的な運営を実施し、システム稼働率９９．９％以上の確保を目指すこと。",
            ("99.9", "%", ">=", "システム稼働率９９．９％以上", None, "システム稼働率"),
        ),
        (  # 002 line 132: every character spaced out, a capacity per month
            "申請動向に応じて、1月当たり最大 約 480 万 枚 の カ ー ド を 市 区 町 村 へ 発 送",
            ("4800000", "枚", ">=", "1月当たり最大 約 480 万 枚", "月", None),
        ),
        (  # 004 line 143: a yearly rate
            "国の支援の下、原則として年間応答率 95％以上の確保を目指す",
            ("95", "%", ">=", "原則として年間応答率 95％以上", "年", "年間応答率"),
        ),
    ],
)
def test_one_target_with_phrase_period_and_measure(
    text: str, expected: tuple[str, str, str, str, str | None, str | None]
) -> None:
    (t,) = stated_targets(text, SPAN)
    value, unit, comparator, phrase, period, measure = expected
    assert (t.value, t.unit, t.comparator, t.text) == (Decimal(value), unit, comparator, phrase)
    assert (t.period, t.measure, t.span) == (period, measure, SPAN)
    assert phrase in text  # the phrase is cut from the published text, never rebuilt


def test_a_deadline_is_a_target_and_its_load_is_not() -> None:
    # 004 lines 134-136: 16万件 is the load under which the 14-day deadline holds.
    text = (
        "令和３年度中に、１日当たり最大 16 万件の申請に対し、原則として遅くとも 14 日以内に"
        "実施できるようにするための体制整備を行う。"
    )
    (t,) = stated_targets(text, SPAN)
    assert (t.value, t.unit, t.comparator, t.text) == (
        Decimal(14), "日", "<=", "原則として遅くとも 14 日以内",
    )  # fmt: skip


def test_a_capacity_per_day_is_a_target() -> None:
    text = "令和３年度中に、１日当たり最大約 16 万枚のマイナンバーカード及び電子証明書を発行"
    (t,) = stated_targets(text, SPAN)
    assert (t.value, t.unit, t.comparator, t.period) == (Decimal(160_000), "枚", ">=", "日")
    assert t.approximate


def test_dates_and_plain_counts_are_no_targets() -> None:
    text = "令和４年度末までに、２拠点化することを含め必要な体制強化を行う。"
    assert stated_targets(text, SPAN) == []


RUBRIC_A = "目標を上回る成果\n120％以上達成、または\n100％以上達成、かつ困難度が高いもの"
RUBRIC_S = (
    "目標を質的及び量的に上回る顕著な成果\n120％以上達成、かつ質的に顕著な成果または、\n"
    "100％以上達成、困難度が高いもの、かつ質的に顕著な成果"
)


def test_rubric_bands_as_printed_in_000() -> None:
    assert bands_in(RUBRIC_A) == [
        AchievementBand(Decimal(120), None),
        AchievementBand(Decimal(100), None, difficulty_high=True),
    ]
    assert bands_in(RUBRIC_S) == [
        AchievementBand(Decimal(120), None, requires="質的に顕著な成果"),
        AchievementBand(Decimal(100), None, difficulty_high=True, requires="質的に顕著な成果"),
    ]
    assert bands_in("目標を達成\n（100％以上120％未満達成）") == [
        AchievementBand(Decimal(100), Decimal(120))
    ]
    d = "目標を下回っており、業務の廃止を含めた抜本的な改善が\n必要 （80％未満達成等）"
    assert bands_in(d) == [AchievementBand(None, Decimal(80))]


def test_rubric_bands_follow_the_printed_numbers() -> None:
    changed = RUBRIC_A.replace("120％", "１３０％").replace("100％", "110％")
    assert [(b.minimum, b.difficulty_high) for b in bands_in(changed)] == [
        (Decimal(130), False), (Decimal(110), True),
    ]  # fmt: skip
    assert bands_in("目標の水準を満たしている") == []
