"""The labels of the pages' chrome in Japanese (the default) and English.

The language of a page is ``?lang=ja|en`` when given (the answer then sets a cookie, so the
choice sticks), else the cookie, else Japanese. Only the chrome is translated: texts read from
the documents are shown as published.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request

from api.views.links import route_path

LANGS = ("ja", "en")
DEFAULT = "ja"
DATA_LANG = "ja"
"""The language of the documents read (Japanese public bodies' plans and reports): texts from
them keep it on an English page."""
COOKIE = "plantrace_lang"

LABELS: dict[str, tuple[str, str]] = {
    # navigation and common words
    "nav.dashboard": ("ダッシュボード", "Dashboard"),
    "nav.statutes": ("法令", "Statutes"),
    "nav.validation": ("検証", "Validation"),
    "nav.query": ("検索・クエリ", "Search & query"),
    "nav.sparql": ("SPARQL", "SPARQL"),
    "nav.downloads": ("ダウンロード", "Downloads"),
    "nav.api": ("API", "API"),
    "nav.switch": ("English", "日本語"),
    "nav.menu": ("メニュー", "Menu"),
    "nav.label": ("サイト内の移動", "Site"),
    "nav.crumbs": ("現在位置", "You are here"),
    "meta.provision": (
        "条文の本文と、それに依拠する評価項目・計画・指標・評定（影響範囲）。",
        "the article's text and the items, clauses, indicators and grades resting on it.",
    ),
    "nav.skip": ("本文へ移動", "Skip to the content"),
    "meta.description": (
        "独立行政法人等の中期目標・計画・年度計画・指標・実績・評定を根拠法令から辿れる知識グラフ。",
        "A knowledge graph tracing a public body's goals, plans, annual plans, indicators, "
        "actual values and grades back to the statute articles they rest on.",
    ),
    "source": ("出典", "Source"),
    "sources": ("出典", "Sources"),
    "lines": ("行", "lines"),
    "item": ("評価項目", "Item"),
    "items": ("評価項目", "Items"),
    "code": ("項目", "Code"),
    "name": ("名称", "Name"),
    "year": ("年度", "Year"),
    "self": ("自己評価", "Self"),
    "self.short": ("自", "S"),
    "ministerial": ("主務大臣評価", "Ministerial"),
    "ministerial.short": ("大", "M"),
    "grade": ("評定", "Grade"),
    "overall": ("総合評定", "Overall grade"),
    "rationale": ("評定の根拠", "Rationale"),
    "none": ("なし", "none"),
    "json": ("JSON", "JSON"),
    "ld": ("RDF", "RDF"),
    "not_found": ("見つからない", "Not found"),
    "more": ("ほか", "more"),
    "missing.text": ("データセットにこれについての記述はない：", "The dataset says nothing about"),
    "yes": ("あり", "yes"),
    "no": ("なし", "no"),
    "quote.open": ("出典の行のページを開く", "Open the page of these source lines"),
    "meta.item": (
        "根拠法令から中期目標・計画・年度計画・指標・実績・評定までのトレース。",
        "its trace from the statute article through goal, plans, indicators and actual values "
        "to the grades.",
    ),
    # dashboard
    "dash.title": ("評価項目と評定", "Items and grades"),
    "dash.intro": (
        "年度ごとの自己評価（自）と主務大臣評価（大）。評定をクリックすると出典の行を表示。",
        "Self (S) and ministerial (M) grades by fiscal year. Click a grade for its source lines.",
    ),
    "mark.importance": ("重要度「高」", "importance high"),
    "mark.difficulty": ("困難度「高」", "difficulty high"),
    "mark.priority": ("重点化", "priority"),
    "mark.underline": ("下線", "underline"),
    "mark.sep": ("、", ", "),
    "graph.summary": (
        "同じ内容はグラフの下の表「グラフの内容」で読める。",
        "the same facts are in the table below the graph (“The graph as a table”).",
    ),
    "graph.table": ("グラフの内容（表）", "The graph as a table"),
    "graph.from": ("から", "From"),
    "graph.relation": ("関係", "Relation"),
    "graph.to": ("へ", "To"),
    "graph.activate": ("タップしてグラフを操作する", "Tap to move and zoom the graph"),
    "graph.deactivate": ("グラフの操作を終える", "Stop moving the graph"),
    "rel.implements": ("具体化する", "implements"),
    "rel.measures": ("測る", "measures"),
    "rel.indicator": ("実績", "actual values"),
    "rel.graded": ("評定の対象", "graded"),
    "chart.summary": (
        "目標と年度ごとの実績。数値と出典は図の下の表にある。",
        "the target and the actual value of each year; the numbers and their sources are in "
        "the table below the chart.",
    ),
    "chart.table": ("目標・実績（表）", "Target and actual values (table)"),
    "scroll.hint": ("表は横にスクロールできる。", "The table scrolls sideways."),
    "dash.validation": ("検証結果", "Validation"),
    "dash.validation.more": ("検証結果の詳細", "all findings"),
    "dash.validation.unavailable": (
        "検証結果を今は得られない（検証ページで再試行）。",
        "The validation report is not available now (the validation page tries again).",
    ),
    "dash.validation.pending": (
        "検証を実行中（数秒後に再読み込み）。",
        "Validation is still running (reload in a few seconds).",
    ),
    "dash.coverage": ("トレースの充足度（全項目）", "Trace coverage (all items)"),
    "dash.trace": ("トレース", "trace"),
    "bodies.title": ("法人", "Public bodies"),
    "bodies.intro": (
        "このデータには複数の法人の文書がある。法人を選ぶと、その法人の評価項目と評定を表示。",
        "The data holds the documents of several public bodies. Choose one for its items and "
        "grades.",
    ),
    "bodies.choose": (
        "複数の法人にこの項目番号の評価項目がある。法人を選ぶ。",
        "Several public bodies have an item with this code. Choose one.",
    ),
    "bodies.id": ("ID", "ID"),
    "stat.per_body": (
        "複数の法人のデータがあるため、影響範囲は法人ごとに表示（?body=法人ID）。",
        "The data holds several public bodies: impact is shown per body (?body=its id).",
    ),
    "bodies.items": ("評価項目数", "Items"),
    "val.per_body": (
        "複数の法人のデータがあるため、検証は法人ごとに行う。法人を選ぶ。",
        "The data holds several public bodies: validation runs for one body at a time. "
        "Choose a body.",
    ),
    "severity.violation": ("違反", "violations"),
    "severity.warning": ("警告", "warnings"),
    "severity.info": ("情報", "info"),
    # coverage levels
    "cov.goal_plan": ("目標→計画", "goal → plan"),
    "cov.plan_annual": ("計画→年度計画", "plan → annual plan"),
    "cov.annual_indicator": ("年度計画→指標", "annual plan → indicator"),
    "cov.indicator_observation": ("定量指標→実績", "quantitative indicator → actual"),
    "cov.self": ("自己評価あり", "self grade"),
    "cov.ministerial": ("主務大臣評価あり", "ministerial grade"),
    "cov.level": ("段階", "Level"),
    # versions: an item's history and /changes (issue 22)
    "nav.changes": ("変更履歴", "Changes"),
    "history.title": ("記載事項の版の履歴", "Clause history"),
    "history.help": (
        "後の文書が改訂・追加・削除した記載事項と指標。版ごとに適用期間（発行日から、後継の版の"
        "文書の発行日の前日まで）と最初に記載した文書、前の版との文字単位の差分（追加・削除）。",
        "The clauses and indicators later documents revised, added or dropped: each version with "
        "its period (from the issue date of the document first stating it to the day before its "
        "successor's) and that document, and the character differences from the version before "
        "(inserted, deleted).",
    ),
    "history.none": ("後の文書による改訂はない。", "No later document revised this item."),
    "history.version": ("版", "Version"),
    "history.period": ("適用期間", "In force"),
    "history.stated_in": ("記載した文書", "Stated in"),
    "history.text": ("文言（前の版からの追加）", "Text (inserted since the version before)"),
    "history.diff": ("前の版（削除した文字）", "Version before (deleted characters)"),
    "suspect.title": ("要確認リンク", "Suspect links"),
    "suspect.label": ("要確認", "suspect: written against an earlier version"),
    "suspect.none": (
        "要確認リンクはない。", "No suspect links: nothing was written against a revised version."
    ),
    "suspect.old": ("改訂前の版", "the earlier version"),
    "suspect.new": ("現在の版", "the current version"),
    "suspect.link.implements": ("が実施する", "implements"),
    "suspect.link.measures": ("が測る", "measures"),
    "suspect.link.refines": ("が具体化する", "refines"),
    "suspect.link.indicator": ("の指標", "is of"),
    "changes.title": ("文書ごとの変更", "What each document changed"),
    "changes.intro": (
        "新しい文書から順に、その文書が改訂・追加・削除した記載事項と指標、改訂により要確認と"
        "なったリンク（改訂前の版に対して書かれ、後の版で結び直されていないもの）。",
        "Newest document first: the clauses and indicators it revised, added and dropped, and the "
        "links its revisions made suspect (written against the earlier version and not "
        "re-established by a later one).",
    ),
    "changes.revised": ("改訂", "Revised"),
    "changes.added": ("追加", "Added"),
    "changes.dropped": ("削除", "Dropped"),
    "changes.text": ("文言", "Text"),
    "changes.was": ("改訂前", "Earlier version"),
    "changes.earlier": ("改訂前の版", "earlier version"),
    "changes.none": ("改訂・追加・削除のある文書はない。", "No document changed anything."),
    # trace page
    "trace.title": ("トレース", "Trace"),
    "trace.legal_basis": ("根拠法令", "Legal basis"),
    "trace.related_policy": ("関連する政策・施策", "Related policy"),
    "trace.graph": ("トレースグラフ", "Trace graph"),
    "trace.graph.help": (
        "中期目標 → 中期計画 → 年度計画 → 指標 → 実績 → 評定。ノードをクリックすると詳細へ。"
        "ドラッグで移動、ホイール・ピンチで拡大縮小。",
        "Goal → plan → annual plan → indicator → actual → grade. Click a node to open it; "
        "drag to move, wheel or pinch to zoom.",
    ),
    "trace.coverage": ("充足度", "Coverage"),
    "trace.clauses": ("年度ごとの計画", "Clauses by year"),
    "trace.goal": ("中期目標", "Mid-term goal"),
    "trace.plan": ("中期計画", "Mid-term plan"),
    "trace.annual": ("年度計画", "Annual plan"),
    "trace.changes": ("年度間の変化", "What changed year to year"),
    "trace.changes.help": (
        "同じ中期計画の項目に対応する年度計画を並べ、文字単位の差分を示す（削除・追加）。",
        "The annual plan clauses under one plan clause side by side, with character "
        "differences marked (deleted, inserted).",
    ),
    "trace.changes.none": (
        "比較できる二つの年度の年度計画がない。",
        "No plan clause has annual plan clauses in two years to compare.",
    ),
    "trace.similarity": ("一致率", "similarity"),
    "trace.indicators": ("指標と実績", "Indicators and actual values"),
    "trace.viewpoints": ("評価の視点", "Evaluation viewpoints"),
    "trace.target": ("目標", "Target"),
    "trace.actual": ("実績", "Actual"),
    "trace.no_values": ("数値の実績なし", "no numeric actual values"),
    "trace.grades": ("評定と根拠", "Grades and rationale"),
    "trace.quotes": ("出典の引用", "Source quotes"),
    "trace.no_clause": ("（対応する中期計画なし）", "(no plan clause)"),
    "trace.unmatched": ("（中期計画の項目に対応しない）", "(not under a plan clause)"),
    "trace.path": ("根拠条文から評定まで", "From the article to a grade"),
    # kinds of nodes
    "kind.statute": ("法令", "statute"),
    "kind.provision": ("条文", "article"),
    "kind.document": ("計画文書", "plan document"),
    "kind.goal": ("中期目標", "goal clause"),
    "kind.plan": ("中期計画", "plan clause"),
    "kind.annual": ("年度計画", "annual plan clause"),
    "kind.indicator": ("指標", "indicator"),
    "kind.viewpoint": ("評価の視点", "evaluation viewpoint"),
    "kind.target": ("目標値", "target"),
    "kind.observation": ("実績", "actual value"),
    "kind.item": ("評価項目", "item"),
    "kind.evaluation": ("評定", "grade"),
    "kind.overall": ("総合評定", "overall grade"),
    "kind.staff": ("人員", "staff"),
    "kind.other": ("その他", "other"),
    # statutes
    "stat.title": ("法令と影響範囲", "Statutes and their impact"),
    "stat.intro": (
        "条文ごとに、その条文に依拠する評価項目・計画・指標・評定の数。",
        "For each article: the items, clauses, indicators and grades that rest on it.",
    ),
    "stat.article": ("条文", "Article"),
    "stat.caption": ("見出し", "Caption"),
    "stat.impact": ("影響範囲", "Impact"),
    "stat.graph": (
        "影響グラフ（条文 → 評価項目 → 計画）", "Impact graph (article → items → clauses)"
    ),
    "stat.graph.help": (
        "ノードをクリックすると詳細へ。ドラッグで移動、ホイール・ピンチで拡大縮小。",
        "Click a node to open it; drag to move, wheel or pinch to zoom.",
    ),
    "stat.items": ("影響を受ける評価項目", "Items affected"),
    "stat.no_impact": (
        "この条文に依拠するものはない。", "Nothing in the data rests on this article."
    ),
    "stat.text": ("条文", "Text"),
    "stat.paragraphs": ("項", "Paragraphs"),
    "stat.counts": ("種類ごとの数", "Count per kind"),
    # validation
    "val.title": ("検証結果", "Validation report"),
    "val.intro": (
        "SHACL 形状（shapes/）によるグラフの検証。各指摘は対象ノード、根拠条文、出典へリンクする。",
        "The graph checked against the SHACL shapes in shapes/. Each finding links to its node, "
        "the article it comes from and its source lines.",
    ),
    "val.rule": ("規則", "Rule"),
    "val.node": ("対象", "Node"),
    "val.message": ("内容", "Message"),
    "val.value": ("値", "value"),
    "val.article": ("根拠条文", "Article"),
    "val.none": ("指摘はない。", "No findings."),
    "val.gaps": ("孤立・行き止まりのノード", "Orphan and dead-end nodes"),
    "val.orphans": ("上位へのリンクがない（孤立）", "Orphans (no link one level up)"),
    "val.dead_ends": ("下位へのリンクがない（行き止まり）", "Dead ends (nothing one level down)"),
    "val.missing": ("欠けているもの", "Missing"),
    # query page
    "query.title": ("検索とクエリ", "Search and query"),
    "query.search": ("条文・計画の本文を検索", "Search clause texts"),
    "query.search.button": ("検索", "Search"),
    "query.hits": ("件", "hits"),
    "query.text": ("本文", "Text"),
    "query.no_hits": ("該当なし", "No matches"),
    "query.sparql": ("SPARQL クエリ", "SPARQL query"),
    "query.examples": ("例", "Examples"),
    "query.ex.matrix": ("評定の一覧", "Grade matrix"),
    "query.ex.trace": ("項目のトレース", "An item's trace"),
    "query.ex.impact": ("条文の影響範囲", "An article's impact"),
    "query.run": ("実行", "Run"),
    "query.rows": ("行", "rows"),
    "query.results": ("クエリの結果", "Query results"),
    "query.truncated": ("（上限で打ち切り）", "(cut at the row limit)"),
    "query.needs_js": (
        "クエリの実行には JavaScript が必要。/sparql に直接送ることもできる。",
        "Running a query needs JavaScript; you can also send it to /sparql directly.",
    ),
    # linked-data pages (/id/…)
    "meta.resource": (
        "データセットの資源：その性質、出典の行と参照元。",
        "a resource of the dataset: its properties, source lines and what refers to it.",
    ),
    "res.impact": ("影響範囲", "impact"),
    "res.by_year": ("年度ごと", "By year"),
    "res.quantitative": ("定量", "quantitative"),
    "res.properties": ("性質", "Properties"),
    "res.named_graph": ("名前付きグラフのトリプル数", "Triples in its named graph"),
    "res.incoming": ("参照元", "Referenced by"),
    "res.more": ("（ほかは省略）", "(more not shown)"),
    "meta.ontology": (
        "plantrace オントロジー（語彙）の参照ページ：クラスと性質、それを使う検証規則。",
        "The plantrace ontology: its classes and properties and the rules that use them.",
    ),
    "onto.contents": ("目次", "Contents"),
    "meta.query": (
        "計画・評定の本文の検索と、例つきの SPARQL クエリ。",
        "Search the clause texts, and run SPARQL queries from examples.",
    ),
    "meta.statutes": (
        "法令と条文ごとに、依拠する評価項目・計画・指標・評定の数。",
        "Statutes and articles, with the items, clauses, indicators and grades resting on each.",
    ),
    "meta.validation": (
        "SHACL 形状による検証結果：違反・警告・情報と孤立・行き止まりのノード。",
        "The SHACL validation report: violations, warnings, info, orphans and dead ends.",
    ),
    # the SPARQL and downloads pages
    "sparql.description": (
        "読み取り専用の SPARQL 1.1 エンドポイント：評価項目・計画・指標・実績・評定の知識グラフ。",
        "A read-only SPARQL 1.1 endpoint over the knowledge graph of items, plans, indicators, "
        "actual values and grades.",
    ),
    "sparql.format": ("結果の形式", "Results as"),
    "sparql.by_accept": ("（Accept ヘッダーによる）", "(by the Accept header)"),
    "sparql.service": ("サービス記述", "Service description"),
    "downloads.description": (
        "データセット全体（TriG、N-Quads、JSON-LD）、トレースの表（CSV）と VoID / DCAT の記述。",
        "The whole dataset (TriG, N-Quads, JSON-LD), the trace as a table (CSV) and its VoID / "
        "DCAT description.",
    ),
    "downloads.named": ("、名前付きグラフを保持", "; named graphs kept"),
    "downloads.csv": (
        "トレースの表：評価項目・年度・計画の項目ごとに 1 行",
        "the trace as a table: one row per item, year and clause",
    ),
    "downloads.void": ("VoID / DCAT による記述", "VoID / DCAT description"),
    # the grade basis (item page, dashboard)
    "basis.title": ("評定の根拠", "Grade basis"),
    "basis.intro": (
        "定量的指標の実績値ごとに、比べた目標（その上位の計画・目標の目標）、達成度と、評定の基準でそれが当たる区分。"
        "達成度は「以上」の目標では実績値÷目標値、「以内・以下」の目標では目標値÷実績値（％、小数第2位に四捨五入）。"
        "区分は報告書が示す評定の基準から読み、困難度「高」の項目は100％以上で A とする。",
        "Each actual value of a quantitative indicator with the target it was compared with (and "
        "the targets of the plans above it), its achievement and the band of the grading rubric "
        "it falls in. Achievement is actual ÷ target for an \u201cat least\u201d target and "
        "target ÷ actual for an \u201cat most\u201d target (percent, two decimals rounded half "
        "up); the bands are read from the rubric the report prints, and on a high-difficulty "
        "item 100 % or more is A.",
    ),
    "basis.indicator": ("指標", "Indicator"),
    "basis.target": ("比べた目標", "Target compared with"),
    "basis.above": ("上位の計画・目標の目標", "Targets of the plans above"),
    "basis.actual": ("実績値", "Actual value"),
    "basis.achievement": ("達成度", "Achievement"),
    "basis.band": ("基準の区分", "Rubric band"),
    "basis.disagrees": ("評定が数値と合わない", "grade disagrees with its numbers"),
    "dash.disagrees": (
        "≠ 評定が実績値の達成度（評定の基準の区分）と合わない（評定の根拠へのリンク）。",
        "≠ the grade disagrees with its actual values' achievement (the rubric's bands); it "
        "links to the grade basis.",
    ),
    "basis.no_rows": ("定量的指標の実績値なし", "no actual value of a quantitative indicator"),
    "basis.findings": ("検証の指摘", "Findings of the checks"),
    "basis.findings.item": ("年度によらない指摘", "Findings not of one year"),
    "basis.findings.none": ("指摘はない。", "No findings."),
    "basis.findings.pending": (
        "検証を実行中のため、指摘は表示していない（数秒後に再読み込み）。",
        "Validation is still running: findings are not shown (reload in a few seconds).",
    ),
    "level.indicator": ("指標", "indicator"),
    "level.goal": ("中期目標", "mid-term goal"),
    "level.plan": ("中期計画", "mid-term plan"),
    "level.annual": ("年度計画", "annual plan"),
}


def choose(request: Request) -> str:
    """The language of the page: ``?lang=``, else the cookie, else Japanese."""
    for value in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if value in LANGS:
            return value
    return DEFAULT


class Translator:
    """``t("key")`` in templates: the label in the page's language (the key if unknown)."""

    def __init__(self, lang: str) -> None:
        self.index = LANGS.index(lang) if lang in LANGS else 0

    def __call__(self, key: str) -> str:
        pair = LABELS.get(key)
        return pair[self.index] if pair else key


def switch_url(request: Request, lang: str) -> str:
    """This page's path and query with ``lang`` set (a relative URL: the same origin)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", lang))
    return f"{route_path(request.scope)}?{urlencode(params)}"
