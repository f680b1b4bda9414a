"""Sensitive-content scan speed: end to end against the raw Aho-Corasick scan of the same text.

Builds a synthetic 10,000-term lexicon and about 50 MB (UTF-8) of government-news-like Chinese
text split into posts of about 2,000 characters, generated deterministically from a seed. Prints:

- lexicon build time for 10k and 100k terms;
- the first scan's one-off cost (loading the word segmenter's dictionary);
- end-to-end throughput of ``Scanner.scan`` with every check on (fold, matching, in-word noise,
  word boundaries, context, allow-list, longest match, number/address/marking detectors) in
  MB/s, with p50/p99 time per post;
- the raw ``ahocorasick_rs`` overlapping scan of the same posts with the same patterns, and
  the ratio between the two;
- peak memory and the resident memory taken by the 10k-term scanner.

Figures only, no assertions. Usage: ``python benchmarks/scan_bench.py [--mb 50] [--seed 7]``.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from pathlib import Path

import ahocorasick_rs

from jb_watchdesk.domain.sensitive import Category, Lexicon, Scanner, Severity
from jb_watchdesk.domain.sensitive.lexicon import AllowPhrase, Term
from jb_watchdesk.domain.sensitive.normalize import fold_term

POST_CHARS = 2_000

# Words of district news, notices and comments; weights follow a rough Zipf curve.
WORDS = """
我们 区 街道 社区 工作 开展 推进 加强 落实 服务 群众 居民 企业 项目 建设 发展 改革 创新 经济 社会
政府 部门 单位 干部 党员 组织 活动 会议 精神 学习 宣传 教育 培训 安全 生产 环境 保护 治理 卫生 健康
医疗 养老 就业 创业 教育 学校 学生 老师 家长 文化 旅游 体育 交通 出行 道路 公交 地铁 停车 城市 乡村
振兴 农业 农民 合作社 产业 园区 招商 投资 营商 环境 优化 审批 办理 窗口 政务 大厅 网上 平台 指南 流程
材料 证件 申请 受理 时间 地点 电话 咨询 投诉 建议 意见 回复 感谢 关注 支持 参与 志愿者 防汛 防火
疫情 防控 疫苗 接种 检测 核酸 通知 公告 公示 结果 名单 评选 表彰 先进 典型 事迹 报道 新闻 发布 会
今天 昨天 上午 下午 近日 日前 目前 今年 去年 全年 同比 增长 下降 百分点 万元 亿元 人次 户 家 个 项
重点 任务 目标 措施 责任 考核 检查 督查 整改 问题 隐患 排查 风险 应急 预案 演练 救援 消防 气象 预警
天气 降雨 高温 寒潮 出行 提醒 注意 市民 朋友 大家 一起 共同 努力 美好 生活 幸福 家园 文明 城市 创建
垃圾 分类 绿色 低碳 节能 减排 河道 水质 空气 质量 公园 绿地 步道 改造 提升 老旧 小区 加装 电梯 物业
网格 管理 综合 执法 市场 监管 食品 药品 价格 质量 消费者 权益 维护 纠纷 调解 法律 援助 普法 宣讲
""".split()
PUNCTUATION = ["，"] * 6 + ["。"] * 3 + ["、", "；", "！", "？", "："]
EXTRAS = ["😀", "👍", "🙏", "APP", "12345", "2026年", "8:30", "GDP", "5G", "（", "）", "“", "”", "\n"]


def _weights(count: int) -> list[float]:
    return [1.0 / (rank + 1) ** 0.8 for rank in range(count)]


def _rare_word(rng: random.Random) -> str:
    """Two to four characters drawn from the whole CJK block: rare in running text, like real terms."""
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(2, 4)))


def make_lexicon(rng: random.Random, *, size: int) -> Lexicon:
    """``size`` distinct terms, plus allow phrases covering one in a hundred of them.

    A third of the terms start with an everyday word (as 国家级荣誉称号 does), so the automaton
    walks partial matches all the time, as it does with a real lexicon.
    """
    categories = list(Category)
    severities = list(Severity)
    terms: dict[str, Term] = {}
    while len(terms) < size:
        text = _rare_word(rng)
        if rng.random() < 0.33:
            text = rng.choice(WORDS) + text
        key = fold_term(text)
        if key in terms:
            continue
        category = rng.choice(categories)
        terms[key] = Term(
            term=text,
            key=key,
            category=category,
            severity=rng.choice(severities),
            rule=f"bench.{category.value}.{len(terms) % 50}",
        )
    allow = []
    for term in rng.sample(list(terms.values()), k=max(1, size // 100)):
        phrase = term.term + rng.choice(WORDS)
        allow.append(AllowPhrase(phrase=phrase, key=fold_term(phrase)))
    return Lexicon(terms=tuple(terms.values()), allow=tuple(allow))


def make_posts(rng: random.Random, *, megabytes: float, lexicon: Lexicon) -> list[str]:
    """Posts of about ``POST_CHARS`` characters until ``megabytes`` of UTF-8 text exist."""
    weights = _weights(len(WORDS))
    terms = [term.term for term in lexicon.terms]
    allow = [phrase.phrase for phrase in lexicon.allow]
    posts: list[str] = []
    total = 0
    target = int(megabytes * 1_000_000)
    while total < target:
        parts: list[str] = []
        length = 0
        while length < POST_CHARS:
            words = rng.choices(WORDS, weights=weights, k=rng.randint(4, 14))
            sentence = "".join(words)
            roll = rng.random()
            if roll < 0.02:
                sentence += rng.choice(terms)  # a real hit
            elif roll < 0.025:
                sentence += rng.choice(allow)  # a hit an allow phrase cancels
            elif roll < 0.03:
                term = rng.choice(terms)  # an evasion with in-word noise
                cut = rng.randint(1, len(term) - 1)
                sentence += term[:cut] + rng.choice(("*", " ", "·", "\u200b")) + term[cut:]
            elif roll < 0.10:
                sentence += rng.choice(EXTRAS)
            elif roll < 0.102:
                sentence += "联系电话1" + rng.choice("3589") + "".join(rng.choices("0123456789", k=9))
            sentence += rng.choice(PUNCTUATION)
            parts.append(sentence)
            length += len(sentence)
        post = "".join(parts)
        posts.append(post)
        total += len(post.encode("utf-8"))
    return posts


def current_rss_mb() -> float | None:
    """Resident memory now (Linux), for the scanner's own footprint; None elsewhere."""
    statm = Path("/proc/self/statm")
    if not statm.exists():
        return None
    pages = int(statm.read_text(encoding="ascii").split()[1])
    return pages * resource.getpagesize() / 1e6


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak / 1e3


def time_build(lexicon: Lexicon, *, repeats: int) -> float:
    """Best build time in milliseconds."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        Scanner.build(lexicon)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=50.0, help="megabytes of UTF-8 text to scan (default 50)")
    parser.add_argument("--terms", type=int, default=10_000, help="lexicon size (default 10000)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    lexicon = make_lexicon(rng, size=args.terms)
    big_lexicon = make_lexicon(random.Random(args.seed + 1), size=100_000)
    posts = make_posts(rng, megabytes=args.mb, lexicon=lexicon)
    megabytes = sum(len(post.encode("utf-8")) for post in posts) / 1e6
    characters = sum(len(post) for post in posts)
    print(f"text: {megabytes:.1f} MB UTF-8, {characters / 1e6:.1f} M characters, {len(posts)} posts of ~{POST_CHARS} characters")
    print(f"lexicon: {len(lexicon.terms)} terms, {len(lexicon.allow)} allow phrases")

    build_10k = time_build(lexicon, repeats=5)
    build_100k = time_build(big_lexicon, repeats=2)
    print(f"build: {build_10k:.1f} ms for {len(lexicon.terms)} terms, {build_100k:.0f} ms for {len(big_lexicon.terms)} terms")
    del big_lexicon

    before = current_rss_mb()
    scanner = Scanner.build(lexicon)
    after = current_rss_mb()
    if before is not None and after is not None:
        print(f"matcher memory: ~{after - before:.1f} MB resident for {len(lexicon.terms)} terms")

    # The first scan with a Chinese term loads jieba's dictionary for the word-boundary check
    # (once per process); it is reported apart from the throughput of a running desk.
    started = time.perf_counter()
    scanner.scan("提供" + lexicon.terms[0].term + "服务")
    print(f"first scan: {(time.perf_counter() - started) * 1000:.0f} ms (loads the word segmenter once per process)")

    per_post: list[float] = []
    hits = 0
    started = time.perf_counter()
    for post in posts:
        begun = time.perf_counter()
        hits += len(scanner.scan(post))
        per_post.append(time.perf_counter() - begun)
    end_to_end = time.perf_counter() - started

    keys = list(dict.fromkeys([*(term.key for term in lexicon.terms), *(phrase.key for phrase in lexicon.allow)]))
    raw = ahocorasick_rs.AhoCorasick(
        keys, store_patterns=False, implementation=ahocorasick_rs.Implementation.ContiguousNFA
    )
    raw_matches = 0
    started = time.perf_counter()
    for post in posts:
        raw_matches += len(raw.find_matches_as_indexes(post, overlapping=True))
    raw_time = time.perf_counter() - started

    per_post.sort()
    p50 = statistics.median(per_post) * 1000
    p99 = per_post[min(len(per_post) - 1, int(len(per_post) * 0.99))] * 1000
    print(f"end to end: {megabytes / end_to_end:.1f} MB/s ({end_to_end:.2f} s, {hits} hits); "
          f"per post p50 {p50:.3f} ms, p99 {p99:.3f} ms")
    print(f"raw ahocorasick-rs: {megabytes / raw_time:.1f} MB/s ({raw_time:.2f} s, {raw_matches} matches)")
    print(f"ratio end to end / raw: {raw_time / end_to_end:.2f} (raw is {end_to_end / raw_time:.1f}x faster)")
    print(f"peak memory: {peak_rss_mb():.0f} MB resident (whole process, text included)")


if __name__ == "__main__":
    main()
