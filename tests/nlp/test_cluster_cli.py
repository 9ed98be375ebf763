"""``python -m nlp cluster``: one line per input in order, screening first, malformed lines named."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nlp import embed
from nlp.__main__ import main

REPO = Path(__file__).resolve().parents[2]
DEV_SET = REPO / "tests" / "data" / "topics_dev.jsonl"


class BigramEmbedder:
    """A deterministic stand-in for the model: hashed character bigrams (keeps these tests fast)."""

    name = "fake/bigram"
    dim = 256

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for a, b in zip(text, text[1:], strict=False):
                out[i, int(embed.text_hash(a + b)[:6], 16) % self.dim] += 1.0
        out += 1e-3
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    embed_queries = embed_passages


@pytest.fixture
def fake_embedder(monkeypatch):
    monkeypatch.setattr(embed, "get_embedder", lambda model=None: BigramEmbedder())


def _dev_rows(n_per_topic: int = 8) -> list[dict]:
    rows = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()]
    chosen, seen = [], {}
    for row in rows:
        if row["topic"] in ("征地补偿标准", "祖坟迁移", "安置房") and seen.get(row["topic"], 0) < n_per_topic:
            seen[row["topic"]] = seen.get(row["topic"], 0) + 1
            chosen.append({"id": row["id"], "text": row["text"], "village": "石桥村"})
    return chosen


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_cli_one_line_per_input_in_order(tmp_path, fake_embedder, capsys):
    rows = _dev_rows()
    rows.insert(3, {"id": 999, "text": "兼职刷单日结，加V：abc123 http://xx.cn 日赚三百"})
    rows.insert(7, {"id": "copy", "text": rows[0]["text"]})
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["cluster", str(src), "-o", str(out)]) == 0
    result = _read(out)
    assert [r["id"] for r in result] == [r["id"] for r in rows]
    assert all(list(r) == ["id", "topic", "topic_label"] for r in result)
    assert result[3]["topic"] == -1 and result[3]["topic_label"] == ""  # spam excluded
    assert result[7]["topic"] == result[0]["topic"] >= 0  # a duplicate shares its family's topic
    assigned = [r for r in result if r["topic"] >= 0]
    assert len(assigned) >= 0.9 * (len(rows) - 1)
    assert all(r["topic_label"] for r in assigned)
    labels = {}
    for r in assigned:
        assert labels.setdefault(r["topic"], r["topic_label"]) == r["topic_label"]  # one label per topic
    assert "topics" in capsys.readouterr().err

    again = tmp_path / "again.jsonl"
    assert main(["cluster", str(src), "-o", str(again)]) == 0
    assert again.read_bytes() == out.read_bytes()  # deterministic


def test_cli_malformed_lines_are_named_and_the_rest_run(tmp_path, fake_embedder, capsys):
    good = [json.dumps(r, ensure_ascii=False).encode() for r in _dev_rows(4)]
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\n".join([good[0], b"not json", b'{"id": 7}', b"[1, 2]", b"", *good[1:],
                                b'{"id": 8, "text": null}']) + b"\n")
    out = tmp_path / "out.jsonl"
    assert main(["cluster", str(src), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "line 2" in err and "line 3" in err and "line 4" in err and "3 malformed" in err
    result = _read(out)
    assert len(result) == 3 + len(good) + 1
    assert result[1] == {"id": None, "topic": -1, "topic_label": "", "error": "line 2: not valid JSON (Expecting value)"}
    assert result[2]["id"] == 7 and result[2]["topic"] == -1 and "missing" in result[2]["error"]
    assert result[-1] == {"id": 8, "topic": -1, "topic_label": ""}  # empty text: nothing to cluster
    assert sum(1 for r in result if r["topic"] >= 0) >= len(good) - 1


def test_cli_empty_and_missing_input(tmp_path, fake_embedder, capsys):
    src = tmp_path / "empty.jsonl"
    src.write_text("", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["cluster", str(src), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == ""
    assert main(["cluster", str(tmp_path / "nope.jsonl")]) == 2
    assert "file not found" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_subprocess_with_the_real_model_and_cache(tmp_path):
    rows = _dev_rows(6)
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    env = {**os.environ, "TINGJIAN_EMBED_CACHE": str(tmp_path / "vectors.sqlite")}
    env.pop("TINGJIAN_EMBED_MODEL", None)
    outputs = []
    for name in ("a.jsonl", "b.jsonl"):
        done = subprocess.run([sys.executable, "-m", "nlp", "cluster", str(src), "-o", str(tmp_path / name)],
                              cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        outputs.append((tmp_path / name).read_bytes())
    assert outputs[0] == outputs[1]
    result = [json.loads(line) for line in outputs[0].decode().splitlines()]
    assert [r["id"] for r in result] == [r["id"] for r in rows]
    assert len({r["topic"] for r in result if r["topic"] >= 0}) >= 2
    assert (tmp_path / "vectors.sqlite").stat().st_size > 0
