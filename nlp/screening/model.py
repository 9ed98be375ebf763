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


def words(text: str) -> list[str]:
    """jieba words of a normalised text (the word analyser of :class:`TextClassifier`; module-level so that
    a saved model pickles it by name)."""
    from nlp.text import get_tokenizer

    return get_tokenizer().lcut(text)


class NbScaler:
    """Naive-Bayes log-count-ratio feature scaling (Wang & Manning 2012, "NBSVM"): multiplies each feature
    by how much more often it occurs in positive than in negative texts; +1–2 points macro-F1 on COLD."""

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def fit(self, X: Any, y: Any) -> NbScaler:
        """Learn the ratios from a sparse matrix and 0/1 labels; returns self."""
        import numpy as np
        from scipy.sparse import diags

        y = np.asarray(y)
        binary = (X > 0).astype(np.float32)
        pos = np.asarray(binary[y == 1].sum(axis=0)).ravel() + self.alpha
        neg = np.asarray(binary[y == 0].sum(axis=0)).ravel() + self.alpha
        self.ratio_ = diags(np.log((pos / pos.sum()) / (neg / neg.sum())).astype(np.float32))
        return self

    def transform(self, X: Any) -> Any:
        """Scale the features by the learnt ratios."""
        return X @ self.ratio_

    def fit_transform(self, X: Any, y: Any) -> Any:
        """``fit`` then ``transform``."""
        return self.fit(X, y).transform(X)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """scikit-learn parameter protocol."""
        return {"alpha": self.alpha}

    def set_params(self, **params: Any) -> NbScaler:
        """scikit-learn parameter protocol."""
        for key, value in params.items():
            setattr(self, key, value)
        return self


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
    nb:
        Scale features by Naive-Bayes log-count ratios before the regression (default True).
    word_ngram_range:
        Also use TF-IDF over jieba word n-grams of these lengths (e.g. ``(1, 2)``); default None (chars only).
    seed:
        Random state for the solver (training is deterministic).
    """

    def __init__(self, ngram_range: tuple[int, int] = (1, 3), C: float = 4.0, max_features: int = 200_000,
                 nb: bool = True, seed: int = 0, word_ngram_range: tuple[int, int] | None = None) -> None:
        self.ngram_range = ngram_range
        self.C = C
        self.max_features = max_features
        self.nb = nb
        self.seed = seed
        self.word_ngram_range = word_ngram_range

    def _build(self) -> Any:
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        vectorizer = TfidfVectorizer(analyzer="char", ngram_range=self.ngram_range, sublinear_tf=True, min_df=2,
                                     max_features=self.max_features, dtype=np.float32)
        if getattr(self, "word_ngram_range", None):
            word_vectorizer = TfidfVectorizer(tokenizer=words, token_pattern=None, lowercase=False,
                                              ngram_range=self.word_ngram_range, sublinear_tf=True, min_df=2,
                                              max_features=self.max_features, dtype=np.float32)
            vectorizer = make_union(vectorizer, word_vectorizer)
        model = LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced", random_state=self.seed)
        return make_pipeline(vectorizer, NbScaler(), model) if self.nb else make_pipeline(vectorizer, model)

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
