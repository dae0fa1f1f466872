"""One judge for ``check(...)`` and the grader; plain data across the boundary; secret seeds;
an instructor's private bank."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from mmlearn.grading import Status, check, grade_notebook, judge, load_questions
from mmlearn.grading.channel import HEADER, ChannelError, read_frame
from mmlearn.grading.codec import CodecError, Opaque, decode, encode
from mmlearn.grading.scrub import scrub
from mmlearn.grading.subject import LocalSubject

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "exercises" / "solutions" / "ch02_simple_fusion.ipynb"
Q = {q.id: q for q in load_questions("ch02")}


def concat_fusion(xs, weight, bias):
    return torch.cat(list(xs), dim=1) @ weight.T + bias


def concat_param_count(input_dims, output_dim):
    return (sum(input_dims) + 1) * output_dim


def test_the_reference_passes_for_any_seed():
    for seed in (0, 1, 2**30):
        assert judge(Q["q1"], LocalSubject({"concat_fusion": concat_fusion}), seed).passed


def test_the_seed_decides_the_inputs():
    seen: list[torch.Tensor] = []

    def spy(xs, weight, bias):
        seen.append(xs[0].clone())
        return concat_fusion(xs, weight, bias)

    judge(Q["q1"], LocalSubject({"concat_fusion": spy}), 5)
    judge(Q["q1"], LocalSubject({"concat_fusion": spy}), 6)
    assert not torch.equal(seen[0], seen[2])


def test_statuses_from_one_judge():
    def stub(xs, weight, bias):
        raise NotImplementedError

    def crash(xs, weight, bias):
        raise ValueError(f"bad things in {ROOT} with {os.environ.get('PATH')}")

    def wrong_type(input_dims, output_dim):
        return float((sum(input_dims) + 1) * output_dim)

    assert judge(Q["q1"], LocalSubject({"concat_fusion": stub})).status is Status.UNANSWERED
    v = judge(Q["q1"], LocalSubject({"concat_fusion": crash}))
    assert v.status is Status.ERROR and "ValueError" in v.message
    assert str(ROOT) not in v.message and os.environ["PATH"] not in v.message
    assert judge(Q["q1"], LocalSubject({})).status is Status.MISSING
    assert judge(Q["q1"], LocalSubject({"concat_fusion": lambda a, b: a})).status is Status.SIGNATURE
    v = judge(Q["q4"], LocalSubject({"concat_param_count": wrong_type}))
    assert v.status is Status.FAIL and "should be an int" in v.message
    assert judge(Q["q4"], LocalSubject({"concat_param_count": concat_param_count})).passed


def test_check_in_a_notebook_prints_the_verdict(capsys):
    assert check("ch02", "q1", concat_fusion)
    assert not check("ch02", "q1", lambda xs, weight, bias: xs[0])
    out = capsys.readouterr().out
    assert "✓ correct (2 points)" in out and "wrong answer" in out


def test_codec_keeps_exact_types_and_refuses_objects():
    value = [1, 2.5, True, "s", None, (torch.arange(3, dtype=torch.int32),), {"a": np.ones(2)}]
    back = decode(encode(value))
    assert type(back[0]) is int and type(back[1]) is float and back[2] is True
    assert back[5][0].dtype == torch.int32 and torch.equal(back[5][0], torch.arange(3, dtype=torch.int32))
    assert isinstance(back[6]["a"], np.ndarray) and type(back[5]) is tuple
    assert torch.equal(
        decode(encode(torch.ones(2, dtype=torch.bfloat16))), torch.ones(2, dtype=torch.bfloat16)
    )

    class Sub(torch.Tensor):
        pass

    opaque = decode(encode(torch.zeros(2).as_subclass(Sub)))
    assert isinstance(opaque, Opaque) and opaque.type_name.endswith(".Sub")
    assert isinstance(decode(encode(object())), Opaque)


def test_codec_rejects_malformed_data():
    node = encode(torch.zeros(4))
    node["shape"] = [5]
    with pytest.raises(CodecError):
        decode(node)
    with pytest.raises(CodecError):
        decode({"t": "tensor", "dtype": "object", "shape": [], "data": ""})
    with pytest.raises(CodecError):
        decode({"t": "eval", "v": "__import__('os')"})


def test_an_oversized_frame_is_refused_before_it_is_read():
    r, w = os.pipe()
    try:
        os.write(w, HEADER.pack(1 << 40) + b"{")
        with pytest.raises(ChannelError, match="bytes"):
            read_frame(r, deadline=time.monotonic() + 5)
    finally:
        os.close(r)
        os.close(w)


def test_scrub_removes_paths_and_secrets(monkeypatch):
    monkeypatch.setenv("SOME_TOKEN", "hunter2-secret-value")
    text = scrub("leak hunter2-secret-value at /home/prof/solutions/ch02.ipynb " + "x" * 1000)
    assert "hunter2" not in text and "/home/prof" not in text and len(text) <= 400


def test_a_private_bank_replaces_the_public_one(tmp_path):
    bank = tmp_path / "private_bank"
    bank.mkdir()
    (bank / "ch02.py").write_text(
        textwrap.dedent(
            """
            import torch
            from mmlearn.grading.checks import assert_close
            from mmlearn.grading.spec import Question


            def check_concat(fn, seed):
                g = torch.Generator().manual_seed(seed)
                xs = [torch.randn(7, d, generator=g, dtype=torch.float64) for d in (2, 5)]
                w = torch.randn(3, 7, generator=g, dtype=torch.float64)
                b = torch.randn(3, generator=g, dtype=torch.float64)
                assert_close(fn(xs, w, b), torch.cat(xs, 1) @ w.T + b, "hidden test")


            QUESTIONS = [Question("q1", "concat_fusion", ("xs", "weight", "bias"), check_concat, 5)]
            """
        )
    )
    assert [q.points for q in load_questions("ch02", bank)] == [5]
    report = grade_notebook(REFERENCE, bank=bank, timeout=10)
    assert [r.id for r in report.results] == ["q1"] and report.score == 5, report.text()
    with pytest.raises(ValueError, match="no graded questions"):
        load_questions("ch05", bank)
