using MiDpg.Research.Analysis;
using MiDpg.Research.Models;
using MiDpg.Research.Plotting;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Analysis;

public class ScenarioSimilarityTests
{
    [Fact]
    public void CosineOfHandMadeScenarioMeansMatchesHandComputedValues()
    {
        // scenario 0 rows average to (1, 0), scenario 1 to (1, 1), scenario 2 to (0, 2).
        float[,] x = { { 2, 0 }, { 0, 0 }, { 1, 1 }, { 0, 2 }, { 0, 2 } };
        int[] scenario = [0, 0, 1, 2, 2];
        var r = ScenarioSimilarity.FromFeatures(x, scenario, ["a", "b", "c"]);
        Assert.Equal([2, 1, 2], r.Counts);
        Assert.Equal([1.0, 0.0], r.Means[0]);
        Assert.Equal(1.0, r.Similarity[0, 0], 12);
        Assert.Equal(1 / Math.Sqrt(2), r.Similarity[0, 1], 12);
        Assert.Equal(0.0, r.Similarity[0, 2], 12);
        Assert.Equal(1 / Math.Sqrt(2), r.Similarity[1, 2], 12);
        Assert.Equal(r.Similarity[2, 1], r.Similarity[1, 2]);

        // Centred: grand mean (2/3, 1); (1/3, -1), (1/3, 0), (-2/3, 1).
        var c = ScenarioSimilarity.FromFeatures(x, scenario, ["a", "b", "c"], SimilarityCentring.GrandMean);
        double Cos(double[] u, double[] v) => (u[0] * v[0] + u[1] * v[1]) / Math.Sqrt((u[0] * u[0] + u[1] * u[1]) * (v[0] * v[0] + v[1] * v[1]));
        Assert.Equal(Cos([1.0 / 3, -1], [1.0 / 3, 0]), c.Similarity[0, 1], 12);
        Assert.Equal(Cos([1.0 / 3, -1], [-2.0 / 3, 1]), c.Similarity[0, 2], 12);
        Assert.Equal(Cos([1.0 / 3, 0], [-2.0 / 3, 1]), c.Similarity[1, 2], 12);
        Assert.Equal(3, c.ToDataFrame().Rows.Count);
    }

    [Fact]
    public void CorrelationWithItselfIsOneAndWithAnAffineCopyToo()
    {
        var a = new double[,] { { 1, 0.2, 0.5, -0.1 }, { 0.2, 1, 0.3, 0.9 }, { 0.5, 0.3, 1, 0 }, { -0.1, 0.9, 0, 1 } };
        Assert.Equal(1.0, ScenarioSimilarity.OffDiagonalCorrelation(a, a), 12);
        var b = new double[4, 4];
        for (var i = 0; i < 4; i++) for (var j = 0; j < 4; j++) b[i, j] = i == j ? 7 : 1 - 2 * a[i, j];   // diagonal ignored
        Assert.Equal(-1.0, ScenarioSimilarity.OffDiagonalCorrelation(a, b), 12);
    }

    [Fact]
    public void WithinGroupExceedsBetweenGroupOnABlockMatrix()
    {
        int[] group = [0, 0, 1, 1, 1];
        var s = new double[5, 5];
        for (var i = 0; i < 5; i++) for (var j = 0; j < 5; j++) s[i, j] = i == j ? 1 : group[i] == group[j] ? 0.8 : 0.1;
        s[2, 4] = s[4, 2] = 0.5;
        var c = ScenarioSimilarity.WithinBetween(s, group);
        Assert.Equal(1 + 3, c.WithinPairs);
        Assert.Equal(6, c.BetweenPairs);
        Assert.Equal((0.8 * 3 + 0.5) / 4, c.Within, 12);
        Assert.Equal(0.1, c.Between, 12);
        Assert.True(c.Difference > 0);
    }

    [Fact]
    public void AverageLinkagePutsIdenticalRowsTogether()
    {
        // Rows 0, 3, 5 identical; rows 1, 4 identical; row 2 apart.
        float[,] x = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 }, { 1, 0, 0 }, { 0, 1, 0.05f }, { 1, 0, 0 } };
        var r = ScenarioSimilarity.FromFeatures(x, [0, 1, 2, 3, 4, 5], ["0", "1", "2", "3", "4", "5"]);
        var dendrogram = HierarchicalClustering.FromSimilarity(r.Similarity);
        var order = dendrogram.LeafOrder;
        Assert.Equal([0, 1, 2, 3, 4, 5], order.Order());
        int Pos(int leaf) => Array.IndexOf(order, leaf);
        var block = new[] { Pos(0), Pos(3), Pos(5) };
        Assert.Equal(2, block.Max() - block.Min());
        Assert.Equal(1, Math.Abs(Pos(1) - Pos(4)));
        Assert.Equal(5, dendrogram.Merges.Count);
        Assert.Equal(0.0, dendrogram.Merges[0].Distance, 9);
        Assert.Equal(6, dendrogram.Merges[^1].Size);
        Assert.True(dendrogram.Merges.Zip(dendrogram.Merges.Skip(1)).All(p => p.First.Distance <= p.Second.Distance + 1e-12)); // UPGMA is monotone
    }

    [Fact]
    public void AverageLinkageUsesTheMeanPairwiseDistance()
    {
        // Points on a line at 0, 1, 5: merge {0,1} at 1, then with 5 at mean(5, 4) = 4.5.
        var d = new double[,] { { 0, 1, 5 }, { 1, 0, 4 }, { 5, 4, 0 } };
        var dendrogram = HierarchicalClustering.AverageLinkage(d);
        Assert.Equal(new ClusterMerge(0, 1, 1, 2), dendrogram.Merges[0]);
        Assert.Equal(new ClusterMerge(2, 3, 4.5, 3), dendrogram.Merges[1]);
        Assert.Equal([2, 0, 1], dendrogram.LeafOrder);          // SciPy's convention: left = the lower cluster id (leaf 2 < cluster 3)
    }

    [Fact]
    public void HeatmapAndScatterGridBuild()
    {
        var s = new double[,] { { 1, 0.5 }, { 0.5, 1 } };
        var html = Plotly.NET.GenericChart.toEmbeddedHTML(Charts.SimilarityHeatmap("h", ["a", "b"], s, [1, 0]));
        Assert.Contains("heatmap", html);
        var panel = new[] { ("s0", new[] { 0.0, 1 }, new[] { 1.0, 2 }, new[] { "p", "q" }) };
        var grid = Plotly.NET.GenericChart.toEmbeddedHTML(Charts.ScatterGrid("g", 2, ("left", panel), ("right", panel)));
        Assert.Contains("right", grid);
        Assert.Throws<ArgumentException>(() => Charts.SimilarityHeatmap("h", ["a", "b"], s, [0, 0]));
    }
}

public class MatrixStatisticsTests
{
    /// <summary>4 samples (scenarios 0, 0, 1, 1), one layer d_m 4, d_n 6, core 2 x 3 (tile), fixed values.</summary>
    internal static WeightingMatrixSample Tiny(RepeatMode repeat = RepeatMode.Tile)
    {
        var core = tensor(new float[]
        {
            0.1f, 0.2f, 0.3f, 0.5f, 0.6f, 0.7f,
            0.3f, 0.4f, 0.5f, 0.1f, 0.2f, 0.3f,
            0.9f, 0.8f, 0.7f, 0.9f, 0.8f, 0.1f,
            0.5f, 0.4f, 0.3f, 0.5f, 0.4f, 0.3f,
        }).reshape(4, 2, 3);
        var geometry = new LayerGeometry(2, 4, 6, 2, 3, 1);
        using var inspection = new WeightingMatrixInspection([new LayerMatrices(2, geometry, core, null)],
            tensor(new long[] { 0, 0, 1, 1 }), tensor(new float[] { 1, 0, 0, 1 }), tensor(new float[] { 0.6f, 0.2f, 0.3f, 0.7f }));
        return WeightingMatrixSample.FromInspection(inspection, ["home", "search"], repeat, "tiny", [10, 11, 12, 13]);
    }

    [Fact]
    public void HoverTextNamesTheRowScenarioAndView()
    {
        var sample = Tiny();
        var hover = sample.HoverText(2);
        Assert.Equal(sample.Count, hover.Length);
        for (int i = 0; i < sample.Count; i++)
        {
            Assert.StartsWith($"row {sample.Rows[i]}<br>scenario {sample.ScenarioNames[sample.Scenario[i]]}<br>", hover[i]);
            Assert.EndsWith("tiny, layer 2", hover[i]);
        }
    }

    [Fact]
    public void SummaryHasOneRowPerScenarioAndLayerWithTheFactorStatistics()
    {
        var frame = MatrixStatistics.Summary(Tiny());
        Assert.Equal(["Scenario", "Layer", "N", "Mean", "Std", "Min", "Max", "SampleSpread"], frame.Columns.Select(c => c.Name));
        Assert.Equal(2, frame.Rows.Count);
        Assert.Equal("home", frame["Scenario"][0]);
        Assert.Equal(2, frame["Layer"][0]);
        Assert.Equal(2, frame["N"][0]);
        float[] home = [0.1f, 0.2f, 0.3f, 0.5f, 0.6f, 0.7f, 0.3f, 0.4f, 0.5f, 0.1f, 0.2f, 0.3f];
        var mean = home.Average(v => (double)v);
        Assert.Equal(mean, (double)frame["Mean"][0], 6);
        Assert.Equal(Math.Sqrt(home.Average(v => (v - mean) * (v - mean))), (double)frame["Std"][0], 6);
        Assert.Equal(0.1, (double)frame["Min"][0], 6);
        Assert.Equal(0.9, (double)frame["Max"][1], 6);
        // Sample spread of "home": |a - b| / 2 per entry, averaged: (0.1+0.1+0.1+0.2+0.2+0.2)/6 = 0.15.
        Assert.Equal(0.15, (double)frame["SampleSpread"][0], 6);
    }

    [Fact]
    public void NeuronMeansFollowPsiWithoutMaterialisingS()
    {
        var sample = Tiny();
        var means = MatrixStatistics.NeuronMeans(sample, 2);
        Assert.Equal([2, 6], new[] { means.GetLength(0), means.GetLength(1) });
        var lm = sample.Layer(2);
        foreach (var mode in new[] { RepeatMode.Tile, RepeatMode.Block })
        {
            var s = Repeat.Psi(tensor(sample.Features(2)).reshape(4, 2, 3), 4, 6, mode);   // [4, 4, 6], the full S
            var expected = s.mean([1]);                                                      // mean over input rows i
            var m = MatrixStatistics.NeuronMeans(Tiny(mode), 2);
            for (var sc = 0; sc < 2; sc++)
                for (var j = 0; j < 6; j++)
                {
                    var e = (expected[2 * sc, j].item<float>() + expected[2 * sc + 1, j].item<float>()) / 2;
                    Assert.Equal(e, m[sc, j], 5);
                }
        }
        // tile: neuron 4 reads core column 1: home mean over rows and samples of column 1 = (0.2+0.6+0.4+0.2)/4.
        Assert.Equal(0.35, means[0, 4], 6);
        Assert.Equal(RepeatMode.Tile, lm.Repeat);
    }

    [Fact]
    public void TopNeuronsListTheMostUpAndDownWeightedPerScenario()
    {
        var frame = MatrixStatistics.TopNeurons(Tiny(), k: 2);
        Assert.Equal(["Scenario", "Layer", "Direction", "Rank", "Neuron", "CoreColumn", "MeanFactor", "VsOthers"], frame.Columns.Select(c => c.Name));
        Assert.Equal(2 * 2 * 2, frame.Rows.Count);                  // scenarios x directions x k
        // home column means: c0 (0.1+0.5+0.3+0.1)/4 = 0.25, c1 0.35, c2 0.45; search: 0.7, 0.6, 0.35.
        var homeUp = MatrixStatistics.Where(MatrixStatistics.Where(frame, "Scenario", "home"), "Direction", "up");
        Assert.Equal(2, homeUp["Neuron"][0]);                      // neurons 2 and 5 share column 2; the lower index first
        Assert.Equal(5, homeUp["Neuron"][1]);
        Assert.Equal(0.45, (double)homeUp["MeanFactor"][0], 6);
        Assert.Equal(0.45 - 0.35, (double)homeUp["VsOthers"][0], 6);
        var searchDown = MatrixStatistics.Where(MatrixStatistics.Where(frame, "Scenario", "search"), "Direction", "down");
        Assert.Equal(2, searchDown["CoreColumn"][0]);
        var distinct = MatrixStatistics.TopNeurons(Tiny(), k: 2, distinctColumns: true);
        var homeDistinctUp = MatrixStatistics.Where(MatrixStatistics.Where(distinct, "Scenario", "home"), "Direction", "up");
        Assert.Equal([2, 1], new[] { (int)homeDistinctUp["Neuron"][0], (int)homeDistinctUp["Neuron"][1] });   // columns 2, 1
        Assert.Equal(3 * 2 * 2, MatrixStatistics.TopNeurons(Tiny(), k: 9, distinctColumns: true).Rows.Count); // at most d_c per direction
        var relative = MatrixStatistics.TopNeurons(Tiny(), k: 1, relative: true);
        var homeRelUp = MatrixStatistics.Where(MatrixStatistics.Where(relative, "Scenario", "home"), "Direction", "up");
        Assert.Equal(2, homeRelUp["CoreColumn"][0]);                // +0.10 vs others; columns 0 and 1 are below
    }

    [Fact]
    public void ExportRoundTripsThroughCsvAndParquet()
    {
        var sample = Tiny();
        var folder = Path.Combine(Path.GetTempPath(), "midpg-export-" + Guid.NewGuid().ToString("N"));
        try
        {
            var frame = MatrixExport.ToDataFrame(sample);
            Assert.Equal(["row", "scenario", "scenario_name", "label", "prediction", "l2_a_0_0"], frame.Columns.Take(6).Select(c => c.Name));
            Assert.Equal(5 + 6, frame.Columns.Count);
            Assert.Equal("a_1_2", MatrixExport.ToDataFrame(sample, 2).Columns[^1].Name);
            foreach (var back in new[]
            {
                MatrixExport.ReadCsv(MatrixExport.WriteCsv(sample, Path.Combine(folder, "m.csv"))),
                MatrixExport.ReadParquet(MatrixExport.WriteParquet(sample, Path.Combine(folder, "sub", "m.parquet"))),
            })
            {
                Assert.Equal(frame.Columns.Select(c => c.Name), back.Columns.Select(c => c.Name));
                Assert.Equal(frame.Columns.Select(c => c.DataType), back.Columns.Select(c => c.DataType));
                Assert.Equal(frame.Rows.Count, back.Rows.Count);
                for (var c = 0; c < frame.Columns.Count; c++)
                    for (var r = 0; r < frame.Rows.Count; r++)
                        Assert.Equal(frame.Columns[c][r], back.Columns[c][r]);
            }
        }
        finally { if (Directory.Exists(folder)) Directory.Delete(folder, true); }
    }

    [Fact]
    public void StratifiedRowsTakeAtMostNPerScenarioDeterministically()
    {
        int[] scenario = [0, 1, 0, 1, 0, 2, 0, 0];
        var rows = WeightingMatrixSample.StratifiedRows(scenario, 3, 2, seed: 4);
        Assert.Equal(rows, WeightingMatrixSample.StratifiedRows(scenario, 3, 2, seed: 4));
        Assert.Equal([0, 0, 1, 1, 2], rows.Select(r => scenario[r]));
        Assert.Equal(8, WeightingMatrixSample.StratifiedRows(scenario, 3, null).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => WeightingMatrixSample.StratifiedRows(scenario, 3, 0));
    }
}

public class MatrixTsneTests
{
    [Fact]
    public void SampleOfAModelEmbedsWithQualityNumbers()
    {
        using var scope = NewDisposeScope();
        var spec = Models.ModelTestData.Spec();
        manual_seed(1);
        var model = new DpgModel(spec, Models.ModelTestData.SmallConfig(DwmVariant.R));
        var (input, labels) = Models.ModelTestData.Batch(spec, 60, 5);
        using var inspection = WeightingMatrixInspector.Inspect(model, input, labels);
        var sample = WeightingMatrixSample.FromInspection(inspection, ["s0", "s1", "s2"]);
        Assert.Equal(3, sample.Layers.Count);
        Assert.Equal(sample.Layers.Sum(l => l.Width), sample.Features().GetLength(1));
        Assert.Equal(inspection.Layer(3).Core[7, 3, 1].item<float>(), sample.Features(3)[7, 3 * 2 + 1]);
        var result = MatrixTsne.Fit(sample, null, new TsneConfig { Perplexity = 10, Iterations = 250, ExaggerationIterations = 100 });
        Assert.Equal(60, result.Tsne.N);
        Assert.InRange(result.SilhouetteEmbedding, -1, 1);
        Assert.InRange(result.Trustworthiness, 0, 1);
        Assert.Equal("combined", result.View);
        var groups = result.ScatterGroups();
        Assert.Equal(60, groups.Sum(g => g.X.Length));
        Assert.Contains("label", groups[0].Text[0]);
        Assert.Contains("row ", groups[0].Text[0]);
        Assert.Contains("p̂ ", groups[0].Text[0]);
        int[] scenarioGroup = [1, 0, 1];
        var grouped = result.ScatterGroups(scenarioGroup);
        Assert.Equal(groups.Select(g => g.X.Length), grouped.Select(g => g.X.Length));
        Assert.All(grouped, g => Assert.All(g.Text, t => Assert.Contains($"<br>group {result.GroupOf(g.Name, scenarioGroup) + 1}", t)));
        Assert.Equal(1, result.GroupOf("s2 (group 2)", scenarioGroup));
        Assert.Throws<ArgumentException>(() => result.ScatterGroups([0, 1]));
    }

    [Fact]
    public void ScatterGridDrawsAGroupAsAMarkerSymbolAndKeepsBothAxesOnOneScale()
    {
        var panel = new[] { ("a", new[] { 0.0, 1 }, new[] { 1.0, 2 }, new[] { "p", "q" }), ("b", new[] { 2.0 }, new[] { 0.0 }, new[] { "r" }) };
        var chart = Charts.ScatterGrid("g", 2, symbolOf: name => name == "a" ? 0 : 2, equalAspect: true, ("left", panel), ("right", panel));
        var figure = PlotlyFigureJson.FromHtml(Plotly.NET.GenericChart.toChartHTML(chart))!;
        Assert.Equal(["0", "2", "0", "2"], figure.Data.Select(t => t!["marker"]!["symbol"]!.ToString()));   // plotly.js symbol numbers: 0 circle, 2 diamond
        Assert.Equal("x", (string?)figure.Layout["yaxis"]!["scaleanchor"]);
        Assert.Equal("x2", (string?)figure.Layout["yaxis2"]!["scaleanchor"]);
        var plain = PlotlyFigureJson.FromHtml(Plotly.NET.GenericChart.toChartHTML(Charts.ScatterGrid("g", 2, ("left", panel))))!;
        Assert.Null(plain.Layout["yaxis"]?["scaleanchor"]);
    }
}
