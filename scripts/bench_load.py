"""``benchmark.py load``: pretrained-vectors files loaded by w2v and by gensim, side by side in one run.

It writes files with the shapes people download (word2vec binary like GoogleNews, word2vec text, the binary
gzipped, GloVe's headerless text) into ``--dir`` once (later runs reuse them), then loads each file in a fresh
process per library: load time, peak resident memory, the first ``most_similar`` and whether both libraries
read the same words and the same float32 values bit for bit. w2v also opens the file converted to its native
format (``w2v convert``) with ``mmap=True``. ``gzip alone`` is the time to decompress the file and nothing else.

Example
-------
    python scripts/benchmark.py load --dir runs/vectors-bench --words 1000000 --dim 300
"""
from __future__ import annotations

import gzip
import hashlib
import multiprocessing as mp
import shutil
import time
from pathlib import Path

import numpy as np

# name: (format, words, dims) relative to --words / --dim, as the files people use come
SHAPES = {
    "binary": ("binary", 1.0, 1.0),     # GoogleNews-vectors-negative300.bin: 3 M x 300
    "text": ("text", 0.2, 1.0),         # a word2vec text file, 200 k x 300 at the defaults
    "binary-gz": ("binary.gz", 1.0, 1.0),
    "glove": ("glove", 0.4, 1 / 3),     # glove.6B.100d.txt: 400 k x 100
}


def add_parser(sub) -> None:
    p = sub.add_parser("load", help="load pretrained vectors files: w2v against gensim")
    p.add_argument("--dir", default="runs/vectors-bench", help="where the generated files are kept")
    p.add_argument("--words", type=int, default=1_000_000)
    p.add_argument("--dim", type=int, default=300)
    p.add_argument("--files", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    p.add_argument("--libs", nargs="+", default=["w2v", "gensim"], choices=["w2v", "gensim"])


def _words(n: int, rng) -> list[str]:
    """n distinct words of 4 to 20 characters."""
    letters = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", np.uint8)
    lengths = rng.integers(2, 12, n)
    return [f"{''.join(map(chr, letters[rng.integers(0, 26, k)]))}_{i}" for i, k in enumerate(lengths)]


def generate(path: Path, kind: str, n: int, d: int) -> None:
    """Write a vectors file of n words x d dimensions (random values, rounded as such files hold them)."""
    rng = np.random.default_rng(0)
    words = _words(n, rng)
    tmp = path.with_suffix(path.suffix + ".part")
    if kind in ("binary", "binary.gz"):
        opener = gzip.open if kind == "binary.gz" else open
        with opener(tmp, "wb", **({"compresslevel": 6} if kind == "binary.gz" else {})) as f:
            f.write(f"{n} {d}\n".encode())
            for s in range(0, n, 20000):
                block = (rng.standard_normal((min(20000, n - s), d)) * 0.1).astype("<f4")
                f.write(b"".join(w.encode() + b" " + row.tobytes() + b"\n" for w, row in zip(words[s:], block)))
    else:
        # the values of a text file as its writers print them: gensim's repr of float32, GloVe's 5 decimals
        table = (rng.standard_normal(1 << 16) * 0.3).astype(np.float32)
        shown = [f"{x:.5f}" if kind == "glove" else str(x) for x in table]
        with open(tmp, "w", encoding="utf-8") as f:
            if kind == "text":
                f.write(f"{n} {d}\n")
            for s in range(0, n, 5000):
                idx = rng.integers(0, len(table), (min(5000, n - s), d))
                f.write("".join(w + " " + " ".join([shown[i] for i in row]) + "\n" for w, row in zip(words[s:], idx)))
    tmp.rename(path)


def _child(lib: str, path: str, kind: str, mmap: bool, queue) -> None:
    from benchmark import _peak_mb
    if lib == "w2v":
        import w2v
        t0 = time.perf_counter()
        kv = w2v.load_vectors(path, mmap=mmap)
    else:
        from gensim.models import KeyedVectors
        t0 = time.perf_counter()
        kv = KeyedVectors.load_word2vec_format(path, binary=kind.startswith("binary"), no_header=kind == "glove")
    load = time.perf_counter() - t0
    load_mb = _peak_mb()
    word = kv.index_to_key[len(kv.index_to_key) // 2]
    t0 = time.perf_counter()
    kv.most_similar(word, topn=10)
    first = time.perf_counter() - t0
    digest = hashlib.blake2b(np.ascontiguousarray(kv.vectors).view(np.uint8), digest_size=16)
    digest.update("\n".join(kv.index_to_key).encode())
    queue.put({"load": load, "load_mb": load_mb, "first": first, "query_mb": _peak_mb(),
               "digest": digest.hexdigest(), "rows": len(kv.index_to_key), "mb": kv.vectors.nbytes / 2**20})


def _run(lib, path, kind, mmap=False) -> dict:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(lib, str(path), kind, mmap, q))
    p.start()
    out = q.get()
    p.join()
    return out


def _gunzip_secs(path: Path) -> float:
    t0 = time.perf_counter()
    with gzip.open(path, "rb") as f:
        while f.read(4 << 20):
            pass
    return time.perf_counter() - t0


def mode_load(args) -> None:
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in args.files:
        kind, fw, fd = SHAPES[name]
        n, d = max(1, int(args.words * fw)), max(1, int(args.dim * fd))
        suffix = {"binary": ".bin", "binary.gz": ".bin.gz", "text": ".txt", "glove": ".glove.txt"}[kind]
        path = folder / f"{name}-{n}x{d}{suffix}"
        if not path.exists():
            t0 = time.perf_counter()
            generate(path, kind, n, d)
            print(f"wrote {path} ({path.stat().st_size / 2**20:,.0f} MiB) in {time.perf_counter() - t0:.0f}s", flush=True)
        shutil.copyfileobj(open(path, "rb"), open("/dev/null", "wb"), 16 << 20)  # both libraries read it warm
        res = {lib: _run(lib, path, kind) for lib in args.libs}
        for lib, r in res.items():
            print(f"{name:9s} {lib:6s} load {r['load']:6.2f}s  peak {r['load_mb']:7,.0f} MB "
                  f"({r['load_mb'] / r['mb']:.2f}x the vectors)  first query {r['first']:.2f}s "
                  f"(peak {r['query_mb']:,.0f} MB)", flush=True)
        row = {"name": name, "shape": f"{n:,} x {d}", "size": path.stat().st_size / 2**20, **res}
        if "gensim" in res and "w2v" in res:
            row["same"] = res["gensim"]["digest"] == res["w2v"]["digest"]
            print(f"{name:9s} w2v / gensim load speed {res['gensim']['load'] / res['w2v']['load']:.1f}x, "
                  f"identical words and values: {row['same']}", flush=True)
        if kind == "binary.gz":
            row["gunzip"] = _gunzip_secs(path)
            print(f"{name:9s} gzip alone {row['gunzip']:.2f}s", flush=True)
        if kind == "binary" and "w2v" in args.libs:
            native = path.with_suffix(".npz")
            import w2v
            t0 = time.perf_counter()
            w2v.load_vectors(path).save(native)
            print(f"{name:9s} convert {time.perf_counter() - t0:.2f}s", flush=True)
            row["mmap"] = _run("w2v", native, "native", mmap=True)
            r = row["mmap"]
            print(f"{name:9s} w2v mmap load {r['load']:.2f}s  peak {r['load_mb']:,.0f} MB  first query "
                  f"{r['first']:.2f}s", flush=True)
            native.unlink()
        rows.append(row)
    _table(rows)


def _table(rows) -> None:
    print("\n| file | shape | size | w2v load | gensim load | speed-up | w2v peak | gensim peak | w2v first query | "
          "gensim first query | same values |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        w, g = r.get("w2v"), r.get("gensim")
        cell = lambda x, k, f: f.format(x[k]) if x else "-"  # noqa: E731
        print(f"| {r['name']} | {r['shape']} | {r['size']:,.0f} MiB | {cell(w, 'load', '{:.2f}s')} | "
              f"{cell(g, 'load', '{:.2f}s')} | {g['load'] / w['load']:.1f}x | " if w and g else
              f"| {r['name']} | {r['shape']} | {r['size']:,.0f} MiB | {cell(w, 'load', '{:.2f}s')} | "
              f"{cell(g, 'load', '{:.2f}s')} | - | ", end="")
        print(f"{cell(w, 'load_mb', '{:,.0f} MB')} | {cell(g, 'load_mb', '{:,.0f} MB')} | {cell(w, 'first', '{:.2f}s')} | "
              f"{cell(g, 'first', '{:.2f}s')} | {r.get('same', '-')} |")
        if "mmap" in r:
            m = r["mmap"]
            print(f"| {r['name']}, converted, mmap | {r['shape']} | | {m['load']:.2f}s | | | {m['load_mb']:,.0f} MB | | "
                  f"{m['first']:.2f}s | | |")
        if "gunzip" in r:
            print(f"| {r['name']}: gzip decompression alone | | | {r['gunzip']:.2f}s | | | | | | | |")
