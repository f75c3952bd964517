"""What NeuralClassifier and NeuralRegressor share: parameters, model building, fit, pickling."""

import inspect
import numbers

import numpy as np

try:
    from sklearn.base import BaseEstimator
except ModuleNotFoundError as error:  # an optional dependency
    raise ModuleNotFoundError("gradwise.wrappers needs scikit-learn: pip install 'gradwise[tools]'.") from error
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .. import backend
from ..models.sequential import Sequential
from ..saving import clone_model, load_model_from_bytes, save_model_to_bytes
from ..validation import _fresh_callbacks

_ROUTED = "model__"


class BaseWrapper(BaseEstimator):
    """Shared machinery; see NeuralClassifier and NeuralRegressor for the parameters."""

    # The build function may ask for these by name; subclasses say what they mean.
    _meta_names = ("n_features_in",)

    def __init__(self, model=None, *, epochs=1, batch_size=None, verbose=0, random_state=None, callbacks=None,
                 validation_split=0.0, shuffle=True, **model_params):
        self.model = model
        self.epochs = epochs
        self.batch_size = batch_size
        self.verbose = verbose
        self.random_state = random_state
        self.callbacks = callbacks
        self.validation_split = validation_split
        self.shuffle = shuffle
        if "build_fn" in model_params:  # Keras' name: a clear error now, not a prefix error inside cross_val_score
            name = type(self).__name__
            raise TypeError(
                f"{name}: unexpected argument `build_fn` (Keras' name); pass the build function as `model=`, "
                f"{name}(model=create_model, ...), or use gradwise.wrappers.Keras{name.removeprefix('Neural')}"
                "(build_fn=create_model, ...)."
            )
        # Stored verbatim (scikit-learn's rule: no checks in __init__); fit checks the prefix.
        for key, value in model_params.items():
            setattr(self, key, value)

    # ----- parameters ---------------------------------------------------------------------
    def _extra_params(self):
        """The keyword arguments beyond the named ones: public attributes that are not fitted."""
        named = self._get_param_names()
        return {
            key: value for key, value in vars(self).items()
            if key not in named and not key.startswith("_") and not key.endswith("_")
        }

    def get_params(self, deep=True):
        return {**super().get_params(deep=deep), **self._extra_params()}

    def set_params(self, **params):
        extra = self._extra_params()
        for key in [key for key in params if key.startswith(_ROUTED) or key in extra]:
            setattr(self, key, params.pop(key))
        return super().set_params(**params) if params else self

    def _routed_params(self):
        extra = self._extra_params()
        unexpected = sorted(key for key in extra if not key.startswith(_ROUTED))
        if unexpected:
            raise TypeError(
                f"{type(self).__name__}: unexpected parameter(s) {unexpected}; arguments for the build "
                f"function take the prefix '{_ROUTED}' (e.g. {_ROUTED}units=32)."
            )
        return {key[len(_ROUTED):]: value for key, value in extra.items()}

    # ----- building -------------------------------------------------------------------------
    def _seed(self):
        if self.random_state is None:
            return None
        if isinstance(self.random_state, numbers.Integral):
            return int(self.random_state)
        return int(check_random_state(self.random_state).randint(2**31 - 1))

    def _build_model(self, meta):
        name = type(self).__name__
        routed = self._routed_params()
        if isinstance(self.model, Sequential):
            if routed:
                raise ValueError(f"{name}: {sorted(routed)} are build-function arguments but `model` is a model.")
            if not self.model.compiled:
                raise ValueError(f"{name}: `model` must be compiled (model.compile(...)) before it is wrapped.")
            model = clone_model(self.model, seed=self._seed())
        elif callable(self.model):
            accepted = inspect.signature(self.model).parameters
            takes_any = any(p.kind == p.VAR_KEYWORD for p in accepted.values())
            kwargs = {key: value for key, value in meta.items() if takes_any or key in accepted}
            with backend.seeded(self._seed()):  # this thread only: safe under joblib threads
                model = self.model(**kwargs, **routed)
        else:
            raise ValueError(
                f"{name}: `model` must be a function returning a compiled gradwise model, or a compiled "
                f"gradwise model, got {self.model!r}."
            )
        if not isinstance(model, Sequential) or not model.compiled:
            raise ValueError(f"{name}: the build function must return a compiled gradwise model, got {model!r}.")
        if not model.built:
            model.build((meta["n_features_in"],))
        return model

    # ----- fitting ------------------------------------------------------------------------
    def _validate_fit_data(self, X, y, sample_weight):
        X, y = validate_data(self, X, y, dtype=np.float64, **self._validate_kwargs)
        weights = None if sample_weight is None else _check_sample_weight(sample_weight, X, ensure_non_negative=True)
        return X, y, weights

    def _fit_model(self, X, y, weights, meta):
        """Build a fresh model, check its outputs fit `y`, encode `y` for its loss, train."""
        self.model_ = self._build_model(meta)
        self._check_outputs()
        targets = self._encode_targets(y)
        history = self.model_.fit(
            X, targets, epochs=self.epochs, batch_size=self.batch_size, verbose=self.verbose,
            callbacks=_fresh_callbacks(self.callbacks), validation_split=self.validation_split,
            shuffle=self.shuffle, sample_weight=weights,
        )
        self.history_ = {key: list(values) for key, values in history.history.items()}
        return self

    def _outputs(self, X):
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return self.model_.predict(X, batch_size=self.batch_size).astype(np.float64, copy=False)

    # ----- pickling: through gradwise's own file format, never by pickling the model ---------
    def __getstate__(self):
        state = dict(super().__getstate__())
        if isinstance(state.get("model_"), Sequential):
            state["model_"] = save_model_to_bytes(state["model_"])
        return state

    def __setstate__(self, state):
        state = dict(state)
        if isinstance(state.get("model_"), bytes):
            state["model_"] = load_model_from_bytes(state["model_"])
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = self.random_state is None
        return tags
