"""The near-duplicate search: precision and recall of score() on the labelled pairs of
tests/data/similar-pairs.yaml, and SimilarityIndex.nearest against scoring every candidate."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from models.similarity import (
    DEFAULT_THRESHOLD,
    Candidate,
    Match,
    SimilarityIndex,
    score,
    stem,
    tokens,
)

PAIRS: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parents[1] / "data" / "similar-pairs.yaml").read_text()
)["pairs"]
SIMILAR = ("same", "replica")


def pair_score(pair: dict[str, Any]) -> float:
    return score(pair["a"]["name"], pair["a"]["masalah"], pair["b"]["name"], pair["b"]["masalah"])


def precision_recall(pairs: list[dict[str, Any]], threshold: float) -> tuple[float, float]:
    predicted = [pair_score(p) >= threshold for p in pairs]
    actual = [p["label"] in SIMILAR for p in pairs]
    tp = sum(x and y for x, y in zip(predicted, actual, strict=True))
    fp = sum(x and not y for x, y in zip(predicted, actual, strict=True))
    fn = sum(y and not x for x, y in zip(predicted, actual, strict=True))
    return (tp / (tp + fp) if tp + fp else 0.0), tp / (tp + fn)


def sides() -> list[Candidate]:
    """Every side of every pair: pair k's first side has id 2k, its second 2k + 1."""
    return [
        Candidate(2 * k + n, pair[side]["name"], pair[side]["masalah"])
        for k, pair in enumerate(PAIRS)
        for n, side in enumerate("ab")
    ]


def brute_force(candidates: list[Candidate], name: str, text: str, limit: int, threshold: float):
    scored = [Match(c.id, score(name, text, c.name, c.text)) for c in candidates]
    ranked = sorted((m for m in scored if m.score >= threshold), key=lambda m: (-m.score, m.id))
    return ranked[:limit]


def test_the_pairs_are_many_realistic_and_of_every_label() -> None:
    labels = Counter(p["label"] for p in PAIRS)
    assert set(labels) == {"same", "replica", "different"}
    assert len(PAIRS) >= 48
    assert min(labels.values()) >= 16
    for pair in PAIRS:
        for side in "ab":
            assert pair[side]["name"].strip()
            assert 20 <= len(pair[side]["masalah"].split()) <= 40


def test_precision_and_recall_at_the_default_threshold() -> None:
    precision, recall = precision_recall(PAIRS, DEFAULT_THRESHOLD)
    assert precision >= 0.9
    assert recall >= 0.8


def test_the_held_out_pairs_alone_meet_the_target_too() -> None:
    held_out = [p for p in PAIRS if p.get("held_out")]
    assert len(held_out) >= 15
    precision, recall = precision_recall(held_out, DEFAULT_THRESHOLD)
    assert precision >= 0.9
    assert recall >= 0.8


def test_score_is_symmetric_bounded_and_one_for_the_same_text() -> None:
    for pair in PAIRS:
        a, b = pair["a"], pair["b"]
        forward = pair_score(pair)
        assert 0.0 <= forward <= 1.0
        assert score(b["name"], b["masalah"], a["name"], a["masalah"]) == pytest.approx(forward)
        assert score(a["name"], a["masalah"], a["name"], a["masalah"]) == pytest.approx(1.0)


def test_without_masalah_only_near_identical_names_pass() -> None:
    assert score("Posyandu Digital Si Cantik", "", "SI CANTIK Posyandu Digital", "") == 1.0
    assert score("Puskesmas Ramah Lansia", "", "Puskesmas Keliling Malam Hari", "") < 0.42
    text = PAIRS[0]["a"]["masalah"]
    assert score("Bank Sampah Digital", text, "Bank Sampah Digital", "") == 1.0


def test_normalisation() -> None:
    # abbreviations expanded; generic words of names dropped; acronyms kept whole
    assert tokens("PKM") == tokens("puskesmas")
    assert tokens("Inovasi Layanan Aplikasi Berbasis Online Posyandu", name=True) == ["posyandu"]
    assert "sipandu" in tokens("SIPANDU (Sistem Informasi Pelayanan Terpadu)", name=True)
    assert tokens("Si Cantik", name=True) == tokens("SI-CANTIK", name=True) == ["sicantik"]
    assert tokens("yang di ke untuk dengan pada melalui dan") == []
    assert tokens("Dukcapil") == tokens("kependudukan dan pencatatan sipil")
    assert stem("pelayanan") == stem("melayani") == stem("dilayani")
    assert stem("pemantauan") == stem("memantau") == "pantau"
    assert tokens("Izin, usaha!") == tokens("izin usaha")
    # all in capitals, the words are not acronyms: stemmed as usual
    assert tokens("PEMBAYARAN PAJAK") == tokens("pembayaran pajak")


def test_nearest_finds_each_partner_among_every_other_pair() -> None:
    candidates = sides()
    missed = []
    for k, pair in enumerate(PAIRS):
        if pair["label"] not in SIMILAR or pair_score(pair) < DEFAULT_THRESHOLD:
            continue
        index = SimilarityIndex(c for c in candidates if c.id != 2 * k)
        found = index.nearest(pair["a"]["name"], pair["a"]["masalah"], threshold=DEFAULT_THRESHOLD)
        if 2 * k + 1 not in [m.id for m in found]:
            missed.append(pair["a"]["name"])
    assert missed == []


@pytest.mark.parametrize("threshold", [0.0, 0.2, DEFAULT_THRESHOLD, 0.6])
@pytest.mark.parametrize("limit", [1, 2, 5])
def test_nearest_gives_what_scoring_every_candidate_gives(threshold: float, limit: int) -> None:
    candidates = sides()
    # some without masalah: they are compared by name only
    candidates += [Candidate(1000 + c.id, c.name, "") for c in candidates[::7]]
    index = SimilarityIndex(candidates)
    for query in candidates[::3]:
        found = index.nearest(query.name, query.text, limit=limit, threshold=threshold)
        expected = brute_force(candidates, query.name, query.text, limit, threshold)
        assert [m.id for m in found] == [m.id for m in expected]
        assert [m.score for m in found] == pytest.approx([m.score for m in expected])
        assert len(found) <= limit
        assert all(m.score >= threshold for m in found)
        assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)


def test_nearest_among_many_overlapping_innovations_gives_what_scoring_every_one_gives() -> None:
    # innovations mixed from the pairs' words: many share much of a query's masalah, and a
    # candidate sharing more words can lose to one with a closer name
    rng = random.Random(7)
    names = [c.name for c in sides()]
    words = [w for c in sides() for w in c.text.split()]
    candidates = [
        Candidate(n, rng.choice(names), " ".join(rng.sample(words, rng.randint(0, 30))))
        for n in range(600)
    ]
    index = SimilarityIndex(candidates)
    for query in rng.sample(candidates, 40):
        for limit, threshold in [(1, 0.0), (2, 0.25), (3, DEFAULT_THRESHOLD)]:
            found = index.nearest(query.name, query.text, limit=limit, threshold=threshold)
            expected = brute_force(candidates, query.name, query.text, limit, threshold)
            assert [m.id for m in found] == [m.id for m in expected]


def test_nearest_respects_threshold_and_limit() -> None:
    index = SimilarityIndex(sides())
    pair = next(p for p in PAIRS if p["label"] == "same")
    name, text = pair["a"]["name"], pair["a"]["masalah"]
    best = index.nearest(name, text, limit=1, threshold=0.0)
    assert [m.id for m in best] == [0]
    assert best[0].score == pytest.approx(1.0)
    assert len(index.nearest(name, text, limit=2, threshold=0.0)) == 2
    assert len(index.nearest(name, text, limit=5, threshold=0.0)) == 5
    assert index.nearest(name, text, limit=0, threshold=0.0) == []
    partner = score(name, text, pair["b"]["name"], pair["b"]["masalah"])
    above = index.nearest(name, text, limit=5, threshold=partner + 1e-9)
    assert [m.id for m in above] == [0]
    assert index.nearest(name, text, limit=5, threshold=1.01) == []


def test_an_empty_index_finds_nothing() -> None:
    index = SimilarityIndex([])
    assert len(index) == 0
    assert index.nearest("Posyandu Digital", "Data balita dicatat manual.", threshold=0.0) == []
    assert index.nearest("", "", threshold=0.0) == []


def test_added_innovations_are_found_and_replaced_by_id() -> None:
    first, second = PAIRS[0]["a"], PAIRS[0]["b"]
    other = next(p for p in PAIRS if p["label"] == "different")["a"]
    index = SimilarityIndex()
    index.add(Candidate(7, first["name"], first["masalah"]))
    found = index.nearest(second["name"], second["masalah"], threshold=DEFAULT_THRESHOLD)
    assert [m.id for m in found] == [7]
    index.add(Candidate(7, other["name"], other["masalah"]))
    assert len(index) == 1
    assert index.nearest(second["name"], second["masalah"], threshold=DEFAULT_THRESHOLD) == []
    assert [m.id for m in index.nearest(other["name"], other["masalah"], threshold=0.9)] == [7]


def test_a_query_without_masalah_is_matched_by_name() -> None:
    index = SimilarityIndex(sides())
    found = index.nearest("SI CANTIK: Aplikasi Posyandu Cerdas", "", threshold=DEFAULT_THRESHOLD)
    # pair 1: "Posyandu Digital Si Cantik" (2) holds the same name words as the query (3) but one
    assert [m.id for m in found] == [2, 3]
    assert [m.score for m in found] == pytest.approx([1.0, 1.0])
    ids = {c.name: c.id for c in sides()}
    found = index.nearest("Ambulans Laut untuk Kepulauan", "", threshold=DEFAULT_THRESHOLD)
    assert found == [Match(ids["Ambulans Laut Kepulauan"], 1.0)]
    assert index.nearest("Arsip Kepegawaian Elektronik", "", threshold=DEFAULT_THRESHOLD) == []


def test_a_replaced_innovation_leaves_nothing_that_hides_another() -> None:
    first, second = PAIRS[0]["a"], PAIRS[0]["b"]
    index = SimilarityIndex([Candidate(1, first["name"], first["masalah"])])
    index.add(Candidate(2, second["name"], second["masalah"]))
    query = (first["name"], first["masalah"])
    before = [m.id for m in index.nearest(*query, threshold=0.3)]
    assert sorted(before) == [1, 2]
    # the same innovation again (a refresh), and changed a little: both still found
    index.add(Candidate(1, first["name"], first["masalah"]))
    index.add(Candidate(1, first["name"], first["masalah"] + " Pasien terlayani."))
    assert sorted(m.id for m in index.nearest(*query, threshold=0.3)) == [1, 2]
    assert len(index) == 2
