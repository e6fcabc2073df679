"""Language tagging benchmark: our script pass + naive Bayes vs langdetect, side by side in one run.

Items: paragraphs, sentences, word pairs and words of the development pages (their declared lang)
and of hand-written sentences, plus hand-made short/ambiguous items (bench/data/language/).
Run: python bench/language.py [--pages DIR] [--cap N]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException
from selectolax.lexbor import LexborHTMLParser

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaners.language import _PROFILE_DIR, tag_texts  # noqa: E402
from cleaners.script import script_counts  # noqa: E402

DEFAULT_PAGES = ROOT.parent / "shared" / "devdata" / "readability-test-pages"
DATA = Path(__file__).resolve().parent / "data" / "language"
BUCKETS = ("1 word", "2 words", "sentence", "paragraph")
FIVE = ("ar", "en", "fa", "ur", "fr")
_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")
_EDGE_PUNCT = re.compile(r"^[^\w]+|[^\w]+$")
_NON_ARABIC_LETTER = re.compile(
    "[\u067e\u0686\u0698\u06af\u06a9\u06cc\u0679\u0688\u0691\u06ba\u06d2\u06c0\u06c1\u06be\u06d3]"
)


@dataclass(frozen=True)
class Item:
    text: str
    lang: str  # expected tag ("und" when nothing can be told)
    source: str  # "pages", "written" or "handmade"


def bucket_of(text: str) -> str:
    n = len(text.split())
    return "1 word" if n <= 1 else "2 words" if n == 2 else "sentence" if n <= 30 else "paragraph"


def page_paragraphs(pages: Path) -> list[tuple[str, str]]:
    """(lang, paragraph text) of each <p> in expected.html, for pages that declare a language."""
    out: list[tuple[str, str]] = []
    for d in sorted(p for p in pages.iterdir() if p.is_dir()):
        meta_file, html_file = d / "expected-metadata.json", d / "expected.html"
        if not meta_file.exists() or not html_file.exists():
            continue
        lang = (json.loads(meta_file.read_text(encoding="utf-8")).get("lang") or "").lower()
        lang = lang.split("-")[0]
        if not lang:
            continue
        tree = LexborHTMLParser(html_file.read_text(encoding="utf-8"))
        for node in tree.css("p"):
            text = " ".join(node.text(separator=" ").split())
            if text:
                out.append((lang, text))
    return out


def derived_items(lang: str, blocks: Sequence[str], source: str, cap: int) -> list[Item]:
    """Paragraphs, sentences, word pairs and single words cut from blocks, capped per bucket."""
    per: dict[str, list[Item]] = {b: [] for b in BUCKETS}

    def add(text: str) -> None:
        if text and len(per[bucket_of(text)]) < cap:
            per[bucket_of(text)].append(Item(text, lang, source))

    for block in blocks:
        add(block)
        for sentence in _SENTENCE_END.split(block):
            if len(sentence.split()) >= 3:
                add(sentence)
            # Words stripped of edge punctuation; tokens without a letter are not words.
            words = [_EDGE_PUNCT.sub("", w) for w in sentence.split()]
            words = [w for w in words if any(c.isalpha() for c in w)]
            for i in range(0, len(words) - 1, 3):  # every third pair keeps the sample varied
                add(f"{words[i]} {words[i + 1]}")
            for w in words[1::2]:
                add(w)
    return [it for b in BUCKETS for it in per[b]]


def load_items(pages: Path, cap: int) -> list[Item]:
    items: list[Item] = []
    by_lang: dict[str, list[str]] = {}
    for lang, text in page_paragraphs(pages):
        by_lang.setdefault(lang, []).append(text)
    for lang in sorted(by_lang):
        if lang in ("en", "fr"):
            items += derived_items(lang, by_lang[lang], "pages", cap)
    written: dict[str, list[str]] = {}
    for line in (DATA / "sentences.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            lang, text = line.split("\t", 1)
            written.setdefault(lang, []).append(text)
    for lang in sorted(written):
        sents = written[lang]
        # Paragraphs of 5 consecutive sentences, so every written language has a paragraph bucket.
        paras = [" ".join(sents[i : i + 5]) for i in range(0, len(sents) - 4, 2)]
        items += derived_items(lang, paras + sents, "written", cap)
    for line in (DATA / "short_items.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            lang, text = line.split("\t", 1)
            items.append(Item(text, lang, "handmade"))
    return items


def raw_langdetect(texts: Sequence[str]) -> list[str]:
    """langdetect as shipped: all profiles, seeded, top of detect_langs."""
    out = []
    for t in texts:
        try:
            out.append(detect_langs(t)[0].lang)
        except LangDetectException:
            out.append("und")
    return out


def restricted_langdetect(languages: Sequence[str]) -> Callable[[Sequence[str]], list[str]]:
    """langdetect with only the candidate profiles (load_json_profile), seeded."""
    factory = DetectorFactory()
    factory.load_json_profile(
        [(_PROFILE_DIR / lang).read_text(encoding="utf-8") for lang in languages]
    )
    factory.set_seed(0)

    def run(texts: Sequence[str]) -> list[str]:
        out = []
        for t in texts:
            d = factory.create()
            d.append(t)
            try:
                probs = d.get_probabilities()
                out.append(probs[0].lang if probs else "und")
            except LangDetectException:
                out.append("und")
        return out

    return run


def ours(languages: Sequence[str]) -> Callable[[Sequence[str]], list[str]]:
    return lambda texts: [lang for lang, _ in tag_texts(texts, languages)]


@dataclass
class Row:
    n: int = 0
    tagged: int = 0
    correct: int = 0
    seconds: float = 0.0

    @property
    def accuracy(self) -> float:
        return self.correct / self.tagged if self.tagged else float("nan")


def measure(
    items: Sequence[Item], taggers: dict[str, Callable[[Sequence[str]], list[str]]]
) -> tuple[dict[tuple[str, str], Row], dict[str, list[str]]]:
    """Per (tagger, bucket): accuracy where the tagger did not say "und", and the time taken."""
    rows: dict[tuple[str, str], Row] = {}
    preds: dict[str, list[str]] = {name: [""] * len(items) for name in taggers}
    for bucket in (*BUCKETS, "und"):
        idx = [
            i
            for i, it in enumerate(items)
            if (it.lang == "und") == (bucket == "und")
            and (bucket == "und" or bucket_of(it.text) == bucket)
        ]
        texts = [items[i].text for i in idx]
        for name, tag in taggers.items():
            start = time.perf_counter()
            got = tag(texts)
            elapsed = time.perf_counter() - start
            row = Row(n=len(idx), seconds=elapsed)
            for i, g in zip(idx, got, strict=True):
                preds[name][i] = g
                if bucket == "und":
                    row.tagged += 1
                    row.correct += g == "und"
                elif g != "und":
                    row.tagged += 1
                    row.correct += g == items[i].lang
            rows[(name, bucket)] = row
    return rows, preds


def print_table(title: str, rows: dict[tuple[str, str], Row], names: Sequence[str]) -> None:
    print(f"\n## {title}")
    print(f"{'bucket':<10} {'tagger':<22} {'n':>5} {'und':>5} {'accuracy':>9} {'segments/s':>11}")
    for bucket in (*BUCKETS, "und"):
        for name in names:
            r = rows[(name, bucket)]
            und = r.n - r.tagged if bucket != "und" else r.n - r.correct
            label = "und-expected" if bucket == "und" else bucket
            rate = r.n / r.seconds if r.seconds else float("inf")
            print(f"{label:<10} {name:<22} {r.n:>5} {und:>5} {r.accuracy:>9.2%} {rate:>11.0f}")
    for name in names:
        n = sum(rows[(name, b)].n for b in BUCKETS)
        s = sum(rows[(name, b)].seconds for b in BUCKETS)
        print(f"{'all':<10} {name:<22} {n:>5} {'':>5} {'':>9} {n / s:>11.0f}")


def rate(rows: dict[tuple[str, str], Row], name: str, buckets: Sequence[str]) -> float:
    return sum(rows[(name, b)].n for b in buckets) / sum(rows[(name, b)].seconds for b in buckets)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--cap", type=int, default=600, help="items per language and bucket")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    DetectorFactory.seed = 0
    items = load_items(args.pages, args.cap)
    checks: list[tuple[str, bool]] = []

    # Table 1: candidates ar, en. Warm both sides (profile loading) outside the timings.
    ar_en = [it for it in items if it.lang in ("ar", "en", "und")]
    tag_texts(["warm up", "تسخين"], ("ar", "en"))
    raw_langdetect(["warm up"])
    taggers1 = {"ours (ar,en)": ours(("ar", "en")), "langdetect raw (all)": raw_langdetect}
    rows1, _ = measure(ar_en, taggers1)
    print(f"items: {len(items)} ({len(ar_en)} ar/en/und); pages: {args.pages}")
    print_table(
        "candidates ar, en: ours vs raw langdetect (all 55 profiles, seed 0)", rows1, list(taggers1)
    )
    realistic = ("sentence", "paragraph", "2 words")
    ratio = rate(rows1, "ours (ar,en)", BUCKETS) / rate(rows1, "langdetect raw (all)", BUCKETS)
    ratio_real = rate(rows1, "ours (ar,en)", realistic) / rate(
        rows1, "langdetect raw (all)", realistic
    )
    print(
        f"speed ratio ours / raw langdetect: {ratio:.1f}x (all items), {ratio_real:.1f}x (2 words + sentences + paragraphs)"
    )
    checks.append(("speed >= 20x raw langdetect", min(ratio, ratio_real) >= 20))
    for bucket, target in (
        ("paragraph", 1.0),
        ("sentence", 1.0),
        ("2 words", 0.99),
        ("1 word", 0.97),
    ):
        acc = rows1[("ours (ar,en)", bucket)].accuracy
        checks.append((f"ar/en accuracy {bucket} >= {target:.0%} (got {acc:.2%})", acc >= target))

    # Table 2: five candidates, ours vs langdetect restricted to the same profiles.
    tag_texts(["warm up", "تسخين"], FIVE)
    restricted = restricted_langdetect(FIVE)
    restricted(["warm up"])
    names2 = ["ours (5)", "langdetect (5 profiles)"]
    taggers2 = {names2[0]: ours(FIVE), names2[1]: restricted}
    rows2, preds2 = measure(items, taggers2)
    print_table(
        "candidates ar, en, fa, ur, fr: ours vs langdetect restricted to them (seed 0)",
        rows2,
        names2,
    )
    print(
        f"speed ratio ours / restricted langdetect: {rate(rows2, names2[0], BUCKETS) / rate(rows2, names2[1], BUCKETS):.1f}x"
    )
    for bucket in BUCKETS:
        a, b = rows2[(names2[0], bucket)].accuracy, rows2[(names2[1], bucket)].accuracy
        checks.append(
            (f"5 candidates, {bucket}: ours {a:.2%} >= restricted langdetect {b:.2%}", a >= b)
        )
    for name in names2:
        bad = [
            it.text
            for it, p in zip(items, preds2[name], strict=True)
            if p in ("fa", "ur")
            and script_counts(it.text)["arabic"]
            and not _NON_ARABIC_LETTER.search(it.text)
        ]
        print(f"{name}: Arabic-letter-only items tagged fa/ur: {len(bad)} {bad[:3]}")
        if name == names2[0]:
            checks.append(("no Arabic-only item tagged fa/ur", not bad))
    print("per expected language (accuracy where not und, tagged/n):")
    for bucket in BUCKETS:
        cells = []
        for lang in FIVE:
            sel = [
                i for i, it in enumerate(items) if it.lang == lang and bucket_of(it.text) == bucket
            ]
            for name in names2:
                got = [preds2[name][i] for i in sel if preds2[name][i] != "und"]
                ok = sum(g == lang for g in got)
                cells.append(
                    f"{lang}/{name.split()[0]} {ok / len(got) if got else float('nan'):.0%} ({len(got)}/{len(sel)})"
                )
        print(f"  {bucket:<10} " + "  ".join(cells))
    wrong = [
        (it.lang, p, it.text[:60])
        for it, p in zip(items, preds2[names2[0]], strict=True)
        if p != "und" and p != it.lang
    ]
    print(f"ours (5) mistakes (first 12 of {len(wrong)}): {wrong[:12]}")

    print("\n## targets")
    for label, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    print(f"elapsed {time.perf_counter() - started:.1f}s")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
