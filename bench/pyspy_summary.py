"""Summarize a py-spy raw (collapsed-stack) profile: own and inclusive share per function.

    py-spy record -r 500 -f raw -o /tmp/w1.raw -- python -m bench.profile_gradwise w1 --no-profile --epochs 500
    python -m bench.pyspy_summary /tmp/w1.raw [--top 30] [--match gradwise/]

A sampling profiler charges nothing per call, so this is the fair view of call-heavy
workloads (W1, W2) where cProfile's overhead would dominate.
"""

import argparse
import collections
import sys


def _frames(stack):
    # py-spy raw frames look like "function (path/to/file.py:line)"
    frames = []
    for frame in stack.split(";"):
        name, _, where = frame.partition(" (")
        path = where.rstrip(")").rsplit(":", 1)[0]
        for marker in ("site-packages/", "/work/main/"):
            if marker in path:
                path = path.split(marker, 1)[1]
        frames.append(f"{path}:{name}")
    return frames


def summarize(lines, match=None):
    own, inclusive = collections.Counter(), collections.Counter()
    total = 0
    for line in lines:
        stack, _, count = line.rstrip().rpartition(" ")
        if not stack:
            continue
        count = int(count)
        frames = _frames(stack)
        if match and not any(match in frame for frame in frames):
            continue
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    return total, own, inclusive


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.pyspy_summary")
    parser.add_argument("raw")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--match", help="keep only samples whose stack contains this text, e.g. 'training.py:fit'")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    with open(args.raw) as file:
        total, own, inclusive = summarize(file, args.match)
    print(f"{total} samples")
    print("own share (the frame running when sampled)")
    for frame, count in own.most_common(args.top):
        print(f"{count / total:7.1%}  {frame}")
    print("\ninclusive share (the frame anywhere on the stack)")
    for frame, count in inclusive.most_common(args.top):
        print(f"{count / total:7.1%}  {frame}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
