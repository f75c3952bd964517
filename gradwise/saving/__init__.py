"""Saved models and weights: one pickle-free file, written atomically.

See ``model_io`` for what a file holds and ``format`` for the layout. Every failure to
read a file is a ``ModelFileError`` (a ``ValueError``) naming the file and the problem.
"""

from .atomic import atomic_write, check_writable
from .errors import ModelFileError
from .format import FORMAT_NAME, FORMAT_VERSION
from .serializable import (CustomObjectScope, custom_object_scope, deserialize_keras_object, get_custom_objects,
                           get_registered_name, get_registered_object, model_from_json, model_to_json,
                           register_keras_serializable, serialize_keras_object)
from .model_io import (
    clone_model, load_model, load_model_from_bytes, load_weights, model_from_archive, register_file_kind,
    restore_training_state, save_model, save_model_to_bytes, save_weights,
)

__all__ = [
    "ModelFileError", "save_model", "load_model", "save_weights", "load_weights", "clone_model",
    "save_model_to_bytes", "load_model_from_bytes", "atomic_write", "check_writable",
    "FORMAT_NAME", "FORMAT_VERSION", "register_file_kind", "model_from_archive",
    "restore_training_state", "model_to_json", "model_from_json", "register_keras_serializable", "custom_object_scope", "CustomObjectScope",
    "get_custom_objects", "get_registered_name", "get_registered_object", "serialize_keras_object",
    "deserialize_keras_object",
]
