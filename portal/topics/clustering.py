"""The thin adapter between the portal and ``nlp.cluster``: fit, nearest-topic assignment and matching.

Kept in one place so that the portal does not depend on the library's internals (its result classes,
parameter names) anywhere else.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class FittedTopic:
    """One topic of a fit: readable label, keywords, the index of its most central comment, its centre."""

    label: str
    keywords: list[str]
    representative: int
    centroid: np.ndarray
    threshold: float


@dataclass
class FitResult:
    labels: list[int]  # per input row; -1 = outlier
    similarities: list[float]  # cosine of each row to its own topic centre (0 for outliers)
    topics: list[FittedTopic]


def fit(texts: Sequence[str], vectors: np.ndarray, weights: Sequence[float],
        params: Mapping[str, Any] | None = None) -> FitResult:
    """Cluster ``vectors`` (one per duplicate family, weighted by its size) with ``nlp.cluster.TopicModel``."""
    from nlp.cluster import TopicModel

    model = TopicModel(**dict(params or {})).fit(vectors, list(texts), list(weights))
    topics = [
        FittedTopic(label=t.label, keywords=list(t.keywords), representative=int(t.representative),
                    centroid=np.asarray(model.centroids_[t.id], dtype=np.float32),
                    threshold=float(model.thresholds_[t.id]))
        for t in model.topics_
    ]
    return FitResult(labels=[int(x) for x in model.labels_], similarities=[float(s) for s in model.similarities_],
                     topics=topics)


def nearest(vector: np.ndarray, centroids: np.ndarray) -> tuple[int, float]:
    """Index of the centre with the highest cosine to ``vector`` and that cosine (-1, 0.0 when none)."""
    if centroids.size == 0:
        return -1, 0.0
    v = np.asarray(vector, dtype=np.float32).ravel()
    norm = float(np.linalg.norm(v))
    if norm == 0 or centroids.shape[1] != v.shape[0]:
        return -1, 0.0
    sims = centroids @ (v / norm)
    index = int(np.argmax(sims))
    return index, float(sims[index])


def match(old_members: Mapping[Hashable, set[int]], new_members: Mapping[int, set[int]],
          old_centroids: Mapping[Hashable, np.ndarray], new_centroids: Mapping[int, np.ndarray],
          min_overlap: float, min_similarity: float) -> dict[int, Hashable]:
    """``{new topic: old topic}``, one-to-one: by shared comments first, then by centre for the rest."""
    from nlp.cluster import match_topics

    old_sets = {k: sorted(v) for k, v in old_members.items() if v}
    new_sets = {k: sorted(v) for k, v in new_members.items() if v}
    # merge_share > 1 turns off the many-to-one rule: merges are kept by the portal's own merge links.
    result = dict(match_topics(old_sets, new_sets, min_similarity=min_overlap, merge_share=1.01)) \
        if old_sets and new_sets else {}
    taken = set(result.values())
    old_rest = {k: v for k, v in old_centroids.items() if k not in taken}
    new_rest = {k: v for k, v in new_centroids.items() if k not in result}
    if old_rest and new_rest:
        result.update(match_topics(old_rest, new_rest, min_similarity=min_similarity))
    return result
