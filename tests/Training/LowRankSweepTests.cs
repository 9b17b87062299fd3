using MiDpg.Research.Models;
using MiDpg.Research.Models.Baselines;
using MiDpg.Research.Tests.Models;
using MiDpg.Research.Training.Experiments;

namespace MiDpg.Research.Tests.Training;

public class LowRankSweepTests
{
    static readonly FeatureSpec Spec = ModelTestData.Spec(numeric: 2);
    static readonly LowRankSweep Sweep = new() { Template = ModelTestData.SmallConfig() };
    static readonly ApgConfig ApgTemplate = new() { EmbeddingDim = 8, HiddenSizes = [16, 8, 4] };

    [Fact]
    public void TheGridIsThePapersAndEveryConfigurationIsEitherBuiltOrRuledOutWithItsReason()
    {
        var (points, skipped) = Sweep.Grid(Spec);
        Assert.Equal(3 * 3 * 4 * 4, points.Count + skipped.Count);
        Assert.Equal(points.Count + skipped.Count, points.Select(p => p.Name).Concat(skipped.Select(s => s.Name)).Distinct().Count());
        // Layer 3 has d_n = 4: c_div = 8 leaves d_c = 1, which d_k = 2 and 4 exceed.
        Assert.NotEmpty(skipped);
        Assert.All(skipped, s => Assert.Contains("d_k", s.Reason));
        Assert.Contains(skipped, s => s.Name == "dpg-rc k2 r1 c8");
        Assert.Contains(points, p => p.Name == "dpg-rc k1 r1 c8");
        // The paper's sweep is of DPG: the MIR is off unless asked for.
        Assert.All(points, p => Assert.False(p.Config.UseMir));
        Assert.All(points, p => Assert.StartsWith("dpg-", p.Name));
        Assert.All((Sweep with { WithMir = true }).Grid(Spec).Points, p => Assert.True(p.Config.UseMir));
    }

    [Fact]
    public void APointsParameterCountsAreThoseOfTheModelItBuilds()
    {
        var (points, _) = Sweep.Grid(Spec);
        foreach (var p in points.Where((_, i) => i % 9 == 0).Append(Sweep.NonReference(Spec)))
        {
            using var model = new DpgModel(Spec, p.Config);
            Assert.Equal(ParameterCount.ByComponent(model).OrderBy(kv => kv.Key), p.Parameters.OrderBy(kv => kv.Key));
        }
    }

    [Fact]
    public void TheWholeMatrixReferenceIsVariantNonAndCostsMoreThanEveryLowRankPoint()
    {
        var reference = Sweep.NonReference(Spec);
        Assert.Equal("dpg-non", reference.Name);
        Assert.Equal(DwmVariant.Non, reference.Config.Variant);
        Assert.Equal("midpg-non", (Sweep with { WithMir = true }).NonReference(Spec).Name);
        Assert.All(Sweep.Grid(Spec).Points, p => Assert.True(p.Parameters[ModelComponent.Generators] < reference.Parameters[ModelComponent.Generators], p.Name));
    }

    [Fact]
    public void EveryPointIsMatchedWithTheApgRankOfTheClosestBudget()
    {
        var (points, _) = Sweep.Grid(Spec);
        var apg = LowRankSweep.ApgMatches(Spec, points, ApgTemplate);
        long Total(int k) => ApgModel.Formula(Spec, ApgAlignment.WithRank(ApgTemplate, k))["total"];
        foreach (var p in points)
        {
            var k = LowRankSweep.ApgMatchRank(Spec, p, ApgTemplate);
            var gap = Math.Abs(Total(k) - p.Parameters["total"]);
            Assert.True(gap <= Math.Abs(Total(k + 1) - p.Parameters["total"]), p.Name);
            if (k > 1) Assert.True(gap <= Math.Abs(Total(k - 1) - p.Parameters["total"]), p.Name);
            Assert.Contains(apg, a => a.Name == LowRankSweep.ApgName(k));
        }
        Assert.Equal(apg.Count, apg.Select(a => a.Name).Distinct().Count());
        Assert.All(apg, a => Assert.Equal(Total(a.Config.RankK), a.Parameters["total"]));
    }

    static IEnumerable<ResultRow> Trial(string model, double auc, string dataset = "d") =>
    [
        new("sweep", model, dataset, 0, 1, "all", "auc", auc),
        new("sweep", model, dataset, 0, 1, "all", "logloss", 0.4),
        new("sweep", model, dataset, 0, 1, "all", "params", 1000),
    ];

    [Fact]
    public void TheAnalysisGivesEachVariantsSpreadAndEachPointAgainstItsApgOverTheTrainedPointsOnly()
    {
        var (points, _) = Sweep.Grid(Spec);
        var r = points.Where(p => p.Variant == DwmVariant.R).ToList();
        var cheapest = r.MinBy(p => SweepAnalysis.NonEmbeddingParameters(p.Parameters))!;
        var largest = r.MaxBy(p => SweepAnalysis.NonEmbeddingParameters(p.Parameters))!;
        var middle = r.First(p => p != cheapest && p != largest);
        var apgOfMiddle = LowRankSweep.ApgName(LowRankSweep.ApgMatchRank(Spec, middle, ApgTemplate));
        var rows = Trial(cheapest.Name, 0.70).Concat(Trial(largest.Name, 0.74)).Concat(Trial(middle.Name, 0.75))
            .Concat(Trial(apgOfMiddle, 0.72)).ToList();
        var summary = ExperimentSummary.Summarise(rows);

        var variant = Assert.Single(SweepAnalysis.Variants(summary, points));
        Assert.Equal(DwmVariant.R, variant.Variant);
        Assert.Equal(3, variant.Points);
        Assert.Equal((middle.Name, 0.75), (variant.BestPoint, variant.BestAuc));
        Assert.Equal((cheapest.Name, 0.70), (variant.WorstPoint, variant.WorstAuc));
        Assert.Equal(0.05, variant.Spread, 12);
        Assert.Equal((cheapest.Name, 0.70), (variant.CheapestPoint, variant.CheapestAuc));
        Assert.Equal((largest.Name, 0.74), (variant.LargestPoint, variant.LargestAuc));
        Assert.Equal(SweepAnalysis.NonEmbeddingParameters(cheapest.Parameters), variant.CheapestParameters);

        // Only the middle point's APG was trained: the other points have no pair.
        var pairs = SweepAnalysis.AgainstApg(summary, points, Spec, ApgTemplate);
        var pair = Assert.Single(pairs, p => p.Point == middle.Name);
        Assert.Equal(apgOfMiddle, pair.Apg);
        Assert.Equal(0.03, pair.Difference, 12);
        Assert.All(pairs, p => Assert.Equal(apgOfMiddle, p.Apg));
    }

    [Fact]
    public void TheAnalysisRefusesASummaryOfSeveralDatasets()
    {
        var (points, _) = Sweep.Grid(Spec);
        var summary = ExperimentSummary.Summarise(Trial(points[0].Name, 0.7, "a").Concat(Trial(points[0].Name, 0.71, "b")).ToList());
        var e = Assert.Throws<ArgumentException>(() => SweepAnalysis.Variants(summary, points));
        Assert.Contains("one dataset", e.Message);
    }
}

public class SweepChartTests
{
    [Fact]
    public void TheChartHasAVariantSeriesApgAndTheReferenceOnALogAxisAndLeavesOutUntrainedPoints()
    {
        var spec = ModelTestData.Spec(numeric: 2);
        var sweep = new LowRankSweep { Template = ModelTestData.SmallConfig(), Variants = [DwmVariant.R] };
        var (points, _) = sweep.Grid(spec);
        var reference = sweep.NonReference(spec);
        var apg = LowRankSweep.ApgMatches(spec, points, new ApgConfig { EmbeddingDim = 8, HiddenSizes = [16, 8, 4] });
        ResultRow Row(string model, double auc) => new("sweep", model, "d", 0, 1, "all", "auc", auc);
        var summary = ExperimentSummary.Summarise([Row(points[0].Name, 0.71), Row(points[1].Name, 0.72), Row(apg[0].Name, 0.70), Row(reference.Name, 0.73)]);
        var json = Plotly.NET.GenericChart.toFigureJson(
            MiDpg.Research.Plotting.SweepCharts.AucAgainstParameters("s", summary, points, apg.Select(a => (a.Name, a.Parameters)).ToList(), reference));
        Assert.Contains("\"DPG-R\"", json);
        Assert.Contains("\"APG (matched budget)\"", json);
        Assert.Contains("\"DPG-Non (whole matrix)\"", json);
        Assert.Contains("\"type\":\"log\"", json);
        Assert.Contains("parameters (excluding embeddings, log scale)", json);
        Assert.Contains(points[1].Name, json);
        Assert.DoesNotContain(points[2].Name, json);
    }
}
