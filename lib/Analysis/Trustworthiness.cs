using static TorchSharp.torch;

namespace MiDpg.Research.Analysis;

/// <summary>
/// Trustworthiness of an embedding (Venna &amp; Kaski 2001, "Neighborhood preservation in nonlinear projection methods"):
/// T(k) = 1 − 2 / (N k (2N − 3k − 1)) Σ_i Σ_{j ∈ U_k(i)} (r(i, j) − k),
/// where U_k(i) are the points among i's k nearest neighbours in the embedding that are not among its k nearest in the
/// original space, and r(i, j) is j's rank (1 = nearest) among i's neighbours in the original space.
/// T = 1 when every embedding neighbourhood is an original neighbourhood. Requires 1 ≤ k &lt; N/2.
/// </summary>
/// <remarks>O(N²) distances, computed in row chunks with tensors (ranks by argsort), so N of a few thousand is fine.</remarks>
public static class Trustworthiness
{
    /// <summary>T(k) of <paramref name="embedded"/> ([N, d]) with respect to <paramref name="original"/> ([N, D]).</summary>
    public static double Compute(Tensor original, Tensor embedded, int k = 10, Device? device = null, int chunk = 512)
    {
        var penalties = PointPenalties(original, embedded, k, device, chunk);
        return FromPenalties(penalties, Enumerable.Range(0, penalties.Length), penalties.Length, k);
    }

    /// <summary>
    /// T(k) restricted to the points of each group: T_g = 1 − 2 / (|g| k (2N − 3k − 1)) Σ_{i ∈ g} Σ_{j ∈ U_k(i)} (r(i, j) − k),
    /// neighbours taken among all N points. The overall T is the size-weighted mean of the T_g. NaN for an empty group.
    /// </summary>
    public static double[] ByGroup(Tensor original, Tensor embedded, int[] groups, int groupCount, int k = 10, Device? device = null, int chunk = 512)
    {
        var penalties = PointPenalties(original, embedded, k, device, chunk);
        if (groups.Length != penalties.Length) throw new ArgumentException($"groups has {groups.Length} entries for {penalties.Length} points.", nameof(groups));
        var result = new double[groupCount];
        for (int g = 0; g < groupCount; g++)
        {
            var members = Enumerable.Range(0, groups.Length).Where(i => groups[i] == g).ToList();
            result[g] = members.Count == 0 ? double.NaN : FromPenalties(penalties, members, penalties.Length, k);
        }
        return result;
    }

    static double FromPenalties(long[] penalties, IEnumerable<int> members, int n, int k)
    {
        long sum = 0; int m = 0;
        foreach (var i in members) { sum += penalties[i]; m++; }
        return 1.0 - 2.0 / ((double)m * k * (2.0 * n - 3.0 * k - 1.0)) * sum;
    }

    /// <summary>Per point i: Σ_{j ∈ U_k(i)} (r(i, j) − k).</summary>
    public static long[] PointPenalties(Tensor original, Tensor embedded, int k = 10, Device? device = null, int chunk = 512)
    {
        var dev = device ?? CPU;
        using var x = PairwiseDistances.AsFloat64Matrix(original, nameof(original), 3, dev);
        using var y = PairwiseDistances.AsFloat64Matrix(embedded, nameof(embedded), 3, dev);
        int n = (int)x.shape[0];
        if (y.shape[0] != n) throw new ArgumentException($"embedded has {y.shape[0]} rows but original has {n}.", nameof(embedded));
        if (k < 1 || 2 * k >= n) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must satisfy 1 ≤ k < N/2 = {n / 2.0}.");
        var penalties = new long[n];
        foreach (var (s, e) in PairwiseDistances.Chunks(n, chunk))
        {
            using var scope = NewDisposeScope();
            int c = e - s;
            var self = arange(s, e, dtype: ScalarType.Int64, device: dev).unsqueeze(1);
            var minusOne = full(c, 1, -1.0, dtype: ScalarType.Float64, device: dev);
            // Self gets distance −1 so it takes rank 0 and the true neighbours ranks 1..N−1.
            var dx = PairwiseDistances.Squared(x[s..e], x).scatter_(1, self, minusOne);
            var dy = PairwiseDistances.Squared(y[s..e], y).scatter_(1, self, minusOne);
            var order = dx.argsort(1);
            var ranks = zeros(c, n, dtype: ScalarType.Int64, device: dev)
                .scatter_(1, order, arange(n, dtype: ScalarType.Int64, device: dev).expand(c, n));
            var neighbours = dy.topk(k + 1, dim: 1, largest: false, sorted: true).indexes[.., 1..];
            var penalty = (ranks.gather(1, neighbours) - k).clamp_min_(0).sum(1).cpu().contiguous();
            penalty.data<long>().CopyTo(penalties, s);
        }
        return penalties;
    }
}
