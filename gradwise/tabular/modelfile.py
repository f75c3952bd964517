"""A model file that carries its preprocessing: ``best.gw`` of ``gradwise tune``.

The file is an ordinary gradwise model file (``gradwise.load_model`` reads it); its JSON
metadata has one extra entry, ``"preprocessing"``: the feature columns and their
statistics, the target column and its classes or scale. ``gradwise predict`` needs
nothing else to turn raw CSV rows into labels and probabilities.
"""

from ..saving import atomic_write, check_writable, load_model, save_model_to_bytes
from ..saving.errors import ModelFileError
from ..saving.format import read_archive, write_archive

KEY = "preprocessing"


def save_with_preprocessing(model, path, preprocessing):
    """Save `model` to `path` with the JSON-ready dict `preprocessing` in its metadata."""
    path = check_writable(path, overwrite=True)
    _, meta, arrays = read_archive(save_model_to_bytes(model))
    meta = {key: value for key, value in meta.items() if key not in ("format", "format_version")}
    meta[KEY] = preprocessing
    atomic_write(path, lambda handle: write_archive(handle, meta, arrays))


def load_with_preprocessing(path):
    """(model, preprocessing dict) of a file written by ``save_with_preprocessing``.

    Raises
    ------
    gradwise.saving.ModelFileError
        The file is not a gradwise model file, or has no preprocessing (it was saved
        with ``model.save`` rather than by ``gradwise tune``).
    """
    label, meta, _ = read_archive(path)
    if KEY not in meta:
        raise ModelFileError(label, "it has no preprocessing: `gradwise predict` needs the best.gw written by "
                                    "`gradwise tune` (a plain model.save file takes arrays, not CSV rows).")
    return load_model(path), meta[KEY]
