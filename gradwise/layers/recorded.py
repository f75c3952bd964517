"""Recorded tensors: the values flowing between layers while a subclassed model's `call` runs.

A subclassed model (``gradwise.models.subclassed``) runs its ``call`` define-by-run: each
layer call is recorded as it happens, and backward replays the record in reverse.
Inside ``call`` the values are ``RecordedTensor``s: a layer called on one is recorded by
the tensor's recorder and gives back another. gradwise has no autograd, so a NumPy
operation on a recorded tensor (``x * 2``, ``np.tanh(x)``, ``x + y``, ``x[:, 0]``) would
have no gradient: it raises a TypeError saying to wrap it in a layer instead.
"""


class RecordedTensor:
    """One value of one recorded pass: tensor `number` of `recorder`, holding `value`.

    Only what describes the value is open (``shape``, ``dtype``, ``ndim``, ``len``);
    every operation on it raises, naming the operation and the layer to write instead.
    """

    __slots__ = ("recorder", "number", "value")

    def __init__(self, recorder, number, value):
        self.recorder = recorder
        self.number = number
        self.value = value

    @property
    def shape(self):
        return self.value.shape

    @property
    def dtype(self):
        return self.value.dtype

    @property
    def ndim(self):
        return self.value.ndim

    def __len__(self):
        return len(self.value)

    def __repr__(self):
        return f"<RecordedTensor shape={self.value.shape} dtype={self.value.dtype}>"

    __hash__ = object.__hash__

    # ----- every operation raises: no gradient could flow through it ----------------------------
    def __array__(self, *args, **kwargs):
        raise refusal(self, "np.asarray(x) (or another conversion to an array)")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        name = ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}"
        raise refusal(self, f"np.{name}(...)")

    def __array_function__(self, function, types, args, kwargs):
        raise refusal(self, f"np.{function.__name__}(...)")

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(str(refusal(self, f"x.{name}")))

    def __getitem__(self, key):
        raise refusal(self, "x[...] (indexing or slicing)")

    def __iter__(self):
        raise refusal(self, "iterating over x")

    def __bool__(self):
        raise refusal(self, "bool(x) (a condition on the values)")

    def __float__(self):
        raise refusal(self, "float(x)")

    def __int__(self):
        raise refusal(self, "int(x)")


def _operand(other):
    """How a message writes the other operand: a number as itself, a tensor as y."""
    return repr(other) if isinstance(other, (int, float)) and not isinstance(other, bool) else "y"


def _operator(symbol, reflected=False):
    def refuse(self, other=None):
        text = f"{_operand(other)} {symbol} x" if reflected else f"x {symbol} {_operand(other)}"
        raise refusal(self, text)
    return refuse


def _unary(text):
    def refuse(self):
        raise refusal(self, text)
    return refuse


for _name, _symbol in [("add", "+"), ("sub", "-"), ("mul", "*"), ("truediv", "/"), ("floordiv", "//"),
                       ("mod", "%"), ("pow", "**"), ("matmul", "@"), ("and", "&"), ("or", "|"), ("xor", "^")]:
    setattr(RecordedTensor, f"__{_name}__", _operator(_symbol))
    setattr(RecordedTensor, f"__r{_name}__", _operator(_symbol, reflected=True))
    setattr(RecordedTensor, f"__i{_name}__", _operator(_symbol + "="))
for _name, _symbol in [("lt", "<"), ("le", "<="), ("gt", ">"), ("ge", ">="), ("eq", "=="), ("ne", "!=")]:
    setattr(RecordedTensor, f"__{_name}__", _operator(_symbol))
for _name, _text in [("neg", "-x"), ("pos", "+x"), ("abs", "abs(x)"), ("invert", "~x")]:
    setattr(RecordedTensor, f"__{_name}__", _unary(_text))


def refusal(tensor, operation):
    """The TypeError for `operation` on a recorded tensor: what failed, why, and the layer to write."""
    where = tensor.recorder.where() if tensor.recorder is not None else "call"
    return TypeError(
        f"{where}: `{operation}` on a tensor inside `call`. gradwise differentiates nothing by itself: inside "
        "`call` only layer calls are recorded for backward, so this operation would have no gradient. Do it in a "
        "layer created in __init__ and called in `call`: gradwise.layers.Add / Subtract / Multiply / Concatenate "
        "for sums, products and joins of tensors; gradwise.layers.Lambda(function, derivative=...) for an "
        "elementwise function, e.g. Lambda(lambda x: x * 2, derivative=lambda x: np.full_like(x, 2.0)); "
        "Lambda(function, backward=...) for any other (backward(grad_outputs, inputs, outputs) gives the "
        "gradient w.r.t. the inputs); or a Layer subclass with forward and backward.")


def recorder_of(inputs):
    """The recorder of the recorded tensor(s) in `inputs` (a tensor or a list/tuple), or None."""
    if isinstance(inputs, RecordedTensor):
        return inputs.recorder
    if isinstance(inputs, (list, tuple)):
        for item in inputs:
            if isinstance(item, RecordedTensor):
                return item.recorder
    return None


_block_runner = []  # set by gradwise.models.recording (layers sit below models)


def register_block_runner(runner):
    """Let ``run_block`` run blocks: ``runner(block, inputs, training) -> outputs``."""
    _block_runner[:] = [runner]


def run_block(block, inputs, training):
    """The outputs of a block (a layer whose ``call`` composes others) called by itself on arrays."""
    return _block_runner[0](block, inputs, training)

