"""numba helpers shared by the text and the training kernels: fast-math flags, prefetching, random numbers,
and the row products the window updates are made of (inlined where they are called).

Example
-------
>>> import numpy as np
>>> bits, state = rand64(np.uint64(1))
>>> int(state)
11400714819323198486
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

# reassociation lets numba vectorise the d-long dot products; no "nnan"/"ninf", so exp overflow stays correct
FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


@intrinsic
def prefetch(typingctx, arr, i, k):
    """Ask the CPU to start loading the cache line holding ``arr[i, k]`` (LLVM's prefetch, write intent).

    A hint only: it changes no value. Rows of the window ``AHEAD`` windows on arrive while this one trains.
    """
    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        idx = [context.cast(builder, v, t, types.intp) for v, t in zip(args[1:], signature.args[1:])]
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, idx, wraparound=False)
        i8p, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        # llvmlite names the overload for its pointer kind ("p0i8" typed, "p0" opaque)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = builder.module.declare_intrinsic("llvm.prefetch", [i8p], fnty)
        # write intent (1), keep in all cache levels (3), data cache (1)
        builder.call(fn, [builder.bitcast(ptr, i8p), ir.Constant(i32, 1), ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()
    return types.void(arr, i, k), codegen


@intrinsic
def borrowed(typingctx, arr):
    """``arr`` without its reference count: the same data, shape and strides, no owner (a null meminfo).

    numba counts references to every array a function holds, and each count is an atomic add: a locked
    instruction, which waits for every pending store. A window update holds a dozen arrays and row views, so every
    window paid for dozens of them. On a borrowed array each count is a null test instead. Only for arrays that
    an owner keeps alive for as long as the borrowed one is used: a kernel's own arguments, inside the kernel.

    Example
    -------
    >>> @njit
    ... def first(a):
    ...     return borrowed(a)[0]
    >>> float(first(np.ones(3)))
    1.0
    """
    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        src = context.make_array(aryty)(context, builder, args[0])
        out = context.make_array(aryty)(context, builder)
        for field in ("data", "shape", "strides", "itemsize", "nitems"):
            setattr(out, field, getattr(src, field))
        out.meminfo = context.get_constant_null(types.MemInfoPointer(aryty.dtype))
        out.parent = context.get_constant_null(types.pyobject)
        return out._getvalue()
    return arr(arr), codegen


@intrinsic
def load8(typingctx, buf, i):
    """The 8 bytes ``buf[i:i + 8]`` of a uint8 array as one uint64 (an unaligned load in the machine's byte
    order); the caller makes sure they are inside the array."""
    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        ptr = builder.gep(ary.data, [context.cast(builder, args[1], signature.args[1], types.intp)])
        return builder.load(builder.bitcast(ptr, ir.IntType(64).as_pointer()), align=1)
    return types.uint64(buf, i), codegen


@intrinsic
def float32_from_bits(typingctx, n):
    """The float32 whose bit pattern is the int32 ``n`` (a reinterpretation, no conversion)."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.FloatType())
    return types.float32(types.int32), codegen


# exp(a) = 2^n e^r with a = n ln2 + r, |r| <= ln2/2: ln2 in two parts so that n ln2 is exact (Cody and Waite), and
# e^r by Cephes' expf polynomial (Moshier), within 2 ulp
_LOG2E = np.float32(1.4426950408889634)
_LN2_HI, _LN2_LO = np.float32(0.693359375), np.float32(-2.12194440e-4)
_EXP_POLY = tuple(np.float32(c) for c in (1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2,
                                          1.6666665459e-1, 5.0000001201e-1))
_EXP_FLOOR = np.float32(-87.0)  # e^-87 = 1.6e-38, the smallest normal float32's order: 2^n stays normal


@njit(inline="always", fastmath=FASTMATH)
def sigmoid_pair(x):
    """``(σ(x), σ(-x))`` of a float32, each to a few ulp and neither by ``1 - σ`` (no cancellation near 0 or 1).

    One exponential, of ``-|x|`` (never overflows), made of arithmetic only (no call to the C library), so that a
    loop of them vectorises; in the kernels that ran at 2 ns a score against 8-12 ns for float64 ``math.exp`` and
    a division. Beyond ``|x| = 87`` the smaller value stays at 1.6e-38 instead of going on to 0; NaN gives NaN.

    Example
    -------
    >>> [round(float(v), 6) for v in sigmoid_pair(np.float32(2.0))]
    [0.880797, 0.119203]
    """
    a = -abs(x)
    a = a if not a < _EXP_FLOOR else _EXP_FLOOR  # written so that NaN passes through
    nf = np.floor(a * _LOG2E + np.float32(0.5))
    r = (a - nf * _LN2_HI) - nf * _LN2_LO
    q = _EXP_POLY[0]
    q = q * r + _EXP_POLY[1]
    q = q * r + _EXP_POLY[2]
    q = q * r + _EXP_POLY[3]
    q = q * r + _EXP_POLY[4]
    q = q * r + _EXP_POLY[5]
    e = (q * r * r + r + np.float32(1.0)) * float32_from_bits((np.int32(nf) + np.int32(127)) << np.int32(23))
    big = np.float32(1.0) / (np.float32(1.0) + e)  # σ(|x|)
    small = e * big  # σ(-|x|)
    if x >= 0:
        return big, small
    return small, big


@njit(inline="always")
def mix64(z):
    """SplitMix64's finaliser: every bit of the result depends on every bit of ``z``."""
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@njit(inline="always")
def rand64(state):
    """SplitMix64 (Steele, Lea & Flood 2014, as in Java's SplittableRandom): ``(64 random bits, next state)``.

    Every output bit is well mixed, so the high and the low 32 bits of one output serve as two independent
    uniform numbers.
    """
    state = state + _GOLDEN
    return mix64(state), state


@njit(inline="always")
def rand_unit(state):
    """A uniform float in [0, 1) from the high 32 bits of one draw; returns ``(u, next state)``."""
    r, state = rand64(state)
    return (r >> np.uint64(32)) / 4294967296.0, state


@njit(inline="always")
def prefetch_row(W, row):
    """Prefetch every cache line of row ``row`` of ``W`` (16 float32 to a 64-byte line)."""
    for k in range(0, W.shape[1], 16):
        prefetch(W, row, k)


@njit(inline="always", fastmath=FASTMATH)
def dot4(x, y0, y1, y2, y3):
    """``x · y0, ..., x · y3`` in one pass: each element of x is loaded once for four products (a row at a time,
    the loads of both rows limited the dot products)."""
    f0 = f1 = f2 = f3 = np.float32(0.0)
    for k in range(x.shape[0]):
        xk = x[k]
        f0 += xk * y0[k]
        f1 += xk * y1[k]
        f2 += xk * y2[k]
        f3 += xk * y3[k]
    return f0, f1, f2, f3


@njit(inline="always", fastmath=FASTMATH)
def dot(x, y):
    f = np.float32(0.0)
    for k in range(x.shape[0]):
        f += x[k] * y[k]
    return f


@njit(inline="always", fastmath=FASTMATH)
def add4(w, g0, y0, g1, y1, g2, y2, g3, y3):
    """``w += g0 y0 + g1 y1 + g2 y2 + g3 y3`` in one pass over w (one load and store of w for four rows)."""
    for k in range(w.shape[0]):
        w[k] += g0 * y0[k] + g1 * y1[k] + g2 * y2[k] + g3 * y3[k]


@njit(inline="always", fastmath=FASTMATH)
def add(w, g, y):
    for k in range(w.shape[0]):
        w[k] += g * y[k]


@njit(inline="always", fastmath=FASTMATH)
def step4(e, h, g0, y0, g1, y1, g2, y2, g3, y3):
    """``e += g0 y0 + ... + g3 y3`` from the rows as they were, and ``y_i += g_i h``, in one pass over each row.

    For four distinct rows (a row given twice would lose one update). Against ``add4`` then ``add`` per row, each
    row is loaded once instead of twice (docs/benchmarks.md, the roofline).
    """
    for k in range(e.shape[0]):
        hk = h[k]
        a0, a1, a2, a3 = y0[k], y1[k], y2[k], y3[k]
        e[k] += g0 * a0 + g1 * a1 + g2 * a2 + g3 * a3
        y0[k] = a0 + g0 * hk
        y1[k] = a1 + g1 * hk
        y2[k] = a2 + g2 * hk
        y3[k] = a3 + g3 * hk


@njit(inline="always", fastmath=FASTMATH)
def step(e, h, g, y):
    for k in range(e.shape[0]):
        a = y[k]
        e[k] += g * a
        y[k] = a + g * h[k]


@njit(inline="always", fastmath=FASTMATH)
def step4_dot4(e, h, g0, y0, g1, y1, g2, y2, g3, y3, x):
    """:func:`step4`, and the products ``x · y_i`` of the rows as it leaves them, in the same pass.

    Skip-gram with hierarchical softmax trains the next context word ``x`` against the same path rows: their
    scores need the rows just updated, and reading each row once for both halves the row loads.
    """
    f0 = f1 = f2 = f3 = np.float32(0.0)
    for k in range(e.shape[0]):
        hk, xk = h[k], x[k]
        a0, a1, a2, a3 = y0[k], y1[k], y2[k], y3[k]
        e[k] += g0 * a0 + g1 * a1 + g2 * a2 + g3 * a3
        b0, b1, b2, b3 = a0 + g0 * hk, a1 + g1 * hk, a2 + g2 * hk, a3 + g3 * hk
        y0[k], y1[k], y2[k], y3[k] = b0, b1, b2, b3
        f0 += xk * b0
        f1 += xk * b1
        f2 += xk * b2
        f3 += xk * b3
    return f0, f1, f2, f3


@njit(inline="always", fastmath=FASTMATH)
def step_dot(e, h, g, y, x):
    f = np.float32(0.0)
    for k in range(e.shape[0]):
        a = y[k]
        e[k] += g * a
        b = a + g * h[k]
        y[k] = b
        f += x[k] * b
    return f
