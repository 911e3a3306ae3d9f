"""The matcher itself, without a database: an index of surface forms (each a concept's label in one language, with
its sentence vector) and the scoring of a text against it (docs/skills-matching.md).

For every sentence of the text and every surface form, two scores: the cosine of char n-gram TF-IDF vectors
(lexical: spelling, compounds, abbreviations) and the cosine of the multilingual encoder's vectors (semantic: other
words, other languages). Each is z-scored over the surface forms the sentence is compared with, the two are summed
with fixed weights, and a concept scores the best of its surface forms. A concept's score for the text is its best
sentence's; that sentence is returned with it. Dutch text is compared with a concept's Dutch labels where it has
them and with its English labels where it has none. Everything is deterministic: the same text and index give the
same scores in the same order (ties broken by URI)."""

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

# Fusion weights (lexical, semantic) per situation, tuned on the validation sets (docs/skills-matching.md).
# "same": the sentence and the label are in one language; "cross": a Dutch sentence against an English label,
# where shared character n-grams say little.
WEIGHTS = {"same": (0.5, 0.5), "cross": (0.1, 0.9)}
NGRAMS = (2, 5)

_DUTCH = frozenset(
    re.findall(
        r"\S+",
        "de het een en van ik je jij wij we zij in op met voor is zijn niet dat die er te bij als ook naar om aan "
        "heb ben was werd wordt worden mijn onze ons hun uit door over tot onder tussen waar wat wie hoe maar of "
        "dan nog al geen veel meer mee deze dit kan kunnen moet moeten zal zou heeft hebben had jaar werk werken "
        "werkte gewerkt ervaring",
    )
)
_ENGLISH = frozenset(
    re.findall(
        r"\S+",
        "the a an and of i you we they in on with for is are be been not that this it to at as also from by "
        "my our their was were have has had can will would should about into over under between where what who "
        "how but or than more work worked working experience years",
    )
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# A sentence ends at . ! ? or ; followed by white space, at a line break, and before a bullet ("•", or "-", "*"
# after white space); a dot inside a number ("3.5") does not end one.
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\s*[\r\n]+\s*|\s*[•●▪◦·]\s*|(?:^|\s)[-*–]\s+")
MAX_SENTENCE = 500  # characters kept of one sentence
MAX_SENTENCES = 200  # sentences read of one text


_threadpools = None


def _one_blas_thread():
    global _threadpools
    if _threadpools is None:
        from threadpoolctl import ThreadpoolController

        _threadpools = ThreadpoolController()  # finds numpy's BLAS once, not per request
    return _threadpools.limit(limits=1, user_api="blas")


def language_of(text: str, default: str = "") -> str:
    """ "nl" or "en" by counting common words of each; `default` when neither (a job title, a list of tools)."""
    words = _WORD.findall(text.lower())
    dutch = sum(word in _DUTCH for word in words)
    english = sum(word in _ENGLISH for word in words)
    if dutch > english:
        return "nl"
    if english > dutch:
        return "en"
    return default


_PLACEHOLDER = re.compile(r"<[A-Z_]+>")  # <ORGANIZATION>, <LOCATION>: names taken out of a text
_NUMBERING = re.compile(r"^(?:[\s*•\-–]|\d{1,2}\s*[.)])+")  # "* • ", "2 ) ", "3. " before a line


def clean(sentence: str) -> str:
    """One sentence as it is matched: placeholders, bullets and numbering taken off, white space made single."""
    return " ".join(_NUMBERING.sub("", _PLACEHOLDER.sub(" ", sentence)).split()).strip(" ,:")


def sentences(text: str) -> list[str]:
    """The sentences of a text, cleaned, at most MAX_SENTENCES of at most MAX_SENTENCE characters each; bits
    without any letter (numbers, dates, punctuation) are left out."""
    found = []
    for part in _SENTENCE_END.split(text or ""):
        part = clean(part)
        if part and _WORD.search(part):
            found.append(part[:MAX_SENTENCE])
        if len(found) == MAX_SENTENCES:
            break
    return found


@dataclass(frozen=True)
class Match:
    uri: str
    score: float  # the fused z-score of the best surface form for the best sentence (higher is better)
    sentence: str  # the sentence of the text it came from
    matched: str  # the surface form that matched best


class Index:
    """Surface forms of one kind of concept (skills or occupations), with their vectors. Built once per process."""

    def __init__(self, uris: Sequence[str], languages: Sequence[str], texts: Sequence[str], vectors: np.ndarray):
        order = sorted(range(len(uris)), key=lambda i: (uris[i], languages[i] != "en", languages[i], texts[i]))
        self.uris = [uris[i] for i in order]
        self.languages = np.array([languages[i] for i in order])
        self.texts = [texts[i] for i in order]
        # float32 in memory (2 KiB a label): numpy multiplies float16 slowly; the stored vectors are float16.
        self.vectors = np.ascontiguousarray(np.asarray(vectors, dtype=np.float16)[order], dtype=np.float32)
        # Surface forms are grouped per concept: `starts` are the first row of each concept (for np.maximum.reduceat).
        first = [i for i in range(len(self.uris)) if i == 0 or self.uris[i] != self.uris[i - 1]]
        self.starts = np.array(first, dtype=np.int64)
        self.concepts = [self.uris[i] for i in first]
        self.concept_of = np.repeat(np.arange(len(first)), np.diff([*first, len(self.uris)]))
        self.tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True, dtype=np.float32)
        self.lexical_matrix = self.tfidf.fit_transform([text.lower() for text in self.texts]) if texts else None
        # By column too: a query touches a few hundred n-grams, and their columns are read directly.
        self.lexical_columns = self.lexical_matrix.tocsc() if texts else None
        self._masks: dict[str, np.ndarray] = {}

    def __getstate__(self) -> dict:
        """Pickled (var/matcher/) with float16 vectors and without the by-column copy: half the file."""
        state = {**self.__dict__, "vectors": self.vectors.astype(np.float16), "_masks": {}}
        state.pop("lexical_columns")
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.vectors = self.vectors.astype(np.float32)
        self.lexical_columns = self.lexical_matrix.tocsc() if self.lexical_matrix is not None else None

    def __len__(self) -> int:
        return len(self.uris)

    def forms_for(self, language: str) -> np.ndarray:
        """Which surface forms a sentence in `language` is compared with: for Dutch, a concept's Dutch labels where
        it has them, else its English ones; for English, the English labels; for an unknown language, all."""
        if language not in self._masks:
            if language == "nl":
                dutch = self.languages == "nl"
                has_dutch = np.zeros(len(self.concepts), dtype=bool)
                has_dutch[self.concept_of[dutch]] = True
                mask = dutch | ((self.languages == "en") & ~has_dutch[self.concept_of])
            elif language == "en":
                mask = self.languages == "en"
            else:
                mask = np.ones(len(self.uris), dtype=bool)
            self._masks[language] = mask
        return self._masks[language]

    def lexical(self, queries: Sequence[str]) -> np.ndarray:
        """Cosine of char n-gram TF-IDF vectors: (surface forms x queries), float32."""
        q = self.tfidf.transform([query.lower() for query in queries])  # CSR: indices are the n-grams
        columns = np.unique(q.indices)
        dense = q[:, columns].toarray().T  # (n-grams of the queries x queries)
        return np.asarray(self.lexical_columns[:, columns] @ dense, dtype=np.float32)

    def semantic(self, query_vectors: np.ndarray) -> np.ndarray:
        """Cosine of encoder vectors: (surface forms x queries), float32. One BLAS thread: on a busy 2-core server a
        second thread waits more than it helps (docs/skills-matching.md)."""
        with _one_blas_thread():
            return self.vectors @ np.asarray(query_vectors, dtype=np.float32).T

    def fused(
        self, queries: Sequence[str], query_vectors: np.ndarray, language: str, weights: dict | None = None
    ) -> np.ndarray:
        """Fused scores (concepts x queries): per query each signal z-scored over the compared surface forms, the
        weighted sum per form, the best form per concept. Concepts without a compared form score -inf."""
        weights = weights or WEIGHTS
        mask = self.forms_for(language)
        if not mask.any():
            return np.full((len(self.concepts), len(queries)), -np.inf, dtype=np.float32)
        cross = mask & (self.languages != language) if language == "nl" else np.zeros(len(self.uris), dtype=bool)
        lexical_weight = np.where(cross, weights["cross"][0], weights["same"][0]).astype(np.float32)[:, None]
        semantic_weight = np.where(cross, weights["cross"][1], weights["same"][1]).astype(np.float32)[:, None]
        total = np.zeros((len(self.uris), len(queries)), dtype=np.float32)
        for signal, weight in (
            (self.lexical(queries), lexical_weight),
            (self.semantic(query_vectors), semantic_weight),
        ):
            if not weight.any():
                continue
            compared = signal if mask.all() else signal[mask]
            mean = compared.mean(axis=0)
            spread = np.sqrt(np.maximum(np.einsum("ij,ij->j", compared, compared) / len(compared) - mean * mean, 0))
            signal -= mean
            signal /= np.where(spread > 0, spread, 1.0)
            total += weight * signal
        total[~mask] = -np.inf
        return np.maximum.reduceat(total, self.starts, axis=0)

    def match(
        self,
        queries: Sequence[str],
        query_vectors: np.ndarray,
        language: str,
        top: int = 10,
        weights: dict | None = None,
    ) -> list[Match]:
        """The `top` concepts for a text of `queries` (its sentences): each concept's best sentence, best first."""
        if not queries or not len(self):
            return []
        best = np.full(len(self.concepts), -np.inf, dtype=np.float32)
        best_sentence = np.zeros(len(self.concepts), dtype=np.int64)
        for start in range(0, len(queries), 32):
            scores = self.fused(queries[start : start + 32], query_vectors[start : start + 32], language, weights)
            column = scores.argmax(axis=1)
            value = scores[np.arange(len(self.concepts)), column]
            better = value > best
            best[better], best_sentence[better] = value[better], column[better] + start
        rounded = np.round(best.astype(np.float64), 4)
        candidates = np.argsort(-rounded, kind="stable")[: max(top * 4, top + 20)]
        ranked = sorted(
            (c for c in candidates if np.isfinite(rounded[c])), key=lambda c: (-rounded[c], self.concepts[c])
        )
        return [
            self._match(c, float(rounded[c]), queries[best_sentence[c]], query_vectors[best_sentence[c]], language)
            for c in ranked[:top]
        ]

    def _match(self, concept: int, score: float, sentence: str, vector: np.ndarray, language: str) -> Match:
        """The surface form of `concept` closest to its sentence (both cosines added), to show why it matched."""
        end = self.starts[concept + 1] if concept + 1 < len(self.starts) else len(self)
        rows = np.arange(self.starts[concept], end)
        rows = rows[self.forms_for(language)[rows]]
        query = self.tfidf.transform([sentence.lower()])
        lexical = np.asarray((self.lexical_matrix[rows] @ query.T).toarray()).ravel()
        semantic = self.vectors[rows] @ np.asarray(vector, dtype=np.float32)
        return Match(self.concepts[concept], score, sentence, self.texts[rows[int((lexical + semantic).argmax())]])
