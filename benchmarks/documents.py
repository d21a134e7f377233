"""Word documents at scale: the profile and proposal .docx of many synthetic innovations.

    .venv/bin/python benchmarks/documents.py --innovations 1000

Each innovation has 20 profile fields (5 of them long texts of 100-400 words in paragraphs),
20 indicators and 8 proposal sections of 100-500 words, made up from an Indonesian
vocabulary with a fixed seed and generated outside the timed part. Each of these runs in a
process of its own, forked from one with the bot's imports (each starts from the same memory):

1. the references: the same text written as a plain UTF-8 .txt file, and an empty python-docx
   ``Document()`` saved, once per innovation (the library's fixed cost per file);
2. ``profile_docx`` and ``proposal_docx`` for every innovation (wall time, per document);
3. the same with ``_release`` patched out: the saved documents' reference cycles are left to
   the garbage collector, as python-docx leaves them.

Memory: ``resource.getrusage`` maxrss (peak RSS) at the start and end of each process, and,
in a second pass over ``--traced`` innovations, the largest tracemalloc peak of one document
(Python's allocations only: lxml's own memory is not traced, maxrss has it).
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import astuple
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import docx

from benchmarks.benchlib import markdown_table, p50_95_99, run_summary
from bot.documents import docx as rendering
from bot.documents.model import (
    DocumentTexts,
    Field,
    IndicatorRow,
    ProfileDocument,
    ProposalDocument,
    Section,
)

VOCABULARY = (
    "layanan publik inovasi daerah masyarakat desa kader posyandu puskesmas data warga ibu "
    "anak balita jadwal pelaporan aplikasi digital pemerintah kabupaten dinas kesehatan "
    "pendidikan anggaran kegiatan program pelaksanaan evaluasi pemantauan kualitas waktu "
    "biaya manfaat hasil dampak keberlanjutan replikasi kolaborasi partisipasi informasi "
    "sistem pengaduan perbatasan sungai jaringan sinyal telepon laporan bulanan triwulan "
    "musyawarah rencana tujuan sasaran indikator capaian peningkatan penurunan keluarga "
    "petugas bidan perangkat kecamatan kelurahan transparansi akuntabilitas efisiensi"
)
WORDS = VOCABULARY.split()
TEXTS = DocumentTexts(
    profile_heading="Profil Inovasi",
    indicators_heading="Indikator Penilaian",
    column_no="No",
    column_indicator="Indikator",
    column_level="Parameter",
    column_weight="Bobot",
    column_score="Skor",
    column_evidence="Data Dukung",
    total="Jumlah (dari {max})",
    evidence_heading="Daftar Data Dukung",
    none="Belum diisi",
    proposal_heading="Proposal Inovasi",
    weight_words="Bobot {weight}% · {words}/{max} kata",
    generated_on="Dibuat pada 1 Desember 2026",
)
MiB = 1024 * 1024


def prose(rng: random.Random, words: int) -> str:
    """Return ``words`` words in sentences of 8-20 words and paragraphs of 40-90 words."""
    paragraphs, sentences, left = [], [], words
    while left > 0:
        size = min(left, rng.randint(8, 20))
        sentence = " ".join(rng.choices(WORDS, k=size))
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
        left -= size
        if sum(len(s.split()) for s in sentences) >= rng.randint(40, 90) or left <= 0:
            paragraphs.append(" ".join(sentences))
            sentences = []
    return "\n\n".join(paragraphs)


def innovation(n: int) -> tuple[ProfileDocument, ProposalDocument]:
    """Return the profile and the proposal of synthetic innovation ``n``."""
    rng = random.Random(n)
    code = f"INO-2026-{n:06d}"
    title = f"Inovasi {n}: " + " ".join(rng.choices(WORDS, k=4)).title()
    subtitle = "Dinas " + rng.choice(WORDS).title()
    long_at = set(rng.sample(range(20), 5))
    fields = tuple(
        Field(f"Isian {i + 1}", prose(rng, rng.randint(100, 400)), long=True)
        if i in long_at
        else Field(f"Isian {i + 1}", " ".join(rng.choices(WORDS, k=rng.randint(1, 8))))
        for i in range(20)
    )
    indicators = tuple(
        IndicatorRow(
            i + 1,
            " ".join(rng.choices(WORDS, k=rng.randint(3, 8))).capitalize(),
            None if rng.random() < 0.1 else " ".join(rng.choices(WORDS, k=rng.randint(2, 6))),
            5.0,
            rng.choice((0.0, 1.25, 2.5, 3.75, 5.0)),
            tuple(f"{code}-{i + 1}-{k}.pdf" for k in range(rng.randint(0, 3))),
        )
        for i in range(20)
    )
    texts = [prose(rng, rng.randint(100, 500)) for _ in range(8)]
    sections = tuple(
        Section(f"s{i}", f"Bagian {i + 1}", 12.5, 500, text, len(text.split()))
        for i, text in enumerate(texts)
    )
    profile = ProfileDocument(
        title, code, subtitle, fields, indicators,
        sum(r.score for r in indicators), 100.0,
        tuple(name for r in indicators for name in r.evidence), TEXTS,
    )  # fmt: skip
    return profile, ProposalDocument(title, code, subtitle, sections, TEXTS)


def plain_text(doc: ProfileDocument | ProposalDocument) -> bytes:
    """Return the document's text as a UTF-8 .txt file: the same strings, one per line."""
    lines = [doc.title, doc.code or "", doc.subtitle, doc.texts.generated_on]
    if isinstance(doc, ProfileDocument):
        lines += [line for f in doc.fields for line in (f.label, f.value)]
        lines += ["\t".join(map(str, astuple(row))) for row in doc.indicators]
        lines += [str(doc.total_score), str(doc.max_score), *doc.evidence]
    else:
        lines += [f"{s.label}\n{s.weight}% {s.words}/{s.max_words}\n{s.text}" for s in doc.sections]
    return "\n".join(lines).encode()


def empty_docx(doc: ProfileDocument | ProposalDocument) -> bytes:
    """Return an empty python-docx document, saved (and released as the renderer does)."""
    out = io.BytesIO()
    word = docx.Document()
    word.save(out)
    rendering._release(word)
    return out.getvalue()


def maxrss_mib() -> float:
    """Return the peak RSS of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def documents(count: int) -> Iterator[tuple[ProfileDocument, ProposalDocument]]:
    """Yield the innovations one at a time (only one is ever held)."""
    return (innovation(n) for n in range(count))


ProfileRender = Callable[[ProfileDocument], bytes]
ProposalRender = Callable[[ProposalDocument], bytes]
WAYS: list[tuple[str, ProfileRender, ProposalRender]] = [
    ("plain .txt (reference)", plain_text, plain_text),
    ("empty Document() + save (reference)", empty_docx, empty_docx),
    ("profile_docx + proposal_docx", rendering.profile_docx, rendering.proposal_docx),
    ("the same, cycles left to the collector", rendering.profile_docx, rendering.proposal_docx),
]
UNRELEASED = 3  # the way that runs with rendering._release patched out


def timed(count: int, profile: ProfileRender, proposal: ProposalRender) -> list[str]:
    """Render both documents of ``count`` innovations; return the table cells."""
    per_doc: list[float] = []
    sizes = [0, 0]
    start = maxrss_mib()
    for one, other in documents(count):
        t0 = time.perf_counter()
        data = profile(one)
        t1 = time.perf_counter()
        more = proposal(other)
        per_doc += [(t1 - t0) * 1000, (time.perf_counter() - t1) * 1000]
        sizes[0] += len(data)
        sizes[1] += len(more)
    total = sum(per_doc) / 1000
    return [
        f"{count * 2:,}", f"{total:.2f}", f"{total * 1000 / len(per_doc):.2f}",
        p50_95_99(per_doc), f"{sizes[0] / count / 1024:.1f} / {sizes[1] / count / 1024:.1f}",
        f"{start:.1f} → {maxrss_mib():.1f}",
    ]  # fmt: skip


def traced_peak(count: int, profile: ProfileRender, proposal: ProposalRender) -> str:
    """Return the largest tracemalloc peak of one document over ``count`` innovations."""
    peak = 0
    tracemalloc.start()
    try:
        for one, other in documents(count):
            for render in (partial(profile, one), partial(proposal, other)):
                tracemalloc.reset_peak()
                before = tracemalloc.get_traced_memory()[0]
                render()
                peak = max(peak, tracemalloc.get_traced_memory()[1] - before)
    finally:
        tracemalloc.stop()
    return f"{peak / MiB:.2f}"


def measure(way: int, count: int, traced: int) -> list[str]:
    """Run one way in this (forked, fresh) process: time, maxrss, then tracemalloc."""
    name, profile, proposal = WAYS[way]
    if way == UNRELEASED:
        rendering._release = lambda word: None
    return [name, *timed(count, profile, proposal), traced_peak(traced, profile, proposal)]


def check(count: int) -> None:
    """Open the last innovation's two documents again and check their titles."""
    profile, proposal = innovation(count - 1)
    pairs = (
        (rendering.profile_docx(profile), profile),
        (rendering.proposal_docx(proposal), proposal),
    )
    for data, doc in pairs:
        opened = docx.Document(io.BytesIO(data))
        assert opened.core_properties.title == doc.title, opened.core_properties.title
        assert opened.paragraphs[0].text == doc.title


def main() -> None:
    """Parse the command line, run each way in a process of its own, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--innovations", type=int, default=1000)
    parser.add_argument("--traced", type=int, default=100, help="innovations under tracemalloc")
    args = parser.parse_args()
    began = time.perf_counter()
    check(args.innovations)
    t0 = time.perf_counter()
    generated = sum(len(p.fields) for p, _ in documents(args.innovations))
    generation = time.perf_counter() - t0
    rows = []
    for way in range(len(WAYS)):
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            rows.append(pool.submit(measure, way, args.innovations, args.traced).result())
    print(run_summary(began))
    print(
        f"{args.innovations:,} innovations ({generated:,} fields), generated in "
        f"{generation:.2f} s outside the timed part; each row ran in a process of its own, "
        f"forked from one with the bot's imports\n"
    )
    header = [
        "what", "documents", "total s", "ms per document", "p50 / p95 / p99 ms",
        "KiB per profile / proposal", "maxrss start → end MiB",
        f"tracemalloc peak of one document MiB ({args.traced} innovations)",
    ]  # fmt: skip
    print(markdown_table(header, rows))


if __name__ == "__main__":
    main()
