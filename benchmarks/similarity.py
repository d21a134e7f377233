"""Near-duplicate search: SimilarityIndex.nearest at 100,000 innovations, and the precision
and recall of score() on tests/data/similar-pairs.yaml.

    .venv/bin/python benchmarks/similarity.py --innovations 100000 --queries 200

Builds N synthetic but varied innovations (names and masalah texts put together from word
lists of Indonesian public-service vocabulary, seeded), then times nearest() for each query:
the similar pairs' first sides (their second sides are among the N), reworded copies of
random innovations (words dropped and swapped, another place), new random innovations, and
names alone (no masalah). Beside it, in the same run and for the same queries: rapidfuzz's
extract over every normalised name, and the score of every innovation (normalised
beforehand, and with score() on the raw text): what a search without the index costs.
Then precision and recall of score() >= threshold on the pairs file, at a few thresholds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import yaml
from rapidfuzz import fuzz, process

from benchmarks.benchlib import machine_summary, markdown_table, percentile
from models.similarity import (
    DEFAULT_THRESHOLD,
    Candidate,
    SimilarityIndex,
    combine,
    name_similarity,
    score,
    text_similarity,
    tokens,
)

PAIRS = Path(__file__).resolve().parents[1] / "tests/data/similar-pairs.yaml"
FIRST_PAIR_ID = 10_000_000
NAME_ONLY_QUERIES = 20
REFERENCE_RAW = 5_000  # score() of raw text is timed over this many and scaled up
THRESHOLDS = (0.30, 0.34, 0.38, 0.42, 0.46, 0.50, 0.54, 0.58)

SECTORS: dict[str, dict[str, list[str]]] = {
    "kesehatan": {
        "names": ["Posyandu", "Puskesmas", "Klinik", "Ambulans", "Rumah Sehat", "Kader", "Bidan"],
        "topics": ["Balita", "Ibu Hamil", "Lansia", "Gizi", "Stunting", "Imunisasi", "TBC",
                   "Hipertensi", "Remaja", "Jiwa", "Malaria", "Rujukan", "Persalinan"],
        "actors": ["ibu hamil", "balita", "pasien", "lansia", "kader posyandu", "bidan desa",
                   "penderita diabetes", "petugas puskesmas", "remaja putri"],
        "troubles": ["jarang diperiksa", "terlambat dirujuk", "tidak terpantau",
                     "tidak mendapat imunisasi", "kekurangan gizi", "menunggu berjam-jam"],
        "causes": ["jarak ke puskesmas jauh", "data dicatat di buku", "tenaga kesehatan terbatas",
                   "jadwal tidak diketahui", "biaya transportasi mahal", "obat sering habis"],
        "effects": ["angka kematian ibu tinggi", "kasus stunting meningkat",
                    "penyakit terlambat ditangani", "cakupan imunisasi rendah",
                    "rujukan menumpuk di rumah sakit"],
    },
    "kependudukan": {
        "names": ["Dukcapil", "Adminduk", "Akta", "KTP-el", "Kartu Keluarga", "Jemput Bola"],
        "topics": ["Keliling", "Sekolah", "Desa", "Malam Hari", "Rumah Sakit", "Pernikahan",
                   "Disabilitas", "Pindah Datang", "Kematian", "Kelahiran"],
        "actors": ["warga desa", "pengantin baru", "orang tua bayi", "penyandang disabilitas",
                   "pekerja pabrik", "ahli waris", "pendatang"],
        "troubles": ["belum memiliki akta", "tidak merekam KTP-el", "tidak memperbarui KK",
                     "bolak-balik ke kantor", "mengantre sejak pagi"],
        "causes": ["kantor dukcapil jauh", "berkas sering kurang", "layanan hanya jam kerja",
                   "blangko habis", "petugas terbatas"],
        "effects": ["data penduduk tidak mutakhir", "bantuan sosial salah sasaran",
                    "anak tidak bisa mendaftar sekolah", "hak pilih hilang"],
    },
    "pendidikan": {
        "names": ["Sekolah", "Literasi", "Beasiswa", "Guru", "Pojok Baca", "Perpustakaan"],
        "topics": ["Anak Nelayan", "Inklusi", "Digital", "Keliling", "Penggerak", "Ramah Anak",
                   "Numerasi", "Santri", "Putus Sekolah", "Kejuruan"],
        "actors": ["siswa sekolah dasar", "guru honorer", "anak nelayan", "santri", "lulusan SMK",
                   "orang tua siswa", "kepala sekolah"],
        "troubles": ["putus sekolah", "jarang membaca", "tertinggal pelajaran",
                     "tidak lulus asesmen", "menganggur setelah lulus"],
        "causes": ["biaya seragam mahal", "buku bacaan langka", "guru kurang terlatih",
                   "sekolah berjarak jauh", "kurikulum tidak sesuai industri"],
        "effects": ["nilai literasi rendah", "angka partisipasi sekolah turun",
                    "kualitas lulusan rendah", "kesenjangan pendidikan melebar"],
    },
    "perizinan": {
        "names": ["Perizinan", "Izin Usaha", "Mal Pelayanan Publik", "Gerai Izin", "Sertifikat"],
        "topics": ["UMKM", "Bangunan Gedung", "Halal", "Sehari Jadi", "Terpadu", "Reklame",
                   "Keliling", "Nelayan", "Pedagang Pasar"],
        "actors": ["pemohon izin", "pelaku UMKM", "pedagang kecil", "pengembang perumahan",
                   "investor", "pemilik toko"],
        "troubles": ["menunggu berminggu-minggu", "bolak-balik ke kantor", "ditolak kreditnya",
                     "tidak tahu status berkas", "membayar pungutan liar"],
        "causes": ["prosedur rumit", "berkas diproses manual", "pemeriksaan teknis terpisah",
                   "persyaratan tidak jelas", "loket hanya satu"],
        "effects": ["investasi daerah turun", "usaha tidak berizin", "pendapatan daerah hilang",
                    "kepercayaan publik menurun"],
    },
    "pertanian": {
        "names": ["Kartu Tani", "Klinik Tanaman", "Sekolah Lapang", "Lumbung Pangan", "Penyuluh"],
        "topics": ["Padi", "Jagung", "Milenial", "Organik", "Hama", "Irigasi", "Pupuk",
                   "Asuransi", "Hortikultura"],
        "actors": ["petani padi", "kelompok tani", "penyuluh pertanian", "petani muda",
                   "peternak sapi", "nelayan tangkap"],
        "troubles": ["gagal panen", "kesulitan pupuk subsidi", "menjual hasil panen murah",
                     "tidak mengenali hama", "kehilangan modal"],
        "causes": ["data penerima tidak akurat", "penyuluh terbatas", "harga dikuasai tengkulak",
                   "irigasi rusak", "cuaca tidak menentu"],
        "effects": ["produksi pangan turun", "pendapatan petani rendah", "pemuda enggan bertani",
                    "ketahanan pangan terancam"],
    },
    "lingkungan": {
        "names": ["Bank Sampah", "Kampung Iklim", "Panen Air Hujan", "Sedekah Sampah", "TPS3R"],
        "topics": ["Sekolah", "Digital", "Pasar", "Plastik", "Kompos", "Sungai", "Organik",
                   "Mangrove", "Hutan Kota"],
        "actors": ["rumah tangga", "pedagang pasar", "siswa", "pengelola bank sampah",
                   "warga bantaran sungai"],
        "troubles": ["membuang sampah ke sungai", "membakar sampah", "kekurangan air bersih",
                     "terkena banjir", "tidak memilah sampah"],
        "causes": ["TPS penuh", "pengangkutan tidak rutin", "pencatatan tabungan manual",
                   "sumur kering saat kemarau", "drainase tersumbat"],
        "effects": ["TPA cepat penuh", "sungai tercemar", "biaya angkut membengkak",
                    "penyakit diare meningkat"],
    },
    "pajak": {
        "names": ["E-PBB", "Pajak Daerah", "Retribusi", "Samsat", "E-Tax", "Bapenda"],
        "topics": ["Nontunai", "Pasar", "Desa", "Restoran", "Hotel", "Kendaraan", "Reklame",
                   "Parkir", "Keliling"],
        "actors": ["wajib pajak", "pedagang pasar", "pemilik kendaraan", "pengusaha restoran",
                   "petugas pemungut", "juru parkir"],
        "troubles": ["menunggak pajak", "mengantre di bank", "membayar tunai",
                     "tidak melapor omzet", "tidak menerima karcis"],
        "causes": ["kantor pelayanan jauh", "setoran dicatat manual", "tagihan tidak sampai",
                   "tidak ada bukti transaksi", "petugas terbatas"],
        "effects": ["pendapatan asli daerah bocor", "realisasi pajak rendah",
                    "tunggakan menumpuk", "setoran tidak transparan"],
    },
    "sosial": {
        "names": ["Rumah Singgah", "Lumbung Sosial", "Bantuan Sosial", "Kampung KB",
                  "Sekolah Lansia"],
        "topics": ["Pasien Rujukan", "Bencana", "Disabilitas", "Anak Jalanan", "Perempuan",
                   "Lansia", "Keluarga Miskin", "Narkoba", "ODGJ"],
        "actors": ["keluarga miskin", "penyandang disabilitas", "korban bencana", "anak jalanan",
                   "perempuan kepala keluarga", "lansia terlantar"],
        "troubles": ["tidak menerima bantuan", "terlambat ditolong", "tidak punya tempat tinggal",
                     "menjadi korban kekerasan", "dipasung keluarga"],
        "causes": ["data terpadu tidak mutakhir", "dinas sosial jauh",
                   "tidak ada cadangan logistik", "pendamping terbatas", "stigma di masyarakat"],
        "effects": ["kemiskinan bertambah", "korban jiwa meningkat", "bantuan salah sasaran",
                    "anak putus sekolah"],
    },
    "infrastruktur": {
        "names": ["Lapor Jalan", "PJU", "Air Minum", "PDAM", "Jembatan", "Drainase"],
        "topics": ["Rusak", "Pintar", "Desa", "Gratis", "Kebocoran", "Tenaga Surya",
                   "Kawasan Kumuh", "Perbatasan"],
        "actors": ["pengguna jalan", "pelanggan PDAM", "kepala desa", "warga perbatasan",
                   "sopir angkutan"],
        "troubles": ["melewati jalan berlubang", "tidak mendapat air", "gelap pada malam hari",
                     "menunggu perbaikan berbulan-bulan"],
        "causes": ["laporan lewat surat", "lokasi kerusakan tidak jelas", "pipa distribusi tua",
                   "anggaran pemeliharaan kecil"],
        "effects": ["kecelakaan meningkat", "kehilangan air tinggi", "ekonomi desa terhambat",
                    "keluhan publik viral"],
    },
    "kepegawaian": {
        "names": ["E-Kinerja", "Absensi", "E-Learning", "Tunjangan", "Kepegawaian"],
        "topics": ["ASN", "Pegawai Honorer", "Berbasis Lokasi", "Kecamatan", "Guru",
                   "Perangkat Desa"],
        "actors": ["pegawai ASN", "atasan langsung", "perangkat desa", "pegawai honorer",
                   "bagian kepegawaian"],
        "troubles": ["datang terlambat", "tidak mengikuti pelatihan", "dinilai tidak objektif",
                     "terlambat menerima tunjangan"],
        "causes": ["absen ditulis di buku", "formulir kertas", "pelatihan di ibu kota provinsi",
                   "data kinerja tersebar"],
        "effects": ["pelayanan kosong pada jam kerja", "kompetensi pegawai rendah",
                    "perhitungan TPP salah"],
    },
}  # fmt: skip
PLACE_HEADS = [
    "Suka",
    "Mekar",
    "Karang",
    "Tegal",
    "Sido",
    "Margo",
    "Tanjung",
    "Sumber",
    "Kali",
    "Bukit",
    "Air",
    "Batu",
    "Tirta",
    "Jati",
    "Rejo",
    "Wono",
    "Sari",
    "Banyu",
]
PLACE_TAILS = [
    "maju",
    "sari",
    "anyar",
    "rejo",
    "mulyo",
    "jaya",
    "makmur",
    "asri",
    "harjo",
    "agung",
    "wangi",
    "indah",
    "baru",
    "raya",
    "tengah",
    "kencana",
    "luhur",
    "dadi",
]
REGIONS = ["Kabupaten", "Kota", "Kecamatan", "Desa", "Kelurahan"]
LINKS = ["sehingga", "akibatnya", "dan akhirnya", "yang menyebabkan"]
NAME_EXTRAS = [
    "Terpadu",
    "Cerdas",
    "Mandiri",
    "Sehat",
    "Siaga",
    "Gratis",
    "Bersama",
    "Berbasis Masyarakat",
    "Online",
    "Digital",
    "Keliling",
    "24 Jam",
]
SYLLABLES = ["si", "pa", "ndu", "ma", "nis", "ta", "ri", "ka", "sa", "ha", "ti", "be", "ra",
             "ja", "mu", "ke", "lo", "gi", "du", "nu", "ba", "ce", "ria", "tan", "pu"]  # fmt: skip


def place(rng: random.Random) -> str:
    """Return a made-up place: 'Desa Sukamaju'."""
    return f"{rng.choice(REGIONS)} {rng.choice(PLACE_HEADS)}{rng.choice(PLACE_TAILS)}"


def innovation(rng: random.Random) -> tuple[str, str]:
    """Return a random (name, masalah)."""
    sector = SECTORS[rng.choice(list(SECTORS))]
    words = [rng.choice(sector["names"]), rng.choice(sector["topics"])]
    if rng.random() < 0.5:
        words.append(rng.choice(NAME_EXTRAS))
    name = " ".join(words)
    if rng.random() < 0.4:
        acronym = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).upper()
        name = f"{acronym}: {name}" if rng.random() < 0.5 else f"{name} ({acronym})"
    if rng.random() < 0.3:
        name += " " + place(rng).split(" ", 1)[1]
    clauses = [
        f"Banyak {rng.choice(sector['actors'])} di {place(rng)}",
        f"{rng.choice(sector['troubles'])} karena {rng.choice(sector['causes'])}",
        f"serta {rng.choice(sector['actors'])} {rng.choice(sector['troubles'])}",
        f"{rng.choice(LINKS)} {rng.choice(sector['effects'])}",
    ]
    if rng.random() < 0.7:
        clauses.append(f"dan {rng.choice(sector['effects'])} di {place(rng)}")
    return name, " ".join(clauses) + "."


def reworded(rng: random.Random, name: str, text: str) -> tuple[str, str]:
    """Return a reworded copy: a fifth of the masalah's words dropped, two swapped, another
    place named."""
    words = [w for w in text.split() if rng.random() > 0.2]
    for _ in range(2):
        i, j = rng.randrange(len(words)), rng.randrange(len(words))
        words[i], words[j] = words[j], words[i]
    return name, " ".join(words) + f" Terjadi juga di {place(rng)}."


def load_pairs() -> list[dict[str, Any]]:
    """Return the labelled pairs."""
    pairs: list[dict[str, Any]] = yaml.safe_load(PAIRS.read_text())["pairs"]
    return pairs


def pair_scores(pairs: list[dict[str, Any]], *, name_only: bool = False) -> list[float]:
    """Return score() of each pair (name_only: the second side's masalah left out)."""
    return [
        score(
            p["a"]["name"],
            p["a"]["masalah"],
            p["b"]["name"],
            "" if name_only else p["b"]["masalah"],
        )
        for p in pairs
    ]


def precision_recall(pairs: list[dict[str, Any]], scores: list[float], threshold: float) -> str:
    """Return 'precision / recall (tp, fp, fn)' of score >= threshold for "similar"."""
    similar = [p["label"] != "different" for p in pairs]
    tp = sum(s >= threshold and y for s, y in zip(scores, similar, strict=True))
    fp = sum(s >= threshold and not y for s, y in zip(scores, similar, strict=True))
    fn = sum(s < threshold and y for s, y in zip(scores, similar, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    return f"{precision:.3f} / {tp / (tp + fn):.3f} ({tp}, {fp}, {fn})"


def quality_table(pairs: list[dict[str, Any]]) -> str:
    """Return the precision/recall table at each threshold."""
    tuning = [p for p in pairs if not p.get("held_out")]
    held_out = [p for p in pairs if p.get("held_out")]
    columns = [
        (tuning, pair_scores(tuning)),
        (held_out, pair_scores(held_out)),
        (pairs, pair_scores(pairs)),
        (pairs, pair_scores(pairs, name_only=True)),
    ]
    rows = []
    for threshold in sorted({*THRESHOLDS, DEFAULT_THRESHOLD}):
        mark = " (default)" if threshold == DEFAULT_THRESHOLD else ""
        cells = [precision_recall(ps, scores, threshold) for ps, scores in columns]
        rows.append([f"{threshold:.2f}{mark}", *cells])
    header = [
        "threshold",
        f"tuning pairs ({len(tuning)})",
        f"held-out pairs ({len(held_out)})",
        f"all pairs ({len(pairs)})",
        "all, names only",
    ]
    return markdown_table(header, rows)


def references(
    index: SimilarityIndex,
    candidates: list[Candidate],
    queries: list[tuple[str, str, str, Any]],
    threshold: float,
) -> str:
    """Return the table of what one query costs without the index's shortcuts, and whether
    the index's best match is the best of scoring every innovation."""
    keys = [" ".join(tokens(c.name, name=True)) for c in candidates]
    prepared = [(key, set(tokens(c.text))) for key, c in zip(keys, candidates, strict=True)]
    rows = []
    for kind in ("pair", "reworded", "new"):
        _, name, text, _ = next(q for q in queries if q[0] == kind)
        key, words = " ".join(tokens(name, name=True)), set(tokens(text))
        t0 = time.perf_counter()
        index.nearest(name, text, limit=2, threshold=threshold)
        t1 = time.perf_counter()
        process.extract(key, keys, scorer=fuzz.token_set_ratio, processor=None, limit=2)
        t2 = time.perf_counter()
        full = max(
            combine(name_similarity([k], [key]), text_similarity(w, words) if w else None)
            for k, w in prepared
        )
        t3 = time.perf_counter()
        max(score(name, text, c.name, c.text) for c in candidates[:REFERENCE_RAW])
        t4 = time.perf_counter()
        ms = [(t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000]
        raw_ms = (t4 - t3) * 1000 * len(candidates) / REFERENCE_RAW
        best = index.nearest(name, text, limit=1, threshold=0.0)
        same = "yes" if best and best[0].score == full else f"no ({full:.3f})"
        rows.append([kind, *(f"{v:.1f}" for v in ms), f"{raw_ms:.0f}", f"{full:.3f}, {same}"])
    header = [
        "query", "nearest() ms", "extract over all names ms", "score every one, prepared ms",
        "score() every one ms (est.)", "best score; nearest() agrees",
    ]  # fmt: skip
    return markdown_table(header, rows)


def main() -> None:
    """Parse the command line, build, time, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--innovations", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pairs = load_pairs()
    similar = [p for p in pairs if p["label"] != "different"]

    candidates = [Candidate(n, *innovation(rng)) for n in range(args.innovations)]
    for k, pair in enumerate(similar):
        candidates.append(Candidate(FIRST_PAIR_ID + k, pair["b"]["name"], pair["b"]["masalah"]))
    rng.shuffle(candidates)
    words = sum(len(c.text.split()) for c in candidates) / len(candidates)

    tracemalloc.start()
    SimilarityIndex(candidates)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    began = time.perf_counter()
    index = SimilarityIndex(candidates)
    build = time.perf_counter() - began

    queries: list[tuple[str, str, str, int | None]] = [
        ("pair", p["a"]["name"], p["a"]["masalah"], FIRST_PAIR_ID + k)
        for k, p in enumerate(similar)
    ]
    synthetic = [c for c in candidates if c.id < FIRST_PAIR_ID]
    rest = max(0, args.queries - len(queries) - NAME_ONLY_QUERIES)
    for original in rng.sample(synthetic, rest // 2):
        queries.append(("reworded", *reworded(rng, original.name, original.text), original.id))
    while len(queries) < args.queries - NAME_ONLY_QUERIES:
        queries.append(("new", *innovation(rng), None))
    for original in rng.sample(synthetic, NAME_ONLY_QUERIES):
        queries.append(("name only", original.name, "", original.id))

    times: dict[str, list[float]] = {}
    found: dict[str, int] = {}
    answered: dict[str, int] = {}
    for kind, name, text, expected in queries:
        t0 = time.perf_counter()
        matches = index.nearest(name, text, limit=2, threshold=args.threshold)
        times.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
        found[kind] = found.get(kind, 0) + any(m.id == expected for m in matches)
        answered[kind] = answered.get(kind, 0) + bool(matches)

    print(machine_summary())
    print(
        f"{len(candidates):,} innovations ({len(similar)} of them the pairs' second sides), "
        f"{words:.1f} words of masalah on average; threshold {args.threshold:.2f}\n"
    )
    print(f"Build {build:.1f} s; peak memory while building {peak / 2**20:.0f} MiB (tracemalloc)\n")
    every = [t for kind in times for t in times[kind]]
    rows = []
    for kind, values in [*times.items(), ("all", every)]:
        hits = "-" if kind in ("new", "name only", "all") else f"{found[kind]}/{len(values)}"
        warned = sum(answered.values()) if kind == "all" else answered[kind]
        rows.append([
            kind, str(len(values)), f"{statistics.median(values):.1f}",
            f"{percentile(values, 95):.1f}", f"{max(values):.1f}", hits, f"{warned}/{len(values)}",
        ])  # fmt: skip
    header = ["queries", "n", "median ms", "p95 ms", "max ms", "expected found", "any match"]
    print(markdown_table(header, rows))
    print("\nReference, same run: the first query of each kind with masalah\n")
    print(references(index, candidates, queries, args.threshold) + "\n")
    print("Precision / recall (true positives, false positives, false negatives):\n")
    print(quality_table(pairs))


if __name__ == "__main__":
    main()
