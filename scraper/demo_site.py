"""A generated bilingual (Arabic/English) fixture news site and its loopback HTTP server with faults.

Used by the crawler and fetch tests and by `scraper demo`; stdlib only, deterministic for a seed.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import html
import json
import random
import re
import socket
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import parse_qs, quote, unquote, urlsplit

#: Every absolute URL in a built `Site` starts with this; `SiteServer` rewrites it to its own URL,
#: so a `Site` is a value that does not depend on the port it is served on.
PLACEHOLDER_BASE = "http://news.demo.invalid"

SITE_TZ = timezone(timedelta(hours=3))
_FIRST_DAY = datetime(2024, 3, 1, 8, 0, tzinfo=SITE_TZ)
_SITE_EPOCH = datetime(2024, 2, 1, 0, 0, tzinfo=SITE_TZ)  # Last-Modified of pages without a date
_GZIP_MIN_BYTES = 1024
_LANG_HUB_PER_PAGE = 5
_SECTION_PER_PAGE = 2
_SLOW_MAX_S = 10.0
_HUGE_BYTES = 30 * 1024 * 1024
_REDIRECT_CHAIN_MAX = 50
# Only these request headers are logged: the ones tests assert on.
_LOGGED_HEADERS = ("If-None-Match", "If-Modified-Since", "Accept-Encoding", "User-Agent", "Range")

FAULT_PATHS: tuple[str, ...] = (
    "/fault/404",
    "/fault/410",
    "/fault/500",
    "/fault/503-once",
    "/fault/429-once",
    "/fault/slow",
    "/fault/redirect-loop",
    "/fault/redirect-chain",
    "/fault/binary",
    "/fault/binary-as-html",
    "/fault/pdf",
    "/fault/huge",
    "/fault/truncated",
    "/fault/malformed",
)

# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class Page:
    """One static resource of the site: its bytes as served (before host rewriting)."""

    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
    last_modified: datetime = _SITE_EPOCH


@dataclass(slots=True, frozen=True)
class ArticleInfo:
    """What an article page holds, so tests can compare a cleaner's output with the truth."""

    path: str  # as linked (Arabic slugs percent-encoded with upper-case hex)
    lang: str  # "en" or "ar"
    title: str
    author: str
    published: str  # ISO 8601 with offset
    modified: str
    section: str  # articleSection, in the article's language
    section_slug: str
    paragraphs: tuple[str, ...]
    headings: tuple[str, ...]
    #: ("heading" | "paragraph", text) in document order: the exact article body.
    blocks: tuple[tuple[str, str], ...]
    encoding: str = "utf-8"
    post_id: int = 0

    @property
    def text(self) -> str:
        """The body blocks joined by a blank line, like `Document.text`."""
        return "\n\n".join(t for _, t in self.blocks)


@dataclass(slots=True, frozen=True)
class Site:
    """The whole generated site: pages by path plus the truth about what they contain."""

    pages: dict[str, Page]
    articles: tuple[ArticleInfo, ...]
    hubs: tuple[str, ...]
    legacy: tuple[ArticleInfo, ...]  # the windows-1256 and BOM pages (not linked from the site)
    feeds: tuple[str, ...]
    sitemaps: tuple[str, ...]
    private_paths: tuple[str, ...]  # disallowed by robots.txt but linked from the home page
    fault_paths: tuple[str, ...] = FAULT_PATHS
    seed: int = 1
    crawl_delay: float | None = None

    def article(self, path: str) -> ArticleInfo:
        """The article (main or legacy) at `path` (either percent-encoding spelling)."""
        want = _canonical_path(path)
        for a in (*self.articles, *self.legacy):
            if a.path == want:
                return a
        raise KeyError(path)

    def articles_in(self, lang: str) -> tuple[ArticleInfo, ...]:
        """The main articles written in `lang`."""
        return tuple(a for a in self.articles if a.lang == lang)


class LoggedRequest(NamedTuple):
    """One served request: method, raw path (with query), status and some request headers."""

    method: str
    path: str
    status: int
    headers: dict[str, str]


# ---------------------------------------------------------------------------------------------
# Content pools (the seeded RNG combines them into articles)
# ---------------------------------------------------------------------------------------------

_SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("world", "World", "أخبار العالم"),
    ("sports", "Sports", "رياضة"),
    ("economy", "Economy", "اقتصاد"),
    ("technology", "Technology", "تكنولوجيا"),
)

_FILL = {
    "en": {
        "city": [
            "Cairo",
            "Riyadh",
            "Dubai",
            "Amman",
            "Beirut",
            "Rabat",
            "Tunis",
            "Doha",
            "Baghdad",
            "Muscat",
            "Kuwait City",
            "Algiers",
            "Manama",
            "Khartoum",
        ],
        "team": [
            "Al Ahly",
            "Al Hilal",
            "Wydad",
            "Esperance",
            "Zamalek",
            "Al Nassr",
            "Raja",
            "Al Faisaly",
            "Al Sadd",
            "Al Ain",
        ],
        "person": [
            "Ahmed Al-Mansouri",
            "Sara Haddad",
            "Khalid Rahman",
            "Laila Nasser",
            "Omar Farouk",
            "Huda Qasim",
            "Yousef Karim",
            "Mona Saleh",
        ],
    },
    "ar": {
        "city": [
            "القاهرة",
            "الرياض",
            "دبي",
            "عمّان",
            "بيروت",
            "الرباط",
            "تونس",
            "الدوحة",
            "بغداد",
            "مسقط",
            "الكويت",
            "الجزائر",
            "المنامة",
            "الخرطوم",
        ],
        "team": [
            "الأهلي",
            "الهلال",
            "الوداد",
            "الترجي",
            "الزمالك",
            "النصر",
            "الرجاء",
            "الفيصلي",
            "السد",
            "العين",
        ],
        "person": [
            "أحمد المنصوري",
            "سارة الحسيني",
            "خالد العتيبي",
            "ليلى عبد الرحمن",
            "محمد الشامي",
            "نور الهدى يوسف",
            "عمر بن سالم",
            "هدى القاسمي",
        ],
    },
}

_AUTHORS = {
    "en": [
        "Nadia Hassan",
        "James Whitfield",
        "Rami Khoury",
        "Emily Carter",
        "Tariq Aziz",
        "Fatima Zahra Idrissi",
    ],
    "ar": [
        "محمود عبد الله",
        "رنا الخطيب",
        "يوسف الحداد",
        "مريم السعدي",
        "عبد الكريم الزين",
        "لمى حداد",
    ],
}

_TITLES = {
    "en": {
        "world": [
            "{city} hosts new round of regional talks",
            "Foreign minister visits {city} to boost bilateral ties",
            "{city} summit calls for stepped-up humanitarian effort",
            "UN welcomes outcome of {city} meetings",
            "Envoys meet in {city} as diplomacy gathers pace",
        ],
        "sports": [
            "{team} extend lead at the top with dramatic win",
            "National team opens training camp in {city}",
            "{team} captain's injury worries fans",
            "{team} reach the semi-finals after tense night in {city}",
            "{team} sign young midfielder on a three-year deal",
        ],
        "economy": [
            "Stocks rise {pct} percent as banks rally",
            "Central bank in {city} holds interest rates steady",
            "Inflation in {city} eases to {pct} percent",
            "{m} million dollar deal to upgrade {city} infrastructure",
            "Non-oil exports from {city} hit record high",
        ],
        "technology": [
            "{city} start-up launches digital payments app",
            "{city} hosts artificial intelligence conference",
            "Experts in {city} warn of new wave of online fraud",
            "5G networks expand in {city}",
            "{city} university opens robotics laboratory",
        ],
    },
    "ar": {
        "world": [
            "{city} تستضيف جولة جديدة من المحادثات الإقليمية",
            "وزير الخارجية يبحث في {city} تعزيز التعاون الثنائي",
            "قمة {city} تدعو إلى تكثيف الجهود الإنسانية",
            "الأمم المتحدة ترحب بنتائج اجتماعات {city}",
            "مبعوثون يلتقون في {city} مع تسارع الحراك الدبلوماسي",
        ],
        "sports": [
            "{team} يعزز صدارته بفوز مثير",
            "المنتخب الوطني يبدأ معسكره التدريبي في {city}",
            "إصابة قائد {team} تثير قلق الجماهير",
            "{team} يتأهل إلى نصف النهائي بعد ليلة صعبة في {city}",
            "{team} يتعاقد مع لاعب وسط شاب لثلاثة مواسم",
        ],
        "economy": [
            "البورصة ترتفع {pct} في المئة بدعم من أسهم البنوك",
            "البنك المركزي في {city} يثبت أسعار الفائدة",
            "تراجع التضخم في {city} إلى {pct} في المئة",
            "اتفاقية بقيمة {m} مليون دولار لتطوير البنية التحتية في {city}",
            "الصادرات غير النفطية من {city} تسجل مستوى قياسياً",
        ],
        "technology": [
            "شركة ناشئة في {city} تطلق تطبيقاً للمدفوعات الرقمية",
            "{city} تستضيف مؤتمراً للذكاء الاصطناعي",
            "خبراء في {city} يحذرون من موجة جديدة من الاحتيال الإلكتروني",
            "توسع شبكات الجيل الخامس في {city}",
            "جامعة {city} تفتتح مختبراً للروبوتات",
        ],
    },
}

_SENTENCES = {
    "en": {
        "world": [
            "Foreign ministers from {n} countries gathered in {city} on Tuesday for a new round of talks.",
            "A senior official said both sides had reached a preliminary understanding on several outstanding issues.",
            "The summit's closing statement called for closer regional cooperation on shared challenges.",
            "The United Nations urged all parties to speed up the delivery of humanitarian aid.",
            "Observers said the move could pave the way for a broader agreement in the coming months.",
            "There was no immediate comment from the other side on the remarks.",
            "The visit is part of a regional tour that includes {n2} Arab capitals.",
            "The ambassador said bilateral relations had improved markedly across a range of sectors.",
            "Delegations are expected to present detailed reports to their governments within days.",
            "Talks in {city} ran late into the night before negotiators agreed on a joint statement.",
        ],
        "sports": [
            "{team} secured a hard-fought {s1}-{s2} win over their rivals on Saturday evening.",
            "The international striker scored twice after the break to lift his side to the top of the table.",
            "The victory takes the club to {pts} points, {gap} clear of their nearest challengers.",
            "The coach praised his players but warned that the title race was far from over.",
            "More than {k},000 supporters packed the stadium in {city} for the derby.",
            "The national team will hold a training camp in {city} ahead of the qualifiers.",
            "The federation named a {n}-man squad for the two friendly matches.",
            "The captain suffered a knee injury that will keep him out for several weeks.",
            "{team} have now gone {n2} matches without defeat in all competitions.",
            "The final will be played in {city} in front of a capacity crowd.",
        ],
        "economy": [
            "The main stock index closed {pct} percent higher, led by banking shares.",
            "Official data showed annual inflation easing to {pct} percent last month.",
            "The central bank kept interest rates unchanged for the third consecutive meeting.",
            "Analysts attributed the gains to improving investor confidence and firmer oil prices.",
            "The government signed a {m} million dollar agreement to fund new infrastructure projects.",
            "International lenders expect the economy to grow by about {pct} percent this year.",
            "The finance minister said structural reforms were starting to bear fruit.",
            "Non-oil exports grew strongly, driven by manufacturing and services.",
            "Trading volume reached about {n} million shares as foreign buyers returned to {city}.",
            "Small businesses in {city} said access to credit remained their main concern.",
        ],
        "technology": [
            "A start-up based in {city} has launched an app that lets users manage their payments in one place.",
            "The system relies on machine learning to analyse transactions in real time.",
            "The chief executive said the service had passed {n},000 users in its first months.",
            "The government aims to move {pct} percent of its services online by the end of the year.",
            "Cyber-security experts warned of a rise in text-message fraud targeting bank customers.",
            "Telecom operators are rolling out fifth-generation networks in several cities.",
            "More than {n} technology firms from the region and beyond took part in the conference.",
            "The company said user data was protected under strict privacy standards.",
            "Engineers in {city} demonstrated a delivery robot that navigates crowded pavements.",
            "Universities are expanding courses in data science to meet demand from employers.",
        ],
        "common": [
            "The developments come as the region undergoes rapid change on several fronts.",
            "A clearer picture is expected to emerge over the next few days.",
            "Speaking to reporters, {person} said the coming phase would require more work and coordination.",
            "He added that the authorities were following the situation closely and would announce any updates.",
            "{city} hosted a similar event last year.",
            "The step was widely welcomed in official and public circles alike.",
            "Preliminary estimates suggest results will become clear before the end of the quarter.",
            "Officials stressed the importance of transparency in dealing with the public.",
            "Residents of {city} said they hoped the decision would improve daily life.",
            "According to {person}, the timetable remains ambitious but achievable.",
        ],
    },
    "ar": {
        "world": [
            "أعلنت وزارة الخارجية في {city} أن جولة جديدة من المحادثات ستنطلق مطلع الأسبوع المقبل.",
            "وقال مسؤول رفيع المستوى إن الطرفين توصلا إلى تفاهمات أولية بشأن عدد من الملفات العالقة.",
            "وأكد البيان الختامي للقمة ضرورة تعزيز التعاون الإقليمي في مواجهة التحديات المشتركة.",
            "وشارك في الاجتماع ممثلون عن {n} دولة إلى جانب عدد من المنظمات الدولية.",
            "وأشار المتحدث إلى أن الوفد سيقدم تقريراً مفصلاً إلى مجلس الوزراء خلال أيام.",
            "وفي سياق متصل، دعت الأمم المتحدة إلى تسريع إيصال المساعدات الإنسانية إلى المناطق المتضررة.",
            "ويرى مراقبون أن هذه الخطوة قد تمهد الطريق أمام اتفاق أوسع في المستقبل القريب.",
            "ولم يصدر حتى الآن أي تعليق رسمي من الجانب الآخر على هذه التصريحات.",
            "وتأتي هذه الزيارة في إطار جولة إقليمية تشمل {n2} عواصم عربية.",
            "وأوضح السفير أن العلاقات الثنائية تشهد تطوراً ملحوظاً في مختلف المجالات.",
        ],
        "sports": [
            "حقق فريق {team} فوزاً ثميناً على منافسه بنتيجة {s1} مقابل {s2} في المباراة التي أقيمت مساء أمس.",
            "وسجل المهاجم الدولي هدفين في الشوط الثاني ليقود فريقه إلى صدارة الترتيب.",
            "وبهذا الفوز رفع الفريق رصيده إلى {pts} نقطة متقدماً بفارق {gap} نقاط عن أقرب منافسيه.",
            "وأبدى المدرب رضاه عن أداء اللاعبين، مؤكداً أن الطريق نحو اللقب لا يزال طويلاً.",
            "وشهدت المباراة حضوراً جماهيرياً كبيراً تجاوز {k} ألف متفرج في {city}.",
            "ويستعد المنتخب الوطني لخوض معسكر تدريبي في {city} استعداداً للتصفيات المقبلة.",
            "وأعلن الاتحاد عن قائمة تضم {n} لاعباً لخوض المباراتين الوديتين.",
            "وتعرض قائد الفريق لإصابة في الركبة ستبعده عن الملاعب لعدة أسابيع.",
            "ولم يتعرض {team} لأي خسارة في آخر {n2} مباريات في جميع المسابقات.",
            "وتقام المباراة النهائية في {city} بحضور عدد من كبار المسؤولين.",
        ],
        "economy": [
            "ارتفع المؤشر العام للبورصة بنسبة {pct} في المئة في ختام تعاملات اليوم.",
            "وأظهرت بيانات رسمية أن معدل التضخم تراجع إلى {pct} في المئة خلال الشهر الماضي.",
            "وقرر البنك المركزي الإبقاء على أسعار الفائدة دون تغيير للمرة الثالثة على التوالي.",
            "وأرجع محللون هذا الأداء إلى تحسن ثقة المستثمرين وارتفاع أسعار النفط.",
            "ووقعت الحكومة اتفاقية لتمويل مشروعات البنية التحتية بقيمة {m} مليون دولار.",
            "وتتوقع المؤسسات الدولية أن يسجل الاقتصاد نمواً بنحو {pct} في المئة هذا العام.",
            "وأكد وزير المالية أن الإصلاحات الهيكلية بدأت تؤتي ثمارها على أرض الواقع.",
            "وسجلت الصادرات غير النفطية نمواً لافتاً مدفوعة بقطاعي الصناعة والخدمات.",
            "وبلغ حجم التداول نحو {n} مليون سهم مع عودة المستثمرين الأجانب إلى سوق {city}.",
            "وقال أصحاب مشروعات صغيرة في {city} إن الحصول على التمويل لا يزال همهم الأول.",
        ],
        "technology": [
            "أطلقت شركة ناشئة في {city} تطبيقاً جديداً يتيح للمستخدمين إدارة مدفوعاتهم بسهولة.",
            "ويعتمد النظام الجديد على تقنيات الذكاء الاصطناعي لتحليل البيانات في الوقت الفعلي.",
            "وأوضح الرئيس التنفيذي أن عدد المستخدمين تجاوز {n} ألف مستخدم خلال الأشهر الأولى.",
            "وتسعى الحكومة إلى تحويل {pct} في المئة من خدماتها إلى المنصات الرقمية بحلول نهاية العام.",
            "وحذر خبراء الأمن السيبراني من تزايد محاولات الاحتيال عبر الرسائل النصية.",
            "ويشهد قطاع الاتصالات توسعاً سريعاً في شبكات الجيل الخامس في عدد من المدن.",
            "وشارك في المؤتمر أكثر من {n} شركة تقنية من داخل المنطقة وخارجها.",
            "وأكدت الشركة أن بيانات المستخدمين محمية وفق أعلى معايير الخصوصية.",
            "وعرض مهندسون في {city} روبوتاً لتوصيل الطلبات قادراً على التنقل في الأرصفة المزدحمة.",
            "وتتوسع الجامعات في برامج علوم البيانات لتلبية الطلب المتزايد في سوق العمل.",
        ],
        "common": [
            "وتأتي هذه التطورات في وقت تشهد فيه المنطقة تحولات متسارعة على أكثر من صعيد.",
            "ومن المنتظر أن تتضح الصورة بشكل أكبر خلال الأيام القليلة المقبلة.",
            "وفي تصريح خاص، قال {person} إن المرحلة المقبلة تتطلب مزيداً من العمل والتنسيق.",
            "وأضاف أن الجهات المعنية تتابع الموقف عن كثب وستعلن عن أي مستجدات في حينها.",
            "يذكر أن {city} كانت قد استضافت فعاليات مماثلة في العام الماضي.",
            "ولاقت هذه الخطوة ترحيباً واسعاً في الأوساط الرسمية والشعبية على حد سواء.",
            "وتشير التقديرات الأولية إلى أن النتائج ستظهر بوضوح قبل نهاية الربع الحالي.",
            "وشدد على أهمية الشفافية في التعامل مع الرأي العام.",
            "وأعرب سكان {city} عن أملهم في أن ينعكس القرار إيجاباً على حياتهم اليومية.",
            "وبحسب {person}، فإن الجدول الزمني طموح لكنه قابل للتحقيق.",
        ],
    },
}

_HEADINGS = {
    "en": [
        "Background to the decision",
        "Reaction in {city}",
        "What comes next",
        "By the numbers",
        "What the experts say",
        "A long road for {city}",
        "How it unfolded in {city}",
        "The view from {city}",
    ],
    "ar": [
        "خلفية القرار",
        "ردود الفعل في {city}",
        "ماذا بعد؟",
        "بالأرقام",
        "ماذا يقول الخبراء",
        "طريق طويل أمام {city}",
        "كيف جرت الأحداث في {city}",
        "المشهد من {city}",
    ],
}

# The page chrome is deliberately in the *other* language than the article (a real pattern on
# Arabic news sites with English editions), so a cleaner cannot drop chrome by language alone.
_CHROME = {
    "ar": {
        "site": "شبكة الخبر العربي",
        "tagline": "أخبار العالم العربي على مدار الساعة",
        "home": "الرئيسية",
        "menu": "القائمة",
        "search": "بحث",
        "share": "شارك",
        "facebook": "فيسبوك",
        "twitter": "تويتر",
        "whatsapp": "واتساب",
        "more": "اظهر المزيد",
        "related": "مقالات ذات صلة",
        "top": "زر الذهاب إلى الأعلى",
        "close": "إغلاق",
        "most_read": "الأكثر قراءة",
        "newsletter": "اشترك في النشرة البريدية ليصلك كل جديد",
        "subscribe": "اشترك",
        "email": "بريدك الإلكتروني",
        "rights": "جميع الحقوق محفوظة",
        "cookie": "نستخدم ملفات تعريف الارتباط لتحسين تجربتك على موقعنا. باستمرارك في التصفح فإنك توافق على ذلك.",
        "by": "بقلم",
        "comment": "اترك تعليقاً",
        "comment_note": "لن يتم نشر عنوان بريدك الإلكتروني.",
        "send": "إرسال التعليق",
        "ad": "إعلان",
        "follow": "تابعنا",
        "about": "من نحن",
        "contact": "اتصل بنا",
        "privacy": "سياسة الخصوصية",
        "terms": "شروط الاستخدام",
        "read_more": "اقرأ المزيد",
        "next": "التالي",
        "prev": "السابق",
        "latest": "آخر الأخبار",
        "archive": "الأرشيف",
        "staff": "منطقة المحررين",
        "culture": "ثقافة",
        "variety": "منوعات",
        "video": "فيديو",
        "tags": "الوسوم",
        "breaking": "عاجل",
        "not_found": "الصفحة غير موجودة",
    },
    "en": {
        "site": "Al-Khabar Network",
        "tagline": "Arab world news around the clock",
        "home": "Home",
        "menu": "Menu",
        "search": "Search",
        "share": "Share this",
        "facebook": "Facebook",
        "twitter": "Twitter",
        "whatsapp": "WhatsApp",
        "more": "Read more",
        "related": "Related Articles",
        "top": "Back to top",
        "close": "Close",
        "most_read": "Most Read",
        "newsletter": "Subscribe to our newsletter for the latest updates",
        "subscribe": "Subscribe",
        "email": "Your email address",
        "rights": "All rights reserved",
        "cookie": "We use cookies to improve your experience on our site. By continuing to browse you agree to this.",
        "by": "By",
        "comment": "Leave a comment",
        "comment_note": "Your email address will not be published.",
        "send": "Post Comment",
        "ad": "Advertisement",
        "follow": "Follow us",
        "about": "About us",
        "contact": "Contact us",
        "privacy": "Privacy policy",
        "terms": "Terms of use",
        "read_more": "Read more",
        "next": "Next",
        "prev": "Previous",
        "latest": "Latest News",
        "archive": "Archive",
        "staff": "Staff area",
        "culture": "Culture",
        "variety": "Variety",
        "video": "Video",
        "tags": "Tags",
        "breaking": "Breaking",
        "not_found": "Page not found",
    },
}

_CSS = """
:root{--brand:#b3121d;--ink:#1b1b1b;--muted:#6b6b6b;--bg:#fff;--line:#e6e6e6}
*{box-sizing:border-box}body{margin:0;font-family:"Noto Naskh Arabic","Segoe UI",Tahoma,sans-serif;color:var(--ink);background:var(--bg);line-height:1.7}
a{color:inherit;text-decoration:none}a:hover{color:var(--brand)}
.site-header{border-bottom:3px solid var(--brand);padding:12px 24px;display:flex;align-items:center;justify-content:space-between}
.site-title{font-size:28px;font-weight:700;margin:0}.site-description{color:var(--muted);font-size:13px;margin:0}
.main-navigation ul{list-style:none;margin:0;padding:0;display:flex;gap:18px;flex-wrap:wrap}
.main-navigation a{font-weight:600;padding:8px 0;display:block}
.ticker{background:var(--brand);color:#fff;padding:6px 24px;font-weight:700;overflow:hidden;white-space:nowrap}
.container{max-width:1180px;margin:0 auto;display:grid;grid-template-columns:1fr 320px;gap:32px;padding:24px}
.breadcrumbs{font-size:13px;color:var(--muted);margin-bottom:12px}
.cat-label{background:var(--brand);color:#fff;font-size:12px;padding:2px 8px;border-radius:2px}
.entry-title{font-size:34px;line-height:1.3;margin:12px 0}
.entry-meta{color:var(--muted);font-size:13px}.entry-content p{font-size:18px;margin:0 0 18px}
.entry-content h2{font-size:24px;margin:28px 0 12px}
.share-bar{display:flex;gap:10px;margin:16px 0}.share-bar a{border:1px solid var(--line);padding:4px 10px;border-radius:3px}
.load-more{display:block;margin:24px auto;padding:10px 28px;border:1px solid var(--brand);background:none;color:var(--brand);cursor:pointer}
.related-posts ul{list-style:none;padding:0;display:grid;grid-template-columns:repeat(3,1fr);gap:16px}
.widget{border-top:3px solid var(--ink);margin-bottom:28px;padding-top:8px}.widget-title{font-size:18px}
.widget ol{padding-inline-start:20px}.newsletter input{width:100%;padding:8px;margin:6px 0}
.site-footer{background:#111;color:#ddd;padding:32px 24px;font-size:14px}.site-footer a{color:#ddd}
.footer-menu{display:flex;gap:16px;flex-wrap:wrap;list-style:none;padding:0}
.go-to-top{position:fixed;bottom:20px;inset-inline-end:20px;background:var(--brand);color:#fff;padding:8px 12px;border-radius:50%}
.cookie-banner{position:fixed;bottom:0;left:0;right:0;background:#222;color:#fff;padding:14px 24px;display:flex;justify-content:space-between}
.ad-slot{min-height:250px;background:#f4f4f4;text-align:center;color:#999}
.pagination{display:flex;gap:8px;margin:24px 0}.page-numbers{border:1px solid var(--line);padding:4px 10px}
.post-card{border-bottom:1px solid var(--line);padding:14px 0}.post-card h2{font-size:21px;margin:0 0 6px}
@media (max-width:900px){.container{grid-template-columns:1fr}.related-posts ul{grid-template-columns:1fr}}
"""

_JS = """
window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}
gtag('js',new Date());gtag('config','G-DEMO000000',{anonymize_ip:true});
(function(){var b=document.querySelector('.cookie-banner');if(!b)return;
if(localStorage.getItem('cookie-ok')){b.style.display='none';}
b.querySelector('button').addEventListener('click',function(){localStorage.setItem('cookie-ok','1');b.style.display='none';});
var t=document.querySelector('.go-to-top');window.addEventListener('scroll',function(){t.style.opacity=window.scrollY>400?1:0;});
var m=document.querySelector('.load-more');if(m){m.addEventListener('click',function(){m.classList.add('loading');});}
})();
"""

# ---------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------


def _canonical_path(path: str) -> str:
    """One spelling per path: percent-encoding with upper-case hex, as `urllib.parse.quote` writes."""
    return quote(unquote(path), safe="/:@!$&'()*+,;=-._~")


def _fill(template: str, lang: str, rng: random.Random) -> str:
    """Fill the placeholders of a sentence template with seeded random values."""
    values = {
        "city": rng.choice(_FILL[lang]["city"]),
        "team": rng.choice(_FILL[lang]["team"]),
        "person": rng.choice(_FILL[lang]["person"]),
        "n": str(rng.randint(6, 60)),
        "n2": str(rng.randint(3, 9)),
        "s1": str(rng.randint(2, 5)),
        "s2": str(rng.randint(0, 1)),
        "pts": str(rng.randint(20, 70)),
        "gap": str(rng.randint(3, 9)),
        "k": str(rng.randint(20, 80)),
        "pct": f"{rng.uniform(0.5, 9.5):.1f}",
        "m": str(rng.randrange(50, 950, 10)),
    }
    return template.format(**values)


def _slugify(title: str) -> str:
    """A WordPress-like slug: words joined by "-", punctuation dropped, percent-encoded."""
    kept = "".join(ch if (ch.isalnum() or ch in " -") else " " for ch in title.lower())
    return quote("-".join(kept.split()), safe="-")


def _make_article(
    rng: random.Random,
    *,
    lang: str,
    section: tuple[str, str, str],
    index: int,
    when: datetime,
    used_titles: set[str],
    used_paragraphs: set[str],
    path_prefix: str | None = None,
) -> ArticleInfo:
    """One article, its text drawn from the sentence pools; titles and paragraphs never repeat."""
    slug_key, name_en, name_ar = section
    title = _fill(rng.choice(_TITLES[lang][slug_key]), lang, rng)
    for attempt in range(2, 1000):
        if title not in used_titles:
            break
        # Placeholders give enough variety for small sites; beyond that a numbered follow-up.
        candidate = _fill(rng.choice(_TITLES[lang][slug_key]), lang, rng)
        title = candidate if attempt < 20 else f"{candidate} ({attempt})"
    used_titles.add(title)
    pool = _SENTENCES[lang][slug_key] + _SENTENCES[lang]["common"]
    paragraphs: list[str] = []
    n_paragraphs = rng.randint(5, 8)
    deck: list[str] = []  # a shuffled deck, so a sentence repeats within an article only rarely
    while len(paragraphs) < n_paragraphs:
        picked: list[str] = []
        for _ in range(rng.randint(2, 4)):
            if not deck:
                deck = rng.sample(pool, len(pool))
            picked.append(deck.pop())
        para = " ".join(_fill(s, lang, rng) for s in picked)
        if para not in used_paragraphs:
            used_paragraphs.add(para)
            paragraphs.append(para)
    headings = [_fill(h, lang, rng) for h in rng.sample(_HEADINGS[lang], rng.randint(1, 2))]
    blocks: list[tuple[str, str]] = []
    heading_at = {2: headings[0], 4: headings[1] if len(headings) > 1 else ""}
    for i, para in enumerate(paragraphs):
        if heading_at.get(i):
            blocks.append(("heading", heading_at[i]))
        blocks.append(("paragraph", para))
    published = when.replace(hour=rng.randint(6, 22), minute=rng.choice((0, 15, 30, 45)))
    modified = published + timedelta(hours=rng.randint(0, 30), minutes=rng.randint(0, 59))
    date_path = published.strftime("%Y/%m/%d")
    path = path_prefix or f"/{lang}/{date_path}/{_slugify(title)}/"
    return ArticleInfo(
        path=path,
        lang=lang,
        title=title,
        author=rng.choice(_AUTHORS[lang]),
        published=published.isoformat(),
        modified=modified.isoformat(),
        section=name_en if lang == "en" else name_ar,
        section_slug=slug_key,
        paragraphs=tuple(paragraphs),
        headings=tuple(t for kind, t in blocks if kind == "heading"),
        blocks=tuple(blocks),
        post_id=1000 + index,
    )


def _with_mixed_quote(a: ArticleInfo) -> ArticleInfo:
    """Give an English article a paragraph that quotes Arabic, for per-run language tagging."""
    quote_para = (
        "The banner above the stage read «مرحباً بكم في المعرض», welcoming visitors in Arabic, "
        "while organisers handed out leaflets in both languages."
    )
    paragraphs = (a.paragraphs[0], quote_para, *a.paragraphs[1:])
    blocks: list[tuple[str, str]] = []
    for kind, text in a.blocks:
        blocks.append((kind, text))
        if text == a.paragraphs[0]:
            blocks.append(("paragraph", quote_para))
    return replace(a, paragraphs=paragraphs, blocks=tuple(blocks))


def build_site(*, n_articles: int = 24, seed: int = 1, crawl_delay: float | None = None) -> Site:
    """Generate the site: `n_articles` articles split between English and Arabic, hubs, feeds,
    sitemaps, robots.txt, legacy-encoded pages; the same seed always gives the same bytes."""
    if n_articles < 2:
        raise ValueError("n_articles must be at least 2 (one per language)")
    rng = random.Random(seed)
    used_titles: set[str] = set()
    used_paragraphs: set[str] = set()
    articles: list[ArticleInfo] = []
    per_lang = {"en": (n_articles + 1) // 2, "ar": n_articles // 2}
    for lang in ("en", "ar"):
        for i in range(per_lang[lang]):
            # Spread over time so the calendar and sitemaps span several months.
            when = _FIRST_DAY + timedelta(days=i * 3 + (1 if lang == "ar" else 0))
            art = _make_article(
                rng,
                lang=lang,
                section=_SECTIONS[i % len(_SECTIONS)],
                index=len(articles),
                when=when,
                used_titles=used_titles,
                used_paragraphs=used_paragraphs,
            )
            articles.append(_with_mixed_quote(art) if lang == "en" and i == 0 else art)
    legacy: list[ArticleInfo] = []
    for k, (path, enc) in enumerate(_LEGACY_VARIANTS):
        art = _make_article(
            rng,
            lang="ar",
            section=_SECTIONS[k % len(_SECTIONS)],
            index=900 + k,
            when=_FIRST_DAY + timedelta(days=k),
            used_titles=used_titles,
            used_paragraphs=used_paragraphs,
            path_prefix=path,
        )
        legacy.append(replace(art, encoding=enc))
    return _assemble(tuple(articles), tuple(legacy), seed=seed, crawl_delay=crawl_delay)


# (path, encoding label recorded in ArticleInfo.encoding)
_LEGACY_VARIANTS: tuple[tuple[str, str], ...] = (
    ("/legacy/cp1256-header.html", "windows-1256"),
    ("/legacy/cp1256-meta.html", "windows-1256"),
    ("/legacy/cp1256-undeclared.html", "windows-1256"),
    ("/legacy/utf8-bom.html", "utf-8-sig"),
)

# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _url(path: str) -> str:
    return PLACEHOLDER_BASE + path


def _wp_path(path: str) -> str:
    """The lower-case-hex spelling WordPress writes; the server accepts both spellings."""
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), path)


def _other(lang: str) -> str:
    return "ar" if lang == "en" else "en"


def _section_name(slug: str, lang: str) -> str:
    for s, en, ar in _SECTIONS:
        if s == slug:
            return en if lang == "en" else ar
    raise KeyError(slug)


def _display_date(iso: str, lang: str) -> str:
    d = datetime.fromisoformat(iso)
    if lang == "ar":
        months = [
            "يناير",
            "فبراير",
            "مارس",
            "أبريل",
            "مايو",
            "يونيو",
            "يوليو",
            "أغسطس",
            "سبتمبر",
            "أكتوبر",
            "نوفمبر",
            "ديسمبر",
        ]
        return f"{d.day} {months[d.month - 1]} {d.year}"
    return f"{d.strftime('%B')} {d.day}, {d.year}"


@dataclass(slots=True, frozen=True)
class _Ctx:
    """Site-wide lists the page chrome links to (sidebar, related box)."""

    articles: tuple[ArticleInfo, ...]


def _head(
    *,
    title: str,
    canonical: str,
    page_lang: str,
    description: str,
    extra: str = "",
    charset: str | None = "utf-8",
    feeds: Iterable[str] = ("/feed/",),
) -> str:
    feed_links = []
    for f in feeds:
        kind = "application/atom+xml" if f.endswith("/atom/") else "application/rss+xml"
        feed_links.append(f'<link rel="alternate" type="{kind}" title="Feed" href="{_url(f)}">')
    meta_charset = f'<meta charset="{charset}">\n' if charset else ""
    return (
        f"<head>\n{meta_charset}"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n"
        f'<link rel="canonical" href="{_e(canonical)}">\n'
        f'<meta name="description" content="{_e(description)}">\n'
        f'<meta property="og:locale" content="{"en_US" if page_lang == "en" else "ar_AR"}">\n'
        f'<meta property="og:site_name" content="{_e(_CHROME["ar"]["site"])}">\n'
        + "\n".join(feed_links)
        + '\n<link rel="stylesheet" id="wp-block-library-css" href="/wp-includes/css/dist/block-library/style.min.css?ver=6.4.3" media="all">\n'
        + f"<style id='theme-inline-css'>{_CSS}</style>\n"
        + extra
        + f"<script>{_JS}</script>\n</head>\n"
    )


def _header(c: dict[str, str], chrome_lang: str, *, ticker: bool = False) -> str:
    prefix = "/en" if chrome_lang == "ar" else "/ar"
    nav = [(c["home"], "/")]
    nav += [(_section_name(s, chrome_lang), f"{prefix}/category/{s}/") for s, _, _ in _SECTIONS]
    nav += [
        (c["culture"], f"{prefix}/"),
        (c["variety"], f"{prefix}/"),
        (c["video"], f"{prefix}/"),
        ("English", "/en/"),
        ("العربية", "/ar/"),
    ]
    items = "".join(f'<li class="menu-item"><a href="{href}">{_e(t)}</a></li>' for t, href in nav)
    ticker_html = (
        # A mixed-script block with no space between the scripts, as scraped tickers often are.
        '<div class="ticker">BREAKING NEWSأخبار العالم</div>\n' if ticker else ""
    )
    return (
        '<a class="skip-link screen-reader-text" href="#main">Skip to content</a>\n'
        '<header id="masthead" class="site-header">\n'
        f'<div class="site-branding"><p class="site-title"><a href="{_url("/")}" rel="home">{_e(c["site"])}</a></p>'
        f'<p class="site-description">{_e(c["tagline"])}</p></div>\n'
        f'<button class="menu-toggle" aria-expanded="false">{_e(c["menu"])}</button>\n'
        f'<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">{items}</ul></nav>\n'
        f'<form role="search" class="search-form" action="/"><input type="search" name="s" placeholder="{_e(c["search"])}">'
        f'<button type="submit">{_e(c["search"])}</button></form>\n'
        "</header>\n" + ticker_html
    )


def _sidebar(c: dict[str, str], ctx: _Ctx, chrome_lang: str, rng: random.Random) -> str:
    picks = rng.sample(list(ctx.articles), min(6, len(ctx.articles)))
    items = "".join(
        f'<li><a href="{_url(a.path)}?utm_source=sidebar&amp;utm_medium=widget">{_e(a.title)}</a></li>'
        for a in picks
    )
    return (
        '<aside id="secondary" class="widget-area sidebar">\n'
        f'<section class="widget widget_most_read"><h3 class="widget-title">{_e(c["most_read"])}</h3><ol>{items}</ol></section>\n'
        f'<section class="widget newsletter"><h3 class="widget-title">{_e(c["newsletter"])}</h3>'
        f'<form><input type="email" placeholder="{_e(c["email"])}"><button>{_e(c["subscribe"])}</button></form></section>\n'
        f'<section class="widget widget_ad"><div class="ad-slot">{_e(c["ad"])}</div></section>\n'
        f'<section class="widget widget_social"><h3 class="widget-title">{_e(c["follow"])}</h3>'
        '<ul><li><a href="https://www.facebook.com/demo.alkhabar">Facebook</a></li>'
        '<li><a href="https://twitter.com/demo_alkhabar">X / Twitter</a></li>'
        '<li><a href="https://www.youtube.com/@demo-alkhabar">YouTube</a></li>'
        '<li><a href="https://t.me/demo_alkhabar">Telegram</a></li></ul></section>\n'
        "</aside>\n"
    )


def _footer(c: dict[str, str], chrome_lang: str) -> str:
    prefix = "/en" if chrome_lang == "ar" else "/ar"
    cats = "".join(
        f'<li><a href="{prefix}/category/{s}/">{_e(_section_name(s, chrome_lang))}</a></li>'
        for s, _, _ in _SECTIONS
    )
    return (
        '<footer id="colophon" class="site-footer">\n'
        f'<ul class="footer-menu">{cats}'
        f'<li><a href="/">{_e(c["about"])}</a></li><li><a href="/">{_e(c["contact"])}</a></li>'
        f'<li><a href="/">{_e(c["privacy"])}</a></li><li><a href="/">{_e(c["terms"])}</a></li>'
        f'<li><a href="/calendar/?month=2024-03">{_e(c["archive"])}</a></li></ul>\n'
        f'<p class="copyright">© 2024 {_e(c["site"])}. {_e(c["rights"])}.</p>\n'
        "</footer>\n"
        f'<a href="#top" class="go-to-top" title="{_e(c["top"])}">{_e(c["top"])}</a>\n'
        f'<div class="cookie-banner" role="dialog"><p>{_e(c["cookie"])}</p>'
        f'<button class="cookie-close" type="button">{_e(c["close"])}</button></div>\n'
        f'<div id="search-modal" class="modal" hidden><button class="modal-close">{_e(c["close"])}</button></div>\n'
    )


def _json_ld(a: ArticleInfo) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": _url(a.path)},
        "headline": a.title,
        "inLanguage": a.lang,
        "datePublished": a.published,
        "dateModified": a.modified,
        "author": [{"@type": "Person", "name": a.author}],
        "articleSection": a.section,
        "articleBody": "\n".join(t for _, t in a.blocks),
        "image": _url(f"/wp-content/uploads/2024/03/post-{a.post_id}.jpg"),
        "publisher": {
            "@type": "Organization",
            "name": _CHROME["en"]["site"],
            "logo": {"@type": "ImageObject", "url": _url("/wp-content/uploads/logo.png")},
        },
    }
    # "</" inside a script would end it early; JSON allows the escaped slash.
    body = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/ld+json" class="yoast-schema-graph">{body}</script>\n'


def _article_html(
    a: ArticleInfo, ctx: _Ctx, *, charset: str | None = "utf-8", ticker: bool = False
) -> str:
    chrome_lang = _other(a.lang)
    c = _CHROME[chrome_lang]
    rng = random.Random(f"chrome:{a.post_id}")  # chrome choices stable per article
    feeds = ("/feed/", "/en/feed/atom/") if a.lang == "en" else ("/feed/",)
    extra = (
        '<meta property="og:type" content="article">\n'
        f'<meta property="og:title" content="{_e(a.title)}">\n'
        f'<meta property="og:url" content="{_e(_url(a.path))}">\n'
        f'<meta property="og:image" content="{_url(f"/wp-content/uploads/2024/03/post-{a.post_id}.jpg")}">\n'
        f'<meta property="article:published_time" content="{a.published}">\n'
        f'<meta property="article:modified_time" content="{a.modified}">\n'
        f'<meta property="article:section" content="{_e(a.section)}">\n'
        f'<meta name="author" content="{_e(a.author)}">\n' + _json_ld(a)
    )
    head = _head(
        title=f"{a.title} – {c['site']}",
        canonical=_url(a.path),
        page_lang=a.lang,
        description=a.paragraphs[0][:150],
        extra=extra,
        charset=charset,
        feeds=feeds,
    )
    body_parts = []
    for i, (kind, text) in enumerate(a.blocks):
        tag = "h2" if kind == "heading" else "p"
        body_parts.append(f"<{tag}>{_e(text)}</{tag}>")
        if i == 2:
            # An ad slot inside the content: hidden, and in the chrome language.
            body_parts.append(
                f'<div class="ad-slot" style="display:none" aria-hidden="true">{_e(c["ad"])}</div>'
            )
    same_lang = [x for x in ctx.articles if x.lang == a.lang and x.path != a.path]
    related = sorted(same_lang, key=lambda x: (x.section_slug != a.section_slug, x.post_id))[:3]
    related_html = "".join(
        f'<li><a href="{_url(_wp_path(r.path))}">{_e(r.title)}</a></li>' for r in related
    )
    cat_href = f"/{a.lang}/category/{a.section_slug}/"
    cat_label = _section_name(a.section_slug, chrome_lang)
    share_url = quote(_url(a.path), safe="")
    main = (
        '<main id="main" class="site-main">\n'
        f'<nav class="breadcrumbs" aria-label="breadcrumbs"><a href="/">{_e(c["home"])}</a> » '
        f'<a href="{cat_href}">{_e(cat_label)}</a> » <span class="current">{_e(a.title)}</span></nav>\n'
        f'<article id="post-{a.post_id}" class="post-{a.post_id} post type-post status-publish format-standard has-post-thumbnail category-{a.section_slug}">\n'
        '<header class="entry-header">\n'
        f'<span class="cat-label"><a href="{cat_href}" rel="category tag">{_e(cat_label)}</a></span>\n'
        f'<h1 class="entry-title">{_e(a.title)}</h1>\n'
        f'<div class="entry-meta"><span class="byline">{_e(c["by"])} <span class="author vcard">{_e(a.author)}</span></span> '
        f'<time class="entry-date published" datetime="{a.published}">{_e(_display_date(a.published, chrome_lang))}</time>'
        f'<time class="updated" datetime="{a.modified}" hidden>{_e(_display_date(a.modified, chrome_lang))}</time></div>\n'
        "</header>\n"
        f'<div class="share-bar"><span class="share-title">{_e(c["share"])}</span>'
        f'<a class="share-facebook" href="https://www.facebook.com/sharer.php?u={share_url}">{_e(c["facebook"])}</a>'
        f'<a class="share-twitter" href="https://twitter.com/intent/tweet?url={share_url}">{_e(c["twitter"])}</a>'
        f'<a class="share-whatsapp" href="https://api.whatsapp.com/send?text={share_url}">{_e(c["whatsapp"])}</a></div>\n'
        f'<div class="post-thumbnail"><img src="/wp-content/uploads/2024/03/post-{a.post_id}.jpg" alt="" width="1200" height="675" loading="lazy"></div>\n'
        '<div class="entry-content">\n' + "\n".join(body_parts) + "\n</div>\n"
        f'<footer class="entry-footer"><span class="tags-links">{_e(c["tags"])}: '
        f'<a href="{cat_href}" rel="tag">{_e(a.section)}</a></span></footer>\n'
        "</article>\n"
        f'<button class="load-more" type="button">{_e(c["more"])}</button>\n'
        f'<section class="related-posts"><h3 class="related-title">{_e(c["related"])}</h3><ul>{related_html}</ul></section>\n'
        f'<div id="comments" class="comments-area"><div id="respond"><h3 class="comment-reply-title">{_e(c["comment"])}</h3>'
        f'<form class="comment-form"><p class="comment-notes">{_e(c["comment_note"])}</p>'
        f'<textarea name="comment"></textarea><input type="submit" value="{_e(c["send"])}"></form></div></div>\n'
        "</main>\n"
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{a.lang}" dir="{"rtl" if a.lang == "ar" else "ltr"}" id="top">\n'
        + head
        + f'<body class="post-template-default single single-post postid-{a.post_id}">\n'
        + _header(c, chrome_lang, ticker=ticker)
        + '<div class="container">\n'
        + main
        + _sidebar(c, ctx, chrome_lang, rng)
        + "</div>\n"
        + _footer(c, chrome_lang)
        + "</body>\n</html>\n"
    )


def _card(a: ArticleInfo, c: dict[str, str], *, tracking: bool = False) -> str:
    href = _url(a.path) + ("?utm_source=x&amp;utm_medium=home" if tracking else "")
    excerpt = " ".join(a.paragraphs[0].split()[:18]) + " …"
    return (
        f'<article class="post-card" lang="{a.lang}"><h2 class="entry-title"><a href="{href}">{_e(a.title)}</a></h2>'
        f'<time datetime="{a.published}">{_e(_display_date(a.published, a.lang))}</time>'
        f'<p class="excerpt">{_e(excerpt)}</p><a class="more-link" href="{href}">{_e(c["read_more"])}</a></article>\n'
    )


def _pagination(c: dict[str, str], base: str, page: int, pages: int) -> str:
    if pages <= 1:
        return ""

    def href(n: int) -> str:
        return base if n == 1 else f"{base}page/{n}/"

    links = []
    if page > 1:
        links.append(f'<a class="prev page-numbers" href="{href(page - 1)}">{_e(c["prev"])}</a>')
    for n in range(1, pages + 1):
        if n == page:
            links.append(f'<span aria-current="page" class="page-numbers current">{n}</span>')
        else:
            links.append(f'<a class="page-numbers" href="{href(n)}">{n}</a>')
    if page < pages:
        links.append(f'<a class="next page-numbers" href="{href(page + 1)}">{_e(c["next"])}</a>')
    return '<nav class="pagination">' + " ".join(links) + "</nav>\n"


def _hub_html(
    *,
    path: str,
    page_lang: str,
    heading: str,
    items: Sequence[ArticleInfo],
    ctx: _Ctx,
    extra_main: str = "",
    pagination: str = "",
    tracking: bool = False,
) -> str:
    chrome_lang = "ar" if page_lang in ("en", "ar-home") else "en"
    html_lang = "ar" if page_lang == "ar-home" else page_lang
    c = _CHROME[chrome_lang]
    rng = random.Random(f"hub:{path}")
    feeds = ("/feed/", "/en/feed/atom/") if html_lang == "en" else ("/feed/",)
    head = _head(
        title=f"{heading} – {c['site']}",
        canonical=_url(path),
        page_lang=html_lang,
        description=c["tagline"],
        feeds=feeds,
        extra='<meta property="og:type" content="website">\n',
    )
    cards = "".join(_card(a, c, tracking=tracking and i % 2 == 0) for i, a in enumerate(items))
    main = (
        '<main id="main" class="site-main">\n'
        f'<header class="page-header"><h1 class="page-title">{_e(heading)}</h1></header>\n'
        f"{cards}{pagination}{extra_main}</main>\n"
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}" dir="{"rtl" if html_lang == "ar" else "ltr"}" id="top">\n'
        + head
        + '<body class="archive blog">\n'
        + _header(c, chrome_lang)
        + '<div class="container">\n'
        + main
        + _sidebar(c, ctx, chrome_lang, rng)
        + "</div>\n"
        + _footer(c, chrome_lang)
        + "</body>\n</html>\n"
    )


def _http_date(d: datetime) -> str:
    return format_datetime(d.astimezone(UTC), usegmt=True)


def _latest(articles: Iterable[ArticleInfo]) -> datetime:
    return max((datetime.fromisoformat(a.modified) for a in articles), default=_SITE_EPOCH)


def _html_page(text: str, items: Sequence[ArticleInfo] = ()) -> Page:
    return Page(text.encode("utf-8"), "text/html; charset=UTF-8", last_modified=_latest(items))


def _newest_first(articles: Iterable[ArticleInfo]) -> list[ArticleInfo]:
    return sorted(articles, key=lambda a: (a.published, a.post_id), reverse=True)


def _paginated(
    pages: dict[str, Page],
    hubs: list[str],
    *,
    base: str,
    page_lang: str,
    heading: str,
    items: list[ArticleInfo],
    per_page: int,
    ctx: _Ctx,
) -> None:
    chrome = _CHROME["ar" if page_lang == "en" else "en"]
    n_pages = max(1, -(-len(items) // per_page))
    for n in range(1, n_pages + 1):
        path = base if n == 1 else f"{base}page/{n}/"
        chunk = items[(n - 1) * per_page : n * per_page]
        body = _hub_html(
            path=path,
            page_lang=page_lang,
            heading=heading,
            items=chunk,
            ctx=ctx,
            pagination=_pagination(chrome, base, n, n_pages),
        )
        pages[path] = _html_page(body, chunk)
        hubs.append(path)


def _rss(articles: Sequence[ArticleInfo], self_path: str, title: str) -> Page:
    items = []
    for a in _newest_first(articles):
        pub = _http_date(datetime.fromisoformat(a.published))
        excerpt = " ".join(a.paragraphs[0].split()[:30])
        items.append(
            f"<item><title>{_e(a.title)}</title><link>{_e(_url(a.path))}</link>"
            f"<dc:creator><![CDATA[{a.author}]]></dc:creator><pubDate>{pub}</pubDate>"
            f"<category><![CDATA[{a.section}]]></category>"
            f'<guid isPermaLink="false">{_url(f"/?p={a.post_id}")}</guid>'
            f"<description><![CDATA[{excerpt} …]]></description></item>"
        )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n'
        f"<channel><title>{_e(title)}</title>"
        f'<atom:link href="{_url(self_path)}" rel="self" type="application/rss+xml"/>'
        f"<link>{_url('/')}</link><description>{_e(_CHROME['ar']['tagline'])}</description>"
        f"<lastBuildDate>{_http_date(_latest(articles))}</lastBuildDate><language>ar</language>\n"
        + "\n".join(items)
        + "\n</channel></rss>\n"
    )
    return Page(
        body.encode("utf-8"), "application/rss+xml; charset=UTF-8", last_modified=_latest(articles)
    )


def _atom(articles: Sequence[ArticleInfo], self_path: str) -> Page:
    entries = []
    for a in _newest_first(articles):
        entries.append(
            f"<entry><title>{_e(a.title)}</title>"
            f'<link rel="alternate" type="text/html" href="{_e(_url(a.path))}"/>'
            f"<id>{_url(f'/?p={a.post_id}')}</id><published>{a.published}</published>"
            f"<updated>{a.modified}</updated><author><name>{_e(a.author)}</name></author>"
            f'<category term="{_e(a.section)}"/><summary type="html">{_e(a.paragraphs[0])}</summary></entry>'
        )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n'
        f"<title>{_e(_CHROME['en']['site'])} – English</title>"
        f'<link rel="self" type="application/atom+xml" href="{_url(self_path)}"/>'
        f'<link rel="alternate" type="text/html" href="{_url("/en/")}"/>'
        f"<id>{_url(self_path)}</id><updated>{_latest(articles).isoformat()}</updated>\n"
        + "\n".join(entries)
        + "\n</feed>\n"
    )
    return Page(
        body.encode("utf-8"), "application/atom+xml; charset=UTF-8", last_modified=_latest(articles)
    )


def _sitemaps(articles: Sequence[ArticleInfo]) -> dict[str, Page]:
    latest = _latest(articles)
    index = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"<sitemap><loc>{_url('/sitemap-news.xml')}</loc><lastmod>{latest.isoformat()}</lastmod></sitemap>\n"
        f"<sitemap><loc>{_url('/sitemap-posts.xml.gz')}</loc><lastmod>{latest.isoformat()}</lastmod></sitemap>\n"
        "</sitemapindex>\n"
    )
    news_urls = []
    for a in _newest_first(articles):
        news_urls.append(
            f"<url><loc>{_e(_url(a.path))}</loc><news:news><news:publication>"
            f"<news:name>{_e(_CHROME['en']['site'])}</news:name><news:language>{a.lang}</news:language>"
            f"</news:publication><news:publication_date>{a.published}</news:publication_date>"
            f"<news:title>{_e(a.title)}</news:title></news:news></url>"
        )
    news = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
        + "\n".join(news_urls)
        + "\n</urlset>\n"
    )
    post_urls = "\n".join(
        f"<url><loc>{_e(_url(a.path))}</loc><lastmod>{a.modified}</lastmod><changefreq>monthly</changefreq></url>"
        for a in sorted(articles, key=lambda x: x.post_id)
    )
    posts = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + post_urls
        + "\n</urlset>\n"
    )
    xml = "application/xml; charset=UTF-8"
    return {
        "/sitemap.xml": Page(index.encode("utf-8"), xml, last_modified=latest),
        "/sitemap-news.xml": Page(news.encode("utf-8"), xml, last_modified=latest),
        # mtime=0 keeps the gzip bytes (and so the ETag) the same on every build.
        "/sitemap-posts.xml.gz": Page(
            gzip.compress(posts.encode("utf-8"), mtime=0),
            "application/x-gzip",
            last_modified=latest,
        ),
    }


def _robots(crawl_delay: float | None) -> Page:
    lines = [
        "# robots.txt of the demo news site",
        "User-agent: BadBot",
        "Disallow: /",
        "",
        "User-agent: *",
        "Disallow: /private/",
        "Disallow: /wp-admin/",
        "Allow: /wp-admin/admin-ajax.php",
    ]
    if crawl_delay is not None:
        lines.append(f"Crawl-delay: {crawl_delay:g}")
    lines += ["", f"Sitemap: {_url('/sitemap.xml')}", f"Sitemap: {_url('/sitemap-news.xml')}", ""]
    return Page("\n".join(lines).encode("ascii"), "text/plain; charset=utf-8")


def _legacy_page(a: ArticleInfo, ctx: _Ctx) -> Page:
    name = a.path.rsplit("/", 1)[-1]
    if name == "utf8-bom.html":
        # The BOM is the only declaration: no header charset, no meta.
        return Page(
            b"\xef\xbb\xbf" + _article_html(a, ctx, charset=None).encode("utf-8"),
            "text/html",
            last_modified=datetime.fromisoformat(a.modified),
        )
    if name == "cp1256-header.html":
        text, ctype = _article_html(a, ctx, charset=None), "text/html; charset=windows-1256"
    elif name == "cp1256-meta.html":
        text, ctype = _article_html(a, ctx, charset="windows-1256"), "text/html"
    else:
        text, ctype = _article_html(a, ctx, charset=None), "text/html"
    return Page(text.encode("cp1256"), ctype, last_modified=datetime.fromisoformat(a.modified))


def _calendar_html(month: str, articles: Sequence[ArticleInfo]) -> str:
    """The archive page of one month; links to the next and previous month without end (a trap)."""
    year, mon = (int(x) for x in month.split("-"))
    nxt = f"{year + (mon == 12)}-{mon % 12 + 1:02d}"
    prv = f"{year - (mon == 1)}-{(mon - 2) % 12 + 1:02d}"
    items = [a for a in articles if a.published[:7] == month]
    c = _CHROME["ar"]
    extra = (
        f'<nav class="calendar-nav"><a rel="prev" href="/calendar/?month={prv}">« {prv}</a> '
        f'<a rel="next" href="/calendar/?month={nxt}">{nxt} »</a></nav>\n'
    )
    return _hub_html(
        path=f"/calendar/?month={month}",
        page_lang="ar-home",
        heading=f"{c['archive']} {month}",
        items=_newest_first(items),
        ctx=_Ctx(tuple(articles)),
        extra_main=extra,
    )


def _assemble(
    articles: tuple[ArticleInfo, ...],
    legacy: tuple[ArticleInfo, ...],
    *,
    seed: int,
    crawl_delay: float | None,
) -> Site:
    """Render every page of the site from its articles (also used after `change_article`)."""
    ctx = _Ctx(articles)
    pages: dict[str, Page] = {}
    hubs: list[str] = []
    en = _newest_first(a for a in articles if a.lang == "en")
    ar = _newest_first(a for a in articles if a.lang == "ar")
    first_en = min((a for a in articles if a.lang == "en"), key=lambda a: a.post_id)
    for a in articles:
        pages[a.path] = Page(
            _article_html(a, ctx, ticker=a is first_en).encode("utf-8"),
            "text/html; charset=UTF-8",
            last_modified=datetime.fromisoformat(a.modified),
        )
    c_ar = _CHROME["ar"]
    home_extra = (
        f'<section class="home-links"><h2>{_e(c_ar["latest"])}</h2><ul>'
        '<li><a href="/en/">English edition</a></li><li><a href="/ar/">النسخة العربية</a></li>'
        + "".join(
            f'<li><a href="/{lang}/category/{s}/">{_e(_section_name(s, "en" if lang == "en" else "ar"))}</a></li>'
            for lang in ("en", "ar")
            for s, _, _ in _SECTIONS
        )
        + f'<li><a href="/calendar/?month={_newest_first(articles)[-1].published[:7]}">{_e(c_ar["archive"])}</a></li>'
        f'<li><a href="/private/secret/" rel="nofollow">{_e(c_ar["staff"])}</a></li>'
        '<li><a href="/feed/">RSS</a></li></ul></section>\n'
    )
    featured = _newest_first(articles)[:8]
    pages["/"] = _html_page(
        _hub_html(
            path="/",
            page_lang="ar-home",
            heading=c_ar["site"],
            items=featured,
            ctx=ctx,
            extra_main=home_extra,
            tracking=True,
        ),
        featured,
    )
    hubs.append("/")
    _paginated(
        pages,
        hubs,
        base="/en/",
        page_lang="en",
        heading="English edition",
        items=en,
        per_page=_LANG_HUB_PER_PAGE,
        ctx=ctx,
    )
    _paginated(
        pages,
        hubs,
        base="/ar/",
        page_lang="ar",
        heading="النسخة العربية",
        items=ar,
        per_page=_LANG_HUB_PER_PAGE,
        ctx=ctx,
    )
    for lang, items in (("en", en), ("ar", ar)):
        for s, name_en, name_ar in _SECTIONS:
            _paginated(
                pages,
                hubs,
                base=f"/{lang}/category/{s}/",
                page_lang=lang,
                heading=name_en if lang == "en" else name_ar,
                items=[a for a in items if a.section_slug == s],
                per_page=_SECTION_PER_PAGE,
                ctx=ctx,
            )
    pages["/private/secret/"] = _html_page(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Staff only</title></head>'
        "<body><h1>Staff only</h1><p>Draft schedule and internal notes. A crawler that obeys "
        "robots.txt never sees this page.</p></body></html>\n"
    )
    pages["/robots.txt"] = _robots(crawl_delay)
    pages["/feed/"] = _rss(articles, "/feed/", _CHROME["ar"]["site"])
    pages["/en/feed/atom/"] = _atom([a for a in articles if a.lang == "en"], "/en/feed/atom/")
    pages.update(_sitemaps(articles))
    for a in legacy:
        pages[a.path] = _legacy_page(a, ctx)
    return Site(
        pages=pages,
        articles=articles,
        hubs=tuple(hubs),
        legacy=legacy,
        feeds=("/feed/", "/en/feed/atom/"),
        sitemaps=("/sitemap.xml", "/sitemap-news.xml", "/sitemap-posts.xml.gz"),
        private_paths=("/private/secret/",),
        seed=seed,
        crawl_delay=crawl_delay,
    )


def changed_article(site: Site, path: str, revision: int) -> Site:
    """`site` with the article at `path` edited: one paragraph appended, modified one hour later."""
    target = site.article(path)
    if target not in site.articles:
        raise KeyError(f"{path} is not a main article")
    if target.lang == "en":
        note = f"Update {revision}: this article was revised after publication with new details from officials."
    else:
        note = f"تحديث {revision}: جرى تعديل هذا الخبر بعد نشره بإضافة تفاصيل جديدة من المسؤولين."
    modified = datetime.fromisoformat(target.modified) + timedelta(hours=1)
    new = replace(
        target,
        paragraphs=(*target.paragraphs, note),
        blocks=(*target.blocks, ("paragraph", note)),
        modified=modified.isoformat(),
    )
    articles = tuple(new if a is target else a for a in site.articles)
    return _assemble(articles, site.legacy, seed=site.seed, crawl_delay=site.crawl_delay)


# ---------------------------------------------------------------------------------------------
# Fault bodies
# ---------------------------------------------------------------------------------------------


def _small_html(title: str, text: str) -> bytes:
    return (
        f'<!DOCTYPE html>\n<html lang="en" dir="ltr"><head><meta charset="utf-8"><title>{_e(title)}</title></head>'
        f'<body><article><h1>{_e(title)}</h1><div class="entry-content"><p>{_e(text)}</p>'
        "<p>This page is part of the demo site's fault modes and exists so that clients can be tested "
        "against it; it carries enough text to be recognised as an article by a cleaner.</p></div>"
        "</article></body></html>\n"
    ).encode()


_MALFORMED = (
    b"<!DOCTYPE html>\n<html><head><title>Malformed page<title></head>\n<body>\n"
    b'<div class="entry-content"><p>This paragraph is never closed\n<p>Nor is <b>this <i>one\n'
    b"</div></div></span>\n<table><tr><td>cell<td>another\n<p>Stray NUL byte here:\x00 and after it."
    b"\n<a href=\"/en/\" <p>broken attribute</a>\n<script>var x = '</p>';</scr"
)

_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


# ---------------------------------------------------------------------------------------------
# Server
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class _Served:
    """A page ready to send on this server: host rewritten, validators computed, gzip cached."""

    body: bytes
    content_type: str
    headers: dict[str, str]
    etag: str
    last_modified: datetime
    gzipped: bytes | None


def _rebase(page: Page, base: str) -> _Served:
    body = page.body
    old, new = PLACEHOLDER_BASE.encode("ascii"), base.encode("ascii")
    if page.content_type == "application/x-gzip":
        body = gzip.compress(gzip.decompress(body).replace(old, new), mtime=0)
    else:
        body = body.replace(old, new)
    etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    compressible = (
        len(body) > _GZIP_MIN_BYTES
        and page.content_type != "application/x-gzip"
        and not page.content_type.startswith(("application/octet-stream", "application/pdf"))
    )
    return _Served(
        body,
        page.content_type,
        dict(page.headers),
        etag,
        page.last_modified,
        gzip.compress(body, mtime=0) if compressible else None,
    )


def _accepts_gzip(header: str | None) -> bool:
    for token in (header or "").split(","):
        name, _, params = token.strip().partition(";")
        if name.strip().lower() in ("gzip", "x-gzip", "*"):
            q = params.strip()
            return not (q.startswith("q=") and float(q[2:] or 0) == 0)
    return False


def _not_modified(headers: Any, etag: str, last_modified: datetime) -> bool:
    inm = headers.get("If-None-Match")
    if inm is not None:
        # Weak comparison (RFC 9110 §13.1.2): "W/" prefixes do not matter for If-None-Match.
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or etag in tags
    ims = headers.get("If-Modified-Since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return last_modified.replace(microsecond=0) <= since
    return False


class _HTTPServer(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True
    block_on_close = False
    owner: SiteServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "DemoNews/1.0"
    sys_version = ""
    timeout = 30  # an idle keep-alive connection frees its thread after this
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.owner._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # the client went away mid-response (huge, truncated); nothing to flush
        finally:
            self.server.owner._track(self.connection, add=False)

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's naming)
        self.server.owner._respond(self, head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self.server.owner._respond(self, head=True)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        try:
            status = int(code)
        except ValueError:
            status = 0
        self.server.owner._log(self, status)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # tests read `SiteServer.requests`; nothing goes to stderr


class SiteServer:
    """Serves a `Site` on a loopback port, with fault modes under /fault/ and a request log."""

    def __init__(self, site: Site, host: str = "127.0.0.1", port: int = 0) -> None:
        self.site = site
        self.host = host
        self.port = port
        self._lock = threading.Lock()
        self._log_entries: list[LoggedRequest] = []
        self._served: dict[str, _Served] = {}
        self._once_done: set[str] = set()
        self._revisions = 0
        self._httpd: _HTTPServer | None = None
        self._bound = False
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        #: Run-time fault toggle: when set, every non-fault path answers this status (e.g. 503).
        self.force_status: int | None = None

    # -- life cycle --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. "http://127.0.0.1:54321" (still known after stop)."""
        if not self._bound:
            raise RuntimeError("server not started")
        return f"http://{self.host}:{self.port}"

    def url_for(self, path: str) -> str:
        """The absolute URL of a site path on this server."""
        return self.url + path

    def start(self) -> SiteServer:
        """Bind (OSError if the port is taken) and serve in a daemon thread."""
        if self._httpd is not None:
            return self
        httpd = _HTTPServer((self.host, self.port), _Handler)
        httpd.owner = self
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._bound = True
        self._stopping.clear()
        self._load(self.site)
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"demo-site:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every open connection; returns within a fraction of a second."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()  # wakes /fault/slow sleepers and stops /fault/huge writers
        httpd.shutdown()
        httpd.server_close()
        with self._lock:
            conns = list(self._connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)  # unblocks keep-alive readers
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=2)

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- state -------------------------------------------------------------------------------

    @property
    def requests(self) -> list[LoggedRequest]:
        """A snapshot of the request log, oldest first."""
        with self._lock:
            return list(self._log_entries)

    def requested_paths(self, method: str | None = "GET") -> list[str]:
        """Paths (with query) requested so far, optionally only for one method."""
        return [r.path for r in self.requests if method is None or r.method == method]

    def reset_log(self) -> None:
        """Forget the requests logged so far."""
        with self._lock:
            self._log_entries.clear()

    def reset_faults(self) -> None:
        """Make the "-once" faults fail again on their next request."""
        with self._lock:
            self._once_done.clear()

    def change_article(self, path: str) -> ArticleInfo:
        """Edit one article (a paragraph appended, dateModified one hour later): its body, ETag and
        Last-Modified change, as do the feeds and sitemaps; returns the new truth."""
        with self._lock:
            self._revisions += 1
            revision = self._revisions
        site = changed_article(self.site, path, revision)
        self._load(site)
        return site.article(path)

    def _load(self, site: Site) -> None:
        self.site = site
        if self._httpd is None:
            return
        served = {path: _rebase(page, self.url) for path, page in site.pages.items()}
        with self._lock:
            self._served = served

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _log(self, h: BaseHTTPRequestHandler, status: int) -> None:
        headers = (
            {k: v for k in _LOGGED_HEADERS if (v := h.headers.get(k)) is not None}
            if h.headers
            else {}
        )
        entry = LoggedRequest(h.command or "", h.path, status, headers)
        with self._lock:
            self._log_entries.append(entry)

    # -- responses ---------------------------------------------------------------------------

    def _respond(self, h: _Handler, *, head: bool) -> None:
        parts = urlsplit(h.path)
        path = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        try:
            if path.startswith("/fault/"):
                self._fault(h, path, query, head=head)
                return
            if self.force_status is not None:
                self._send_bytes(
                    h,
                    self.force_status,
                    _small_html("Forced status", str(self.force_status)),
                    "text/html; charset=UTF-8",
                    head=head,
                    extra={"Retry-After": "1"},
                )
                return
            if path == "/calendar/":
                self._calendar(h, query.get("month", "2024-03"), head=head)
                return
            with self._lock:
                served = self._served
            page = served.get(path) or served.get(_canonical_path(path))
            if page is None and not path.endswith("/") and (path + "/") in served:
                # WordPress adds the trailing slash with a permanent redirect.
                self._redirect(
                    h, 301, path + "/" + (f"?{parts.query}" if parts.query else ""), head=head
                )
                return
            if page is None:
                c = _CHROME["ar"]
                self._send_bytes(
                    h,
                    404,
                    _small_html(c["not_found"], f"No page at {path}"),
                    "text/html; charset=UTF-8",
                    head=head,
                )
                return
            self._send_page(h, page, head=head)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            h.close_connection = True  # the client hung up; not an error of the server

    def _send_page(self, h: _Handler, page: _Served, *, head: bool, status: int = 200) -> None:
        common = {
            "ETag": page.etag,
            "Last-Modified": _http_date(page.last_modified),
            "Cache-Control": "max-age=0, must-revalidate",
            **page.headers,
        }
        if page.gzipped is not None:
            common["Vary"] = "Accept-Encoding"
        if _not_modified(h.headers, page.etag, page.last_modified):
            h.send_response(304)
            for k, v in common.items():
                h.send_header(k, v)
            h.send_header("Content-Length", "0")  # keep-alive needs a framed (empty) body
            h.end_headers()
            return
        body = page.body
        if page.gzipped is not None and _accepts_gzip(h.headers.get("Accept-Encoding")):
            body = page.gzipped
            common["Content-Encoding"] = "gzip"
        self._send_bytes(h, status, body, page.content_type, head=head, extra=common)

    def _send_bytes(
        self,
        h: _Handler,
        status: int,
        body: bytes,
        content_type: str,
        *,
        head: bool,
        extra: dict[str, str] | None = None,
    ) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            h.send_header(k, v)
        h.end_headers()
        if not head:
            h.wfile.write(body)

    def _redirect(self, h: _Handler, status: int, location: str, *, head: bool) -> None:
        h.send_response(status)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()

    def _calendar(self, h: _Handler, month: str, *, head: bool) -> None:
        try:
            year, mon = (int(x) for x in month.split("-"))
            if not (1 <= mon <= 12 and 1 <= year <= 9999) or len(month) != 7:
                raise ValueError(month)
        except ValueError:
            self._send_bytes(
                h, 404, _small_html("Bad month", month), "text/html; charset=UTF-8", head=head
            )
            return
        page = Page(
            _calendar_html(month, self.site.articles).encode("utf-8"), "text/html; charset=UTF-8"
        )
        self._send_page(h, _rebase(page, self.url), head=head)

    def _once(self, key: str) -> bool:
        """True the first time `key` is seen on this server (until `reset_faults`)."""
        with self._lock:
            if key in self._once_done:
                return False
            self._once_done.add(key)
            return True

    def _fault(self, h: _Handler, path: str, query: dict[str, str], *, head: bool) -> None:
        name = path.removeprefix("/fault/").rstrip("/")
        html_type = "text/html; charset=UTF-8"
        if name in ("404", "410", "500"):
            self._send_bytes(
                h,
                int(name),
                _small_html(f"Error {name}", f"Status {name} on purpose."),
                html_type,
                head=head,
            )
        elif name in ("503-once", "429-once"):
            if self._once(name):
                status = int(name[:3])
                self._send_bytes(
                    h,
                    status,
                    _small_html(f"Error {status}", "Try again in a second."),
                    html_type,
                    head=head,
                    extra={"Retry-After": "1"},
                )
            else:
                self._send_bytes(
                    h,
                    200,
                    _small_html(f"Recovered after {name[:3]}", "The retry worked."),
                    html_type,
                    head=head,
                )
        elif name == "slow":
            try:
                seconds = min(max(float(query.get("s", "3")), 0.0), _SLOW_MAX_S)
            except ValueError:
                seconds = 3.0
            # Event.wait, not time.sleep: stop() must not wait for a sleeping handler.
            if self._stopping.wait(seconds):
                h.close_connection = True
                return
            self._send_bytes(
                h,
                200,
                _small_html("Slow page", f"Answered after {seconds:g} s."),
                html_type,
                head=head,
            )
        elif name == "redirect-loop":
            nxt = (
                "/fault/redirect-loop?hop=b" if query.get("hop") != "b" else "/fault/redirect-loop"
            )
            self._redirect(h, 302, nxt, head=head)
        elif name == "redirect-chain":
            try:
                n = min(max(int(query.get("n", "3")), 0), _REDIRECT_CHAIN_MAX)
            except ValueError:
                n = 3
            if n > 0:
                # Cycle through every redirect status a client must follow.
                status = (301, 302, 303, 307, 308)[n % 5]
                self._redirect(h, status, f"/fault/redirect-chain?n={n - 1}", head=head)
            else:
                self._send_bytes(
                    h,
                    200,
                    _small_html("End of the redirect chain", "You followed every hop."),
                    html_type,
                    head=head,
                )
        elif name in ("binary", "binary-as-html"):
            body = random.Random(4242).randbytes(8192)
            ctype = "application/octet-stream" if name == "binary" else "text/html"
            self._send_bytes(h, 200, body, ctype, head=head)
        elif name == "pdf":
            self._send_bytes(h, 200, _PDF, "application/pdf", head=head)
        elif name == "huge":
            self._huge(h, query, head=head)
        elif name == "truncated":
            body = _small_html("Truncated page", "The server promised more bytes than it sent.")
            h.send_response(200)
            h.send_header("Content-Type", html_type)
            h.send_header("Content-Length", str(len(body) + 10_000))
            h.send_header("Connection", "close")
            h.end_headers()
            h.close_connection = True
            if not head:
                h.wfile.write(body)
                h.wfile.flush()
                h.connection.shutdown(socket.SHUT_WR)
        elif name == "malformed":
            self._send_bytes(h, 200, _MALFORMED, html_type, head=head)
        else:
            self._send_bytes(h, 404, _small_html("Unknown fault", name), html_type, head=head)

    def _huge(self, h: _Handler, query: dict[str, str], *, head: bool) -> None:
        """30 MB of HTML in 64 KB chunks; `?cl=0` omits Content-Length (body ends at close)."""
        try:
            total = int(float(query.get("mb", "30")) * 1024 * 1024)
        except ValueError:
            total = _HUGE_BYTES
        total = min(max(total, 1024), 200 * 1024 * 1024)
        with_length = query.get("cl", "1") != "0"
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=UTF-8")
        if with_length:
            h.send_header("Content-Length", str(total))
        else:
            h.send_header("Connection", "close")
            h.close_connection = True
        h.end_headers()
        if head:
            return
        opening = b"<!DOCTYPE html><html><head><title>Huge page</title></head><body>\n"
        filler = b"<p>" + b"Padding text for an oversized page. " * 40 + b"</p>\n"
        chunk = (filler * (65536 // len(filler) + 1))[:65536]
        sent = 0
        h.wfile.write(opening)
        sent += len(opening)
        while sent < total and not self._stopping.is_set():
            piece = chunk[: total - sent]
            try:
                h.wfile.write(piece)
            except OSError:
                h.close_connection = True  # the client stopped reading: stop quietly
                return
            sent += len(piece)


def serve_in_thread(site: Site, host: str = "127.0.0.1", port: int = 0) -> SiteServer:
    """Start a `SiteServer` for `site` in a background thread and return it (call `.stop()`)."""
    return SiteServer(site, host=host, port=port).start()


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m scraper.demo_site --port 8000`: serve the demo site until Ctrl-C."""
    p = argparse.ArgumentParser(
        prog="python -m scraper.demo_site", description=__doc__.splitlines()[0]
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--articles", type=int, default=24)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--crawl-delay", type=float, default=None)
    args = p.parse_args(argv)
    site = build_site(n_articles=args.articles, seed=args.seed, crawl_delay=args.crawl_delay)
    server = SiteServer(site, host=args.host, port=args.port).start()
    print(f"demo site at {server.url}/  ({len(site.articles)} articles; Ctrl-C stops)")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
