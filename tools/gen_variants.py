"""Write the lexicon's generated variants: misspelt official names, and terms spelt in pinyin.

Two files, both ordinary lexicon files (resources/lexicon/README.md) that an office can switch
off row by row with an allow phrase:

- ``misstatement_homophones.csv``. Most serious misstatements in government posts are one
  character typed as a homophone by the input method (总书计 and 总书纪 for 总书记, 习近萍 for
  习近平, 中华人民共合国, 社会主意, 依法制国) or one character dropped from a long name
  (全国人民代表大会常务委会). For each canonical term below, every variant with one character
  replaced by a common character (GB 2312) of the same pinyin — of the same tone in names of two
  or three characters, of any tone in longer ones (毛泽东思相) — and for long names every variant
  with one character missing, and the variant forms (异体字) in VARIANT_FORMS (中华人民共和囯). A variant is skipped when it is itself a
  dictionary word (jieba's, via ``rjieba``) or part of another canonical term.
- ``evasion_pinyin.csv``. Spam hides a word by spelling one character in pinyin (兼职shua单,
  全网最dī价, 习jin平: tone marks fold to plain letters). For every high or medium term of the
  paid-service and advertising files and every canonical name below, every variant with one
  character spelt in toneless pinyin, at the term's own severity.

Pinyin comes from ``pypinyin`` (https://pypinyin.readthedocs.io), a tool dependency only: the
desk reads the CSV files.

    python tools/gen_variants.py            # rewrite both files
    python tools/gen_variants.py --check    # exit 1 if either file is not what this tool writes
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Final

# canonical form → (rule, severity). Names of the state, the Party, its leader and the central
# institutions are high; formulations of doctrine and policy are medium. Two-character names
# are left out and three-character ones kept at medium: their homophones can be someone else's name.
CANONICAL: dict[str, tuple[str, str]] = {
    "中华人民共和国": ("misstatement.state_name", "high"),
    "中国共产党": ("misstatement.party", "high"),
    "共产党员": ("misstatement.party", "high"),
    "习近平": ("misstatement.leader_name", "high"),
    "总书记": ("misstatement.leader_name", "high"),
    "国家主席": ("misstatement.leader_name", "high"),
    "国务院总理": ("misstatement.leader_name", "high"),
    "中央军委主席": ("misstatement.leader_name", "high"),
    "中共中央": ("misstatement.institution", "high"),
    "党中央": ("misstatement.institution", "high"),
    "国务院": ("misstatement.institution", "high"),
    "全国人民代表大会": ("misstatement.institution", "high"),
    "全国人大常委会": ("misstatement.institution", "high"),
    "中国人民政治协商会议": ("misstatement.institution", "high"),
    "中央政治局": ("misstatement.institution", "high"),
    "中央军委": ("misstatement.institution", "high"),
    "社会主义": ("misstatement.doctrine", "medium"),
    "中国特色社会主义": ("misstatement.doctrine", "medium"),
    "社会主义核心价值观": ("misstatement.doctrine", "medium"),
    "马克思主义": ("misstatement.doctrine", "medium"),
    "毛泽东思想": ("misstatement.doctrine", "medium"),
    "邓小平理论": ("misstatement.doctrine", "medium"),
    "科学发展观": ("misstatement.doctrine", "medium"),
    "三个代表": ("misstatement.doctrine", "medium"),
    "新时代中国特色社会主义思想": ("misstatement.doctrine", "medium"),
    "依法治国": ("misstatement.doctrine", "medium"),
    "一国两制": ("misstatement.doctrine", "medium"),
    "人民代表大会制度": ("misstatement.doctrine", "medium"),
    "两个确立": ("misstatement.doctrine", "medium"),
    "两个维护": ("misstatement.doctrine", "medium"),
    "四个意识": ("misstatement.doctrine", "medium"),
    "四个自信": ("misstatement.doctrine", "medium"),
    "中国式现代化": ("misstatement.doctrine", "medium"),
    "全过程人民民主": ("misstatement.doctrine", "medium"),
    "人类命运共同体": ("misstatement.doctrine", "medium"),
    "新发展理念": ("misstatement.doctrine", "medium"),
    "全国人民代表大会常务委员会": ("misstatement.institution", "high"),
    "中国人民政治协商会议全国委员会": ("misstatement.institution", "high"),
    "中央全面深化改革委员会": ("misstatement.institution", "high"),
    "赵乐际": ("misstatement.leader_name", "medium"),
    "王沪宁": ("misstatement.leader_name", "medium"),
    "丁薛祥": ("misstatement.leader_name", "medium"),
    "社会主义思想": ("misstatement.doctrine", "medium"),
    "习近平新时代中国特色社会主义思想": ("misstatement.doctrine", "medium"),
    "一中全会": ("misstatement.congress", "medium"),
    "二中全会": ("misstatement.congress", "medium"),
    "三中全会": ("misstatement.congress", "medium"),
    "四中全会": ("misstatement.congress", "medium"),
    "五中全会": ("misstatement.congress", "medium"),
    "六中全会": ("misstatement.congress", "medium"),
    "七中全会": ("misstatement.congress", "medium"),
    "党的二十大": ("misstatement.congress", "medium"),
    "党的十九大": ("misstatement.congress", "medium"),
}
# Variant forms (异体字) that an input method or a font can slip into an official name.
VARIANT_FORMS: Final = {"国": "囯圀", "华": "崋", "会": "㑹"}
TONELESS_MIN: Final = 5
"""Names at least this long also get homophones of another tone (思想 → 思相): with five or more
characters around it, a same-sound character is still unmistakably the name misspelt."""
OMISSION_MIN: Final = 6
"""Names at least this long also get their one-character-missing variants."""

LEXICON = Path(__file__).resolve().parent.parent / "resources" / "lexicon"
HOMOPHONES = LEXICON / "misstatement_homophones.csv"
PINYIN = LEXICON / "evasion_pinyin.csv"
HOMOPHONES_HEADER = (
    "# 严重表述错误（同音错字、漏字）：由 tools/gen_variants.py 生成——国名、党名、领导人姓名职务、机构和重要提法中\n"
    "# 一个字被输入法换成同音字（声调相同、常用字），或长名称漏掉一个字。勿手工编辑；要停用某条，请在白名单中加入该词。\n"
    "term,category,severity,rule,note\n"
)
PINYIN_HEADER = (
    "# 拼音规避：由 tools/gen_variants.py 生成——有偿服务、商业广告词库中高、中级词条把一个字写成拼音（兼职shua单）。\n"
    "# 声调符号在匹配前折叠（dī → di）。勿手工编辑；要停用某条，请在白名单中加入该词。\n"
    "term,category,severity,rule,note\n"
)
SOURCES = ("paid_service.csv", "advertising.csv")


def _common_chars() -> list[str]:
    """The characters of GB 2312 (the 6,763 in everyday use)."""
    chars = []
    for code in range(0x4E00, 0x9FA6):
        char = chr(code)
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            continue
        chars.append(char)
    return chars


FUNCTION_WORDS: Final = frozenset("是的了在和与及把被为对从向")


COMMON_WORD: Final = 100
"""A dictionary word at least this frequent in jieba's dictionary is everyday vocabulary."""


def _reads_as_words(rjieba: object, variant: str) -> bool:
    """Whether jieba reads ``variant`` as ordinary prose: common words of two or more characters
    (中式|现代化, 全程|人民|民主), with at most one single-character function word (中国|是|现代化).
    A rare dictionary word (委会 in 常务|委会) does not make a misspelt name prose."""
    words = rjieba.cut(variant, False)  # type: ignore[attr-defined]
    singles = [word for word in words if len(word) == 1]
    if len(singles) > 1 or any(word not in FUNCTION_WORDS for word in singles):
        return False
    return all(rjieba.suggest_freq(word) >= COMMON_WORD for word in words if len(word) > 1)  # type: ignore[attr-defined]


def _hand_written_keys() -> set[str]:
    """Folded keys of every term in the shipped, hand-written lexicon files."""
    import csv

    from jb_watchdesk.domain.sensitive.normalize import fold_term

    keys: set[str] = set()
    for path in sorted(LEXICON.glob("*.csv")):
        if path in (HOMOPHONES, PINYIN):
            continue
        for line in csv.reader(path.read_text(encoding="utf-8").splitlines()):
            if line and not line[0].startswith("#") and line[0] != "term":
                keys.add(fold_term(line[0]))
    return keys


def homophones() -> str:
    import rjieba
    from pypinyin import Style, pinyin

    by_sound: dict[str, list[str]] = {}
    by_syllable: dict[str, list[str]] = {}
    for char in _common_chars():
        for reading in pinyin(char, style=Style.TONE3, heteronym=False)[0]:
            by_sound.setdefault(reading, []).append(char)
            by_syllable.setdefault(reading.rstrip("12345"), []).append(char)
    canonical = set(CANONICAL)
    rows: dict[str, str] = {}

    from jb_watchdesk.domain.sensitive.normalize import fold_term

    folded_canonical = {fold_term(term) for term in canonical}
    keys: set[str] = set(_hand_written_keys())  # a curated row always wins over a generated one

    def keep(variant: str) -> bool:
        key = fold_term(variant)  # 徵 folds to 征: one row per key the matcher looks for
        if key in keys or key in folded_canonical or rjieba.has_word(variant) or any(variant in other for other in canonical):
            return False
        if _reads_as_words(rjieba, variant):
            return False  # 中国是现代化, 全程人民民主: correct prose, not a misspelt name
        keys.add(key)
        return True

    for term, (rule, severity) in CANONICAL.items():
        readings = [reading[0] for reading in pinyin(term, style=Style.TONE3, heteronym=False)]
        sounds = by_syllable if len(term) >= TONELESS_MIN else by_sound
        # A character inside a shorter canonical name contained in this one is covered by that
        # name's own variants (matching is by substring): generate only for the others.
        covered = {
            index
            for other in canonical
            if other != term and other in term
            for found in [term.find(other)]
            for index in range(found, found + len(other))
        }
        for index, char in enumerate(term):
            if index in covered:
                continue
            reading = readings[index].rstrip("12345") if len(term) >= TONELESS_MIN else readings[index]
            for other in sounds.get(reading, []):
                variant = term[:index] + other + term[index + 1 :]
                if other != char and keep(variant):
                    rows[variant] = f"{variant},misstatement,{severity},{rule},正确：{term}（“{other}”为“{char}”的同音错字）"
            for other in VARIANT_FORMS.get(char, ""):
                variant = term[:index] + other + term[index + 1 :]
                if keep(variant):
                    rows[variant] = f"{variant},misstatement,{severity},{rule},正确：{term}（“{other}”为“{char}”的异体字）"
        if len(term) >= OMISSION_MIN:
            for index in range(1, len(term) - 1):  # a missing first or last character is a different word
                variant = term[:index] + term[index + 1 :]
                if keep(variant):
                    rows[variant] = f"{variant},misstatement,{severity},{rule},正确：{term}（漏“{term[index]}”字）"
    return HOMOPHONES_HEADER + "\n".join(rows[key] for key in sorted(rows)) + "\n"


def pinyin_variants() -> str:
    import csv

    from pypinyin import Style, pinyin

    rows: dict[str, str] = dict.fromkeys(_hand_written_keys(), "")
    for term, (rule, severity) in CANONICAL.items():
        readings = [reading[0] for reading in pinyin(term, style=Style.NORMAL, heteronym=False)]
        for index in range(len(term)):
            variant = term[:index] + readings[index] + term[index + 1 :]
            rows.setdefault(variant, f"{variant},misstatement,{severity},{rule},拼音规避：{term}")
    for name in SOURCES:
        for line in csv.reader((LEXICON / name).read_text(encoding="utf-8").splitlines()):
            if not line or line[0].startswith("#") or line[0] == "term" or len(line) < 4:
                continue
            term, category, severity, rule = line[:4]
            if severity not in ("high", "medium") or not all("\u4e00" <= char <= "\u9fff" for char in term):
                continue
            readings = [reading[0] for reading in pinyin(term, style=Style.NORMAL, heteronym=False)]
            for index in range(len(term)):
                variant = term[:index] + readings[index] + term[index + 1 :]
                if variant != term and variant not in rows:
                    rows[variant] = f"{variant},{category},{severity},{rule},拼音规避：{term}"
    return PINYIN_HEADER + "\n".join(rows[key] for key in sorted(rows) if rows[key]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    status = 0
    for path, text in ((HOMOPHONES, homophones()), (PINYIN, pinyin_variants())):
        if args.check:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                print(f"{path} is out of date: run python tools/gen_variants.py", file=sys.stderr)
                status = 1
            continue
        path.write_text(text, encoding="utf-8")
        print(f"wrote {text.count(chr(10)) - 3} variants to {path}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
