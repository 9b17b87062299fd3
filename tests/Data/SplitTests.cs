using MiDpg.Research.Data;

namespace MiDpg.Research.Tests.Data;

public class SplitTests
{
    static readonly int[] Scenario = Enumerable.Range(0, 1000).Select(i => i % 10 < 7 ? 0 : i % 10 < 9 ? 1 : 2).ToArray();

    [Fact]
    public void RandomSplitIsAPartitionIdenticalForASeed()
    {
        var rule = SplitRule.Random(0.8, 0.1, seed: 7);
        var a = DataSplit.Make(rule, 1000);
        var b = DataSplit.Make(rule, 1000);
        Assert.Equal(a.Train, b.Train);
        Assert.Equal(a.Test, b.Test);
        Assert.Equal(Enumerable.Range(0, 1000), a.Train.Concat(a.Valid).Concat(a.Test).Order());
        Assert.Equal((800, 100, 100), (a.Train.Length, a.Valid.Length, a.Test.Length));
        var c = DataSplit.Make(SplitRule.Random(0.8, 0.1, seed: 8), 1000);
        Assert.NotEqual(a.Train, c.Train);
    }

    [Fact]
    public void StratifiedSplitKeepsScenarioProportionsInEveryPart()
    {
        var split = DataSplit.Make(SplitRule.Random(0.8, 0.1, seed: 1, stratifyByScenario: true), 1000, Scenario);
        foreach (var part in new[] { split.Train, split.Valid, split.Test })
            for (int s = 0; s < 3; s++)
            {
                double expected = Scenario.Count(x => x == s) / 1000.0;
                double actual = part.Count(r => Scenario[r] == s) / (double)part.Length;
                Assert.InRange(actual, expected - 0.011, expected + 0.011);
            }
    }

    [Fact]
    public void TimeSplitPutsTheEarliestRowsInTraining()
    {
        var rng = new SeededRandom(3);
        var time = Enumerable.Range(0, 1000).Select(_ => (long)rng.NextInt(100_000)).ToArray();
        var split = DataSplit.Make(SplitRule.ByTime(0.7, 0.15), 1000, default, time);
        Assert.True(split.Train.Max(r => time[r]) <= split.Valid.Min(r => time[r]));
        Assert.True(split.Valid.Max(r => time[r]) <= split.Test.Min(r => time[r]));
        Assert.Throws<ArgumentException>(() => DataSplit.Make(SplitRule.ByTime(), 1000));
    }

    [Fact]
    public void SplitIsRecordedWithRuleSeedAndSizes()
    {
        var split = DataSplit.Make(SplitRule.Random(0.6, 0.2, seed: 42), 500);
        var json = System.Text.Json.JsonDocument.Parse(split.ToJson()).RootElement;
        Assert.Equal("Random", json.GetProperty("rule").GetString());
        Assert.Equal(42, json.GetProperty("seed").GetInt32());
        Assert.Equal(split.Train.Length, json.GetProperty("sizes").GetProperty("train").GetInt32());
        Assert.Equal(split.Test.Length, json.GetProperty("sizes").GetProperty("test").GetInt32());
    }

    [Fact]
    public void RuleValuesAreValidated()
    {
        Assert.Contains("trainFraction", Assert.Throws<ArgumentException>(() => SplitRule.Random(0)).Message);
        Assert.Contains("<= 1", Assert.Throws<ArgumentException>(() => SplitRule.Random(0.9, 0.2)).Message);
    }
}
