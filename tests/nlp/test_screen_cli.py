"""``python -m nlp screen``: JSON lines in, one JSON line per input out, malformed lines reported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from nlp.__main__ import main

REPO = Path(__file__).resolve().parents[2]


def _write(tmp_path, lines: list[bytes]) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_cli_output_shape_order_and_duplicates(tmp_path):
    rows = [
        {"id": 1, "text": "土地证代办 包过 加薇信 tudi8866"},
        {"id": 2, "text": "我们组的机耕路三年没修了，一下雨就过不去，希望先修这条路", "author": "ignored"},
        {"id": 3, "text": "同意楼上！我们组的机耕路3年没修了，一下雨就过不去，希望先修这条路"},
        {"id": 4, "text": "电话13812345678"},
        {"id": 5, "text": "+1"},
    ]
    src = _write(tmp_path, [json.dumps(r, ensure_ascii=False).encode() for r in rows])
    out = tmp_path / "out.jsonl"
    assert main(["screen", str(src), "-o", str(out)]) == 0
    result = _read(out)
    assert [r["id"] for r in result] == [1, 2, 3, 4, 5]
    assert list(result[0]) == ["id", "spam", "abusive", "pii", "low_info", "duplicate_of", "value", "reasons", "redacted"]
    assert result[0]["spam"] and result[2]["duplicate_of"] == 2 and result[1]["duplicate_of"] is None
    assert result[3]["pii"] and result[3]["redacted"] == "电话138****5678"
    assert result[4]["low_info"] and result[4]["value"] == 0


def test_cli_malformed_lines_reported_and_rest_run(tmp_path, capsys):
    src = _write(tmp_path, [
        b'{"id": 1, "text": "\xe8\xa1\xa5\xe5\x81\xbf\xff\xfe\xe5\xa4\xaa\xe4\xbd\x8e"}',  # invalid UTF-8 inside
        b"not json at all",
        b'{"id": 3}',
        b"[1, 2]",
        b"",
        b'{"id": 6, "text": null}',
        b'{"id": 7, "text": "\xe8\xa1\xa5\xe5\x81\xbf\xe5\xa4\xaa\xe4\xbd\x8e\xe4\xba\x86"}',
    ])
    out = tmp_path / "out.jsonl"
    assert main(["screen", str(src), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "line 2" in err and "line 3" in err and "line 4" in err
    result = _read(out)
    assert [r["id"] for r in result] == [1, 3, 6, 7]
    assert result[1]["reasons"][0].startswith("输入错误") and result[1]["redacted"] == ""
    assert any("无法识别" in r for r in result[0]["reasons"])
    assert result[3]["value"] == 1


def test_cli_missing_file_is_exit_2(tmp_path):
    assert main(["screen", str(tmp_path / "nope.jsonl")]) == 2


def test_cli_subprocess_stdin_to_stdout():
    proc = subprocess.run(
        [sys.executable, "-m", "nlp", "screen", "-"],
        input='{"id": "a", "text": "tmd 补偿款呢"}\n'.encode(),
        capture_output=True, cwd=REPO, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    line = json.loads(proc.stdout.decode().strip())
    assert line["id"] == "a" and line["abusive"]


def test_cli_bad_inputs_each_get_a_result_or_a_named_error(tmp_path, capsys):
    big = "补偿太低" * 250_000 + "，电话13812345678"  # about 1 MB
    src = _write(tmp_path, [
        b"\x00\x9f\x92\x96\xff\xfe\x01binary junk\x80",
        json.dumps({"id": "big", "text": big}, ensure_ascii=False).encode(),
        json.dumps({"id": "emoji", "text": "😀🙏🔥👍"}, ensure_ascii=False).encode(),
        json.dumps({"id": "html", "text": "<script>alert(1)</script><b>补偿太低了</b>"}).encode(),
        json.dumps({"id": "ctrl", "text": "补\x00偿\x1b[31m太\u202e低\u200b了"}).encode(),
        json.dumps({"id": "empty", "text": ""}).encode(),
        json.dumps({"id": "ok", "text": "公示时间太短了"}, ensure_ascii=False).encode(),
    ])
    out = tmp_path / "out.jsonl"
    assert main(["screen", str(src), "-o", str(out)]) == 1
    assert "line 1: not valid JSON" in capsys.readouterr().err
    result = {r["id"]: r for r in _read(out)}
    assert list(result) == ["big", "emoji", "html", "ctrl", "empty", "ok"]
    assert result["big"]["pii"] and result["big"]["redacted"].endswith("138****5678")
    assert any("文本过长" in r for r in result["big"]["reasons"])
    assert result["emoji"]["low_info"] and result["empty"]["low_info"]
    assert any("HTML" in r for r in result["html"]["reasons"]) and not result["html"]["low_info"]
    assert not result["ctrl"]["low_info"] and result["ctrl"]["value"] >= 1
    assert result["ok"]["value"] == 1 and not any(result["ok"][k] for k in ("spam", "abusive", "pii", "low_info"))
