"""The place to plug in an embedding model, from a local path only (nothing downloads).

`Index(embedder=...)` accepts any callable that turns texts into vectors. `load_local_embedder`
builds one from a directory holding a sentence-transformers model, with the Hugging Face hub set
offline; it fails with a clear message when the path or the library is missing rather than fetching
anything. No model ships with Tidu: BM25 with synonyms and pinyin is the default.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tidu.matching.index import Embedder


class EmbedderUnavailable(RuntimeError):
    """The model directory or the library to read it is missing (message in Chinese)."""


def load_local_embedder(path: str | os.PathLike[str]) -> Embedder:
    """A callable texts -> (n, d) array from a sentence-transformers model stored at `path`."""
    folder = Path(path)
    if not folder.is_dir():
        raise EmbedderUnavailable(f"向量模型目录不存在：{folder}")
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    try:
        from sentence_transformers import SentenceTransformer  # not a dependency: optional
    except ImportError:
        raise EmbedderUnavailable("未安装 sentence-transformers，无法加载本地向量模型") from None
    model: Any = SentenceTransformer(str(folder), local_files_only=True)

    def embed(texts: Sequence[str]) -> Any:
        return model.encode(list(texts), normalize_embeddings=True)

    return embed
