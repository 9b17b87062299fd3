using MiDpg.Research.Data;

namespace MiDpg.Research.Tests.Data;

public class SyntheticScenariosTests
{
    static readonly SyntheticDataset Default = SyntheticScenarios.Generate(new SyntheticConfig { Rows = 100_000, Seed = 11 });

    [Fact]
    public void SameSeedSameDataOtherSeedOtherData()
    {
        var config = new SyntheticConfig { Rows = 5_000, Seed = 4 };
        var a = SyntheticScenarios.Generate(config);
        var b = SyntheticScenarios.Generate(config);
        Assert.Equal(a.Data.Categorical, b.Data.Categorical);
        Assert.Equal(a.Data.Labels, b.Data.Labels);
        Assert.Equal(a.Data.Numeric, b.Data.Numeric);
        var c = SyntheticScenarios.Generate(config with { Seed = 5 });
        Assert.NotEqual(a.Data.Labels, c.Data.Labels);
    }

    [Fact]
    public void TrueSimilarityReflectsTheGroups()
    {
        var sim = Default.TrueSimilarity;
        int S = Default.Config.Scenarios;
        Assert.Equal(S, sim.GetLength(0));
        Assert.Equal(Default.Config.Groups, Default.Group.Distinct().Count());
        var within = new List<double>(); var across = new List<double>();
        for (int x = 0; x < S; x++)
            for (int y = 0; y < S; y++)
            {
                Assert.Equal(sim[x, y], sim[y, x], 12);
                if (x == y) { Assert.Equal(1.0, sim[x, y], 9); continue; }
                (Default.Group[x] == Default.Group[y] ? within : across).Add(sim[x, y]);
            }
        // Every within-group pair is more alike than every cross-group pair.
        Assert.True(within.Min() > across.Max(), $"within min {within.Min():F3}, across max {across.Max():F3}");
    }

    [Fact]
    public void ScenariosHaveTheirOwnBaseRatesAndZipfLikeIds()
    {
        var d = Default.Data;
        var rate = Enumerable.Range(0, d.ScenarioCount)
            .Select(s => Enumerable.Range(0, d.Rows).Where(r => d.Scenario[r] == s).Average(r => (double)d.Labels[r])).ToArray();
        // The observed rate ranks follow the base-rate ranks (Spearman correlation).
        double rho = Spearman(Default.BaseRate, rate);
        Assert.True(rho > 0.7, $"Spearman {rho:F2}");
        // Zipf: the most frequent user is far more frequent than the median user.
        int user = d.FieldIndex("user_id");
        var counts = Enumerable.Range(0, d.Rows).GroupBy(r => d.Id(r, user)).Select(g => g.Count()).OrderDescending().ToArray();
        Assert.True(counts[0] > 20 * counts[counts.Length / 2]);
        // Positives match the true probabilities on average.
        Assert.Equal(Default.TrueProbability.Average(p => (double)p), d.PositiveRate, 2);
    }

    [Fact]
    public void ScenarioSpecificWeightsAreWorthLearning()
    {
        // Log-loss of the truth vs. one set of weights shared by all scenarios (base rates kept):
        // the gap is what a scenario-aware model can gain over a scenario-blind one.
        var y = Default.Data.Labels;
        double LogLoss(float[] p) => -y.Zip(p).Average(t => t.First == 1 ? Math.Log(t.Second) : Math.Log(1 - t.Second));
        double truth = LogLoss(Default.TrueProbability), shared = LogLoss(Default.SharedProbability);
        Assert.True(shared - truth > 0.01, $"truth {truth:F4}, shared weights {shared:F4}");
    }

    static double Spearman(double[] x, double[] y)
    {
        double[] Rank(double[] v) { var r = new double[v.Length]; var idx = Enumerable.Range(0, v.Length).OrderBy(i => v[i]).ToArray(); for (int k = 0; k < idx.Length; k++) r[idx[k]] = k; return r; }
        var rx = Rank(x); var ry = Rank(y);
        double mx = rx.Average(), my = ry.Average();
        return rx.Zip(ry).Sum(p => (p.First - mx) * (p.Second - my)) / Math.Sqrt(rx.Sum(a => (a - mx) * (a - mx)) * ry.Sum(b => (b - my) * (b - my)));
    }

    [Fact]
    public void CsvRoundTripThroughTheLoaderKeepsEveryRow()
    {
        var small = SyntheticScenarios.Generate(new SyntheticConfig { Rows = 3_000, Users = 500, Items = 200, Seed = 2 });
        var path = Path.Combine(TestData.TempFolder(), "synthetic.csv");
        small.WriteCsv(path);
        var loaded = DatasetLoader.Load(SyntheticScenarios.Schema, SplitRule.Random(1.0, 0.0), new DataFile(path));
        var a = small.Data; var b = loaded.All;
        Assert.Equal(a.Rows, b.Rows);
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(a.ScenarioNames.Where((_, s) => a.Scenario.Contains(s)), b.ScenarioNames);
        // Ids differ (the loader orders by frequency) but equal values map to equal ids in both.
        for (int f = 0; f < a.FieldCount; f++)
        {
            var pairs = Enumerable.Range(0, a.Rows).Select(r => (a.Id(r, f), b.Id(r, f))).Distinct().ToList();
            Assert.Equal(pairs.Select(p => p.Item1).Distinct().Count(), pairs.Count);
            Assert.Equal(pairs.Select(p => p.Item2).Distinct().Count(), pairs.Count);
        }
        // Numbers survive the text round trip before standardisation.
        for (int n = 0; n < a.NumericCount; n++)
        {
            var raw = Enumerable.Range(0, a.Rows).Select(r => a.Numeric[r * a.NumericCount + n]).ToArray();
            double mean = raw.Average(x => (double)x);
            Assert.Equal(mean, loaded.Encoder.NumericMean[n], 5);
        }
        Assert.Equal(0, loaded.Report.Entries.Sum(e => e.Count));
    }

    [Fact]
    public void ItsEncoderReproducesTheDataFromTheCsv()
    {
        var small = SyntheticScenarios.Generate(new SyntheticConfig { Rows = 2_000, Users = 400, Items = 150, Seed = 6 });
        var path = Path.Combine(TestData.TempFolder(), "synthetic.csv");
        small.WriteCsv(path);
        var encoder = FieldEncoder.FromJson(small.Encoder.ToJson());
        var (data, report) = DatasetLoader.Encode(SyntheticScenarios.Schema, encoder, null, new DataFile(path));
        Assert.Equal(small.Data.Categorical, data.Categorical);
        Assert.Equal(small.Data.Numeric, data.Numeric);
        Assert.Equal(small.Data.Labels, data.Labels);
        Assert.Equal(small.Data.Rows, report.RowsKept);

        var loaded = small.Load(SplitRule.Random(0.8, 0.1, seed: 2, stratifyByScenario: true));
        Assert.Equal(small.Data.Rows, loaded.Train.Rows + loaded.Valid.Rows + loaded.Test.Rows);
        Assert.Equal(loaded.Encoder.Fields, small.Data.Fields);
    }

    [Fact]
    public void SplitByTimeUsesTheTimestamps()
    {
        var (train, _, test, split) = Default.Split(SplitRule.ByTime(0.8, 0.1));
        Assert.True(split.Train.Max() < split.Test.Min());   // timestamps increase with the row index
        Assert.Equal(Default.Data.Rows, train.Rows + split.Valid.Length + test.Rows);
    }
}
