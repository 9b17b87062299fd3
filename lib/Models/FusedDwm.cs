// The fused DWM layer (MODELS.md "Efficiency"; issue 20): y = h (W ⊙ psi(A)) for cores A [B, d_r, d_c], computed
// sample by sample in one sweep over W, with a hand-written backward (a TorchSharp custom autograd function):
//   forward    y[b, j]    = sum_i h[b, i] W[i, j] A[b, r(i), c(j)]
//   backward   dh[b, i]   = sum_j dy[b, j] W[i, j] A[b, r(i), c(j)]
//              dW[i, j]   = sum_b h[b, i] dy[b, j] A[b, r(i), c(j)]
//              dA[b, r, c] = sum_{i: r(i) = r} sum_{j: c(j) = c} h[b, i] dy[b, j] W[i, j]
// with r(i) = i mod d_r, c(j) = j mod d_c (RepeatMode.Tile) or r(i) = i div (d_m/d_r), c(j) = j div (d_n/d_c) (Block).
// The same function as WeightingMatrix.ApplyFactored (tested equal, values and gradients). Why it is faster: the torch
// path builds P = h_r W_r [d_r, B, d_n] with GEMMs whose inner size is d_m/d_r (4 on throughput-v1) and moves P through
// memory in forward and again in backward; here a sample's expanded core E[r, j] = A[b, r, c(j)] (d_r x d_n floats),
// its accumulators and W stay in cache, and inputs that are 0 after the ReLU skip their row of W entirely.
// float32 on the CPU only (System.Numerics.Vector<float>, i.e. AVX2 / NEON); other dtypes and devices use the torch path.
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MiDpg.Research.Models;

/// <summary>y = h (W ⊙ psi(A)) (no bias) by the fused kernel; see the file header for the formulas.</summary>
public static unsafe class FusedDwm
{
    /// <summary>Whether the fused kernel handles these tensors: float32, on the CPU, of consistent shapes.</summary>
    public static bool Supports(Tensor h, Tensor weight, Tensor core) =>
        h.device_type == DeviceType.CPU && weight.device_type == DeviceType.CPU && core.device_type == DeviceType.CPU
        && h.dtype == ScalarType.Float32 && weight.dtype == ScalarType.Float32 && core.dtype == ScalarType.Float32
        && h.dim() == 2 && weight.dim() == 2 && core.dim() == 3 && h.shape[1] == weight.shape[0] && core.shape[0] == h.shape[0]
        && weight.shape[0] % core.shape[1] == 0 && weight.shape[1] % core.shape[2] == 0;

    /// <summary>y = h (W ⊙ psi(A)) [B, d_n] with gradients for h, W and A.</summary>
    public static Tensor Apply(Tensor h, Tensor weight, Tensor core, RepeatMode repeat)
    {
        if (!Supports(h, weight, core))
            throw new ArgumentException($"The fused DWM kernel needs float32 CPU tensors h [B, d_m], W [d_m, d_n], A [B, d_r, d_c] with " +
                $"d_r | d_m and d_c | d_n; got h {Describe(h)}, W {Describe(weight)}, A {Describe(core)}.");
        return Function.apply(h, weight, core, repeat);
    }

    static string Describe(Tensor t) => $"[{string.Join(", ", t.shape)}] {t.dtype} on {t.device}";

    /// <summary>The autograd node: forward and backward call the kernels below.</summary>
    sealed class Function : autograd.SingleTensorFunction<Function>
    {
        public override string Name => nameof(FusedDwm);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var (h, weight, core, repeat) = (((Tensor)vars[0]).contiguous(), ((Tensor)vars[1]).contiguous(), ((Tensor)vars[2]).contiguous(), (RepeatMode)vars[3]);
            var shape = Shape.Of(h, weight, core, repeat);
            var y = empty([shape.Batch, shape.Dn], ScalarType.Float32);
            Kernels.Forward(shape, Pointer(h), Pointer(weight), Pointer(core), Pointer(y));
            ctx.save_for_backward([h, weight, core]);
            ctx.save_data("shape", shape);
            ctx.save_data("needs", new[] { ((Tensor)vars[0]).requires_grad, ((Tensor)vars[1]).requires_grad, ((Tensor)vars[2]).requires_grad });
            return y;
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var shape = (Shape)ctx.get_data("shape");
            var needs = (bool[])ctx.get_data("needs");
            var saved = ctx.get_saved_variables();
            try
            {
                var (h, weight, core) = (saved[0], saved[1], saved[2]);
                using var dy = gradOutput.contiguous();
                var dh = needs[0] ? empty([shape.Batch, shape.Dm], ScalarType.Float32) : null;
                var dw = needs[1] ? zeros([shape.Dm, shape.Dn], ScalarType.Float32) : null;
                var da = needs[2] ? empty([shape.Batch, shape.Dr, shape.Dc], ScalarType.Float32) : null;
                Kernels.Backward(shape, Pointer(h), Pointer(weight), Pointer(core), Pointer(dy), Pointer(dh), Pointer(dw), Pointer(da));
                return [dh!, dw!, da!, null!];
            }
            finally
            {
                foreach (var t in saved) t.Dispose();
            }
        }
    }

    /// <summary>Sizes of one call: batch, d_m, d_n, d_r, d_c and the repeat mode.</summary>
    internal readonly record struct Shape(int Batch, int Dm, int Dn, int Dr, int Dc, bool Tile)
    {
        public static Shape Of(Tensor h, Tensor weight, Tensor core, RepeatMode repeat) =>
            new((int)h.shape[0], (int)weight.shape[0], (int)weight.shape[1], (int)core.shape[1], (int)core.shape[2], repeat == RepeatMode.Tile);

        /// <summary>r(i), the core row that feeds input row i.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int CoreRow(int i) => Tile ? i % Dr : i / (Dm / Dr);
    }

    static float* Pointer(Tensor? t) => TensorMemory.Floats(t);

    /// <summary>The kernels, over raw float32 buffers. Samples are split over torch's intra-op thread count.</summary>
    internal static unsafe class Kernels
    {
        const int MinRowsPerThread = 32;

        static int Parts(int batch) => Math.Max(1, Math.Min(get_num_threads(), batch / MinRowsPerThread));

        public static void Forward(Shape s, float* h, float* w, float* a, float* y)
        {
            var parts = Parts(s.Batch);
            if (parts == 1) { ForwardRange(s, h, w, a, y, 0, s.Batch); return; }
            var (ph, pw, pa, py) = ((IntPtr)h, (IntPtr)w, (IntPtr)a, (IntPtr)y);
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, k =>
            {
                var (b0, b1) = Range(s.Batch, parts, k);
                ForwardRange(s, (float*)ph, (float*)pw, (float*)pa, (float*)py, b0, b1);
            });
        }

        public static void Backward(Shape s, float* h, float* w, float* a, float* dy, float* dh, float* dw, float* da)
        {
            var parts = Parts(s.Batch);
            if (parts == 1) { BackwardRange(s, h, w, a, dy, dh, dw, da, 0, s.Batch); return; }
            // Each part accumulates dW into its own buffer (part 0 straight into dw); the buffers are summed in part order.
            var size = s.Dm * s.Dn;
            var buffers = new float[parts - 1][];
            var (ph, pw, pa, pdy, pdh, pdw, pda) = ((IntPtr)h, (IntPtr)w, (IntPtr)a, (IntPtr)dy, (IntPtr)dh, (IntPtr)dw, (IntPtr)da);
            try
            {
                Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, k =>
                {
                    var (b0, b1) = Range(s.Batch, parts, k);
                    if (k == 0 || pdw == IntPtr.Zero)
                    {
                        BackwardRange(s, (float*)ph, (float*)pw, (float*)pa, (float*)pdy, (float*)pdh, (float*)pdw, (float*)pda, b0, b1);
                        return;
                    }
                    var buffer = buffers[k - 1] = ArrayPool<float>.Shared.Rent(size);
                    Array.Clear(buffer, 0, size);
                    fixed (float* local = buffer)
                        BackwardRange(s, (float*)ph, (float*)pw, (float*)pa, (float*)pdy, (float*)pdh, local, (float*)pda, b0, b1);
                });
                if (dw != null)
                    foreach (var buffer in buffers)
                        fixed (float* local = buffer) Add(dw, local, size);
            }
            finally
            {
                foreach (var buffer in buffers) if (buffer is not null) ArrayPool<float>.Shared.Return(buffer);
            }
        }

        static (int Start, int End) Range(int batch, int parts, int k) => ((int)((long)batch * k / parts), (int)((long)batch * (k + 1) / parts));

        // Forward, one sample at a time: the nonzero inputs are listed first (after a ReLU about half are 0 and skip their
        // row of W; listing them avoids a mispredicted branch per row), then each block of four vectors of output columns
        // accumulates over the listed rows in registers: y[j] = sum_k h[i_k] W[i_k, j] E[r(i_k), j].
        static void ForwardRange(Shape s, float* h, float* w, float* a, float* y, int b0, int b1)
        {
            var (dm, dn, dr) = (s.Dm, s.Dn, s.Dr);
            // Tiled cores with V | d_c are read in place (column j takes A[r, j mod d_c]); others are expanded per sample.
            var tiled = Vector.IsHardwareAccelerated && s.Tile && s.Dc % Vector<float>.Count == 0;
            var expanded = ArrayPool<float>.Shared.Rent(tiled ? 1 : dr * dn);
            var rows = ArrayPool<int>.Shared.Rent(2 * dm);
            var offsets = RowOffsets(s, tiled ? s.Dc : dn);
            var values = ArrayPool<float>.Shared.Rent(dm);
            try
            {
                fixed (float* e = expanded, hv = values)
                fixed (int* list = rows, rowOffsets = offsets)
                    for (var b = b0; b < b1; b++)
                    {
                        var ab = a + (long)b * dr * s.Dc;
                        var n = ListNonzero(s, h + (long)b * dm, rowOffsets, list, hv);
                        if (tiled) AccumulateTiled(w, ab, list, hv, n, dn, s.Dc, y + (long)b * dn);
                        else
                        {
                            Expand(s, ab, null, e);
                            Accumulate(w, e, list, hv, n, dn, y + (long)b * dn);
                        }
                    }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(expanded);
                ArrayPool<int>.Shared.Return(rows);
                ArrayPool<int>.Shared.Return(offsets);
                ArrayPool<float>.Shared.Return(values);
            }
        }

        /// <summary>y[j] = sum_k values[k] W[row_k, j] A[class_k, j mod d_c] (V | d_c), four vectors of columns at a time.</summary>
        static void AccumulateTiled(float* w, float* a, int* list, float* values, int n, int dn, int dc, float* y)
        {
            var width = Vector<float>.Count;
            var j = 0;
            for (; j <= dn - 4 * width; j += 4 * width)
            {
                var (o0, o1, o2, o3) = (j % dc, (j + width) % dc, (j + 2 * width) % dc, (j + 3 * width) % dc);
                Vector<float> y0 = default, y1 = default, y2 = default, y3 = default;
                for (var k = 0; k < n; k++)
                {
                    var wp = w + list[2 * k] + j;
                    var ap = a + list[2 * k + 1];
                    var v = new Vector<float>(values[k]);
                    y0 = Vector.FusedMultiplyAdd(Vector.Load(wp) * Vector.Load(ap + o0), v, y0);
                    y1 = Vector.FusedMultiplyAdd(Vector.Load(wp + width) * Vector.Load(ap + o1), v, y1);
                    y2 = Vector.FusedMultiplyAdd(Vector.Load(wp + 2 * width) * Vector.Load(ap + o2), v, y2);
                    y3 = Vector.FusedMultiplyAdd(Vector.Load(wp + 3 * width) * Vector.Load(ap + o3), v, y3);
                }
                Vector.Store(y0, y + j);
                Vector.Store(y1, y + j + width);
                Vector.Store(y2, y + j + 2 * width);
                Vector.Store(y3, y + j + 3 * width);
            }
            for (; j < dn; j += width)                                        // V | d_c | d_n: whole vectors only
            {
                var o = j % dc;
                var y0 = Vector<float>.Zero;
                for (var k = 0; k < n; k++)
                    y0 = Vector.FusedMultiplyAdd(Vector.Load(w + list[2 * k] + j) * Vector.Load(a + list[2 * k + 1] + o), new Vector<float>(values[k]), y0);
                Vector.Store(y0, y + j);
            }
        }

        /// <summary>Per input row i: offsets[2i] = i d_n (its row in W), offsets[2i+1] = r(i) classStride (its core row in
        /// E, stride d_n, or in A, stride d_c), computed once per call (r(i) is an integer division).</summary>
        static int[] RowOffsets(Shape s, int classStride)
        {
            var offsets = ArrayPool<int>.Shared.Rent(2 * s.Dm);
            for (var i = 0; i < s.Dm; i++)
            {
                offsets[2 * i] = i * s.Dn;
                offsets[2 * i + 1] = s.CoreRow(i) * classStride;
            }
            return offsets;
        }

        /// <summary>Lists the nonzero inputs of one sample: list[2k], list[2k+1] = the row offsets of input i_k in W and E
        /// (from <see cref="RowOffsets"/>), values[k] = h[i_k]; returns their count.</summary>
        static int ListNonzero(Shape s, float* hb, int* rowOffsets, int* list, float* values)
        {
            var n = 0;
            for (var i = 0; i < s.Dm; i++)
            {
                var v = hb[i];
                list[2 * n] = rowOffsets[2 * i];
                list[2 * n + 1] = rowOffsets[2 * i + 1];
                values[n] = v;
                n += v != 0f ? 1 : 0;
            }
            return n;
        }

        /// <summary>y[j] = sum_k values[k] W[row_k, j] E[class_k, j], four vectors of columns at a time in registers.</summary>
        static void Accumulate(float* w, float* e, int* list, float* values, int n, int dn, float* y)
        {
            var width = Vector<float>.Count;
            var j = 0;
            if (Vector.IsHardwareAccelerated)
            {
                for (; j <= dn - 4 * width; j += 4 * width)
                {
                    Vector<float> y0 = default, y1 = default, y2 = default, y3 = default;
                    for (var k = 0; k < n; k++)
                    {
                        var wp = w + list[2 * k] + j;
                        var ep = e + list[2 * k + 1] + j;
                        var v = new Vector<float>(values[k]);
                        y0 = Vector.FusedMultiplyAdd(Vector.Load(wp) * Vector.Load(ep), v, y0);
                        y1 = Vector.FusedMultiplyAdd(Vector.Load(wp + width) * Vector.Load(ep + width), v, y1);
                        y2 = Vector.FusedMultiplyAdd(Vector.Load(wp + 2 * width) * Vector.Load(ep + 2 * width), v, y2);
                        y3 = Vector.FusedMultiplyAdd(Vector.Load(wp + 3 * width) * Vector.Load(ep + 3 * width), v, y3);
                    }
                    Vector.Store(y0, y + j);
                    Vector.Store(y1, y + j + width);
                    Vector.Store(y2, y + j + 2 * width);
                    Vector.Store(y3, y + j + 3 * width);
                }
                for (; j <= dn - width; j += width)
                {
                    var y0 = Vector<float>.Zero;
                    for (var k = 0; k < n; k++)
                        y0 = Vector.FusedMultiplyAdd(Vector.Load(w + list[2 * k] + j) * Vector.Load(e + list[2 * k + 1] + j), new Vector<float>(values[k]), y0);
                    Vector.Store(y0, y + j);
                }
            }
            for (; j < dn; j++)
            {
                float sum = 0;
                for (var k = 0; k < n; k++) sum += values[k] * w[list[2 * k] + j] * e[list[2 * k + 1] + j];
                y[j] = sum;
            }
        }

        // Backward, one sample at a time, with G[r, j] = dy[j] E[r, j] formed once per sample (Expand with the gradient):
        //   dh[i] = <W[i, :], G[r(i), :]>;  dW[i, :] += h[i] G[r(i), :];  HW[r, :] = sum_{i: r(i) = r} h[i] W[i, :],
        // and dA[r, c] = sum_{j: c(j) = c} dy[j] HW[r, j]. Rows with h[i] = 0 only need their dot product.
        static void BackwardRange(Shape s, float* h, float* w, float* a, float* dy, float* dh, float* dw, float* da, int b0, int b1)
        {
            if (Vector.IsHardwareAccelerated && s.Tile && s.Dc % Vector<float>.Count == 0)
            {
                BackwardRangeTiled(s, h, w, a, dy, dh, dw, da, b0, b1);
                return;
            }
            var (dm, dn, dr) = (s.Dm, s.Dn, s.Dr);
            var pool = ArrayPool<float>.Shared;
            var expanded = pool.Rent(dr * dn);
            var weightedInputs = pool.Rent(dr * dn);
            var offsets = RowOffsets(s, dn);
            var rows = ArrayPool<int>.Shared.Rent(2 * dm);
            try
            {
                fixed (float* gE = expanded, hw = weightedInputs)
                fixed (int* rowOffsets = offsets, split = rows)
                    for (var b = b0; b < b1; b++)
                    {
                        var g = dy + (long)b * dn;
                        Expand(s, a + (long)b * dr * s.Dc, g, gE);
                        if (da != null) new Span<float>(hw, dr * dn).Clear();
                        var hb = h + (long)b * dm;
                        var dhb = dh == null ? null : dh + (long)b * dm;
                        var (nonzero, zero) = Split(hb, dm, split);      // so neither loop below branches on h
                        for (var k = 0; k < nonzero; k++)
                        {
                            var i = split[k];
                            long rowOffset = rowOffsets[2 * i + 1];
                            var dot = BackwardRow(w + (long)i * dn, gE + rowOffset, dw != null ? dw + (long)i * dn : null, da != null ? hw + rowOffset : null, hb[i], dn);
                            if (dhb != null) dhb[i] = dot;
                        }
                        if (dhb != null)                                  // zero inputs: dW and dA get nothing, dh its dot product
                            for (var k = 0; k < zero; k++)
                            {
                                var i = split[dm + k];
                                dhb[i] = Dot(w + (long)i * dn, gE + rowOffsets[2 * i + 1], dn);
                            }
                        if (da != null) Fold(s, hw, g, da + (long)b * dr * s.Dc);
                    }
            }
            finally
            {
                pool.Return(expanded);
                pool.Return(weightedInputs);
                ArrayPool<int>.Shared.Return(offsets);
                ArrayPool<int>.Shared.Return(rows);
            }
        }

        // Backward for tiled cores with V | d_c, without expanding anything: with j = p d_c + c and the fold
        //   WG_i[c] = sum_p W[i, p d_c + c] dy[p d_c + c]   (a d_c-vector per input row),
        // dh[i] = <A[r(i), :], WG_i>,  dA[r(i), :] += h[i] WG_i,  dW[i, p d_c + c] += h[i] dy[p d_c + c] A[r(i), c].
        // A sample touches only W, dW, its d_r x d_c core and dy: no d_r x d_n buffers to write, clear and fold per sample.
        static void BackwardRangeTiled(Shape s, float* h, float* w, float* a, float* dy, float* dh, float* dw, float* da, int b0, int b1)
        {
            var (dm, dn, dr, dc) = (s.Dm, s.Dn, s.Dr, s.Dc);
            var width = Vector<float>.Count;
            var offsets = ArrayPool<int>.Shared.Rent(dm);                                // r(i) d_c: row i's core row in A_b
            for (var i = 0; i < dm; i++) offsets[i] = s.CoreRow(i) * dc;
            var rows = ArrayPool<int>.Shared.Rent(2 * dm);
            var fold = ArrayPool<float>.Shared.Rent(dc);
            try
            {
                fixed (int* coreOffsets = offsets, split = rows)
                fixed (float* wg = fold)
                    for (var b = b0; b < b1; b++)
                    {
                        var g = dy + (long)b * dn;
                        var hb = h + (long)b * dm;
                        var ab = a + (long)b * dr * dc;
                        var dab = da == null ? null : da + (long)b * dr * dc;
                        if (dab != null) new Span<float>(dab, dr * dc).Clear();
                        var (nonzero, zero) = Split(hb, dm, split);
                        for (var k = 0; k < dm; k++)
                        {
                            var isNonzero = k < nonzero;
                            var i = isNonzero ? split[k] : split[dm + k - nonzero];
                            if (!isNonzero && dh == null) break;                      // zero inputs only feed dh
                            var wi = w + (long)i * dn;
                            var ar = ab + coreOffsets[i];
                            // WG_i = fold over the column periods of W[i, :] ⊙ dy
                            for (var c = 0; c < dc; c += width)
                            {
                                var sum = Vector<float>.Zero;
                                for (var p = 0; p < dn; p += dc) sum = Vector.FusedMultiplyAdd(Vector.Load(wi + p + c), Vector.Load(g + p + c), sum);
                                Vector.Store(sum, wg + c);
                            }
                            if (dh != null)
                            {
                                var dot = Vector<float>.Zero;
                                for (var c = 0; c < dc; c += width) dot = Vector.FusedMultiplyAdd(Vector.Load(ar + c), Vector.Load(wg + c), dot);
                                dh[(long)b * dm + i] = Vector.Sum(dot);
                            }
                            if (!isNonzero) continue;
                            var hv = new Vector<float>(hb[i]);
                            if (dab != null)
                            {
                                var dar = dab + (ar - ab);
                                for (var c = 0; c < dc; c += width) Vector.Store(Vector.FusedMultiplyAdd(hv, Vector.Load(wg + c), Vector.Load(dar + c)), dar + c);
                            }
                            if (dw != null)
                            {
                                var dwi = dw + (long)i * dn;
                                for (var c = 0; c < dc; c += width)
                                {
                                    var scaled = hv * Vector.Load(ar + c);
                                    for (var p = c; p < dn; p += dc)
                                        Vector.Store(Vector.FusedMultiplyAdd(scaled, Vector.Load(g + p), Vector.Load(dwi + p)), dwi + p);
                                }
                            }
                        }
                    }
            }
            finally
            {
                ArrayPool<int>.Shared.Return(offsets);
                ArrayPool<int>.Shared.Return(rows);
                ArrayPool<float>.Shared.Return(fold);
            }
        }

        /// <summary>Splits one sample's input rows into nonzero (split[0..nonzero)) and zero (split[dm..dm+zero)) ones,
        /// branch-free, so the loops over them do not branch on h.</summary>
        static (int Nonzero, int Zero) Split(float* hb, int dm, int* split)
        {
            var (nonzero, zero) = (0, 0);
            for (var i = 0; i < dm; i++)
            {
                var isNonzero = hb[i] != 0f;
                split[nonzero] = i;
                split[dm + zero] = i;
                nonzero += isNonzero ? 1 : 0;
                zero += isNonzero ? 0 : 1;
            }
            return (nonzero, zero);
        }

        /// <summary>sum_j w[j] x[j], with two accumulators.</summary>
        static float Dot(float* w, float* x, int n)
        {
            var j = 0;
            float sum = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var width = Vector<float>.Count;
                Vector<float> acc0 = default, acc1 = default;
                for (; j <= n - 2 * width; j += 2 * width)
                {
                    acc0 = Vector.FusedMultiplyAdd(Vector.Load(w + j), Vector.Load(x + j), acc0);
                    acc1 = Vector.FusedMultiplyAdd(Vector.Load(w + j + width), Vector.Load(x + j + width), acc1);
                }
                for (; j <= n - width; j += width) acc0 = Vector.FusedMultiplyAdd(Vector.Load(w + j), Vector.Load(x + j), acc0);
                sum = Vector.Sum(acc0 + acc1);
            }
            for (; j < n; j++) sum += w[j] * x[j];
            return sum;
        }

        /// <summary>One nonzero input row: returns <w, gE> (dh), adds hv gE to dW's row and hv w to HW's row.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static float BackwardRow(float* w, float* gE, float* dw, float* hw, float hv, int n)
        {
            var j = 0;
            float sum = 0;
            if (Vector.IsHardwareAccelerated && dw != null && hw != null)
            {
                var width = Vector<float>.Count;
                Vector<float> acc0 = default, acc1 = default;
                var scale = new Vector<float>(hv);
                for (; j <= n - 2 * width; j += 2 * width)
                {
                    var w0 = Vector.Load(w + j);
                    var w1 = Vector.Load(w + j + width);
                    var x0 = Vector.Load(gE + j);
                    var x1 = Vector.Load(gE + j + width);
                    acc0 = Vector.FusedMultiplyAdd(w0, x0, acc0);
                    acc1 = Vector.FusedMultiplyAdd(w1, x1, acc1);
                    Vector.Store(Vector.FusedMultiplyAdd(x0, scale, Vector.Load(dw + j)), dw + j);
                    Vector.Store(Vector.FusedMultiplyAdd(x1, scale, Vector.Load(dw + j + width)), dw + j + width);
                    Vector.Store(Vector.FusedMultiplyAdd(w0, scale, Vector.Load(hw + j)), hw + j);
                    Vector.Store(Vector.FusedMultiplyAdd(w1, scale, Vector.Load(hw + j + width)), hw + j + width);
                }
                sum = Vector.Sum(acc0 + acc1);
            }
            for (; j < n; j++)
            {
                sum += w[j] * gE[j];
                if (dw != null) dw[j] += hv * gE[j];
                if (hw != null) hw[j] += hv * w[j];
            }
            return sum;
        }

        /// <summary>E[r, j] = g[j] A_b[r, c(j)] (g = null: 1): the sample's core laid out over the d_n output columns,
        /// scaled by the upstream gradient in the backward. Vector loops for blocks with V | d_n/d_c, else element by
        /// element (tiled cores with V | d_c never come here: the tiled kernels read A in place).</summary>
        static void Expand(Shape s, float* core, float* g, float* e)
        {
            var (dn, dc, width) = (s.Dn, s.Dc, Vector<float>.Count);
            var block = dn / dc;
            for (var r = 0; r < s.Dr; r++)
            {
                var row = core + (long)r * dc;
                var target = e + (long)r * dn;
                if (Vector.IsHardwareAccelerated && !s.Tile && block % width == 0)
                {
                    for (var c = 0; c < dc; c++)
                    {
                        var value = new Vector<float>(row[c]);
                        for (var k = c * block; k < (c + 1) * block; k += width)
                            Vector.Store(g == null ? value : value * Vector.Load(g + k), target + k);
                    }
                }
                else
                    for (var j = 0; j < dn; j++)
                    {
                        var value = row[s.Tile ? j % dc : j / block];
                        target[j] = g == null ? value : value * g[j];
                    }
            }
        }

        /// <summary>dA_b[r, c] = sum over the columns j with c(j) = c of g[j] HW[r, j].</summary>
        static void Fold(Shape s, float* hw, float* g, float* da)
        {
            var (dn, dc, width) = (s.Dn, s.Dc, Vector<float>.Count);
            var block = dn / dc;
            for (var r = 0; r < s.Dr; r++)
            {
                var source = hw + (long)r * dn;
                var target = da + (long)r * dc;
                if (Vector.IsHardwareAccelerated && !s.Tile && block % width == 0)
                {
                    for (var c = 0; c < dc; c++)
                    {
                        var sum = Vector<float>.Zero;
                        for (var k = c * block; k < (c + 1) * block; k += width) sum = Vector.FusedMultiplyAdd(Vector.Load(source + k), Vector.Load(g + k), sum);
                        target[c] = Vector.Sum(sum);
                    }
                }
                else
                {
                    new Span<float>(target, dc).Clear();
                    for (var j = 0; j < dn; j++) target[s.Tile ? j % dc : j / block] += g[j] * source[j];
                }
            }
        }

        /// <summary>target += source over n floats.</summary>
        static void Add(float* target, float* source, int n)
        {
            var j = 0;
            if (Vector.IsHardwareAccelerated)
                for (; j <= n - Vector<float>.Count; j += Vector<float>.Count)
                    Vector.Store(Vector.Load(target + j) + Vector.Load(source + j), target + j);
            for (; j < n; j++) target[j] += source[j];
        }
    }
}
