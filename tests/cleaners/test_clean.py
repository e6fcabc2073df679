"""`clean()` end to end on pages of our own: the two acceptance scenarios (an English article on an
Arabic WordPress site, an Arabic article with English chrome), with and without the theme's known
class names; mixed-script split, site profile, metadata, RTL, and never raising on bad input."""

from __future__ import annotations

import json
import random

import pytest

from cleaners import Document, ProfileLearner, SiteProfile, clean, clean_with_keys

EN_TITLE = "Floods force thousands from their homes in the north"
EN_BODY = [
    (
        "paragraph",
        "Heavy rain over the weekend caused rivers to burst their banks, forcing thousands of families to leave their homes in the northern provinces.",
    ),
    (
        "paragraph",
        "Emergency services said more than forty villages had been cut off, and helicopters were being used to bring food and water to people stranded on rooftops.",
    ),
    ("heading", "Aid agencies warn of disease"),
    (
        "paragraph",
        "Aid workers warned that standing water could spread disease in the coming weeks, and called on the government to open more shelters near the affected towns.",
    ),
    (
        "paragraph",
        "The weather service expects more rain on Thursday, although it said the heaviest storms should move east by the end of the week.",
    ),
]
AR_TITLE = "افتتاح معرض الكتاب الدولي بمشاركة واسعة من دور النشر العربية"
AR_BODY = [
    (
        "paragraph",
        "افتتح وزير الثقافة صباح اليوم معرض الكتاب الدولي في دورته الجديدة، بمشاركة أكثر من خمسمائة دار نشر من مختلف الدول العربية والأجنبية.",
    ),
    (
        "paragraph",
        "ويضم المعرض هذا العام برنامجا ثقافيا واسعا يشمل ندوات فكرية وأمسيات شعرية وورش عمل للأطفال، إلى جانب توقيع عشرات الإصدارات الجديدة.",
    ),
    ("heading", "إقبال كبير في اليوم الأول"),
    (
        "paragraph",
        "وشهد اليوم الأول إقبالا كبيرا من الزوار، حيث امتلأت القاعات بالطلاب والعائلات الذين حرصوا على اقتناء أحدث الروايات والكتب العلمية.",
    ),
    (
        "paragraph",
        "وقال مدير المعرض إن الدورة الحالية تحتفي بالترجمة، وتسعى إلى تعزيز حضور الكتاب العربي في الأسواق العالمية خلال السنوات المقبلة.",
    ),
]
AR_CHROME = {
    "menu": ["الرئيسية", "أخبار العالم", "اقتصاد", "رياضة", "منوعات", "اتصل بنا"],
    "category": "أخبار العالم",
    "share": "شارك",
    "share_links": ["فيسبوك", "تويتر", "واتساب"],
    "more": "اظهر المزيد",
    "related": "مقالات ذات صلة",
    "related_items": [
        "ارتفاع أسعار النفط في الأسواق العالمية",
        "قمة عربية طارئة لبحث الأوضاع في المنطقة",
        "منتخب الشباب يتأهل إلى نهائي البطولة",
    ],
    "top": "زر الذهاب إلى الأعلى",
    "close": "إغلاق",
    "footer": "جميع الحقوق محفوظة لموقع الأخبار اليومية ٢٠٢٤",
    "search": "ابحث في الموقع",
}
EN_CHROME = {
    "menu": ["Home", "World", "Business", "Sport", "Culture", "Contact us"],
    "category": "Culture",
    "share": "Share this",
    "share_links": ["Facebook", "Twitter", "WhatsApp"],
    "more": "Read more",
    "related": "Related Articles",
    "related_items": [
        "Oil prices climb on world markets",
        "Emergency summit called to discuss the region",
        "Youth team reaches the final",
    ],
    "top": "Back to top",
    "close": "Close",
    "footer": "All rights reserved, Daily News 2024",
    "search": "Menu",
}


def wordpress_page(
    title: str, body: list[tuple[str, str]], chrome: dict, *, lang: str, known_classes: bool
) -> str:
    """A WordPress/Newspaper-theme-like article page. Without `known_classes` every class name is
    neutral ("c1", "c2"...), so only tags, link density, phrase rules and density find the article."""
    names = iter(f"c{i}" for i in range(1000))

    def cls(known: str) -> str:
        return known if known_classes else next(names)

    menu = "".join(
        f"<li class='{cls('menu-item')}'><a href='/c/{i}'>{m}</a></li>"
        for i, m in enumerate(chrome["menu"])
    )
    share = (
        f"<div class='{cls('td-post-sharing td-post-sharing-top')}'><span>{chrome['share']}</span>"
        + "".join(
            f"<a href='https://share.example/{i}'>{s}</a> "
            for i, s in enumerate(chrome["share_links"])
        )
        + "</div>"
    )
    related = "".join(
        f"<div class='{cls('td_module_related_posts')}'><h3><a href='/p/{i}'>{t}</a></h3></div>"
        for i, t in enumerate(chrome["related_items"])
    )
    paras = "".join(f"<h2>{t}</h2>" if k == "heading" else f"<p>{t}</p>" for k, t in body)
    return f"""<!DOCTYPE html>
<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}"><head><meta charset="utf-8">
<title>{title} | موقع الأخبار</title>
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="2024-03-05T10:30:00+03:00">
<meta property="article:section" content="{chrome["category"]}">
<script>var td_ajax = {{"a": 1}};</script><style>.x{{color:red}}</style>
</head>
<body class="{cls("rtl single single-post td-standard-pack")}">
<div class="{cls("td-search-wrap-mob")}"><form><input name="s"><span>{chrome["search"]}</span></form><a href="#" class="{cls("td-search-close")}">{chrome["close"]}</a></div>
<div id="{cls("td-outer-wrap")}" class="{cls("td-theme-wrap")}">
 <div class="{cls("td-header-wrap td-header-style-1")}"><header class="{cls("td-header-menu-wrap")}">
  <div class="{cls("td-logo")}"><a href="/"><img src="/logo.png" alt="logo"></a></div>
  <nav><ul class="{cls("sf-menu")}">{menu}</ul></nav></header></div>
 <div class="{cls("td-main-content-wrap td-container-wrap")}"><div class="{cls("td-container")}">
  <div class="{cls("td-pb-span8 td-main-content")}" role="{"main" if known_classes else "none"}"><div class="{cls("td-ss-main-content")}">
   <article class="{cls("post type-post status-publish")}">
    <div class="{cls("td-post-header")}">
     <ul class="{cls("td-category")}"><li><a class="{cls("td-post-category")}" href="/c/world">{chrome["category"]}</a></li></ul>
     <h1 class="{cls("entry-title")}">{title}</h1>
     <div class="{cls("td-module-meta-info")}"><time datetime="2024-03-05T10:30:00+03:00">2024-03-05</time></div>
    </div>
    {share}
    <div class="{cls("td-post-content tagdiv-type")}">
     <figure class="{cls("wp-block-image")}"><img src="/photo.jpg" alt=""></figure>
     {paras}
     <p><a href="/more" class="{cls("td-read-more")}">{chrome["more"]}</a></p>
    </div>
    <footer>{share.replace("top", "bottom")}</footer>
    <div class="{cls("td_block_wrap td_block_related_posts")}"><h4 class="{cls("td-related-title")}">{chrome["related"]}</h4>{related}</div>
   </article>
  </div></div>
  <div class="{cls("td-pb-span4 td-main-sidebar")}"><aside class="{cls("widget widget_recent_entries")}"><ul>{menu}</ul></aside></div>
 </div></div>
 <div class="{cls("td-footer-wrapper")}"><footer><p>{chrome["footer"]}</p><ul>{menu}</ul></footer></div>
 <a href="#" class="{cls("td-scroll-up")}">{chrome["top"]}</a>
</div>
</body></html>"""


@pytest.mark.parametrize("known_classes", [True, False], ids=["theme-classes", "neutral-classes"])
def test_english_article_on_arabic_wordpress_site(known_classes: bool) -> None:
    html = wordpress_page(EN_TITLE, EN_BODY, AR_CHROME, lang="ar", known_classes=known_classes)
    doc = clean(html, "https://news.example/en/2024/03/05/floods/")
    assert [(s.kind, s.text) for s in doc.segments] == EN_BODY
    assert {s.lang for s in doc.segments} == {"en"}
    assert doc.main_lang == "en"
    assert doc.title == EN_TITLE
    assert doc.dir == "rtl" and doc.page_lang == "ar"
    assert doc.dropped and all(n > 0 for _, n in doc.dropped)


@pytest.mark.parametrize("known_classes", [True, False], ids=["theme-classes", "neutral-classes"])
def test_arabic_article_with_english_chrome(known_classes: bool) -> None:
    html = wordpress_page(AR_TITLE, AR_BODY, EN_CHROME, lang="ar", known_classes=known_classes)
    doc = clean(html, "https://news.example/ar/2024/03/05/book-fair/")
    assert [(s.kind, s.text) for s in doc.segments] == AR_BODY
    assert {s.lang for s in doc.segments} == {"ar"}
    assert {s.script for s in doc.segments} == {"arabic"}
    assert doc.main_lang == "ar"


def test_every_dropped_block_has_a_named_reason() -> None:
    html = wordpress_page(EN_TITLE, EN_BODY, AR_CHROME, lang="ar", known_classes=True)
    doc = clean(html)
    reasons = dict(doc.dropped)
    assert reasons == dict(sorted(reasons.items()))
    for expected in (
        "tag:header",
        "class:sharing",
        "class:related",
        "class:sidebar",
        "class:footer",
        "outside_content",
    ):
        assert reasons.get(expected, 0) >= 1, (expected, reasons)
    # Without the theme's class names the same chrome goes by tags, link density, phrases and density.
    neutral = dict(
        clean(wordpress_page(EN_TITLE, EN_BODY, AR_CHROME, lang="ar", known_classes=False)).dropped
    )
    for expected in (
        "tag:header",
        "tag:aside",
        "tag:footer",
        "link_density",
        "phrase",
        "title",
        "no_letters",
    ):
        assert neutral.get(expected, 0) >= 1, (expected, neutral)


def test_mixed_script_block_is_split_and_tagged_per_part() -> None:
    body = [
        *EN_BODY[:2],
        ("paragraph", "ELECTION RESULTS ANNOUNCED TONIGHTأخبار العالم العاجلة اليوم"),
        *EN_BODY[3:],
    ]
    doc = clean(wordpress_page(EN_TITLE, body, AR_CHROME, lang="ar", known_classes=True))
    parts = [(s.text, s.lang) for s in doc.segments if "ELECTION" in s.text or "العاجلة" in s.text]
    assert parts == [
        ("ELECTION RESULTS ANNOUNCED TONIGHT", "en"),
        ("أخبار العالم العاجلة اليوم", "ar"),
    ]


def _site_page(i: int) -> str:
    story = [
        (
            "paragraph",
            f"Story number {i} reports on event {i * 7} in district {i % 5}, where residents met officials to talk about new roads and schools.",
        ),
        (
            "paragraph",
            f"Officials promised answers on item {i * 3} before the next council meeting, which is planned for week {i + 10} of the year.",
        ),
        (
            "paragraph",
            "Follow our daily newsletter for the stories that matter to your neighbourhood, delivered every morning.",
        ),
    ]
    return wordpress_page(f"Story {i} headline", story, EN_CHROME, lang="en", known_classes=True)


def test_profile_learned_from_pages_drops_template_segments() -> None:
    learner = ProfileLearner("news.example")
    for i in range(12):
        _doc, keys = clean_with_keys(_site_page(i))
        learner.add_keys(keys)
    profile = learner.profile()
    assert profile.applies
    doc = clean(_site_page(99), profile=profile)
    assert "Follow our daily newsletter" not in doc.text
    assert "Story number 99" in doc.text and "item 297" in doc.text
    assert dict(doc.dropped)["profile"] == 1
    # Learned the same way but from too few pages: the profile does not apply yet.
    young = ProfileLearner("news.example")
    for i in range(5):
        young.add_keys(clean_with_keys(_site_page(i))[1])
    assert not young.profile().applies
    assert "Follow our daily newsletter" in clean(_site_page(99), profile=young.profile()).text
    # Keys are those of the page before the profile applied.
    assert clean_with_keys(_site_page(99), profile=profile)[1] == clean_with_keys(_site_page(99))[1]
    assert SiteProfile.from_json(profile.to_json()) == profile


def test_metadata_passes_through() -> None:
    html = wordpress_page(EN_TITLE, EN_BODY, AR_CHROME, lang="ar", known_classes=True)
    ld = json.dumps(
        {
            "@type": "NewsArticle",
            "headline": EN_TITLE,
            "author": {"@type": "Person", "name": "Sara Haddad"},
            "datePublished": "2024-03-05T10:30:00+03:00",
        }
    )
    html = html.replace("</head>", f'<script type="application/ld+json">{ld}</script></head>')
    doc = clean(html, "https://news.example/en/floods/")
    assert doc.url == "https://news.example/en/floods/"
    assert doc.title == EN_TITLE
    assert doc.authors == ("Sara Haddad",)
    assert (
        doc.published_at is not None and doc.published_at.isoformat() == "2024-03-05T07:30:00+00:00"
    )
    assert doc.section == "أخبار العالم"


def test_rtl_text_is_kept_as_written_without_direction_marks() -> None:
    para = "قال المتحدث\u200f إن «الاتفاق» سيُوقَّع في 12 مارس، وفق ما نقلته وكالة الأنباء الرسمية عن مصادر مطلعة على المفاوضات."
    body = [("paragraph", para), *AR_BODY[1:]]
    doc = clean(wordpress_page(AR_TITLE, body, AR_CHROME, lang="ar", known_classes=False))
    assert doc.dir == "rtl"
    assert doc.segments[0].text == para.replace("\u200f", "")  # logical order, diacritics kept
    assert doc.segments[0].lang == "ar"


def _assert_empty_or_document(doc: Document) -> None:
    assert isinstance(doc, Document)
    if not doc.segments:
        assert doc.empty_reason


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("", "empty_input"),
        ("   \n\t ", "empty_input"),
        (b"<html></html>", "bytes_input"),
        (None, "not_text"),
        ("\x00\x01\x02\x03" * 500, "binary_input"),
        ("<html><head><title>t</title></head><body></body></html>", "no_content"),
        ("<html><body><script>var a = '<p>not text</p>';</script></body></html>", "no_content"),
    ],
)
def test_unusable_input_gives_empty_document_with_reason(html: object, reason: str) -> None:
    doc = clean(html)  # type: ignore[arg-type]
    assert doc.segments == () and doc.empty_reason == reason


def test_never_raises_on_truncated_and_fuzzed_pages() -> None:
    rng = random.Random(7)
    page = wordpress_page(AR_TITLE, AR_BODY, EN_CHROME, lang="ar", known_classes=True)
    for _ in range(60):
        _assert_empty_or_document(clean(page[: rng.randrange(len(page))]))
    for _ in range(30):
        chars = list(page)
        for _ in range(50):  # splice in junk: stray brackets, quotes, NULs, lone surrogates
            chars[rng.randrange(len(chars))] = rng.choice(
                ["<", ">", '"', "'", "\x00", "&", "\ud800", "</p", "<!--"]
            )
        _assert_empty_or_document(clean("".join(chars)))
    for _ in range(20):
        junk = bytes(rng.randrange(256) for _ in range(3000)).decode("latin-1")
        _assert_empty_or_document(clean(junk))
    deep = "<div>" * 5000 + "<p>" + EN_BODY[0][1] + "</p>" + "</div>" * 5000
    assert clean(deep).text == EN_BODY[0][1]
    assert clean("<table><tr><td>" * 400 + EN_BODY[0][1]).text == EN_BODY[0][1]
