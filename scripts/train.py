#!/usr/bin/env python
"""Train word vectors from a script: the same options and outputs as `w2v train`.

Example
-------
    python scripts/train.py corpus.txt -o runs/demo --arch skipgram --loss negative --dim 100
"""
import sys

from w2v.cli import main

if __name__ == "__main__":
    sys.exit(main(["train", *sys.argv[1:]]))
