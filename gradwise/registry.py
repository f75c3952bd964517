"""One registry for every kind of pluggable class: layers, models, optimizers, losses,
metrics, initializers, regularizers, constraints, activations and array backends (ops).

A class registers itself by subclassing its kind's base class (each base calls
``register`` from ``__init_subclass__``), under its class name and the names its kind
gives it (an activation's ``name``, a loss's snake-case name, aliases such as "mse").
An abstract base says ``register=False`` in its class statement. Names are looked up
without regard to case; an unknown name raises the same ValueError for every kind:
``Unknown optimizer 'adamm'. Valid names: adadelta, adagrad, adam, ...``.

Saving writes class names and loading resolves them here, so ``gradwise.saving``
imports no model or layer module.
"""

import contextlib
import contextvars
from collections.abc import Mapping

KINDS = ("layer", "model", "optimizer", "loss", "metric", "initializer", "regularizer", "constraint", "activation",
         "ops")

_tables = {kind: {} for kind in KINDS}  # kind -> {lower-case name: (class, {names as written})}
_custom_objects = contextvars.ContextVar("gradwise_custom_objects", default={})  # lower-case name -> object
_global_custom_objects = {}  # name as the user wrote it -> object (Keras's get_custom_objects(), for the process)


def _table(kind):
    if kind not in _tables:
        raise ValueError(f"Unknown registry kind {kind!r}. Valid names: {', '.join(KINDS)}.")
    return _tables[kind]


def register(kind, cls, *names):
    """Make `cls` resolvable as a `kind` under each of `names` (default: its class name).
    A later class registered under a name replaces the earlier one (a redefined class)."""
    table = _table(kind)
    for name in names or (cls.__name__,):
        entry = table.get(name.lower())
        spellings = entry[1] if entry is not None and entry[0] is cls else set()
        table[name.lower()] = (cls, spellings | {name})
    return cls


def lookup(kind, identifier, names=None):
    """The class registered as `kind` under `identifier` (any case).

    `names`: restrict the valid names (and those the error lists) to these, e.g. the
    snake-case names an activation is given by, not its class name.

    Raises
    ------
    ValueError
        ``Unknown <kind> <identifier>. Valid names: ...`` listing the valid names.
    """
    table = _table(kind)
    custom = _custom_objects.get()
    if isinstance(identifier, str) and identifier.lower() in custom:
        return custom[identifier.lower()]
    if isinstance(identifier, str) and _global_custom_objects:
        for name, obj in _global_custom_objects.items():
            if isinstance(name, str) and name.lower() == identifier.lower():
                return obj
    entry = table.get(identifier.lower()) if isinstance(identifier, str) else None
    if entry is None or (names is not None and not entry[1] & set(names)):
        valid = sorted(names if names is not None else {name for _, written in table.values() for name in written})
        raise ValueError(f"Unknown {kind} {identifier!r}. Valid names: {', '.join(valid)}.")
    return entry[0]


@contextlib.contextmanager
def custom_objects(mapping):
    """Within the block, `lookup` resolves each name of `mapping` (any kind, any case) to its
    object first: Keras's ``custom_objects={"Name": cls}``, for files that name a class by
    another name than the one it registered under."""
    if mapping is None:
        yield
        return
    if not isinstance(mapping, Mapping) or not all(isinstance(name, str) for name in mapping):
        raise TypeError(f"custom_objects must be a dict of names (str) to classes or functions, got {mapping!r}.")
    token = _custom_objects.set({**_custom_objects.get(), **{name.lower(): obj for name, obj in mapping.items()}})
    try:
        yield
    finally:
        _custom_objects.reset(token)


def global_custom_objects():
    """The process-wide ``{name: object}`` dict that `lookup` reads after any ``custom_objects``
    block (Keras's ``get_custom_objects()``: the caller adds to it)."""
    return _global_custom_objects


# Where a bare name is looked for when its kind is not known: a name such as 'relu' or 'mse' is
# first the function or loss it names, then the layer class of that name.
_FIND_ORDER = ("activation", "loss", "metric", "optimizer", "initializer", "regularizer", "constraint", "layer",
               "model")


def find(identifier):
    """(kind, class) registered under the name `identifier` in the first kind that has it, or None."""
    for kind in _FIND_ORDER:
        try:
            return kind, lookup(kind, identifier)
        except ValueError:
            continue
    return None


def names(kind, of=None):
    """The names registered for `kind` (only those of class `of`, if given), as written."""
    return sorted(name for cls, written in _table(kind).values() if of is None or cls is of for name in written)


def classes(kind):
    """Each class registered for `kind`, once, in the order of registration."""
    seen = {}
    for cls, _ in _table(kind).values():
        seen.setdefault(id(cls), cls)
    return list(seen.values())


def is_registered(kind, cls):
    """True when `cls` is what its class name resolves to (so a saved config rebuilds it)."""
    entry = _table(kind).get(cls.__name__.lower())
    return entry is not None and entry[0] is cls


class View(Mapping):
    """A live read-only ``{name: class}`` view of gradwise's own classes of one kind, each
    under the name `spelling(cls)` gives (for the modules' ``_REGISTRY`` and for tests that
    iterate every built-in class)."""

    def __init__(self, kind, spelling):
        self._kind, self._spelling = kind, spelling

    def _items(self):
        return {self._spelling(cls): cls for cls in classes(self._kind) if cls.__module__.startswith("gradwise.")}

    def __getitem__(self, name):
        return self._items()[name]

    def __iter__(self):
        return iter(self._items())

    def __len__(self):
        return len(self._items())


def unregister(kind, cls):
    """Forget every name under which `cls` is registered as `kind` (a test's throwaway class)."""
    table = _table(kind)
    for key in [key for key, (registered, _) in table.items() if registered is cls]:
        del table[key]
