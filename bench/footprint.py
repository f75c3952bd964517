"""Cold import time (a fresh interpreter per import) and installed size of each tool."""

import json
import os
import statistics
import subprocess
import sys
from importlib import metadata
from pathlib import Path

_TIMER = "import time; _t = time.perf_counter(); {statement}; print(time.perf_counter() - _t)"


def import_seconds(statement, env, repeats, python=sys.executable):
    """Median, min and max seconds of `statement` in fresh interpreters (startup excluded).

    Timed with each module's bytecode cached, as a user's second import finds it: one untimed
    import first, allowed to write ``__pycache__`` (a shell with PYTHONDONTWRITEBYTECODE=1 would
    otherwise time compiling a source checkout from scratch every time: 0.38 s against 0.155 s
    for ``import gradwise`` in the twelfth session, where installed peers have their bytecode)."""
    env = {key: value for key, value in (env or os.environ).items() if key != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([python, "-c", statement], env=env, capture_output=True, timeout=300)
    times = []
    for _ in range(repeats):
        completed = subprocess.run([python, "-c", _TIMER.format(statement=statement)], env=env,
                                   capture_output=True, text=True, timeout=300)
        if completed.returncode != 0:
            return {"status": "not available", "reason": completed.stderr.strip().splitlines()[-1:]}
        times.append(float(completed.stdout.strip().splitlines()[-1]))
    return {"status": "ok", "median": statistics.median(times), "min": min(times), "max": max(times),
            "repeats": repeats}


def _editable_root(dist):
    text = dist.read_text("direct_url.json")
    if not text:
        return None
    info = json.loads(text)
    if not info.get("dir_info", {}).get("editable"):
        return None
    return Path(info["url"].removeprefix("file://"))


def _tree_bytes(root, names):
    total = 0
    for name in names:
        for path in (root / name).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                total += path.stat().st_size
    return total


def distribution_bytes(name):
    """Bytes on disk of one installed distribution (its package source for an editable install)."""
    dist = metadata.distribution(name)
    root = _editable_root(dist)
    if root is not None:
        packages = (dist.read_text("top_level.txt") or name).split()
        return _tree_bytes(root, packages)
    total = 0
    for file in dist.files or ():
        path = Path(file.locate())
        if path.is_file():
            total += path.stat().st_size
    return total


def _requirements(name):
    try:
        from packaging.requirements import Requirement
    except ImportError:
        Requirement = None
    for text in metadata.requires(name) or ():
        if Requirement is None:
            if "extra ==" not in text:
                yield text.split(";")[0].split("[")[0].split()[0].strip("<>=!~ ")
            continue
        requirement = Requirement(text)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            yield requirement.name


def dependency_closure(names):
    """The distributions `names` need at run time, themselves included."""
    seen, stack = set(), list(names)
    while stack:
        name = stack.pop()
        key = name.lower().replace("_", "-")
        if key in seen:
            continue
        try:
            metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen.add(key)
        stack.extend(_requirements(name))
    return sorted(seen)


def installed_size(distributions):
    """MB of the tool's own distributions, and of everything they pull in."""
    try:
        own = sum(distribution_bytes(name) for name in distributions)
    except metadata.PackageNotFoundError as error:
        return {"status": "not available", "reason": f"not installed: {error}"}
    closure = dependency_closure(distributions)
    total = sum(distribution_bytes(name) for name in closure)
    return {"status": "ok", "own_mb": own / 2**20, "with_dependencies_mb": total / 2**20,
            "dependencies": closure}


def measure(tools, env_for, repeats):
    """Import times and sizes for each tool (`env_for(tool)` gives its environment)."""
    result = {}
    for tool in tools:
        result[tool.name] = {"import": import_seconds(tool.import_statement, env_for(tool), repeats),
                             "size": installed_size(tool.distributions),
                             "import_statement": tool.import_statement}
    return result


if __name__ == "__main__":
    from .tools import TOOLS

    print(json.dumps(measure(TOOLS.values(), lambda tool: {**os.environ, **tool.env}, 3), indent=1))
