"""Citations of statute provisions (an item's legal basis) as the reports print them."""

from __future__ import annotations

from kg.ingest.citations import citations
from kg.records import ProvisionRef

ACT = "行政手続における特定の個人を識別するための番号の利用等に関する法律"


def test_full_title_defines_a_short_name_used_later() -> None:
    refs = citations(f"{ACT}（平成25年法律第27号。以下「番号利用法」）第16条の2")
    assert refs == [ProvisionRef("第16条の2", ACT, "平成25年法律第27号", "番号利用法")]
    assert citations("番号利用法第16条の2", ["番号利用法"]) == [
        ProvisionRef("第16条の2", short_title="番号利用法")
    ]


def test_articles_joined_by_a_dot_share_the_law_and_paragraphs_items_are_kept() -> None:
    refs = citations("公的個人認証法第16条の2・第35条の2", ["公的個人認証法"])
    assert [r.article for r in refs] == ["第16条の2", "第35条の2"]
    (ref,) = citations("法律施行規則（平成15年総務省令第120号）第65条第1項第4号")
    assert (ref.law_title, ref.law_number, ref.article, ref.paragraph, ref.item_number) == (
        "法律施行規則", "平成15年総務省令第120号", "第65条", 1, 4
    )  # fmt: skip


def test_known_title_may_contain_a_comma_and_a_law_named_inside_a_longer_title() -> None:
    title = f"{ACT}に規定する個人番号、個人番号カード、特定個人情報の提供等に関する省令"
    text = f"{title}（平成26年総務省令第85号）第29条、{ACT}施行令第1条"
    refs = citations(text, titles=[title, ACT])
    assert refs[0] == ProvisionRef("第29条", title, "平成26年総務省令第85号")
    # 「…法律施行令」 is not the Act: the known title must not match the start of it.
    assert all(r.law_title != ACT for r in refs)


def test_pdf_spacing_and_full_width_digits() -> None:
    (ref,) = citations("番号利用法第 １６条の ２", ["番号利用法"])
    assert ref.article == "第16条の2"


def test_article_without_a_law_is_not_placed() -> None:
    assert citations("第16条の2") == []
