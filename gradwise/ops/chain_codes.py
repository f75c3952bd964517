"""The codes of a Dense/Dropout chain's plan, shared by its planner (``models/chain_step.py``)
and numba's kernel (``ops/_numba/dense_chain.py``); NumPy only, so the planner reads them
without importing numba."""

# a plan row's kind
DENSE, DROPOUT = 0, 1
# a Dense row's activation
LINEAR, RELU, SIGMOID, TANH, SOFTMAX, ELU, GELU, GELU_TANH = 0, 1, 2, 3, 4, 5, 6, 7
# the loss
BINARY_CROSSENTROPY, SPARSE_CROSSENTROPY, MEAN_SQUARED_ERROR = 0, 1, 2
