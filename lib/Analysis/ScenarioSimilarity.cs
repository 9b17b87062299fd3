// Issue 7, item 5: similarity between scenarios as seen by the generated weighting matrices.
// For each scenario s the mean of its samples' (flattened) cores, m_s; the similarity of two scenarios
// is the cosine cos(m_s, m_t) = m_s·m_t / (‖m_s‖ ‖m_t‖), per layer and for all layers combined
// (the concatenation of the per-layer means). Because every factor is a sigmoid in (0, 1), raw means share
// a large common part and raw cosines are all close to 1; centring (m_s − m̄, m̄ the unweighted mean of the
// scenario means) keeps only the scenario-specific part, whose cosines span [−1, 1].
// Comparison with a reference (the synthetic generator's TrueSimilarity): Pearson correlation over the
// off-diagonal upper triangle; and, given a group assignment, mean within-group vs between-group similarity.
using Microsoft.Data.Analysis;

namespace MiDpg.Research.Analysis;

/// <summary>What is removed from the scenario means before the cosine.</summary>
public enum SimilarityCentring
{
    /// <summary>Raw means (all factors lie in (0, 1), so cosines are all near 1).</summary>
    None,

    /// <summary>Subtract the grand mean, the unweighted mean of the scenario means: the scenario-specific part.</summary>
    GrandMean,
}

/// <summary>Readable descriptions of <see cref="SimilarityCentring"/> for titles and captions.</summary>
public static class SimilarityCentringText
{
    /// <summary>"raw means" or "centred by the grand mean", as a figure title should say it.</summary>
    public static string Describe(this SimilarityCentring centring) => centring switch
    {
        SimilarityCentring.None => "raw means",
        SimilarityCentring.GrandMean => "centred by the grand mean",
        _ => centring.ToString(),
    };
}

/// <summary>Mean within-group and between-group similarity over the off-diagonal pairs.</summary>
public sealed record GroupContrast(double Within, double Between, int WithinPairs, int BetweenPairs)
{
    public double Difference => Within - Between;
}

/// <summary>S x S cosine similarity of one view (a layer or "combined").</summary>
public sealed record ScenarioSimilarityResult(string View, double[,] Similarity, double[][] Means, int[] Counts,
    IReadOnlyList<string> ScenarioNames, SimilarityCentring Centring)
{
    /// <summary>Scenario order of average-linkage clustering on 1 − similarity.</summary>
    public int[] ClusterOrder() => HierarchicalClustering.FromSimilarity(Similarity).LeafOrder;

    /// <summary>Pearson correlation with a reference S x S matrix over the off-diagonal upper triangle.</summary>
    public double CorrelationWith(double[,] reference) => ScenarioSimilarity.OffDiagonalCorrelation(Similarity, reference);

    public GroupContrast Contrast(int[] group) => ScenarioSimilarity.WithinBetween(Similarity, group);

    /// <summary>The matrix as a table: "scenario" then one column per scenario (optionally reordered).</summary>
    public DataFrame ToDataFrame(int[]? order = null)
    {
        order ??= Enumerable.Range(0, ScenarioNames.Count).ToArray();
        var columns = new List<DataFrameColumn> { new StringDataFrameColumn("scenario", order.Select(i => ScenarioNames[i])) };
        foreach (var j in order)
            columns.Add(new DoubleDataFrameColumn(ScenarioNames[j], order.Select(i => Similarity[i, j])));
        return new DataFrame(columns);
    }
}

public static class ScenarioSimilarity
{
    /// <summary>Per-scenario mean of the rows of <paramref name="x"/> [n, d]; scenarios without rows get NaN.</summary>
    public static double[][] ScenarioMeans(float[,] x, int[] scenario, int scenarioCount, out int[] counts)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        if (scenario.Length != n) throw new ArgumentException($"{scenario.Length} scenario ids for {n} rows");
        var sums = new double[scenarioCount][];
        for (var s = 0; s < scenarioCount; s++) sums[s] = new double[d];
        counts = new int[scenarioCount];
        for (var i = 0; i < n; i++)
        {
            var row = sums[scenario[i]];
            counts[scenario[i]]++;
            for (var k = 0; k < d; k++) row[k] += x[i, k];
        }
        for (var s = 0; s < scenarioCount; s++)
            for (var k = 0; k < d; k++) sums[s][k] = counts[s] == 0 ? double.NaN : sums[s][k] / counts[s];
        return sums;
    }

    /// <summary>The vectors minus their (unweighted) mean vector.</summary>
    public static double[][] Centre(double[][] vectors)
    {
        if (vectors.Length == 0) return [];
        var d = vectors[0].Length;
        var mean = new double[d];
        foreach (var v in vectors)
            for (var k = 0; k < d; k++) mean[k] += v[k] / vectors.Length;
        return vectors.Select(v => v.Select((x, k) => x - mean[k]).ToArray()).ToArray();
    }

    /// <summary>Cosine similarity of every pair of vectors (NaN where a vector is zero or NaN).</summary>
    public static double[,] Cosine(double[][] vectors)
    {
        var s = vectors.Length;
        var norms = vectors.Select(v => Math.Sqrt(v.Sum(x => x * x))).ToArray();
        var result = new double[s, s];
        for (var i = 0; i < s; i++)
            for (var j = i; j < s; j++)
            {
                double dot = 0;
                for (var k = 0; k < vectors[i].Length; k++) dot += vectors[i][k] * vectors[j][k];
                var c = norms[i] > 0 && norms[j] > 0 ? dot / (norms[i] * norms[j]) : double.NaN;
                result[i, j] = result[j, i] = i == j && !double.IsNaN(c) ? 1.0 : Math.Clamp(c, -1, 1);
            }
        return result;
    }

    /// <summary>Similarity of the scenario means of features <paramref name="x"/> [n, d].</summary>
    public static ScenarioSimilarityResult FromFeatures(float[,] x, int[] scenario, IReadOnlyList<string> scenarioNames,
        SimilarityCentring centring = SimilarityCentring.None, string view = "features")
    {
        var means = ScenarioMeans(x, scenario, scenarioNames.Count, out var counts);
        var vectors = centring == SimilarityCentring.GrandMean ? Centre(means) : means;
        return new ScenarioSimilarityResult(view, Cosine(vectors), means, counts, scenarioNames, centring);
    }

    /// <summary>Similarity of one view of a sample: a layer, or (null) all layers combined.</summary>
    public static ScenarioSimilarityResult Compute(WeightingMatrixSample sample, int? layer, SimilarityCentring centring = SimilarityCentring.None) =>
        FromFeatures(sample.Features(layer), sample.Scenario, sample.ScenarioNames, centring, WeightingMatrixSample.ViewName(layer));

    /// <summary>Every layer, then "combined".</summary>
    public static IReadOnlyList<ScenarioSimilarityResult> ComputeAll(WeightingMatrixSample sample, SimilarityCentring centring = SimilarityCentring.None) =>
        [.. sample.Layers.Select(l => Compute(sample, l.Layer, centring)), Compute(sample, null, centring)];

    /// <summary>Pearson correlation of two S x S matrices over the pairs i &lt; j (NaN pairs skipped).</summary>
    public static double OffDiagonalCorrelation(double[,] a, double[,] b)
    {
        var s = a.GetLength(0);
        if (a.GetLength(1) != s || b.GetLength(0) != s || b.GetLength(1) != s)
            throw new ArgumentException($"matrices must both be square of the same size; got {s} x {a.GetLength(1)} and {b.GetLength(0)} x {b.GetLength(1)}");
        var xs = new List<double>();
        var ys = new List<double>();
        for (var i = 0; i < s; i++)
            for (var j = i + 1; j < s; j++)
                if (!double.IsNaN(a[i, j]) && !double.IsNaN(b[i, j])) { xs.Add(a[i, j]); ys.Add(b[i, j]); }
        if (xs.Count < 2) return double.NaN;
        double mx = xs.Average(), my = ys.Average(), sxy = 0, sxx = 0, syy = 0;
        for (var k = 0; k < xs.Count; k++)
        {
            sxy += (xs[k] - mx) * (ys[k] - my);
            sxx += (xs[k] - mx) * (xs[k] - mx);
            syy += (ys[k] - my) * (ys[k] - my);
        }
        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : double.NaN;
    }

    /// <summary>Mean similarity over pairs i &lt; j in the same group and in different groups.</summary>
    public static GroupContrast WithinBetween(double[,] similarity, int[] group)
    {
        var s = similarity.GetLength(0);
        if (group.Length != s) throw new ArgumentException($"{group.Length} group ids for {s} scenarios");
        double within = 0, between = 0;
        int nw = 0, nb = 0;
        for (var i = 0; i < s; i++)
            for (var j = i + 1; j < s; j++)
            {
                var v = similarity[i, j];
                if (double.IsNaN(v)) continue;
                if (group[i] == group[j]) { within += v; nw++; }
                else { between += v; nb++; }
            }
        return new GroupContrast(nw > 0 ? within / nw : double.NaN, nb > 0 ? between / nb : double.NaN, nw, nb);
    }

    /// <summary>One row per view: View, Centring, CorrelationWithReference (when given), Within, Between, Difference (when groups are given).</summary>
    public static DataFrame Summary(IEnumerable<ScenarioSimilarityResult> results, double[,]? reference = null, int[]? group = null, string? model = null)
    {
        var list = results.ToList();
        var columns = new List<DataFrameColumn>();
        if (model is not null) columns.Add(new StringDataFrameColumn("Model", list.Select(_ => model)));
        columns.Add(new StringDataFrameColumn("View", list.Select(r => r.View)));
        columns.Add(new StringDataFrameColumn("Centring", list.Select(r => r.Centring.ToString())));
        if (reference is not null) columns.Add(new DoubleDataFrameColumn("CorrelationWithTruth", list.Select(r => r.CorrelationWith(reference))));
        if (group is not null)
        {
            var contrasts = list.Select(r => r.Contrast(group)).ToList();
            columns.Add(new DoubleDataFrameColumn("Within", contrasts.Select(c => c.Within)));
            columns.Add(new DoubleDataFrameColumn("Between", contrasts.Select(c => c.Between)));
            columns.Add(new DoubleDataFrameColumn("Difference", contrasts.Select(c => c.Difference)));
        }
        return new DataFrame(columns);
    }
}
