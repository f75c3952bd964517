"""The model file of ``gradwise tune`` (``best.gw``): networks and their preprocessing, one archive.

It is a gradwise archive (see ``gradwise.saving.format``) of kind ``"tabular_model"``:
its JSON metadata holds the preprocessing (feature columns and their statistics, the
target and its classes or scale; data, never code) and, for each network of the
ensemble, its weight and its ordinary model metadata; network i's arrays are stored under
``n{i}_``. ``gradwise.load_model`` returns a ``TabularModel`` for such a file.
"""

import io

from ..saving import atomic_write, check_writable, model_from_archive, register_file_kind, save_model_to_bytes
from ..saving.errors import ModelFileError
from ..saving.format import read_archive, write_archive
from .pipeline import TabularModel

KIND = "tabular_model"


def _payload(model):
    from .. import __version__

    networks, arrays = [], {}
    for index, (network, weight) in enumerate(zip(model.networks, model.weights)):
        _, meta, parts = read_archive(save_model_to_bytes(network))
        meta = {key: value for key, value in meta.items() if key not in ("format", "format_version")}
        networks.append({"weight": float(weight), "model": meta})
        arrays.update({f"n{index}_{name}": array for name, array in parts.items()})
    meta = {"kind": KIND, "gradwise_version": __version__, "preprocessing": model.preprocessing,
            "networks": networks}
    return meta, arrays


def save_tabular_model(model, path):
    """Write `model` (a TabularModel) to `path`, atomically; every check runs before the file is touched."""
    path = check_writable(path, overwrite=True)
    meta, arrays = _payload(model)
    buffer = io.BytesIO()
    write_archive(buffer, meta, arrays)  # fails here, before the file, if something cannot be written
    atomic_write(path, lambda handle: handle.write(buffer.getvalue()))


def tabular_model_from_archive(label, meta, arrays):
    preprocessing = meta.get("preprocessing")
    networks = meta.get("networks")
    if not isinstance(preprocessing, dict) or not isinstance(networks, list) or not networks:
        raise ModelFileError(label, "its preprocessing or networks are malformed: the file is corrupt.")
    models, weights = [], []
    for index, entry in enumerate(networks):
        if not isinstance(entry, dict) or not isinstance(entry.get("model"), dict):
            raise ModelFileError(label, f"network {index} is malformed: the file is corrupt.")
        prefix = f"n{index}_"
        parts = {name[len(prefix):]: array for name, array in arrays.items() if name.startswith(prefix)}
        models.append(model_from_archive(label, entry["model"], parts))
        weights.append(entry.get("weight", 1.0))
    try:
        return TabularModel(preprocessing, models, weights)
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(label, f"its preprocessing cannot be used ({type(error).__name__}: {error}).") from None


def load_tabular_model(path):
    """The TabularModel of a file written by ``gradwise tune`` (or ``TabularModel.save``).

    Raises
    ------
    gradwise.saving.ModelFileError
        The file is not a gradwise model file, or has no preprocessing (it was saved
        with ``model.save`` rather than by ``gradwise tune``).
    """
    label, meta, arrays = read_archive(path)
    if meta.get("kind") == "model" and isinstance(meta.get("preprocessing"), dict):
        return _model_or_legacy(label, meta, arrays)
    if meta.get("kind") != KIND:
        raise ModelFileError(label, "it has no preprocessing: `gradwise predict` needs the best.gw written by "
                                    "`gradwise tune` (a plain model.save file takes arrays, not CSV rows).")
    return tabular_model_from_archive(label, meta, arrays)


def _model_or_legacy(label, meta, arrays):
    """A plain model file; or a best.gw of gradwise 0.1 (one network, "preprocessing" beside it) as a TabularModel."""
    model = model_from_archive(label, meta, arrays)
    preprocessing = meta.get("preprocessing")
    if not isinstance(preprocessing, dict):
        return model
    try:
        return TabularModel(preprocessing, [model])
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(label, f"its preprocessing cannot be used ({type(error).__name__}: {error}).") from None


register_file_kind(KIND, tabular_model_from_archive)
register_file_kind("model", _model_or_legacy)
