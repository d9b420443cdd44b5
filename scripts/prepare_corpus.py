#!/usr/bin/env python
"""Build the shipped training corpus ``corpora/starter.txt.xz`` from public texts.

Sources (see corpora/README.md for licences): the King James Bible, the US State of the Union addresses
1945-2006, the US inaugural addresses 1789-2009 (public domain) and the Princeton WordNet 3.0 glosses
(WordNet licence). Each line is lowercased and reduced to its a-z words, one verse / paragraph /
definition per line, so the corpus trains with the default whitespace tokenizer.

Example
-------
    python scripts/prepare_corpus.py ../shared/data/corpora -o corpora/starter.txt.xz
"""
from __future__ import annotations

import argparse
import lzma
import re
import sys
from pathlib import Path

SOURCES = ["kjv-bible.txt.xz", "us-state-of-the-union.txt.xz", "us-inaugural-addresses.txt.xz",
           "wordnet-glosses.txt.xz"]
WORD = re.compile(r"[a-z]+")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source_dir", help="directory holding the .txt.xz source texts")
    p.add_argument("-o", "--output", default="corpora/starter.txt.xz")
    args = p.parse_args(argv)
    src = Path(args.source_dir)
    missing = [name for name in SOURCES if not (src / name).is_file()]
    if missing:
        print(f"prepare_corpus: error: {src} lacks {', '.join(missing)}", file=sys.stderr)
        return 2
    out = Path(args.output)
    tmp = out.with_name(out.name + ".tmp")
    words = lines = 0
    with lzma.open(tmp, "wt", encoding="utf-8", preset=9 | lzma.PRESET_EXTREME) as f:
        for name in SOURCES:
            with lzma.open(src / name, "rt", encoding="utf-8", errors="replace") as g:
                for line in g:
                    toks = WORD.findall(line.lower())
                    if toks:
                        f.write(" ".join(toks) + "\n")
                        words += len(toks)
                        lines += 1
    tmp.replace(out)
    print(f"wrote {out}: {lines:,} lines, {words:,} words, {out.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
