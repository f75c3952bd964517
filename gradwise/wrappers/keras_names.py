"""KerasClassifier and KerasRegressor: the wrappers under Keras' names, taking ``build_fn=``.

Code written for ``keras.wrappers.scikit_learn`` ports by changing its imports::

    def create_model(optimizer="adam"):
        model = Sequential([Dense(12, input_dim=8, activation="relu"), Dense(1, activation="sigmoid")])
        model.compile(loss="binary_crossentropy", optimizer=optimizer, metrics=["accuracy"])
        return model

    classifier = KerasClassifier(build_fn=create_model, epochs=150, batch_size=10, verbose=0)
    cross_val_score(classifier, X, y, cv=KFold(10))
    GridSearchCV(classifier, {"optimizer": ["adam", "rmsprop"]})

As in Keras, a keyword argument that the build function names (``optimizer`` here) goes
to it, with or without scikeras' ``model__`` prefix; the others are the wrapper's own
(``epochs``, ``batch_size``, ...). Anything else is an error naming both lists.
"""

import inspect

from .base import _ROUTED
from .classifier import NeuralClassifier
from .regressor import NeuralRegressor


def _accepts(build_fn, name):
    """Whether `build_fn` takes a keyword argument `name` (by name or through **kwargs)."""
    try:
        parameters = inspect.signature(build_fn).parameters
    except (TypeError, ValueError):  # not a function: a model, or no signature to read
        return False
    return name in parameters or any(p.kind == p.VAR_KEYWORD for p in parameters.values())


class _BuildFnWrapper:
    """``build_fn=`` in place of ``model=``, and build-function arguments without a prefix."""

    @property
    def model(self):
        """What the shared machinery builds from (NeuralClassifier's `model`)."""
        return self.build_fn

    def _routed_params(self):
        routed, unexpected = {}, []
        for key, value in self._extra_params().items():
            name = key[len(_ROUTED):] if key.startswith(_ROUTED) else key
            if key.startswith(_ROUTED) or _accepts(self.build_fn, name):
                routed[name] = value
            else:
                unexpected.append(key)
        if unexpected:
            function = getattr(self.build_fn, "__name__", repr(self.build_fn))
            raise TypeError(
                f"{type(self).__name__}: unexpected parameter(s) {sorted(unexpected)}: they are neither arguments of "
                f"the wrapper {sorted(self._get_param_names())} nor of the build function {function}"
                f"{_signature(self.build_fn)}."
            )
        return routed

    def set_params(self, **params):
        for key in [key for key in params if key not in self._get_param_names() and _accepts(self.build_fn, key)]:
            setattr(self, key, params.pop(key))
        return super().set_params(**params) if params else self


def _signature(build_fn):
    try:
        return str(inspect.signature(build_fn))
    except (TypeError, ValueError):
        return ""


class KerasClassifier(_BuildFnWrapper, NeuralClassifier):
    """NeuralClassifier under Keras' name: ``KerasClassifier(build_fn=create_model, epochs=..., ...)``.

    Parameters
    ----------
    build_fn : callable or Sequential
        A function returning a compiled model (it may name ``n_features_in`` and
        ``n_classes`` to receive them), or a compiled model; see NeuralClassifier's `model`.
    epochs, batch_size, verbose, random_state, callbacks, validation_split, shuffle, class_weight
        As in NeuralClassifier.
    **sk_params
        Arguments of the build function, by their names (or prefixed ``model__``).

    Examples
    --------
    >>> classifier = KerasClassifier(build_fn=create_model, epochs=150, batch_size=10, verbose=0)  # doctest: +SKIP
    >>> cross_val_score(classifier, X, y, cv=KFold(n_splits=10, shuffle=True))  # doctest: +SKIP
    """

    def __init__(self, build_fn=None, *, epochs=1, batch_size=None, verbose=0, random_state=None, callbacks=None,
                 validation_split=0.0, shuffle=True, class_weight=None, **sk_params):
        # Stored verbatim (scikit-learn's rule); `model` is read from `build_fn`.
        self.build_fn = build_fn
        self.epochs = epochs
        self.batch_size = batch_size
        self.verbose = verbose
        self.random_state = random_state
        self.callbacks = callbacks
        self.validation_split = validation_split
        self.shuffle = shuffle
        self.class_weight = class_weight
        for key, value in sk_params.items():
            setattr(self, key, value)


class KerasRegressor(_BuildFnWrapper, NeuralRegressor):
    """NeuralRegressor under Keras' name: ``KerasRegressor(build_fn=create_model, epochs=..., ...)``.

    Parameters
    ----------
    build_fn : callable or Sequential
        A function returning a compiled model (it may name ``n_features_in`` and
        ``n_outputs``), or a compiled model; see NeuralRegressor's `model`.
    epochs, batch_size, verbose, random_state, callbacks, validation_split, shuffle
        As in NeuralRegressor.
    **sk_params
        Arguments of the build function, by their names (or prefixed ``model__``).

    Notes
    -----
    ``score`` is R², scikit-learn's rule for regressors (as scikeras does), where the old
    ``keras.wrappers.scikit_learn.KerasRegressor`` returned the negative loss: code that
    reads ``cross_val_score`` results as an MSE must pass
    ``scoring='neg_mean_squared_error'``.
    """

    def __init__(self, build_fn=None, *, epochs=1, batch_size=None, verbose=0, random_state=None, callbacks=None,
                 validation_split=0.0, shuffle=True, **sk_params):
        self.build_fn = build_fn
        self.epochs = epochs
        self.batch_size = batch_size
        self.verbose = verbose
        self.random_state = random_state
        self.callbacks = callbacks
        self.validation_split = validation_split
        self.shuffle = shuffle
        for key, value in sk_params.items():
            setattr(self, key, value)
