"""Near-duplicate search over a Pemda's innovations: after the name and the masalah of a new
registration are given, find the registered innovations that are very similar to it.

Pure and platform-free: candidates are plain (id, name, text) records, the caller loads them
from wherever it keeps them. Text is normalised for Indonesian (lowercase, punctuation
stripped, frequent abbreviations expanded, stop words and the generic words of innovation
names dropped, a light affix-stripping stemmer, acronyms such as "SIPANDU" kept whole) and
compared with rapidfuzz (names) and the overlap of the remaining words (masalah).
"""

from __future__ import annotations

import heapq
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

# Chosen on tests/data/similar-pairs.yaml (docs/benchmarks.md, "Near-duplicate search"): the
# middle of the thresholds with precision >= 0.9 and recall >= 0.8 on the tuning pairs.
DEFAULT_THRESHOLD = 0.42

NAME_WEIGHT = 0.3
TEXT_WEIGHT = 0.7
# without a masalah on both sides only the names are compared, and must be much closer
NAME_ONLY_POWER = 4

_STOP_WORDS = """
ada adalah agar akan akibat akibatnya antara atas atau bagi bahkan baik banyak baru begitu
beberapa belum berbagai bersama bisa cukup dalam dan dapat dari demi dengan di dia hal
hampir hanya harus hingga ia ini itu jadi jika juga kami karena ke ketika kita lain lalu
lebih lewat maka masih mau melalui mereka meski mesti namun nya oleh pada padahal para pun
saat saja salah sampai sangat satu seperti sebab sebagai sebagian secara sedang sejak selalu
selama sementara semua sendiri sering serta setelah setiap sudah tak tanpa telah tentang
terhadap terus tetapi tidak tiap untuk wajib yaitu yang warga masyarakat pemerintah
kabupaten kota provinsi kecamatan kelurahan"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
_GENERIC_NAME_WORDS = """
inovasi program layanan pelayanan sistem informasi aplikasi berbasis online daring digital
elektronik e smart gerakan kegiatan terpadu terintegrasi via"""
GENERIC_NAME_WORDS = frozenset(_GENERIC_NAME_WORDS.split())
_ABBREVIATIONS = """
pkm=puskesmas, yankes=pelayanan kesehatan, dukcapil=kependudukan pencatatan sipil,
disdukcapil=kependudukan pencatatan sipil, capil=pencatatan sipil,
adminduk=administrasi kependudukan, ktp=kartu tanda penduduk, el=elektronik,
kk=kartu keluarga, kia=kartu identitas anak, pbb=pajak bumi bangunan,
pkb=pajak kendaraan bermotor, pju=penerangan jalan umum, umkm=usaha mikro kecil menengah,
ukm=usaha kecil menengah, mpp=mal pelayanan publik, rsud=rumah sakit umum daerah,
rs=rumah sakit, kb=keluarga berencana, bab=buang air besar, babs=buang air besar sembarangan,
tbc=tuberkulosis, tb=tuberkulosis, bansos=bantuan sosial, pungli=pungutan liar,
damkar=pemadam kebakaran, sd=sekolah dasar, smp=sekolah menengah pertama,
sma=sekolah menengah atas, pns=asn, odgj=orang gangguan jiwa, antrian=antrean,
daring=online, difabel=disabilitas, lansia=lanjut usia,
nakes=tenaga kesehatan, dinkes=dinas kesehatan, disdik=dinas pendidikan,
dpmptsp=penanaman modal pelayanan perizinan, opd=perangkat daerah"""
ABBREVIATIONS = dict(item.strip().split("=") for item in _ABBREVIATIONS.split(","))
_PREFIXES: tuple[str, ...] = ("meng", "meny", "peng", "peny", "mem", "men", "pem", "pen", "ber")
_PREFIXES += ("ter", "per", "me", "pe", "di", "ke", "se")  # longest first
# a nasal prefix before a vowel stands for the root's first letter: memantau, menanam, menyusun
_RECODED = {"mem": "p", "pem": "p", "men": "t", "pen": "t", "meny": "s", "peny": "s"}
_VOWELS = frozenset("aiueo")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Candidate:
    """One registered innovation: its id, name and masalah (``text``, may be empty)."""

    id: int
    name: str
    text: str


@dataclass(frozen=True)
class Match:
    """A similar innovation and its score (0..1, see ``score``)."""

    id: int
    score: float


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Return ``word`` without its common Indonesian affixes (at least four letters kept):
    "pelayanan" and "melayani" both become "layan", "pemantauan" and "memantau" "pantau".
    Crude (no dictionary of roots), but the same word always gets the same stem."""
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix in ("nya", "lah", "kah"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    for suffix in ("kan", "an", "i"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    for _ in range(2):  # "kependudukan" -> "penduduk" -> "duduk"
        for prefix in _PREFIXES:
            rest = word[len(prefix) :]
            if word.startswith(prefix) and len(rest) >= 4 and _can_start(rest):
                word = _RECODED.get(prefix, "") + rest if rest[0] in _VOWELS else rest
                break
    return word


def _can_start(rest: str) -> bool:
    """Return whether a root can begin so (not "rtifikasi" of "sertifikasi")."""
    return rest[0] in _VOWELS or rest[1] in _VOWELS or rest[1] in "rlhy" or rest[:2] == "ng"


def tokens(text: str, *, name: bool = False) -> list[str]:
    """Return the normalised words of ``text``: lowercase, abbreviations expanded, stop
    words (and for a name, its generic words) dropped, stemmed. "Si" joins the word after
    it ("Si Cantik", "SI-CANTIK", "SiCantik" are all "sicantik"); an acronym written in
    capitals that is no known abbreviation is kept whole, unstemmed."""
    words = _WORD.findall(text)
    shouting = len(words) > 1 and text.isupper()  # all in capitals: no word is an acronym
    out: list[str] = []
    i = 0
    while i < len(words):
        raw, lower, merged = words[i], words[i].lower(), False
        i += 1
        if lower == "si" and i < len(words):
            lower, merged = "si" + words[i].lower(), True
            i += 1
        expansion = ABBREVIATIONS.get(lower)
        dropped = lower in STOP_WORDS or (name and lower in GENERIC_NAME_WORDS)
        acronym = merged or (raw.isupper() and len(raw) > 1 and not shouting)
        if expansion is None and acronym and not dropped:
            out.append(sys.intern(lower))
            continue
        for word in (expansion or lower).split():
            if word in STOP_WORDS or (name and word in GENERIC_NAME_WORDS):
                continue
            stemmed = stem(word)
            if (len(stemmed) > 1 or stemmed.isdigit()) and stemmed not in STOP_WORDS:
                out.append(sys.intern(stemmed))
    return out


def name_similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """Return how alike two normalised names are (rapidfuzz's token set ratio, 0..1)."""
    return fuzz.token_set_ratio(" ".join(a), " ".join(b), processor=None) / 100


def text_similarity(a: Iterable[str], b: Iterable[str]) -> float:
    """Return how alike two normalised texts are: the Dice coefficient of their words."""
    left, right = set(a), set(b)
    if not left or not right:
        return 0.0
    return 2 * len(left & right) / (len(left) + len(right))


def combine(name_sim: float, text_sim: float | None) -> float:
    """Return the score of a name similarity and a text similarity (None: no text)."""
    if text_sim is None:
        return float(name_sim**NAME_ONLY_POWER)
    return NAME_WEIGHT * name_sim + TEXT_WEIGHT * text_sim


def score(name_a: str, text_a: str, name_b: str, text_b: str) -> float:
    """Return how similar two innovations are, 0..1.

    ``0.3 * name + 0.7 * text``: ``name`` is rapidfuzz's token set ratio of the normalised
    names (generic words such as "inovasi", "layanan", "aplikasi" dropped), ``text`` the
    Dice coefficient of the normalised words of the two masalah texts (stop words dropped,
    stemmed). The masalah weighs more: names are short and often share a sector's words
    ("Puskesmas Ramah Lansia", "Puskesmas Keliling Malam Hari") or an acronym.

    When either masalah has no words left, only the names count, as ``name ** 4``: a name
    similarity of 0.8 scores 0.41, 0.9 scores 0.66, identical names 1.
    """
    text_tokens_a, text_tokens_b = tokens(text_a), tokens(text_b)
    name_sim = name_similarity(tokens(name_a, name=True), tokens(name_b, name=True))
    if not text_tokens_a or not text_tokens_b:
        return combine(name_sim, None)
    return combine(name_sim, text_similarity(text_tokens_a, text_tokens_b))


class SimilarityIndex:
    """The innovations to compare a new one with, prepared for fast ``nearest`` queries.

    ``nearest`` gives what ``score`` against every innovation would give, without scoring
    every one: an inverted index counts the masalah words each innovation shares with the
    query, which bounds its score from above (names at most identical); innovations are
    scored fully in the order of that bound until it falls below the threshold or the
    ``limit``-th best score. Names alone (a side without masalah) are searched with
    rapidfuzz over the names, with the cutoff the threshold implies.

    Adding an id that is already there replaces its earlier version.
    """

    def __init__(self, candidates: Iterable[Candidate] = ()) -> None:
        self._ids: list[int | None] = []  # by slot; None once replaced
        self._names: list[str] = []  # normalised name words; "" once replaced
        self._sizes: list[int] = []  # distinct masalah words
        self._postings: dict[str, list[int]] = {}  # masalah word -> slots
        self._name_only: list[int] = []  # slots without masalah words
        self._slots: dict[int, int] = {}
        self._added: dict[int, Candidate] = {}  # by id: what its slot holds
        for candidate in candidates:
            self.add(candidate)

    def __len__(self) -> int:
        return len(self._slots)

    def add(self, candidate: Candidate) -> None:
        """Add one innovation (or replace the one with its id; the same again changes
        nothing)."""
        if self._added.get(candidate.id) == candidate:
            return
        self._added[candidate.id] = candidate
        old = self._slots.get(candidate.id)
        if old is not None:
            self._ids[old] = None
            self._names[old] = ""
        slot = len(self._ids)
        words = set(tokens(candidate.text))
        self._ids.append(candidate.id)
        self._names.append(" ".join(tokens(candidate.name, name=True)))
        self._sizes.append(len(words))
        self._slots[candidate.id] = slot
        if not words:
            self._name_only.append(slot)
        for word in words:
            self._postings.setdefault(word, []).append(slot)

    def nearest(self, name: str, text: str, *, limit: int = 2, threshold: float) -> list[Match]:
        """Return up to ``limit`` innovations whose ``score`` against (name, text) is at
        least ``threshold``, best first (equal scores: lower id first)."""
        if limit <= 0 or not self._slots:
            return []
        query = " ".join(tokens(name, name=True))
        words = set(tokens(text))
        found: dict[int, float] = {}
        if words:
            self._by_name(query, self._name_only, threshold, found)
            self._by_text(query, words, limit, threshold, found)
        else:
            self._by_name(query, range(len(self._ids)), threshold, found)
        ids = self._ids
        matches = [Match(i, value) for slot, value in found.items() if (i := ids[slot]) is not None]
        matches.sort(key=lambda m: (-m.score, m.id))
        return matches[:limit]

    def _by_name(
        self, query: str, slots: Sequence[int], threshold: float, found: dict[int, float]
    ) -> None:
        """Score by name alone the slots whose names can reach the threshold."""
        if not query or not slots:
            return
        cutoff = 100 * max(threshold, 0.0) ** (1 / NAME_ONLY_POWER) - 1e-6
        choices = self._names if len(slots) == len(self._names) else [self._names[s] for s in slots]
        for _, ratio, index in process.extract(
            query, choices, scorer=fuzz.token_set_ratio, processor=None, limit=None,
            score_cutoff=max(cutoff, 0.0),
        ):  # fmt: skip
            value = combine(ratio / 100, None)
            if value >= threshold:
                found[slots[index]] = value

    def _by_text(
        self, query: str, words: set[str], limit: int, threshold: float, found: dict[int, float]
    ) -> None:
        """Score the slots with masalah words, best bound first, until no other can enter."""
        shared: Counter[int] = Counter()
        for word in words:
            postings = self._postings.get(word)
            if postings:
                shared.update(postings)
        if threshold <= NAME_WEIGHT and query:  # a name alone can reach it: no shared word needed
            cutoff = 100 * max(threshold, 0.0) / NAME_WEIGHT - 1e-6
            for _, _, slot in process.extract(
                query, self._names, scorer=fuzz.token_set_ratio, processor=None, limit=None,
                score_cutoff=max(cutoff, 0.0),
            ):  # fmt: skip
                if self._sizes[slot]:
                    shared.setdefault(slot, 0)
        size, sizes, ids = len(words), self._sizes, self._ids
        bounds = []
        for slot, common in shared.items():
            if ids[slot] is None:  # replaced: its words stay posted under the old slot
                continue
            text_sim = 2 * common / (size + sizes[slot])
            bound = NAME_WEIGHT + TEXT_WEIGHT * text_sim
            if bound >= threshold:
                bounds.append((bound, text_sim, slot))
        bounds.sort(reverse=True)
        best: list[float] = []  # the ``limit`` best scores so far, a min-heap
        names = self._names
        for bound, text_sim, slot in bounds:
            if len(best) == limit and bound < best[0]:
                break
            name_sim = fuzz.token_set_ratio(query, names[slot], processor=None) / 100
            value = combine(name_sim, text_sim)
            if value >= threshold:
                found[slot] = value
                if len(best) < limit:
                    heapq.heappush(best, value)
                elif value > best[0]:
                    heapq.heapreplace(best, value)
