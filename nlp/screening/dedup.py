"""Duplicates and campaigns: exact copies after normalisation and near-duplicates, grouped into families.

Each comment is reduced to a *dedup key*: squashed text (no spaces, punctuation or emoji), Chinese numerals
with units as Arabic digits (``三十亩`` = ``30亩``), agreement prefixes ("同意楼上！", "+1", "附议") and
campaign signatures ("——下坪村二组全体村民") removed. Equal keys are exact duplicates. Distinct keys are
compared through character n-gram shingles: MinHash with LSH banding proposes candidate pairs in linear
time, and each candidate is verified with the exact Jaccard similarity (or containment, for a copy with an
added sentence). Families are the connected components; the representative is the earliest comment.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections import defaultdict
from functools import lru_cache

import numpy as np

from nlp.screening.decision import Decision, Prepared
from nlp.text import numbers_to_arabic, strip_punct

# Agreement prefixes that add nothing ("同意楼上！", "+1", "附议"); stance words (支持/反对) are never stripped.
_PREFIX_RE = re.compile(
    r"^(?:同意楼上|支持楼上|赞同楼上|顶楼上|楼上说得对|楼上说的对|楼上\+?1|附议|同上|同感|我也是|我家也是|我们也是|我也一样|"
    r"加一|顶|复制|转发|说得好|说得对|说的对|是的|没错|1(?![0-9号组栋楼层队社亩米万元户年月日])|\d楼|[一二三四五六七八九十]楼)+"
)
# A campaign signature is the last short segment: after a dash ("——下坪村二组"), or naming the signers.
_SEGMENT_SPLIT_RE = re.compile(r"(?:[。！!？?；;\n]|——|--|—|～|~)+")
_SIGNER_RE = re.compile(r"全体|联名|签名|敬上|村民代表|众村民|受影响|(村|组|社|队|社区|小区)的?(村民|居民|群众|农户|住户|户主)们?$")


# A contact in a dedup key: letters with digits (a handle), or 7+ digits (a phone or QQ number).
_ANCHOR_RE = re.compile(r"(?<![a-z0-9])(?=[a-z0-9]*[a-z])(?=[a-z0-9]*\d)[a-z0-9]{5,}|\d{7,}")


def _same_contact(a: frozenset[str], b: frozenset[str]) -> bool:
    """True when two sets of contacts share one, also when a cue letter is glued to it ("vzjd2026bg" / "zjd2026bg")."""
    return any(x in y or y in x for x in a for y in b)


def _strip_signature(norm: str) -> str:
    if not _SEGMENT_SPLIT_RE.search(norm):
        return norm
    parts = [p for p in _SEGMENT_SPLIT_RE.split(norm) if p.strip(" ,，、.")]
    if len(parts) < 2:
        return norm
    last = parts[-1].strip(" ,，、.")
    dash_led = bool(re.search(r"(?:——|--|—)\s*[^。！!？?]*$", norm)) and norm.rstrip().endswith(parts[-1].rstrip())
    if len(last) <= 20 and (dash_led or _SIGNER_RE.search(last)):
        return norm[: norm.rstrip().rfind(parts[-1].strip())]
    return norm


def dedup_key(prep: Prepared) -> str:
    """The comparison form of one comment (see the module docstring)."""
    base = strip_punct(_strip_signature(prep.norm)) if prep.norm else ""
    key = numbers_to_arabic(base)
    for _ in range(3):
        stripped = _PREFIX_RE.sub("", key, count=1)
        if stripped == key:
            break
        key = stripped
    return key if key else numbers_to_arabic(prep.flat)


def shingles(key: str, size: int) -> set[str]:
    """Character n-grams of ``key`` (the whole key when it is shorter than ``size``)."""
    if len(key) <= size:
        return {key}
    return {key[i : i + size] for i in range(len(key) - size + 1)}


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller index (earlier comment) stays the root, so it is the family representative.
            lo, hi = min(ra, rb), max(ra, rb)
            self.parent[hi] = lo


@lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The seeded MinHash permutations (a·x + b mod p)."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**31 - 1, size=num_perm, dtype=np.uint64)
    b = rng.integers(0, 2**31 - 1, size=num_perm, dtype=np.uint64)
    return a, b


class DuplicateFinder:
    """Groups exact and near-duplicate comments into families.

    Parameters
    ----------
    shingle_size:
        Character n-gram length (default 2: bigrams stay robust to a changed place name in a short text).
    jaccard:
        Near-duplicate when the shingle Jaccard similarity reaches this (default 0.55).
    containment:
        ... or when this share of the smaller comment's shingles is in the other (default 0.85: a copy with an
        added sentence), provided the smaller one has at least ``min_shingles`` shingles.
    min_shingles:
        Keys shorter than this many shingles only match exactly (default 8).
    anchor_jaccard:
        Two comments that give the same contact (a handle of letters and digits, or a number of 7+ digits: an ad
        re-posted with its phrases reordered, "威信：zbph_777" / "威 信 zbph 777") are near-duplicates from this
        Jaccard similarity on (default 0.35).
    distinct_contact_jaccard:
        Two comments that give different contacts (different numbers or handles) are near-duplicates only from this
        Jaccard similarity on (default 0.8): they usually come from different people.
    num_perm, bands:
        MinHash size and LSH bands (default 128 and 32, i.e. 4 rows per band: a pair with Jaccard 0.5 is
        proposed with probability 0.87, 0.6 with 0.99, 0.2 with 0.05).
    seed:
        Seed of the MinHash permutations.

    Defaults chosen on the campaign set of ``bench/screen.py`` (near-duplicate recall and precision ≥ 95%)
    and ``tests/data/screening_dev.jsonl``.
    """

    def __init__(self, shingle_size: int = 2, jaccard: float = 0.55, containment: float = 0.85, min_shingles: int = 8,
                 num_perm: int = 128, bands: int = 32, seed: int = 1, anchor_jaccard: float = 0.35,
                 distinct_contact_jaccard: float = 0.8) -> None:
        self.shingle_size = shingle_size
        self.anchor_jaccard = anchor_jaccard
        self.distinct_contact_jaccard = distinct_contact_jaccard
        self.jaccard = jaccard
        self.containment = containment
        self.min_shingles = min_shingles
        self.num_perm = num_perm
        self.bands = bands
        self.seed = seed

    def band_keys(self, shingle_sets: list[set[str]]) -> np.ndarray:
        """MinHash LSH keys, one 64-bit key per (set, band): two sets sharing a key are near-duplicate candidates.

        Seeded, so keys are stable across processes (the portal stores them to find candidates incrementally).
        """
        a, b = _permutations(self.num_perm, self.seed)
        prime = np.uint64(2**31 - 1)
        rows = self.num_perm // self.bands
        # All shingle hashes of all sets at once; the MinHash of each set is a segment minimum.
        lengths = np.array([len(s) for s in shingle_sets])
        hashes = np.fromiter((zlib.crc32(g.encode("utf-8")) for s in shingle_sets for g in s), dtype=np.uint64,
                             count=int(lengths.sum()))
        offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        signatures = np.empty((len(shingle_sets), self.num_perm), dtype=np.uint64)
        for start in range(0, self.num_perm, 16):  # 16 permutations at a time keeps memory small
            block = (np.outer(a[start : start + 16], hashes) + b[start : start + 16, None]) % prime
            signatures[:, start : start + 16] = np.minimum.reduceat(block, offsets, axis=1).T
        # One 64-bit key per (set, band): the band's rows mixed with odd multipliers (wrapping arithmetic).
        mix = np.random.default_rng(self.seed + 1).integers(1, 2**62, size=rows, dtype=np.uint64) | np.uint64(1)
        return (signatures.reshape(len(shingle_sets), self.bands, rows) * mix).sum(axis=2)

    def similar(self, a: set[str], b: set[str]) -> tuple[bool, float]:
        """Whether two shingle sets are near-duplicates, and their Jaccard similarity."""
        inter = len(a & b)
        if not inter:
            return False, 0.0
        jac = inter / (len(a) + len(b) - inter)
        small = min(len(a), len(b))
        ok = jac >= self.jaccard or (small >= self.min_shingles and inter / small >= self.containment)
        return ok, jac

    def families(self, preps: list[Prepared], skip: list[bool] | None = None) -> list[int]:
        """For each comment the index of its family representative (itself when unique); -1 when skipped."""
        n = len(preps)
        skip = skip or [False] * n
        uf = _UnionFind(n)
        first_by_key: dict[str, int] = {}
        distinct: list[int] = []
        keys: list[str] = [""] * n
        for i, prep in enumerate(preps):
            if skip[i]:
                continue
            key = dedup_key(prep)
            keys[i] = key
            if not key:
                continue
            if key in first_by_key:
                uf.union(first_by_key[key], i)
            else:
                first_by_key[key] = i
                distinct.append(i)
        sets = {i: shingles(keys[i], self.shingle_size) for i in distinct}
        candidates = [i for i in distinct if len(sets[i]) >= self.min_shingles]
        if len(candidates) > 1:
            anchors = {i: frozenset(_ANCHOR_RE.findall(keys[i])) for i in candidates}
            self._near_pairs(candidates, sets, uf, anchors)
            self._anchor_pairs(candidates, keys, anchors, uf)
        return [-1 if skip[i] or not keys[i] else uf.find(i) for i in range(n)]

    def _near_pairs(self, items: list[int], sets: dict[int, set[str]], uf: _UnionFind,
                    anchors: dict[int, frozenset[str]]) -> None:
        band_keys = self.band_keys([sets[i] for i in items])
        checked: set[tuple[int, int]] = set()
        for band in range(self.bands):
            keys = band_keys[:, band]
            order = np.argsort(keys, kind="stable")
            sorted_keys = keys[order]
            same_next = sorted_keys[1:] == sorted_keys[:-1]
            if not same_next.any():
                continue
            # Walk only the runs of equal keys (buckets with two or more comments).
            members: list[int] = []
            for pos in np.flatnonzero(np.concatenate((same_next, [False])) | np.concatenate(([False], same_next))):
                if members and sorted_keys[pos] != sorted_keys[pos - 1]:
                    self._verify_bucket(members, sets, uf, checked, anchors)
                    members = []
                members.append(items[order[pos]])
            if members:
                self._verify_bucket(members, sets, uf, checked, anchors)

    def _anchor_pairs(self, items: list[int], keys: list[str], anchors: dict[int, frozenset[str]],
                      uf: _UnionFind) -> None:
        by_anchor: dict[str, list[int]] = defaultdict(list)
        for i in items:
            for anchor in anchors[i]:
                by_anchor[anchor].append(i)
        for members in by_anchor.values():
            for j, i in itertools.pairwise(members):
                if uf.find(i) == uf.find(j):
                    continue
                # The words around the shared contact must be alike too (one resident's two different requests
                # both giving their phone number are no campaign).
                rest_i, rest_j = (shingles(_ANCHOR_RE.sub("|", keys[k]), self.shingle_size) for k in (i, j))
                if self.similar(rest_i, rest_j)[1] >= self.anchor_jaccard:
                    uf.union(i, j)

    def _verify_bucket(self, members: list[int], sets: dict[int, set[str]], uf: _UnionFind,
                       checked: set[tuple[int, int]], anchors: dict[int, frozenset[str]]) -> None:
        # Compare each member with the bucket's first and previous member: linear even for a huge campaign.
        members.sort()
        for k in range(1, len(members)):
            i = members[k]
            for j in {members[0], members[k - 1]}:
                pair = (j, i)
                if pair in checked or uf.find(i) == uf.find(j):
                    continue
                checked.add(pair)
                ok, jac = self.similar(sets[i], sets[j])
                # Two comments that give *different* numbers or handles come from different people (two residents'
                # "补偿款请打到我的卡上 …" with their own cards): only near-exact copies join then.
                if ok and anchors[i] and anchors[j] and not _same_contact(anchors[i], anchors[j]):
                    ok = jac >= self.distinct_contact_jaccard
                if ok:
                    uf.union(i, j)

    def decisions(self, preps: list[Prepared], ids: list, skip: list[bool] | None = None) -> list[tuple[Decision, int]]:
        """Per comment: a decision (flag = duplicate of an earlier comment) and its family size."""
        roots = self.families(preps, skip)
        size: dict[int, int] = defaultdict(int)
        for r in roots:
            if r >= 0:
                size[r] += 1
        out = []
        for i, r in enumerate(roots):
            if r < 0:
                out.append((Decision(False, 0.0, [], {"family": None}), 1))
            elif r == i:
                reasons = [f"代表 {size[r]} 条相同或相近的意见"] if size[r] > 1 else []
                out.append((Decision(False, 0.0, reasons, {"family": ids[r]}), size[r]))
            else:
                reasons = [f"与 {ids[r]} 重复或高度相似 (同一诉求共 {size[r]} 条)"]
                out.append((Decision(True, 1.0, reasons, {"family": ids[r]}), size[r]))
        return out
