"""The commands that draw: plot (a word map or analogy arrows), plot-loss, explore (the offline explorer page).

Example
-------
$ w2v plot runs/w2v --arrows man:woman king:queen -o analogies.png
"""
from __future__ import annotations

from pathlib import Path

from ..errors import W2VError
from .args import MODEL_HELP, load, option, renamed_flags


def add_parsers(sub, common) -> None:
    """The commands of this module, on ``w2v``'s subparsers."""
    from ..pictures.explore import DEFAULT_TOP
    from ..files import MODEL_FILE

    p = sub.add_parser("plot", parents=[common], help="draw words (PCA / t-SNE map) or analogy pairs as arrows",
                       description="Draw a labelled 2-D map of words, or pairs a:b as arrows in one projection.")
    p.add_argument("model", help=MODEL_HELP)
    what = p.add_mutually_exclusive_group()
    what.add_argument("--words", nargs="+", metavar="WORD", help="the words to draw")
    new = {"limit": option(what, "limit", None, "draw the N most frequent words", shown=50),
           "arrows": what.add_argument("--arrows", nargs="+", metavar="A:B",
                                       help="draw arrows a -> b, e.g. man:woman king:queen")}
    new["projection"] = option(p, "projection", "pca")
    renamed_flags(p, "plot", new, group=what)
    p.add_argument("--seed", type=int, default=0, help="random state of t-SNE (default: 0)")
    p.add_argument("--title", default=None, help="the picture's title (default: what it shows)")
    p.add_argument("-o", "--output", required=True, help="picture file: .png, .svg or .pdf")
    p.set_defaults(func=cmd_plot)

    p = sub.add_parser("plot-loss", parents=[common], help="draw the training-loss curve of a native model")
    p.add_argument("model", help=f"native model ({MODEL_FILE} or its directory)")
    p.add_argument("--title", default=None, help="the picture's title (default: the model's run)")
    p.add_argument("-o", "--output", required=True, help="picture file: .png, .svg or .pdf")
    p.set_defaults(func=cmd_plot_loss)

    p = sub.add_parser("explore", parents=[common], help="write one self-contained HTML page to explore a model",
                       description="Write one HTML file (no server, no network) with a search box for nearest "
                                   "neighbours, an analogy box and a zoomable map of the most frequent words.")
    p.add_argument("model", help=MODEL_HELP)
    p.add_argument("-o", "--output", required=True, help="the HTML file to write")
    new = {"limit": option(p, "limit", DEFAULT_TOP, "the N most frequent words go into the page"),
           "projection": option(p, "projection", "pca")}
    renamed_flags(p, "explore", new)
    p.add_argument("--title", default=None, help="the page's title (default: from the model's name)")
    p.set_defaults(func=cmd_explore)


def cmd_plot(args) -> int:
    from ..pictures import plot
    kv = load(args.model)
    if args.arrows:
        plot.plot_analogies(kv, args.arrows, projection=args.projection, seed=args.seed, title=args.title,
                            path=args.output)
    else:
        plot.plot_words(kv, words=args.words, limit=args.limit, projection=args.projection, seed=args.seed,
                        title=args.title, path=args.output)
    print(f"wrote {args.output}")
    return 0


def cmd_plot_loss(args) -> int:
    from ..pictures import plot
    from ..files import MODEL_FILE, find_model_file, is_native_model
    from ..word2vec import Word2Vec
    path = find_model_file(args.model)
    if not is_native_model(path):
        raise W2VError(f"{path}: plot-loss needs a native model ({MODEL_FILE}); word2vec vectors files hold no "
                       "loss history")
    plot.plot_loss(Word2Vec.load(path), title=args.title, path=args.output)
    print(f"wrote {args.output}")
    return 0


def cmd_explore(args) -> int:
    from ..pictures.explore import write_explorer
    kv = load(args.model)
    path = write_explorer(kv, args.output, limit=args.limit, projection=args.projection, title=args.title,
                          model_name=Path(args.model).name)
    print(f"wrote {path}: {min(args.limit, len(kv)):,} words, {path.stat().st_size / 1e6:.1f} MB; open it in a browser "
          "(it needs no server and no network)")
    return 0
