using static TorchSharp.torch;

namespace MiDpg.Research.Analysis;

/// <summary>
/// Pairwise distances between the rows of two matrices, via ‖a‖² + ‖b‖² − 2 a·b (one matrix product), clamped at 0.
/// Callers chunk the rows of <c>a</c> so that a chunk × N block fits in memory.
/// </summary>
public static class PairwiseDistances
{
    /// <summary>Squared Euclidean distances, shape [a.rows, b.rows], in the dtype of the inputs.</summary>
    public static Tensor Squared(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var aa = a.pow(2).sum(1, keepdim: true);
        var bb = b.pow(2).sum(1, keepdim: true).t();
        var d = aa + bb - 2 * a.mm(b.t());
        return d.clamp_min_(0).MoveToOuterDisposeScope();
    }

    /// <summary>Euclidean distances, shape [a.rows, b.rows].</summary>
    public static Tensor Euclidean(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        return Squared(a, b).sqrt_().MoveToOuterDisposeScope();
    }

    /// <summary>Row blocks [start, end) of at most <paramref name="chunk"/> rows covering 0..<paramref name="n"/>.</summary>
    public static IEnumerable<(int Start, int End)> Chunks(int n, int chunk)
    {
        if (chunk < 1) throw new ArgumentOutOfRangeException(nameof(chunk), chunk, "chunk must be at least 1.");
        for (int s = 0; s < n; s += chunk) yield return (s, Math.Min(n, s + chunk));
    }

    /// <summary>As <see cref="AsFloat64Matrix"/> but keeps float64 input as float64 and turns everything else into float32 (fast matrix products for neighbour search).</summary>
    internal static Tensor AsFloatMatrix(Tensor x, string name, int minRows, Device device)
    {
        var d = AsFloat64Matrix(x, name, minRows, device);
        if (x.dtype == ScalarType.Float64) return d;
        var f = d.to(ScalarType.Float32);
        d.Dispose();
        return f;
    }

    /// <summary>Checks a data matrix: 2-D with at least <paramref name="minRows"/> rows and finite values; returns it as float64 on <paramref name="device"/>.</summary>
    internal static Tensor AsFloat64Matrix(Tensor x, string name, int minRows, Device device)
    {
        ArgumentNullException.ThrowIfNull(x, name);
        if (x.dim() != 2) throw new ArgumentException($"{name} must be a 2-D [N, D] tensor (got shape [{string.Join(", ", x.shape)}]).", name);
        if (x.shape[0] < minRows) throw new ArgumentException($"{name} needs at least {minRows} rows (got {x.shape[0]}).", name);
        var d = x.to(ScalarType.Float64, device);
        if (!d.isfinite().all().item<bool>())
        {
            d.Dispose();
            throw new ArgumentException($"{name} contains NaN or infinite values.", name);
        }
        return d;
    }
}
