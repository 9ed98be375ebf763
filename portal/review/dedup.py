"""Incremental duplicate and campaign detection for the pipeline.

``nlp.screening.DuplicateFinder`` groups a whole batch at once. Re-running it over every earlier comment of a
project for each new one is O(n) per comment, so the portal keeps each comment's dedup key and its MinHash
LSH band hashes in the database (``ScreeningRecord``, ``DedupBand``): a new comment is compared only with
earlier comments that have the same key (exact copy) or share a band (near-duplicate candidate), verified
with the library's own ``DuplicateFinder.similar``. The key, shingles and similarity test are the
library's; only the bookkeeping lives here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from nlp.screening.decision import prepare
from nlp.screening.dedup import DuplicateFinder, dedup_key, shingles
from portal.extensions import db
from portal.models import Comment, DedupBand, ScreeningRecord


@dataclass
class Fingerprint:
    """The comparison form of one comment: dedup key, its hash, shingles and LSH band hashes."""

    key: str
    key_hash: str
    shingles: set[str] = field(default_factory=set)
    bands: list[str] = field(default_factory=list)


def fingerprint(text: str, finder: DuplicateFinder) -> Fingerprint | None:
    """The fingerprint of ``text``, or None when nothing is left to compare (empty after normalisation)."""
    key = dedup_key(prepare(text))
    if not key:
        return None
    grams = shingles(key, finder.shingle_size)
    bands: list[str] = []
    if len(grams) >= finder.min_shingles:
        # The library's own LSH keys, so the portal's candidates are exactly the batch screen's.
        bands = [f"{band}:{int(key):016x}" for band, key in enumerate(finder.band_keys([grams])[0])]
    return Fingerprint(key, hashlib.sha1(key.encode("utf-8")).hexdigest(), grams, bands)


def find_representative(comment: Comment, fp: Fingerprint, finder: DuplicateFinder, limit: int) -> Comment | None:
    """The representative of the earliest family of earlier, non-spam comments that ``comment`` duplicates."""
    exact = db.session.execute(
        db.select(ScreeningRecord.comment_id)
        .join(Comment, Comment.id == ScreeningRecord.comment_id)
        .where(ScreeningRecord.project_id == comment.project_id, ScreeningRecord.key_hash == fp.key_hash,
               ScreeningRecord.comment_id < comment.id, Comment.is_spam.is_(False), Comment.is_low_info.is_(False))
        .order_by(ScreeningRecord.comment_id)
        .limit(1)
    ).scalar()
    matches: set[int] = {exact} if exact is not None else set()
    if fp.bands:
        candidates = db.session.execute(
            db.select(ScreeningRecord.comment_id, ScreeningRecord.dedup_key)
            .join(Comment, Comment.id == ScreeningRecord.comment_id)
            .where(ScreeningRecord.comment_id.in_(
                db.select(DedupBand.comment_id).where(DedupBand.project_id == comment.project_id,
                                                      DedupBand.band.in_(fp.bands),
                                                      DedupBand.comment_id < comment.id)
            ), Comment.is_spam.is_(False), Comment.is_low_info.is_(False))
            .order_by(ScreeningRecord.comment_id.desc())
            .limit(limit)
        ).all()
        for other_id, other_key in candidates:
            if other_key and finder.similar(fp.shingles, shingles(other_key, finder.shingle_size))[0]:
                matches.add(other_id)
    if not matches:
        return None
    roots = db.session.execute(
        db.select(Comment.id, Comment.duplicate_of_id).where(Comment.id.in_(matches))
    ).all()
    root_id = min(dup or cid for cid, dup in roots)
    return db.session.get(Comment, root_id)


def store_fingerprint(comment: Comment, fp: Fingerprint | None, record: ScreeningRecord) -> None:
    """Remember ``fp`` for later comments (replacing an earlier fingerprint of the same comment)."""
    db.session.execute(db.delete(DedupBand).where(DedupBand.comment_id == comment.id))
    record.dedup_key = fp.key if fp else None
    record.key_hash = fp.key_hash if fp else None
    if fp:
        db.session.add_all(DedupBand(comment_id=comment.id, project_id=comment.project_id, band=band)
                           for band in fp.bands)
