// Issue 7, item 6: ad-hoc statistics of the generated weighting matrices, per scenario and layer, as DataFrames.
//  - Summary: mean, standard deviation, min and max of the generated factors (all entries of all samples of the
//    scenario), and the sample spread (the mean over core entries of the standard deviation across samples).
//  - Output-neuron weights: for the effective S = psi(A), the mean over input rows i of S[i, j] for output neuron j.
//    psi repeats the core, so every core row r feeds the same number d_m / d_r of rows of S, and column j reads core
//    column c(j) (tile: j mod d_c; block: j div (d_n / d_c)). Hence mean_i S[i, j] = mean_r A[r, c(j)]: computed
//    from the core, never materialising a per-sample d_m x d_n matrix.
//  - Most up- and down-weighted neurons: the k highest and lowest of those means per scenario and layer, also as
//    the difference from the other scenarios' mean (what is specific to the scenario).
using Microsoft.Data.Analysis;
using MiDpg.Research.Models;

namespace MiDpg.Research.Analysis;

public static class MatrixStatistics
{
    /// <summary>One row per (scenario, layer): Scenario, Layer, N, Mean, Std, Min, Max, SampleSpread.</summary>
    public static DataFrame Summary(WeightingMatrixSample sample)
    {
        var scenario = new List<string>();
        var layer = new List<int>();
        var count = new List<int>();
        var mean = new List<double>();
        var std = new List<double>();
        var min = new List<double>();
        var max = new List<double>();
        var spread = new List<double>();
        foreach (var l in sample.Layers)
        {
            var w = l.Width;
            for (var s = 0; s < sample.ScenarioCount; s++)
            {
                var rows = Enumerable.Range(0, sample.Count).Where(i => sample.Scenario[i] == s).ToArray();
                if (rows.Length == 0) continue;
                double sum = 0, sumSq = 0, lo = double.PositiveInfinity, hi = double.NegativeInfinity;
                var entrySum = new double[w];
                var entrySq = new double[w];
                foreach (var i in rows)
                    for (var k = 0; k < w; k++)
                    {
                        double v = l.Values[i, k];
                        sum += v; sumSq += v * v;
                        if (v < lo) lo = v;
                        if (v > hi) hi = v;
                        entrySum[k] += v; entrySq[k] += v * v;
                    }
                double total = (double)rows.Length * w;
                var m = sum / total;
                double sampleSpread = 0;
                for (var k = 0; k < w; k++)
                {
                    var mk = entrySum[k] / rows.Length;
                    sampleSpread += Math.Sqrt(Math.Max(0, entrySq[k] / rows.Length - mk * mk));
                }
                scenario.Add(sample.ScenarioNames[s]);
                layer.Add(l.Layer);
                count.Add(rows.Length);
                mean.Add(m);
                std.Add(Math.Sqrt(Math.Max(0, sumSq / total - m * m)));
                min.Add(lo);
                max.Add(hi);
                spread.Add(sampleSpread / w);
            }
        }
        return new DataFrame(
            new StringDataFrameColumn("Scenario", scenario),
            new Int32DataFrameColumn("Layer", layer),
            new Int32DataFrameColumn("N", count),
            new DoubleDataFrameColumn("Mean", mean),
            new DoubleDataFrameColumn("Std", std),
            new DoubleDataFrameColumn("Min", min),
            new DoubleDataFrameColumn("Max", max),
            new DoubleDataFrameColumn("SampleSpread", spread));
    }

    /// <summary>
    /// [S, d_n]: per scenario, the mean over its samples and over input rows i of S[i, j] = psi(A)[i, j] for each output
    /// neuron j of <paramref name="layer"/> (NaN for a scenario without samples).
    /// </summary>
    public static double[,] NeuronMeans(WeightingMatrixSample sample, int layer)
    {
        var l = sample.Layer(layer);
        int dr = l.Geometry.Dr, dc = l.Geometry.Dc, dn = l.Geometry.Dn;
        if (l.Width != dr * dc) throw new InvalidOperationException($"layer {layer}: {l.Width} values per sample but d_r · d_c = {dr * dc}");
        var columnMeans = new double[sample.ScenarioCount, dc];
        var counts = new int[sample.ScenarioCount];
        for (var i = 0; i < sample.Count; i++)
        {
            var s = sample.Scenario[i];
            counts[s]++;
            for (var r = 0; r < dr; r++)
                for (var c = 0; c < dc; c++) columnMeans[s, c] += l.Values[i, r * dc + c];
        }
        var result = new double[sample.ScenarioCount, dn];
        for (var s = 0; s < sample.ScenarioCount; s++)
            for (var j = 0; j < dn; j++)
                result[s, j] = counts[s] == 0 ? double.NaN
                    : columnMeans[s, Repeat.CoreColumn(j, dn, dc, l.Repeat)] / ((double)counts[s] * dr);
        return result;
    }

    /// <summary>
    /// Per scenario and layer the <paramref name="k"/> most up-weighted and most down-weighted output neurons: Scenario,
    /// Layer, Direction ("up"/"down"), Rank (1 = most), Neuron (j), CoreColumn (c(j); neurons sharing a core column
    /// share their weight), MeanFactor (mean_i S[i, j]) and VsOthers (MeanFactor minus the other scenarios' mean).
    /// Ranked by MeanFactor, or by VsOthers when <paramref name="relative"/>; ties go to the lower neuron index. With
    /// <paramref name="distinctColumns"/>, only the first neuron of each core column is listed (psi gives every neuron
    /// of a core column the same weight, so otherwise the top k can be copies of one column).
    /// </summary>
    public static DataFrame TopNeurons(WeightingMatrixSample sample, int k = 5, bool relative = false, bool distinctColumns = false)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be >= 1");
        var scenario = new List<string>();
        var layer = new List<int>();
        var direction = new List<string>();
        var rank = new List<int>();
        var neuron = new List<int>();
        var coreColumn = new List<int>();
        var meanFactor = new List<double>();
        var vsOthers = new List<double>();
        foreach (var l in sample.Layers)
        {
            var means = NeuronMeans(sample, l.Layer);
            int sCount = means.GetLength(0), dn = means.GetLength(1);
            for (var s = 0; s < sCount; s++)
            {
                if (double.IsNaN(means[s, 0])) continue;
                var value = new double[dn];
                var diff = new double[dn];
                for (var j = 0; j < dn; j++)
                {
                    double other = 0;
                    var n = 0;
                    for (var t = 0; t < sCount; t++)
                        if (t != s && !double.IsNaN(means[t, j])) { other += means[t, j]; n++; }
                    value[j] = means[s, j];
                    diff[j] = n == 0 ? double.NaN : means[s, j] - other / n;
                }
                var key = relative ? diff : value;
                var candidates = Enumerable.Range(0, dn);
                if (distinctColumns) candidates = candidates.DistinctBy(j => Repeat.CoreColumn(j, dn, l.Geometry.Dc, l.Repeat));
                var ascending = candidates.OrderBy(j => key[j]).ThenBy(j => j).ToArray();
                var descending = candidates.OrderByDescending(j => key[j]).ThenBy(j => j).ToArray();
                foreach (var (dir, order) in new[] { ("up", descending), ("down", ascending) })
                    for (var r = 0; r < Math.Min(k, ascending.Length); r++)
                    {
                        var j = order[r];
                        scenario.Add(sample.ScenarioNames[s]);
                        layer.Add(l.Layer);
                        direction.Add(dir);
                        rank.Add(r + 1);
                        neuron.Add(j);
                        coreColumn.Add(Repeat.CoreColumn(j, dn, l.Geometry.Dc, l.Repeat));
                        meanFactor.Add(value[j]);
                        vsOthers.Add(diff[j]);
                    }
            }
        }
        return new DataFrame(
            new StringDataFrameColumn("Scenario", scenario),
            new Int32DataFrameColumn("Layer", layer),
            new StringDataFrameColumn("Direction", direction),
            new Int32DataFrameColumn("Rank", rank),
            new Int32DataFrameColumn("Neuron", neuron),
            new Int32DataFrameColumn("CoreColumn", coreColumn),
            new DoubleDataFrameColumn("MeanFactor", meanFactor),
            new DoubleDataFrameColumn("VsOthers", vsOthers));
    }

    /// <summary>Rows of <paramref name="frame"/> whose string column <paramref name="column"/> equals <paramref name="value"/>.</summary>
    public static DataFrame Where(DataFrame frame, string column, string value) =>
        frame.Filter(frame[column].ElementwiseEquals(value));

    /// <summary>Rows of <paramref name="frame"/> whose integer column <paramref name="column"/> equals <paramref name="value"/>.</summary>
    public static DataFrame Where(DataFrame frame, string column, int value) =>
        frame.Filter(frame[column].ElementwiseEquals(value));
}
