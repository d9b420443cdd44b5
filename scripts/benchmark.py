#!/usr/bin/env python
"""Benchmarks, side by side with gensim in one run: training, full-softmax efficiency, evaluation speed.

Modes
-----
train CORPUS      w2v and gensim on the same corpus, settings and thread count; wall time, words/s, peak
                  memory (each training runs in its own process), analogy accuracy (questions-words, top 30k),
                  WordSim353 and SimLex-999 Spearman, and the ratios. --libs picks the contenders: w2v (reads
                  the text: an empty corpus cache per run), w2v-prepared (fit on a corpus prepared beforehand,
                  untimed), gensim (LineSentence), gensim-file (gensim's corpus_file= mode). w2v's numba kernels
                  are compiled before the timed runs, as once per install (its cost is printed; --cold keeps it
                  in the first timed run).
ingest CORPUS     reading a corpus: w2v's prepare (vocabulary + encoding) against gensim's vocabulary scan.
phrases CORPUS    learning and applying phrases: w2v.Phrases against gensim's Phrases (and its frozen form) on
                  the same sentences (gensim gets them as lists in memory, its fastest input), same options;
                  times, peak memory, and whether both found the same phrases with the same scores; then both
                  from the text file (w2v: prepare + learn; gensim: LineSentence).
softmax           full-softmax training throughput against the machine's own limit: the same three matrix
                  products per batch timed bare in numpy.
load              pretrained-vectors files (word2vec binary, text, gzipped, GloVe) loaded by w2v and gensim:
                  load time, peak memory, first query, identical values (scripts/bench_load.py).
evaluate VECTORS  time w2v's analogy evaluation against gensim's evaluate_word_analogies on one vectors file.
scaling CORPUS    w2v's training time with 1 and with N workers (same corpus and settings) and the speed-up.
cost CORPUS       the cost model of distributed training (docs/distributed.md): its prediction for this corpus's
                  vocabulary at the measured constants (to check against `distributed`), then for V = 1 M, d = 300
                  on 4-64 machines at 1 and 10 Gbit/s, with the round length that keeps communication under 10%.
distributed CORPUS  training on a Dask LocalCluster of N single-thread worker processes (--dask-workers 1 2 4 8)
                  against one process with --workers threads, same settings: training time and its ratio, quality,
                  and per round the wall time, the merge, the rows exchanged and the workers' own seconds (what
                  docs/distributed.md's cost model is checked against). --seeds 5 repeats it with 5 seeds and
                  summarises each cluster's gaps to one process with the same seed.

Examples
--------
    python scripts/benchmark.py train dev-corpus.txt --workers 2 --seeds 3 --configs skipgram-negative cbow-negative
    python scripts/benchmark.py train big.txt --epochs 1 --configs cbow-negative --libs w2v w2v-prepared gensim gensim-file
    python scripts/benchmark.py ingest big.txt --workers 2
    python scripts/benchmark.py phrases dev-corpus.txt --workers 2
    python scripts/benchmark.py softmax
    python scripts/benchmark.py evaluate runs/w2v/vectors.txt
    python scripts/benchmark.py load --dir runs/vectors-bench --words 1000000 --dim 300
    python scripts/benchmark.py scaling dev-corpus.txt --workers 2
    python scripts/benchmark.py distributed dev-corpus.txt --epochs 5 --dask-workers 1 2 4 8
    python scripts/benchmark.py cost dev-corpus.txt --dask-workers 2 --round-words 100000
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import time

import numpy as np

import bench_load  # scripts/ is on the path when this file runs


def _run_child(ctx, target, args) -> dict:
    """Run ``target(*args, queue)`` in a fresh process and return what it puts on the queue; a child that dies
    first (an exception, a crash) ends the benchmark with its exit code instead of waiting for it forever."""
    import queue as queue_module
    q = ctx.Queue()
    p = ctx.Process(target=target, args=(*args, q))
    p.start()
    while True:
        try:
            result = q.get(timeout=1.0)
            break
        except queue_module.Empty:
            if not p.is_alive():
                raise SystemExit(f"benchmark: the {target.__name__} process died (exit code {p.exitcode}); "
                                 "its error is above")
    p.join()
    return result


def _train_child(lib, corpus, arch, loss, args, seed, out_path, queue):
    import os
    import tempfile
    if lib == "w2v":  # an empty cache: this run reads and encodes the text
        os.environ["W2V_CACHE"] = tempfile.mkdtemp(prefix="w2v-bench-cache-")
    t0 = time.perf_counter()
    started = []
    if lib.startswith("w2v"):
        import w2v

        class Start:
            def on_train_begin(self, model):
                started.append(time.perf_counter() - t0)
        m = w2v.Word2Vec(arch=arch, loss=loss, vector_size=args.dim, window=args.window, min_count=args.min_count,
                         epochs=args.epochs, workers=args.workers, negative=args.negative, sample=args.sample,
                         seed=seed).fit(corpus, progress=False, callbacks=[Start()])
        keys, vecs = m.wv.index_to_key, m.wv.vectors
        words = m.state_.words_done
    else:
        from gensim.models import Word2Vec
        from gensim.models.word2vec import LineSentence
        params = dict(sg=int(arch == "skipgram"), hs=int(loss == "hierarchical"),
                      negative=args.negative if loss == "negative" else 0, vector_size=args.dim, window=args.window,
                      min_count=args.min_count, epochs=args.epochs, workers=args.workers, sample=args.sample,
                      seed=seed)
        if lib == "gensim-file":  # gensim's fastest path: it reads the file itself, one thread per worker
            m = Word2Vec(corpus_file=corpus, **params)
        else:
            sentences = LineSentence(corpus)
            m = Word2Vec(**params)
            m.build_vocab(sentences)
            # gensim decays the learning rate by the share of *sentences* done when it is given their count (its
            # default), by the share of words when given only the word count. w2v and word2vec.c decay by words;
            # on a corpus of very unequal lines the two differ (see "How gensim is run" in docs/benchmarks.md).
            if args.gensim_progress == "words":
                m.train(sentences, total_words=m.corpus_total_words, epochs=args.epochs)
            else:
                m.train(sentences, total_examples=m.corpus_count, epochs=args.epochs)
        keys, vecs = m.wv.index_to_key, m.wv.vectors
        words = m.corpus_total_words * args.epochs
    secs = time.perf_counter() - t0
    import w2v
    w2v.KeyedVectors(keys, vecs).save_word2vec_format(out_path, binary=True)
    peak_mb = _peak_mb()
    queue.put({"secs": secs, "words": int(words), "peak_mb": peak_mb, "start_s": started[0] if started else None})


def _compile_child(arch, loss, text, queue):
    """One small fit from a text file (the reading's and the training's numba kernels), timed."""
    t0 = time.perf_counter()
    import w2v
    w2v.Word2Vec(arch=arch, loss=loss, vector_size=8, min_count=1, epochs=1, workers=1, sample=0).fit(
        text, progress=False)
    queue.put({"secs": time.perf_counter() - t0})


def _warm_kernels(ctx, arch, loss, tmp) -> tuple[float, float]:
    """Compile ``arch``/``loss``'s kernels into numba's on-disk cache, as a first run after installing w2v does
    once (gensim's C extension is compiled when pip installs it): the timed runs then load them, as every run
    after the first. Returns the seconds of the first small fit and of a second one; their difference is the
    one-time compile (about 0 when the cache was already warm)."""
    text = f"{tmp}/warm-{arch}-{loss}.txt"
    with open(text, "w") as f:
        f.write("the quick brown fox jumps over the lazy dog\n" * 200)
    first = _run_child(ctx, _compile_child, (arch, loss, text))["secs"]
    return first, _run_child(ctx, _compile_child, (arch, loss, text))["secs"]


def _peak_mb() -> float:
    """This process's peak resident memory. VmHWM resets at exec; ru_maxrss would include the parent's."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _quality(path):
    import w2v
    from w2v.vectors import evaluate as ev
    kv = w2v.load_vectors(path)
    return {"analogy": ev.analogies(kv, restrict_vocab=30000).accuracy,
            "ws353": ev.word_pairs(kv, ev.WORDSIM353).spearman,
            "simlex": ev.word_pairs(kv, ev.SIMLEX999).spearman}


_METRICS = ("secs", "words_per_s", "peak_mb", "analogy", "ws353", "simlex")


def mode_train(args):
    import shutil
    import tempfile
    libs = list(args.libs)
    try:
        import gensim  # noqa: F401
    except ImportError:
        print("gensim not installed: timing w2v alone")
        libs = [lib for lib in libs if not lib.startswith("gensim")]
    ctx = mp.get_context("spawn")
    rows = []
    tmp = tempfile.mkdtemp()
    corpus = {lib: args.corpus for lib in libs}
    if "w2v-prepared" in libs:
        import w2v
        t0 = time.perf_counter()
        corpus["w2v-prepared"] = str(w2v.prepare_corpus(args.corpus, f"{tmp}/corpus.w2vcorpus", workers=args.workers,
                                                        progress=False).path)
        print(f"prepared {args.corpus} in {time.perf_counter() - t0:.1f}s (untimed for w2v-prepared)")
    seeds = [args.seed + i for i in range(args.seeds)]
    for cfg in args.configs:
        arch, loss = cfg.split("-")
        runs = {lib: [] for lib in libs}
        if any(lib.startswith("w2v") for lib in libs) and not args.cold:
            first, again = _warm_kernels(ctx, arch, loss, tmp)
            print(f"{cfg:22s} w2v kernels: a first small fit {first:.1f}s, the next {again:.1f}s (the difference "
                  "is numba's one-time compile, untimed below; --cold times it in the first run)", flush=True)
        for seed in seeds:
            for lib in libs:  # alternate the libraries so that a slow spell of the machine hits both
                out = f"{tmp}/{lib}-{cfg}-{seed}.bin"
                r = _run_child(ctx, _train_child, (lib, corpus[lib], arch, loss, args, seed, out))
                r.update(_quality(out))
                r["words_per_s"] = r["words"] / r["secs"]
                runs[lib].append(r)
                print(f"{cfg:22s} {lib:12s} seed {seed:<3d} {r['secs']:7.1f}s {r['words_per_s'] / 1e6:6.2f}M words/s "
                      f"{r['peak_mb']:7.0f} MB  analogy {r['analogy']:.2%}  ws353 {r['ws353']:.3f}  "
                      f"simlex {r['simlex']:.3f}", flush=True)
        rows.append((cfg, {lib: {k: float(np.mean([r[k] for r in rs])) for k in _METRICS}
                           for lib, rs in runs.items()}, runs))
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"\ncorpus {args.corpus}; dim {args.dim}, window {args.window}, negative {args.negative}, "
          f"min_count {args.min_count}, epochs {args.epochs}, sample {args.sample}, workers {args.workers}, "
          f"gensim progress by {args.gensim_progress}; "
          + (f"means of seeds {seeds[0]}..{seeds[-1]}\n" if len(seeds) > 1 else f"seed {seeds[0]}\n"))
    if libs != ["w2v", "gensim"]:
        ref = "gensim" if "gensim" in libs else libs[-1]
        print(f"| config | library | whole fit | training starts after | peak MB | analogy | WS353 | SimLex | "
              f"{ref} time / this |")
        print("|---|---|---|---|---|---|---|---|---|")
        for cfg, res, runs in rows:
            for lib in libs:
                a = res[lib]
                starts = [r["start_s"] for r in runs[lib] if r.get("start_s") is not None]
                start = f"{np.mean(starts):.1f}s" if starts else "-"
                print(f"| {cfg} | {lib} | {a['secs']:.1f}s | {start} | {a['peak_mb']:.0f} | {a['analogy']:.1%} | "
                      f"{a['ws353']:.3f} | {a['simlex']:.3f} | **{res[ref]['secs'] / a['secs']:.2f}x** |")
    if "gensim" not in libs or "w2v" not in libs:
        if args.json:
            with open(args.json, "w") as f:
                json.dump([{"config": cfg, "mean": res, "runs": runs} for cfg, res, runs in rows], f, indent=1)
        return
    print("| config | w2v time | gensim time | speed ratio | w2v analogy | gensim analogy | w2v WS353 | gensim WS353 "
          "| w2v SimLex | gensim SimLex | w2v peak MB | gensim peak MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for cfg, res, _ in rows:
        a, g = res["w2v"], res.get("gensim")
        if g is None:
            print(f"| {cfg} | {a['secs']:.1f}s | - | - | {a['analogy']:.1%} | - | {a['ws353']:.3f} | - | {a['simlex']:.3f} | - | {a['peak_mb']:.0f} | - |")
            continue
        print(f"| {cfg} | {a['secs']:.1f}s | {g['secs']:.1f}s | **{g['secs'] / a['secs']:.2f}x** | {a['analogy']:.1%} | "
              f"{g['analogy']:.1%} | {a['ws353']:.3f} | {g['ws353']:.3f} | {a['simlex']:.3f} | {g['simlex']:.3f} | "
              f"{a['peak_mb']:.0f} | {g['peak_mb']:.0f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump([{"config": cfg, "mean": res, "runs": runs} for cfg, res, runs in rows], f, indent=1)


def mode_softmax(args):
    """Full softmax: training throughput vs the bare matrix products of the same shapes."""
    import w2v
    from w2v.train.models import Network, SoftmaxOutput
    from w2v.nn.optim import SGD
    rng = np.random.default_rng(0)
    V, d, B = args.vocab, args.dim, args.batch
    W_in = (rng.random((V, d), dtype=np.float32) - 0.5) / d
    W_out = np.zeros((V, d), np.float32)
    steps = args.steps
    inputs = rng.integers(0, V, size=(steps, B, 1))
    targets = rng.integers(0, V, size=(steps, B))
    mask = np.ones((B, 1), bool)
    net = Network(W_in, W_out, SoftmaxOutput())
    opt = SGD([W_in, W_out])
    net.loss_and_grads(inputs[0], mask, targets[0])  # warm up BLAS
    t0 = time.perf_counter()
    for s in range(steps):
        loss, grads = net.loss_and_grads(inputs[s], mask, targets[s])
        opt.step(grads, 0.01)
    train = time.perf_counter() - t0
    h = W_in[inputs[0, :, 0]]
    dz = np.ones((B, V), np.float32)
    t0 = time.perf_counter()
    for s in range(steps):
        z = h @ W_out.T  # (B, V) logits
        dh = dz @ W_out  # (B, d)
        dW = dz.T @ h  # (V, d)
    bare = time.perf_counter() - t0
    flops = 3 * 2 * B * V * d * steps
    print(f"full softmax V={V} d={d} batch={B}, {steps} steps")
    print(f"  training step : {train / steps * 1e3:7.2f} ms  ({flops / train / 1e9:6.1f} GFLOP/s, {B * steps / train:,.0f} examples/s)")
    print(f"  bare matmuls  : {bare / steps * 1e3:7.2f} ms  ({flops / bare / 1e9:6.1f} GFLOP/s)")
    print(f"  fraction of the machine's matmul limit: {bare / train:.0%}")


def mode_evaluate(args):
    import w2v
    from w2v.vectors import evaluate as ev
    kv = w2v.load_vectors(args.vectors)
    # the first call pays for importing numba and loading the compiled kernel; later calls do not
    t0 = time.perf_counter()
    res = ev.analogies(kv, restrict_vocab=30000)
    cold = time.perf_counter() - t0
    warm = min(_timed(lambda: ev.analogies(kv, restrict_vocab=30000)) for _ in range(3))
    print(f"w2v     analogies: {cold:6.2f}s first call, {warm:6.2f}s after  "
          f"accuracy {res.accuracy:.4f} ({res.correct}/{res.total}, {res.skipped} skipped)")
    try:
        import gensim
    except ImportError:
        return
    g = gensim.models.KeyedVectors.load_word2vec_format(args.vectors, binary=args.vectors.endswith(".bin"))
    score, _ = g.evaluate_word_analogies(str(ev.QUESTIONS_WORDS), restrict_vocab=30000)
    theirs = min(_timed(lambda: g.evaluate_word_analogies(str(ev.QUESTIONS_WORDS), restrict_vocab=30000))
                 for _ in range(2))
    print(f"gensim  analogies: {theirs:6.2f}s  accuracy {score:.4f}")
    print(f"w2v is {theirs / cold:.1f}x faster on its first call, {theirs / warm:.1f}x after")


def mode_scaling(args):
    """Training seconds (the training loop itself, after the vocabulary) with 1 and with N workers.

    Each count runs ``--repeats`` times and the fastest run counts: on a shared machine one slow spell
    otherwise decides the ratio.
    """
    import w2v
    print(f"| config | 1 worker | {args.workers} workers | speed-up |\n|---|---|---|---|")
    for cfg in args.configs:
        arch, loss = cfg.split("-")
        secs = []
        for workers in (1, args.workers):
            runs = []
            for _ in range(args.repeats):
                m = w2v.Word2Vec(arch=arch, loss=loss, vector_size=args.dim, window=args.window,
                                 min_count=args.min_count, epochs=args.epochs, workers=workers,
                                 negative=args.negative, sample=args.sample, seed=args.seed
                                 ).fit(args.corpus, progress=False)
                runs.append(m.state_.train_seconds)
            secs.append(min(runs))
        print(f"| {cfg} | {secs[0]:.2f}s | {secs[1]:.2f}s | **{secs[0] / secs[1]:.2f}x** |", flush=True)


def mode_distributed(args):
    """One process with ``--workers`` threads, then LocalClusters of each ``--dask-workers`` count."""
    import logging

    import w2v
    from dask.distributed import Client, LocalCluster
    from w2v.files.word2vec_format import save_word2vec_format
    logging.getLogger("distributed").setLevel(logging.WARNING)
    corpus = w2v.prepare_corpus(args.corpus, progress=False)  # read once, untimed: training is compared
    arch, loss = args.config.split("-")
    params = dict(arch=arch, loss=loss, vector_size=args.dim, window=args.window, min_count=args.min_count,
                  epochs=args.epochs, negative=args.negative, sample=args.sample, seed=args.seed,
                  round_words=args.round_words, merge=args.merge)
    rows = []

    def report(name, m, base):
        path = f"/tmp/w2v-bench-distributed-{name}.txt"
        save_word2vec_format(path, m.vocab_.index_to_key, m.W_in_)
        q = _quality(path)
        secs = m.state_.train_seconds
        t = getattr(m, "round_timings_", None)
        per_round = "-" if not t else (
            f"{len(t)} x {np.mean([r['round'] + r['merge'] for r in t]) * 1e3:.0f} ms (merge "
            f"{np.mean([r['merge'] for r in t]) * 1e3:.0f}; worker update/train/diff "
            + "/".join(f"{x * 1e3:.0f}" for x in np.mean([w for r in t for w in r['worker']], axis=0))
            + f" ms; rows in/out {np.mean([r['rows'][0] for r in t]):,.0f}/{np.mean([r['rows'][1] for r in t]):,.0f})")
        rows.append(f"| {name} | {secs:.1f}s | {m.state_.words_done / secs / 1e6:.2f}M | "
                    f"{(base / secs) if base else 1:.2f} | {100 * q['analogy']:.2f} | {q['ws353']:.3f} | {per_round} |")
        print(rows[-1], flush=True)
        return secs, q

    print(f"{args.config}, {args.epochs} epochs, {corpus.n_words:,} words, round_words {args.round_words:,}, "
          f"merge {args.merge}\n| run | training | words/s | speed vs 1 process | analogy % | WS353 | rounds |\n"
          "|---|---|---|---|---|---|---|", flush=True)
    seeds = list(range(args.seed, args.seed + args.seeds))
    diffs = {n: [] for n in args.dask_workers}  # per cluster size: (speed ratio, analogy points, WS353) per seed
    for seed in seeds:
        params["seed"] = seed
        tag = f" (seed {seed})" if len(seeds) > 1 else ""
        one = w2v.Word2Vec(**params, workers=args.workers).fit(corpus, progress=False)
        base, q1 = report(f"1 process, {args.workers} threads{tag}", one, None)
        for n in args.dask_workers:
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0")
            with cluster, Client(cluster) as client:
                warm = w2v.Word2Vec(**{**params, "epochs": 1, "min_count": 1, "sample": 0}).fit(
                    [["a", "b", "c"]] * 50, progress=False, client=client)
                del warm  # the workers have loaded the kernels: the timed run is training only
                m = w2v.Word2Vec(**params).fit(corpus, progress=False, client=client)
                secs, q = report(f"{n} Dask workers{tag}", m, base)
                diffs[n].append((base / secs, 100 * (q["analogy"] - q1["analogy"]), q["ws353"] - q1["ws353"]))
    if len(seeds) > 1:  # one run's quality moves with its seed about as much as the criteria allow
        print(f"\nover seeds {', '.join(map(str, seeds))}: each cluster against one process with the same seed\n"
              "| workers | speed vs 1 process (min / mean) | analogy points (mean / largest gap) | "
              "WS353 (mean / largest gap) |\n|---|---|---|---|")
        for n, d in diffs.items():
            sp, an, ws = np.array(d).T
            print(f"| {n} | {sp.min():.2f} / {sp.mean():.2f} | {an.mean():+.2f} / {an[np.abs(an).argmax()]:+.2f} | "
                  f"{ws.mean():+.4f} / {ws[np.abs(ws).argmax()]:+.4f} |")


# ---------------------------------------------------------------------------------------- distributed cost model
# Constants measured on this 2-core machine (benchmark.py distributed, dev corpus, CBOW, d = 100): a worker scans
# both layers for its changes at SCAN_BYTES_S, a LocalCluster moves a round's rows at LOCAL_BYTES_S (serialising
# on the same cores), the driver merges at MERGE_BYTES_S; a fixed LATENCY_S per round (scheduling, messages).
SCAN_BYTES_S = 4e9
LOCAL_BYTES_S = 1.0e9
MERGE_BYTES_S = 2e9
LATENCY_S = 0.010


def expected_rows(counts, words: float, negative: int, sample: float) -> tuple[float, float]:
    """Expected distinct input and output rows a round of ``words`` corpus words touches (CBOW or skip-gram with
    negative sampling): inputs = the distinct words kept by subsampling, outputs = those plus ``negative`` noise
    draws per kept word from count**0.75 (every row a draw can reach, counted once)."""
    f = counts / counts.sum()
    keep = np.minimum(1.0, (np.sqrt(f / sample) + 1) * sample / f) if sample > 0 else np.ones_like(f)
    kept = words * float((f * keep).sum())  # words left after subsampling
    q = counts ** 0.75
    q = q / q.sum()
    log_miss_in = kept * np.log1p(-np.minimum(f * keep / (f * keep).sum(), 1 - 1e-16))
    rows_in = float((-np.expm1(log_miss_in)).sum())
    rows_out = float((-np.expm1(log_miss_in + negative * kept * np.log1p(-np.minimum(q, 1 - 1e-16)))).sum())
    return rows_in, rows_out


def round_cost(counts, d: int, machines: int, round_words: float, words_per_s: float, bytes_per_s: float,
               negative: int = 5, sample: float = 1e-3) -> dict:
    """Seconds of one round: every machine trains ``round_words`` words at ``words_per_s``, scans its layers for
    changes, sends its changed rows (4d + 8 bytes each) to the driver, which merges them and sends each machine the
    merged rows, all through the driver's link of ``bytes_per_s`` (a star: the driver's link is the bottleneck)."""
    V = len(counts)
    r_in, r_out = expected_rows(counts, round_words, negative, sample)
    union_in, union_out = expected_rows(counts, machines * round_words, negative, sample)
    row = 4 * d + 8
    compute = round_words / words_per_s
    scan = 2 * 2 * V * d * 4 / SCAN_BYTES_S  # both layers, work against base
    net = machines * ((r_in + r_out) + (union_in + union_out)) * row / bytes_per_s
    merge = machines * (r_in + r_out) * d * 4 * 2 / MERGE_BYTES_S
    total = compute + scan + net + merge + LATENCY_S
    return {"compute": compute, "scan": scan, "net": net, "merge": merge, "total": total, "rows": (r_in, r_out),
            "words_per_s": machines * round_words / total}


def mode_cost(args):
    """The cost model for this corpus at the measured constants, then for V = 1 M, d = 300 on a cluster."""
    import w2v
    corpus = w2v.prepare_corpus(args.corpus, progress=False)
    counts = corpus.counts[corpus.counts >= args.min_count].astype(np.float64)
    n = args.dask_workers[0]
    c = round_cost(counts, args.dim, n, args.round_words, args.worker_words_per_s, LOCAL_BYTES_S, args.negative,
                   args.sample)
    print(f"this corpus: V = {len(counts):,}, d = {args.dim}, {n} workers, round_words {args.round_words:,}: "
          f"rows in/out {c['rows'][0]:,.0f}/{c['rows'][1]:,.0f}; round {c['total'] * 1e3:.0f} ms (train "
          f"{c['compute'] * 1e3:.0f}, scan {c['scan'] * 1e3:.0f}, transfer {c['net'] * 1e3:.0f}, merge "
          f"{c['merge'] * 1e3:.0f}); {c['words_per_s'] / 1e6:.2f}M words/s")
    # a Zipf vocabulary of 1 M words (a Wikipedia-size corpus at min_count 5 has about this many)
    zipf = 1e9 / np.arange(1, 1_000_001) ** 1.0
    speed = args.machine_words_per_s
    print(f"\nV = 1,000,000 (Zipf), d = 300, each machine {speed / 1e6:.1f}M words/s alone: the shortest round keeping "
          "communication under 10%, and the throughput\n| machines | link | round words per machine | round | "
          "cluster words/s | vs one machine |\n|---|---|---|---|---|---|")
    for gbit in (1, 10):
        for machines in (4, 8, 16, 32, 64):
            R = 1e5
            while True:
                c = round_cost(zipf, 300, machines, R, speed, gbit * 1.25e8)
                if c["compute"] >= 0.9 * c["total"] or R > 1e11:
                    break
                R *= 1.25
            print(f"| {machines} | {gbit} Gbit/s | {R / 1e6:,.1f}M | {c['total']:,.1f}s | "
                  f"{c['words_per_s'] / 1e6:,.1f}M | {c['words_per_s'] / speed:.1f}x |")


def _ingest_child(lib, corpus, workers, queue):
    """One library's pass over ``corpus``, timed from after its imports (the interpreter's start-up is not reading;
    w2v's numba kernels loading from the cache is, as on a first run)."""
    if lib == "w2v":
        import tempfile
        import w2v
        t0 = time.perf_counter()
        c = w2v.prepare_corpus(corpus, tempfile.mkdtemp() + "/c.w2vcorpus", workers=workers, progress=False)
        words, distinct = c.n_words, len(c.words)
    else:
        from gensim.models import Word2Vec
        from gensim.models.word2vec import LineSentence
        t0 = time.perf_counter()
        m = Word2Vec(min_count=1, workers=workers)
        m.build_vocab(LineSentence(corpus))
        words, distinct = m.corpus_total_words, len(m.wv)
    queue.put({"secs": time.perf_counter() - t0, "words": int(words), "distinct": distinct, "peak_mb": _peak_mb()})


def mode_ingest(args):
    """w2v's prepare (count + encode, written to disk) against gensim's vocabulary scan (count only: it
    tokenises again in every epoch), each in a fresh process."""
    ctx = mp.get_context("spawn")
    libs = ["w2v"]
    try:
        import gensim  # noqa: F401
        libs.append("gensim")
    except ImportError:
        pass
    res = {}
    for lib in libs:
        res[lib] = _run_child(ctx, _ingest_child, (lib, args.corpus, args.workers))
        r = res[lib]
        print(f"{lib:7s} {r['secs']:7.1f}s {r['words'] / r['secs'] / 1e6:6.2f}M words/s {r['distinct']:,} distinct "
              f"{r['peak_mb']:.0f} MB", flush=True)
    if "gensim" in res:
        print(f"w2v prepare / gensim scan speed: {res['gensim']['secs'] / res['w2v']['secs']:.1f}x")


def _phrases_child(lib, prepared, text, options, workers, repeats, out_json, queue):
    """One library's phrase learning and joining on the prepared corpus's sentences, in a fresh process; each
    step is timed ``repeats`` times and the fastest counts (both libraries alike)."""
    import w2v
    corpus = w2v.EncodedCorpus.open(prepared)
    res = {}
    if lib == "w2v":
        import tempfile
        # load the numba kernels (compiled once per install, cached on disk) before timing, as gensim's modules
        # are imported before timing; what that costs a fresh process is reported as "first call"
        warm = w2v.Phrases(min_count=1, threshold=0.1, workers=workers)
        res["first_call"] = _timed(lambda: warm.transform([["a", "b"]] * 3, progress=False) if warm.fit(
            [["a", "b"]] * 3, progress=False) else None)
        ph = w2v.Phrases(workers=workers, **options)
        res["learn"] = _best(repeats, lambda: ph.fit(corpus, progress=False))
        tmp = tempfile.mkdtemp()
        res["apply"] = _best(repeats, lambda: ph.transform(corpus, tempfile.mkdtemp(dir=tmp) + "/j.w2vcorpus",
                                                           progress=False))
        res["apply_text"] = _best(repeats, lambda: ph.write_text(corpus, tmp + "/joined.txt", progress=False))
        found = ph.phrases_
        res["peak_mb"] = _peak_mb()
        # from the text: tokenising and encoding included, into a fresh directory each time (no cache)
        res["from_text"] = _best(repeats, lambda: w2v.Phrases(workers=workers, **options).fit(
            w2v.prepare_corpus(text, tempfile.mkdtemp(dir=tmp) + "/c.w2vcorpus", workers=workers,
                               progress=False), progress=False))
    else:
        import gc
        from gensim.models.phrases import Phrases
        from gensim.models.word2vec import LineSentence
        ids, bounds = corpus.read(0, corpus.n_sentences)
        words = np.array(corpus.words, dtype=object)
        sentences = [words[ids[a:b]].tolist() for a, b in zip(bounds[:-1], bounds[1:])]
        holder, times = {}, []
        for _ in range(repeats):
            holder.clear()  # one model at a time, so the peak memory is one learning's
            times.append(_timed(lambda: holder.update(ph=Phrases(sentences, **options))))
        res["learn"], ph = min(times), holder["ph"]
        res["apply"] = _best(repeats, lambda: sum(len(s) for s in ph[sentences]))
        frozen = ph.freeze()
        res["apply_frozen"] = _best(repeats, lambda: sum(len(s) for s in frozen[sentences]))
        found = ph.export_phrases()
        res["peak_mb"] = _peak_mb()
        del sentences, ph, frozen  # gensim from the file as in a fresh program: no lists for its collector to walk
        holder.clear()
        gc.collect()
        times = []
        for _ in range(repeats):
            holder.clear()
            times.append(_timed(lambda: holder.update(ph=Phrases(LineSentence(text), **options))))
        res["from_text"] = min(times)
        res["same_from_text"] = set(holder["ph"].export_phrases()) == set(found)
    with open(out_json, "w") as f:
        json.dump(found, f)
    res["phrases"] = len(found)
    queue.put(res)


def mode_phrases(args):
    """w2v.Phrases against gensim's Phrases on the same sentences and options, each in a fresh process."""
    import tempfile
    import w2v
    from w2v.text.phrases import ENGLISH_CONNECTOR_WORDS
    tmp = tempfile.mkdtemp()
    prepared = w2v.prepare_corpus(args.corpus, tmp + "/corpus.w2vcorpus", workers=args.workers, progress=False)
    options = {"min_count": args.min_count, "threshold": args.threshold, "scoring": args.scoring,
               "connector_words": ENGLISH_CONNECTOR_WORDS if args.connectors else frozenset()}
    print(f"{args.corpus}: {prepared.n_words:,} words; min_count {args.min_count}, threshold {args.threshold}, "
          f"scoring {args.scoring}, connector words {'english' if args.connectors else 'none'}, "
          f"{args.workers} workers; the fastest of {args.repeats} runs of each step", flush=True)
    ctx = mp.get_context("spawn")
    res, found = {}, {}
    for lib in ("w2v", "gensim"):
        out_json = f"{tmp}/{lib}.json"
        res[lib] = _run_child(ctx, _phrases_child, (lib, str(prepared.path), args.corpus, options, args.workers,
                                                    args.repeats, out_json))
        with open(out_json) as f:
            found[lib] = json.load(f)
    w, g = res["w2v"], res["gensim"]
    print("| | learn | apply | peak MB | phrases |\n|---|---|---|---|---|")
    print(f"| w2v | {w['learn']:.2f}s | {w['apply']:.2f}s (as text: {w['apply_text']:.2f}s) | {w['peak_mb']:.0f} | "
          f"{w['phrases']:,} |")
    print(f"| gensim 4 | {g['learn']:.2f}s | {g['apply']:.2f}s (frozen: {g['apply_frozen']:.2f}s) | "
          f"{g['peak_mb']:.0f} | {g['phrases']:,} |")
    print(f"| ratio | **{g['learn'] / w['learn']:.1f}x** | **{g['apply'] / w['apply']:.1f}x** "
          f"(frozen: {g['apply_frozen'] / w['apply']:.1f}x) | | |")
    same = set(found["w2v"]) == set(found["gensim"])
    worst = max((abs(found["w2v"][k] - v) / max(abs(v), 1e-12) for k, v in found["gensim"].items()
                 if k in found["w2v"]), default=0.0)
    print(f"same phrases: {same}; largest relative score difference {worst:.1e}")
    print(f"from the text file: w2v (prepare + learn) {w['from_text']:.2f}s, gensim (LineSentence) "
          f"{g['from_text']:.2f}s (the same phrases as from lists: {g['same_from_text']}): "
          f"**{g['from_text'] / w['from_text']:.1f}x**, {g['learn'] / w['from_text']:.1f}x "
          f"gensim's learn from lists in memory; loading w2v's numba kernels in a fresh process (untimed above): "
          f"{w['first_call']:.2f}s")


def _best(repeats: int, fn) -> float:
    return min(_timed(fn) for _ in range(repeats))


def _timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main(argv=None):
    from w2v.config import Config  # the defaults of both libraries' runs are w2v's own
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="mode", required=True)
    for name, epochs in (("train", Config.epochs), ("scaling", 1)):  # same corpus and hyperparameter options
        t = sub.add_parser(name)
        t.add_argument("corpus")
        t.add_argument("--configs", nargs="+", default=["skipgram-negative", "cbow-negative", "skipgram-hierarchical",
                                                         "cbow-hierarchical"])
        t.add_argument("--workers", type=int, default=2)
        t.add_argument("--dim", type=int, default=Config.vector_size)
        t.add_argument("--window", type=int, default=Config.window)
        t.add_argument("--negative", type=int, default=Config.negative)
        t.add_argument("--min-count", type=int, default=Config.min_count)
        t.add_argument("--epochs", type=int, default=epochs)
        t.add_argument("--sample", type=float, default=Config.sample)
        t.add_argument("--seed", type=int, default=Config.seed)
        t.add_argument("--json", default=None)
        if name == "scaling":
            t.add_argument("--repeats", type=int, default=3, help="runs per worker count; the fastest counts")
        if name == "train":
            t.add_argument("--seeds", type=int, default=1,
                           help="train each library with seeds SEED..SEED+N-1 and report means (quality is noisy: "
                                "analogy accuracy varies by about 0.4 points between seeds)")
            t.add_argument("--libs", nargs="+", default=["w2v", "gensim"],
                           choices=["w2v", "w2v-prepared", "gensim", "gensim-file"])
            t.add_argument("--cold", action="store_true",
                           help="do not compile w2v's kernels before the timed runs: the first run after an "
                                "install or a kernel change then includes numba's one-time compile")
            t.add_argument("--gensim-progress", choices=("words", "sentences"), default="words",
                           help="what gensim's learning rate decays with: the share of words done, as w2v and "
                                "word2vec.c (default), or of sentences, gensim's own default")
    dd = sub.add_parser("distributed")
    dd.add_argument("corpus")
    dd.add_argument("--config", default="cbow-negative")
    dd.add_argument("--workers", type=int, default=2, help="threads of the one-process run")
    dd.add_argument("--dask-workers", type=int, nargs="+", default=[2], help="LocalCluster sizes to run")
    for name in ("vector_size", "window", "negative", "min_count", "epochs", "sample", "seed", "round_words"):
        f = Config.__dataclass_fields__[name]
        dd.add_argument("--" + ("dim" if name == "vector_size" else name.replace("_", "-")), dest=(
            "dim" if name == "vector_size" else name), type=type(f.default), default=f.default)
    dd.add_argument("--merge", default=Config.merge)
    dd.add_argument("--seeds", type=int, default=1, help="run everything with seeds SEED..SEED+N-1 and summarise "
                    "each cluster's gaps to one process with the same seed (one run's quality moves with its seed)")
    co = sub.add_parser("cost")
    co.add_argument("corpus")
    co.add_argument("--dask-workers", type=int, nargs=1, default=[2])
    co.add_argument("--round-words", type=int, default=Config.round_words)
    co.add_argument("--dim", type=int, default=Config.vector_size)
    co.add_argument("--min-count", type=int, default=Config.min_count)
    co.add_argument("--negative", type=int, default=Config.negative)
    co.add_argument("--sample", type=float, default=Config.sample)
    co.add_argument("--worker-words-per-s", type=float, default=1.2e6,
                    help="one single-thread worker's training speed (measured: benchmark.py distributed)")
    co.add_argument("--machine-words-per-s", type=float, default=6e6,
                    help="one cluster machine's speed at d = 300 (16 threads at ~0.4M words/s)")
    s = sub.add_parser("softmax")
    s.add_argument("--vocab", type=int, default=10000)
    s.add_argument("--dim", type=int, default=Config.vector_size)
    s.add_argument("--batch", type=int, default=Config.batch_size)
    s.add_argument("--steps", type=int, default=50)
    e = sub.add_parser("evaluate")
    e.add_argument("vectors")
    i = sub.add_parser("ingest")
    i.add_argument("corpus")
    i.add_argument("--workers", type=int, default=2)
    from w2v.text.phrases import SCORERS, Phrases
    defaults = Phrases()  # both libraries run with w2v's defaults (which are gensim's)
    ph = sub.add_parser("phrases")
    ph.add_argument("corpus")
    ph.add_argument("--workers", type=int, default=2)
    ph.add_argument("--min-count", type=int, default=defaults.min_count)
    ph.add_argument("--threshold", type=float, default=defaults.threshold)
    ph.add_argument("--scoring", choices=SCORERS, default=defaults.scoring)
    ph.add_argument("--connectors", action="store_true", help="English connector words (gensim's list)")
    ph.add_argument("--repeats", type=int, default=3, help="runs of each step; the fastest counts")
    bench_load.add_parser(sub)
    args = p.parse_args(argv)
    {"load": bench_load.mode_load, "phrases": mode_phrases, "train": mode_train, "softmax": mode_softmax, "evaluate": mode_evaluate,
     "scaling": mode_scaling, "ingest": mode_ingest, "distributed": mode_distributed,
     "cost": mode_cost}[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())
