"""The documentation site builds with `mkdocs build --strict`, offline, and its API reference is complete."""

import importlib
import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest
import yaml

import gradwise

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "docs" / "hooks"))
import pages  # noqa: E402

# A 1x1 PNG: stands in for a figure the pages' code draws (test_pages.py checks that it does).
PLACEHOLDER_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                                "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def build_site(work):
    """The site built with `mkdocs build --strict` from a copy of docs/.

    The copy has a stand-in for each generated file (figures and the doctor's texts), so
    the build checks every link, snippet and reference without running the pages again
    and without racing with test_pages.py, which runs them (in parallel) and checks their
    figures. `make docs` runs the pages for real before it builds."""
    shutil.copytree(pages.DOCS, work / "docs", ignore=shutil.ignore_patterns("generated", "hooks"))
    generated = work / "docs" / "images" / "generated"
    generated.mkdir(parents=True)
    for page in pages.DOCS.rglob("*.md"):
        for name in pages.generated_images(page):
            (generated / name).write_bytes(PLACEHOLDER_PNG if name.endswith(".png") else b"(the doctor's report)\n")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config.pop("hooks")
    config["docs_dir"] = str(work / "docs")
    config["site_dir"] = str(work / "site")
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "mkdocstrings" in plugin:
            plugin["mkdocstrings"]["handlers"]["python"]["paths"] = [str(ROOT)]
    for extension in config["markdown_extensions"]:
        if isinstance(extension, dict) and "pymdownx.snippets" in extension:
            extension["pymdownx.snippets"]["base_path"] = [str(work / "docs"), str(ROOT)]
    (work / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(work / "mkdocs.yml")],
                          cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}"
    return work / "site"


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


def test_the_site_builds_strictly_offline_with_every_public_name_in_the_reference(tmp_path):
    # One test, so the parallel suite builds the site once (a fixture would build it on every worker).
    site = build_site(tmp_path)
    check_every_public_name_is_in_the_api_reference(site)
    check_the_site_needs_no_network(site)
    check_the_lessons_show_the_figures_their_code_draws(site)


def check_every_public_name_is_in_the_api_reference(site):
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


def check_the_site_needs_no_network(site):
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        remote = re.findall(r'<(?:link|script|img)[^>]+(?:href|src)="(https?://[^"]+)"', html)
        assert not remote, f"{page.relative_to(site)} loads {remote}"
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html


def check_the_lessons_show_the_figures_their_code_draws(site):
    lesson = (site / "lessons" / "vanishing-gradients.html").read_text(encoding="utf-8")
    shown = re.findall(r'src="\.\./images/generated/([^"]+)"', lesson)
    assert "vanishing-remedies.png" in shown and "vanishing-doctor.png" in shown
    assert "(the doctor's report)" in lesson  # the doctor's text, included from the file the code wrote


def test_the_yaml_the_build_test_reads_is_the_site_config():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["theme"]["font"] is False and config["strict"] is True
    assert config["hooks"] == ["docs/hooks/execute.py"]
