// One Adam step (Kingma & Ba 2015, algorithm 1, as torch.optim.Adam computes it) over contiguous float32 CPU buffers
// in a single pass: per element
//   g = grad + weight_decay * p;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
//   p = p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
// torch's Adam runs these as six or more whole-tensor kernels (mul_, add_, mul_, addcmul_, sqrt, div_, add_, addcdiv_),
// each a pass over memory; for a 2.5 M-parameter embedding table that memory traffic is the whole cost of a dense step.
// Same operations in the same order per element, in float32, so the results equal torch's up to the fused multiply-add.
using System.Numerics;
using MiDpg.Research.Models;
using static TorchSharp.torch;

namespace MiDpg.Research.Training;

/// <summary>The fused Adam update used by <see cref="LazyAdam"/> for float32 CPU parameters.</summary>
public static unsafe class AdamKernel
{
    /// <summary>Whether the kernel applies: parameter, gradient and both moments contiguous float32 on the CPU, same size.</summary>
    public static bool Supports(Tensor p, Tensor grad, Tensor m, Tensor v) =>
        TensorMemory.IsCpuFloat32(p) && TensorMemory.IsCpuFloat32(grad) && TensorMemory.IsCpuFloat32(m) && TensorMemory.IsCpuFloat32(v)
        && p.numel() == grad.numel() && p.numel() == m.numel() && p.numel() == v.numel();

    /// <summary>p, m and v updated in place from grad, step count t (bias corrections 1 - b^t).</summary>
    public static void Step(Tensor p, Tensor grad, Tensor m, Tensor v, double learningRate, double beta1, double beta2, double epsilon,
        double weightDecay, long t)
    {
        if (!Supports(p, grad, m, v)) throw new ArgumentException("AdamKernel.Step needs contiguous float32 CPU tensors of one size.");
        var (correction1, correction2) = (1 - Math.Pow(beta1, t), 1 - Math.Pow(beta2, t));
        Update(TensorMemory.Floats(p), TensorMemory.Floats(grad), TensorMemory.Floats(m), TensorMemory.Floats(v), p.numel(),
            (float)beta1, (float)beta2, (float)(1 - beta1), (float)(1 - beta2), (float)(-learningRate / correction1), (float)Math.Sqrt(correction2),
            (float)epsilon, (float)weightDecay);
    }

    /// <summary>Whether <see cref="RowStep"/> applies: a contiguous float32 CPU table [V, D] with moments of its shape,
    /// int64 row indices [n] and float32 row gradients [n, D].</summary>
    public static bool SupportsRows(Tensor p, Tensor m, Tensor v, Tensor rows, Tensor values) =>
        TensorMemory.IsCpuFloat32(p) && TensorMemory.IsCpuFloat32(m) && TensorMemory.IsCpuFloat32(v) && TensorMemory.IsCpuFloat32(values)
        && p.dim() == 2 && m.shape.SequenceEqual(p.shape) && v.shape.SequenceEqual(p.shape)
        && rows.device_type == TorchSharp.DeviceType.CPU && rows.dtype == ScalarType.Int64 && rows.is_contiguous() && rows.dim() == 1
        && values.dim() == 2 && values.shape[0] == rows.shape[0] && values.shape[1] == p.shape[1];

    /// <summary>The lazy (SparseAdam-style) step of the given rows of a table: the same per-element update as
    /// <see cref="Step"/>, applied only to rows <paramref name="rows"/> (distinct) with their gradients <paramref name="values"/>.</summary>
    public static void RowStep(Tensor p, Tensor m, Tensor v, Tensor rows, Tensor values, double learningRate, double beta1, double beta2,
        double epsilon, double weightDecay, long t)
    {
        if (!SupportsRows(p, m, v, rows, values)) throw new ArgumentException("AdamKernel.RowStep needs a float32 CPU table [V, D], int64 rows [n] and values [n, D].");
        var (correction1, correction2) = (1 - Math.Pow(beta1, t), 1 - Math.Pow(beta2, t));
        var (n, width, tableRows) = (rows.shape[0], p.shape[1], p.shape[0]);
        float* pp = TensorMemory.Floats(p), pm = TensorMemory.Floats(m), pv = TensorMemory.Floats(v), g = TensorMemory.Floats(values);
        var index = TensorMemory.Longs(rows);
        for (long k = 0; k < n; k++)
        {
            var row = index[k];
            if ((ulong)row >= (ulong)tableRows) throw new IndexOutOfRangeException($"row {row} of a table with {tableRows} rows");
            var at = row * width;
            Update(pp + at, g + k * width, pm + at, pv + at, width, (float)beta1, (float)beta2, (float)(1 - beta1), (float)(1 - beta2),
                (float)(-learningRate / correction1), (float)Math.Sqrt(correction2), (float)epsilon, (float)weightDecay);
        }
    }

    // c1 = 1 - b1 and c2 = 1 - b2 are rounded from double, as torch passes its alpha and value arguments.
    static void Update(float* p, float* grad, float* m, float* v, long n, float b1, float b2, float c1, float c2, float stepSize,
        float sqrtCorrection2, float eps, float wd)
    {
        long j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var width = Vector<float>.Count;
            var (vb1, vb2, vc1, vc2) = (new Vector<float>(b1), new Vector<float>(b2), new Vector<float>(c1), new Vector<float>(c2));
            var (vStep, vSqrt, vEps, vWd) = (new Vector<float>(stepSize), new Vector<float>(sqrtCorrection2), new Vector<float>(eps), new Vector<float>(wd));
            for (; j <= n - width; j += width)
            {
                var pv = Vector.Load(p + j);
                var g = Vector.Load(grad + j);
                if (wd != 0) g += vWd * pv;
                var mv = Vector.Load(m + j) * vb1 + vc1 * g;
                var vv = Vector.Load(v + j) * vb2 + vc2 * (g * g);
                Vector.Store(mv, m + j);
                Vector.Store(vv, v + j);
                var denominator = Vector.SquareRoot(vv) / vSqrt + vEps;
                Vector.Store(pv + vStep * (mv / denominator), p + j);
            }
        }
        for (; j < n; j++)
        {
            var g = grad[j];
            if (wd != 0) g += wd * p[j];
            var mv = m[j] * b1 + c1 * g;
            var vv = v[j] * b2 + c2 * (g * g);
            m[j] = mv;
            v[j] = vv;
            p[j] += stepSize * (mv / (MathF.Sqrt(vv) / sqrtCorrection2 + eps));
        }
    }
}
