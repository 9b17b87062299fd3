using static TorchSharp.torch;

namespace MiDpg.Research.Analysis;

/// <summary>
/// Mean silhouette coefficient (Rousseeuw 1987): for point i in cluster C, a(i) = mean distance to the other members of C,
/// b(i) = min over other non-empty clusters C' of the mean distance to C', s(i) = (b − a) / max(a, b); s(i) = 0 when C = {i}.
/// The score is the mean of s(i) over all points; <see cref="SilhouetteResult.PerLabel"/> averages within each label.
/// Euclidean distances, chunked rows × N blocks and one matrix product with the one-hot labels per chunk.
/// </summary>
public static class Silhouette
{
    /// <summary>Silhouette of <paramref name="x"/> ([N, D]) under <paramref name="labels"/> in 0..labelCount−1 (at least two non-empty labels).</summary>
    public static SilhouetteResult Compute(Tensor x, int[] labels, int? labelCount = null, Device? device = null, int chunk = 1024)
    {
        var dev = device ?? CPU;
        using var xd = PairwiseDistances.AsFloat64Matrix(x, nameof(x), 2, dev);
        int n = (int)xd.shape[0];
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != n) throw new ArgumentException($"labels has {labels.Length} entries for {n} points.", nameof(labels));
        int c = labelCount ?? labels.Max() + 1;
        var counts = new int[c];
        for (int i = 0; i < n; i++)
        {
            if ((uint)labels[i] >= (uint)c) throw new ArgumentException($"labels[{i}] = {labels[i]} is outside 0..{c - 1}.", nameof(labels));
            counts[labels[i]]++;
        }
        if (counts.Count(v => v > 0) < 2) throw new ArgumentException("The silhouette needs at least two non-empty labels.", nameof(labels));

        using var outer = NewDisposeScope();
        var labelTensor = tensor(labels.Select(l => (long)l).ToArray(), device: dev);
        var oneHot = nn.functional.one_hot(labelTensor, c).to(ScalarType.Float64);
        var countTensor = tensor(counts.Select(v => (double)v).ToArray(), device: dev);
        var s = new double[n];
        foreach (var (start, end) in PairwiseDistances.Chunks(n, chunk))
        {
            using var scope = NewDisposeScope();
            var sums = PairwiseDistances.Euclidean(xd[start..end], xd).mm(oneHot);      // [chunk, C] distance sums per label
            var own = labelTensor[start..end].unsqueeze(1);
            var ownCount = countTensor.index_select(0, own.squeeze(1)).unsqueeze(1);
            var a = sums.gather(1, own) / (ownCount - 1).clamp_min(1);                 // self contributes distance 0
            var means = sums / countTensor.clamp_min(1);
            var excluded = nn.functional.one_hot(own.squeeze(1), c).to(ScalarType.Bool).logical_or(countTensor.eq(0).unsqueeze(0));
            var b = means.masked_fill(excluded, double.PositiveInfinity).min(1, keepdim: true).values;
            var si = ((b - a) / maximum(a, b)).nan_to_num(0.0);
            si = si.masked_fill(ownCount.eq(1), 0.0);
            si.squeeze(1).cpu().contiguous().data<double>().CopyTo(s, start);
        }
        var perLabel = new double[c];
        for (int i = 0; i < n; i++) perLabel[labels[i]] += s[i];
        for (int g = 0; g < c; g++) perLabel[g] = counts[g] > 0 ? perLabel[g] / counts[g] : double.NaN;
        return new SilhouetteResult(s.Average(), perLabel, counts, s);
    }
}
