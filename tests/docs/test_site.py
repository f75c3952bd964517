"""The documentation site builds with `mkdocs build --strict`, offline, and its API reference is complete."""

import importlib
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

import gradwise

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.xdist_group("docs")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The built site; pages whose figures test_pages.py has not drawn yet are run by the build's hook."""
    target = tmp_path_factory.mktemp("site")
    env = dict(os.environ, GRADWISE_DOCS_EXECUTE="missing", NO_MKDOCS_2_WARNING="1",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(target)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}"
    return target


def _resolve(dotted):
    """The object a reference heading id names: the longest importable module prefix, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for name in parts[cut:]:
                obj = getattr(obj, name)
        except AttributeError:
            continue
        return obj
    return None


def _public_names():
    """(owner, name, object) for gradwise.__all__ and the __all__ of every module gradwise exposes."""
    modules = [getattr(gradwise, name) for name in gradwise.__all__ if isinstance(getattr(gradwise, name), types.ModuleType)]
    modules += [importlib.import_module(f"gradwise.{name}") for name in gradwise._LAZY_SUBMODULES]
    for module in [gradwise] + modules:
        for name in getattr(module, "__all__", []):
            yield module.__name__, name, getattr(module, name)


def test_every_public_name_is_in_the_api_reference(site):
    ids = set()
    for page in (site / "reference").glob("*.html"):
        ids |= set(re.findall(r'id="(gradwise[\w.]*)"', page.read_text(encoding="utf-8")))
    documented = {}
    for heading in ids:
        obj = _resolve(heading)
        if obj is not None:
            documented.setdefault(id(obj), heading)
    missing = []
    for owner, name, obj in _public_names():
        if f"{owner}.{name}" in ids:
            continue
        if isinstance(obj, (type, types.FunctionType, types.ModuleType)) and id(obj) in documented:
            continue  # documented where it is defined (gradwise.Dense is gradwise.layers.Dense)
        missing.append(f"{owner}.{name}")
    assert not missing, f"public names missing from the API reference: {missing}"


def test_the_site_needs_no_network(site):
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        remote = re.findall(r'<(?:link|script|img)[^>]+(?:href|src)="(https?://[^"]+)"', html)
        assert not remote, f"{page.relative_to(site)} loads {remote}"
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html


def test_the_lessons_show_the_figures_their_code_drew(site):
    lesson = (site / "lessons" / "vanishing-gradients.html").read_text(encoding="utf-8")
    shown = re.findall(r'src="\.\./images/generated/([^"]+)"', lesson)
    assert shown, "the vanishing-gradients lesson shows no generated figure"
    for name in shown:
        assert (site / "images" / "generated" / name).stat().st_size > 1000
