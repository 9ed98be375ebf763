"""A small, fast text classifier: TF-IDF over character n-grams (plus word n-grams) and logistic regression.

Used by the spam and abuse detectors. Trained by ``python -m nlp.screening.train``; stored with joblib
under ``nlp/data/`` and loaded once per process.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

_cache: dict[str, Any] = {}
_lock = threading.Lock()


class TextClassifier:
    """Char n-gram TF-IDF + logistic regression on normalised text.

    Parameters
    ----------
    ngram_range:
        Character n-gram lengths (default 1–4).
    C:
        Inverse regularisation strength of the logistic regression (default 4.0).
    max_features:
        Vocabulary cap, keeps the saved model small (default 200,000).
    seed:
        Random state for the solver (training is deterministic).
    """

    def __init__(self, ngram_range: tuple[int, int] = (1, 4), C: float = 4.0, max_features: int = 200_000,
                 seed: int = 0) -> None:
        self.ngram_range = ngram_range
        self.C = C
        self.max_features = max_features
        self.seed = seed

    def _build(self) -> Any:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=self.ngram_range, sublinear_tf=True, min_df=2,
                                     max_features=self.max_features, dtype="float32")
        model = LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced", random_state=self.seed)
        return make_pipeline(vectorizer, model)

    def fit(self, texts: list[str], labels: list[int], sample_weight: list[float] | None = None) -> TextClassifier:
        """Fit on normalised texts and 0/1 labels; returns self."""
        self.pipeline_ = self._build()
        kwargs = {"logisticregression__sample_weight": sample_weight} if sample_weight is not None else {}
        self.pipeline_.fit(texts, labels, **kwargs)
        return self

    def predict_proba(self, texts: list[str]) -> list[float]:
        """Probability of the positive class for each normalised text."""
        if not texts:
            return []
        return [float(p) for p in self.pipeline_.predict_proba(texts)[:, 1]]

    def save(self, path: Path) -> None:
        """Write the fitted classifier with joblib (compressed)."""
        import joblib

        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path, compress=3)

    @staticmethod
    def load(path: Path) -> TextClassifier | None:
        """Load a saved classifier once per process; None when the file does not exist."""
        key = str(path)
        with _lock:
            if key not in _cache:
                if not Path(path).exists():
                    _cache[key] = None
                else:
                    import joblib

                    _cache[key] = joblib.load(path)
            return _cache[key]
