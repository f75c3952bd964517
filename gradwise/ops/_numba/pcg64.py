"""Dropout with its random bits drawn inside the kernel: NumPy's PCG64 stream, bit for bit.

NumPy's ``random_raw`` calls the bit generator through a function pointer for each 64-bit
draw (about 2.2 ns a draw on the project's machine: 73 us of the 91 us a 128 x 512 dropout
took) and writes the bits to memory for the mask pass to read back. Here the generator's
step is inlined: the same 128-bit linear congruential step and the same XSL-RR output as
NumPy's PCG64 (``pcg64.h``: the state advances, then the output is taken from the new
state). One step depends on the one before, so four lanes each draw a quarter of the stream
from the state jumped ahead to it (``advance``, an LCG's jump-ahead), and their multiplies
overlap: about 1.3 ns a draw, 60 us for that dropout, mask included. The draws, and the
masks made from them, are NumPy's bit for bit; the caller reads the state from the bit
generator and writes the advanced state back.

numba has no 128-bit integers: ``_multiply`` asks LLVM for the 64 x 64 -> 128-bit product
(one ``mul`` instruction on x86-64) and the arithmetic is written on 64-bit halves."""

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from .elementwise import dropout as keep_units  # the mask and product pass, given the bits

_jit = numba.njit(cache=True, error_model="numpy", nogil=True)

# PCG64's 128-bit multiplier (PCG_DEFAULT_MULTIPLIER_128) in 64-bit halves
MULTIPLIER_HIGH = 0x2360ED051FC65DA4
MULTIPLIER_LOW = 0x4385DF649FCCF645
BLOCK = 256  # draws per lane between two passes over the units


@intrinsic
def _multiply(typingctx, a, b):
    """(low, high): the 64-bit halves of the full 128-bit product of two uint64."""
    if a != types.uint64 or b != types.uint64:
        return None
    signature = types.UniTuple(types.uint64, 2)(types.uint64, types.uint64)

    def codegen(context, builder, sig, args):
        wide, narrow = ir.IntType(128), ir.IntType(64)
        product = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
        low = builder.trunc(product, narrow)
        high = builder.trunc(builder.lshr(product, ir.Constant(wide, 64)), narrow)
        return context.make_tuple(builder, sig.return_type, (low, high))

    return signature, codegen


@_jit
def _times(a_high, a_low, b_high, b_low):
    """a * b mod 2^128, on 64-bit halves."""
    low, carry = _multiply(a_low, b_low)
    return carry + a_high * b_low + a_low * b_high, low


@_jit
def _plus(a_high, a_low, b_high, b_low):
    """a + b mod 2^128, on 64-bit halves."""
    low = a_low + b_low
    return a_high + b_high + (np.uint64(1) if low < a_low else np.uint64(0)), low


@_jit
def advance(high, low, increment_high, increment_low, draws):
    """The state `draws` steps on: the step's affine map raised to the power `draws` by
    squaring (the jump-ahead of an LCG; NumPy's PCG64.advance computes the same)."""
    multiply_high, multiply_low = np.uint64(0), np.uint64(1)  # the accumulated map: x -> a x + c
    add_high, add_low = np.uint64(0), np.uint64(0)
    step_multiply_high, step_multiply_low = np.uint64(MULTIPLIER_HIGH), np.uint64(MULTIPLIER_LOW)
    step_add_high, step_add_low = increment_high, increment_low
    one = np.uint64(1)
    while draws > 0:
        if draws & 1:
            multiply_high, multiply_low = _times(multiply_high, multiply_low, step_multiply_high, step_multiply_low)
            add_high, add_low = _times(add_high, add_low, step_multiply_high, step_multiply_low)
            add_high, add_low = _plus(add_high, add_low, step_add_high, step_add_low)
        plus_one_high, plus_one_low = _plus(step_multiply_high, step_multiply_low, np.uint64(0), one)
        step_add_high, step_add_low = _times(step_add_high, step_add_low, plus_one_high, plus_one_low)
        step_multiply_high, step_multiply_low = _times(step_multiply_high, step_multiply_low, step_multiply_high,
                                                       step_multiply_low)
        draws >>= 1
    high, low = _times(multiply_high, multiply_low, high, low)
    return _plus(high, low, add_high, add_low)


@_jit
def _draw(high, low, increment_high, increment_low):
    """One PCG64 step: (new state, the 64 output bits of the new state, XSL-RR)."""
    high, low = _times(high, low, np.uint64(MULTIPLIER_HIGH), np.uint64(MULTIPLIER_LOW))
    high, low = _plus(high, low, increment_high, increment_low)
    folded = high ^ low
    rotation = high >> np.uint64(58)
    return high, low, (folded >> rotation) | (folded << ((np.uint64(64) - rotation) & np.uint64(63)))


@_jit
def dropout(inputs, state_high, state_low, increment_high, increment_low, threshold, scale, outputs, mask):
    # keep unit i when its 32 random bits reach `threshold`: mask = scale, y = x * scale; else 0.
    # Each step of the generator depends on the one before (a multiply's latency, about 2 ns a
    # draw), so four lanes draw four quarters of the stream side by side, each from the state
    # jumped ahead to its quarter. Returns the state after the last draw.
    count = inputs.size
    draws = (count + 1) // 2
    quarter = (draws + 3) // 4
    limit = np.uint32(threshold)
    increment_high, increment_low = np.uint64(increment_high), np.uint64(increment_low)
    high_0, low_0 = np.uint64(state_high), np.uint64(state_low)
    high_1, low_1 = advance(high_0, low_0, increment_high, increment_low, quarter)
    high_2, low_2 = advance(high_1, low_1, increment_high, increment_low, quarter)
    high_3, low_3 = advance(high_2, low_2, increment_high, increment_low, quarter)
    # draws into a small buffer (L1-resident), a block of each lane at a time; then each lane's
    # block of units in one contiguous loop
    bits = np.empty((4, BLOCK), dtype=np.uint64)
    for first in range(0, quarter, BLOCK):
        size = min(BLOCK, quarter - first)
        for k in range(size):
            high_0, low_0, bits[0, k] = _draw(high_0, low_0, increment_high, increment_low)
            high_1, low_1, bits[1, k] = _draw(high_1, low_1, increment_high, increment_low)
            high_2, low_2, bits[2, k] = _draw(high_2, low_2, increment_high, increment_low)
            high_3, low_3, bits[3, k] = _draw(high_3, low_3, increment_high, increment_low)
        for lane in range(4):  # the last lane's last draws may lie past the stream's end: not used
            start = 2 * (lane * quarter + first)
            units = min(2 * size, count - start)
            # a draw's low 32 bits decide unit 2k, its high 32 bits unit 2k + 1: random_raw's draws
            # seen as uint32, as NumpyOps reads them
            keep_units(inputs[start:start + units], bits[lane].view(np.uint32), limit, scale,
                       outputs[start:start + units], mask[start:start + units])
    return advance(np.uint64(state_high), np.uint64(state_low), increment_high, increment_low, draws)
