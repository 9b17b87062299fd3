using static TorchSharp.torch;

namespace MiDpg.Research.Analysis;

/// <summary>
/// Trustworthiness of an embedding (Venna &amp; Kaski 2001, "Neighborhood preservation in nonlinear projection methods"):
/// T(k) = 1 − 2 / (N k (2N − 3k − 1)) Σ_i Σ_{j ∈ U_k(i)} (r(i, j) − k),
/// where U_k(i) are the points among i's k nearest neighbours in the embedding that are not among its k nearest in the
/// original space, and r(i, j) is j's rank (1 = nearest) among i's neighbours in the original space.
/// T = 1 when every embedding neighbourhood is an original neighbourhood. Requires 1 ≤ k &lt; N/2.
/// </summary>
/// <remarks>O(N²) distances, computed in row chunks with tensors (ranks by counting closer points), so N of a few thousand is fine.</remarks>
public static class Trustworthiness
{
    /// <summary>T(k) of <paramref name="embedded"/> ([N, d]) with respect to <paramref name="original"/> ([N, D]).</summary>
    public static double Compute(Tensor original, Tensor embedded, int k = 10, Device? device = null, int chunk = 512) =>
        FromPenalties(PointPenalties(original, embedded, k, device, chunk), k);

    /// <summary>
    /// T(k) restricted to the points of each group: T_g = 1 − 2 / (|g| k (2N − 3k − 1)) Σ_{i ∈ g} Σ_{j ∈ U_k(i)} (r(i, j) − k),
    /// neighbours taken among all N points. The overall T is the size-weighted mean of the T_g. NaN for an empty group.
    /// </summary>
    public static double[] ByGroup(Tensor original, Tensor embedded, int[] groups, int groupCount, int k = 10, Device? device = null, int chunk = 512) =>
        ByGroupFromPenalties(PointPenalties(original, embedded, k, device, chunk), groups, groupCount, k);

    /// <summary>T(k) from the per-point penalties of <see cref="PointPenalties"/>.</summary>
    public static double FromPenalties(long[] penalties, int k) =>
        FromPenalties(penalties, Enumerable.Range(0, penalties.Length), penalties.Length, k);

    /// <summary>Per-group T(k) (see <see cref="ByGroup"/>) from the per-point penalties.</summary>
    public static double[] ByGroupFromPenalties(long[] penalties, int[] groups, int groupCount, int k)
    {
        ArgumentNullException.ThrowIfNull(groups);
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

    /// <summary>
    /// Per point i: Σ_{j ∈ U_k(i)} (r(i, j) − k), with r(i, j) = 1 + #{l ≠ i : ‖x_i − x_l‖ &lt; ‖x_i − x_j‖}
    /// (ties share the best rank, so an identity map scores exactly 1 even with tied distances).
    /// Distances in the inputs' precision (float32 unless given float64).
    /// </summary>
    public static long[] PointPenalties(Tensor original, Tensor embedded, int k = 10, Device? device = null, int chunk = 512)
    {
        var dev = device ?? CPU;
        using var x = PairwiseDistances.AsFloatMatrix(original, nameof(original), 3, dev);
        using var y = PairwiseDistances.AsFloatMatrix(embedded, nameof(embedded), 3, dev);
        int n = (int)x.shape[0];
        if (y.shape[0] != n) throw new ArgumentException($"embedded has {y.shape[0]} rows but original has {n}.", nameof(embedded));
        if (k < 1 || 2 * k >= n) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must satisfy 1 ≤ k < N/2 = {n / 2.0}.");
        var penalties = new long[n];
        foreach (var (s, e) in PairwiseDistances.Chunks(n, chunk))
        {
            using var scope = NewDisposeScope();
            var self = arange(s, e, dtype: ScalarType.Int64, device: dev).unsqueeze(1);
            // Self gets distance −1: it is excluded from the embedding neighbours and counted once in every rank.
            var dx = PairwiseDistances.Squared(x[s..e], x).scatter_(1, self, full(e - s, 1, -1.0, dtype: x.dtype, device: dev));
            var dy = PairwiseDistances.Squared(y[s..e], y).scatter_(1, self, full(e - s, 1, -1.0, dtype: y.dtype, device: dev));
            var neighbours = dy.topk(k + 1, dim: 1, largest: false, sorted: true).indexes[.., 1..];
            var dij = dx.gather(1, neighbours).to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray(); // [rows, k]
            var rows = dx.to(ScalarType.Float64).cpu().contiguous().data<double>().ToArray();                       // [rows, N]
            Parallel.For(s, e, i => penalties[i] = RowPenalty(rows.AsSpan((i - s) * n, n), dij.AsSpan((i - s) * k, k)));
        }
        return penalties;
    }

    /// <summary>Σ_m max(0, r_m − k) with r_m = #{l : row[l] &lt; thresholds[m]} (self, at −1, included), in O(N + k log k).</summary>
    static long RowPenalty(ReadOnlySpan<double> row, ReadOnlySpan<double> thresholds)
    {
        int k = thresholds.Length;
        Span<double> t = k <= 256 ? stackalloc double[k] : new double[k];
        thresholds.CopyTo(t);
        t.Sort();
        Span<long> histogram = k <= 256 ? stackalloc long[k] : new long[k];
        histogram.Clear();
        double largest = t[k - 1];
        foreach (var d in row)
        {
            if (d >= largest) continue;                 // most points are farther than every threshold
            int m = 0;
            while (d >= t[m]) m++;                      // first threshold exceeding d
            histogram[m]++;
        }
        long penalty = 0, below = 0;
        for (int m = 0; m < k; m++)
        {
            below += histogram[m];                      // #{l : row[l] < t[m]}
            penalty += Math.Max(0, below - k);
        }
        return penalty;
    }
}
