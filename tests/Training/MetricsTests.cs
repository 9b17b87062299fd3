using MiDpg.Research.Training;

namespace MiDpg.Research.Tests.Training;

public class MetricsTests
{
    [Fact]
    public void AucOfHandWorkedExample()
    {
        // scores 0.1(neg) 0.4(neg) 0.35(pos) 0.8(pos).
        // Pairs (pos, neg): 0.35>0.1 win, 0.35<0.4 loss, 0.8>0.1 win, 0.8>0.4 win -> 3 of 4 = 0.75.
        // Ranks: 0.1->1, 0.35->2, 0.4->3, 0.8->4; R+ = 2+4 = 6; U = 6 - 2*3/2 = 3; AUC = 3/(2*2) = 0.75.
        Assert.Equal(0.75, Metrics.Auc(new[] { 0.1f, 0.4f, 0.35f, 0.8f }, new[] { 0f, 0f, 1f, 1f }), 12);
    }

    [Fact]
    public void AucWithTiesUsesAverageRanks()
    {
        // scores 0.2(neg) 0.5(neg) 0.5(pos) 0.5(pos) 0.9(pos).
        // Ranks: 0.2->1, the three 0.5 -> (2+3+4)/3 = 3, 0.9 -> 5. R+ = 3+3+5 = 11; U = 11 - 3*4/2 = 5; AUC = 5/(3*2) = 5/6.
        // Pairwise: each positive 0.5 gets 1 (vs 0.2) + 0.5 (tie vs 0.5) = 1.5, twice = 3; 0.9 gets 2; total 5 of 6.
        Assert.Equal(5.0 / 6.0, Metrics.Auc(new[] { 0.2f, 0.5f, 0.5f, 0.5f, 0.9f }, new[] { 0f, 0f, 1f, 1f, 1f }), 12);
        // All scores tied: every pair is a half -> 0.5.
        Assert.Equal(0.5, Metrics.Auc(new[] { 0.3f, 0.3f, 0.3f, 0.3f }, new[] { 1f, 0f, 0f, 1f }), 12);
        // Perfectly inverted ranking -> 0.
        Assert.Equal(0.0, Metrics.Auc(new[] { 0.9f, 0.8f, 0.1f }, new[] { 0f, 0f, 1f }), 12);
    }

    [Fact]
    public void AucEqualsPairwiseDefinitionOnRandomData()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 5; trial++)
        {
            int n = 300 + trial * 37;
            var scores = new float[n];
            var labels = new float[n];
            for (int i = 0; i < n; i++)
            {
                labels[i] = rng.NextDouble() < 0.3 ? 1f : 0f;
                // Rounded to one decimal on odd trials to force many ties.
                double s = rng.NextDouble() + 0.3 * labels[i];
                scores[i] = trial % 2 == 1 ? (float)Math.Round(s, 1) : (float)s;
            }
            // Independent O(n^2) definition: P(s+ > s-) + 0.5 P(s+ = s-) over all positive/negative pairs.
            double wins = 0; long pairs = 0;
            for (int i = 0; i < n; i++)
                if (labels[i] == 1f)
                    for (int j = 0; j < n; j++)
                        if (labels[j] == 0f)
                        {
                            pairs++;
                            if (scores[i] > scores[j]) wins += 1;
                            else if (scores[i] == scores[j]) wins += 0.5;
                        }
            Assert.Equal(wins / pairs, Metrics.Auc(scores, labels), 10);
        }
    }

    [Fact]
    public void AucWithOneClassThrowsAndAucOrNaNIsNaN()
    {
        var ex = Assert.Throws<ArgumentException>(() => Metrics.Auc(new[] { 0.1f, 0.7f }, new[] { 1f, 1f }));
        Assert.Contains("single class", ex.Message);
        Assert.True(double.IsNaN(Metrics.AucOrNaN(new[] { 0.1f, 0.7f }, new[] { 0f, 0f })));
        Assert.Throws<ArgumentException>(() => Metrics.Auc(new[] { 0.1f, 0.7f }, new[] { 0f, 2f }));
        Assert.Throws<ArgumentException>(() => Metrics.Auc(new[] { 0.1f }, new[] { 0f, 1f }));
    }

    [Fact]
    public void LogLossOfHandWorkedExample()
    {
        // p = (0.9, 0.2), y = (1, 0): -(ln 0.9 + ln 0.8)/2 = (0.1053605157 + 0.2231435513)/2 = 0.1642520335.
        Assert.Equal(0.16425203348, Metrics.LogLoss(new[] { 0.9f, 0.2f }, new[] { 1f, 0f }), 7);
    }

    [Fact]
    public void LogLossClipsAtZeroAndOne()
    {
        // Completely wrong certain predictions: p clipped to 1e-7 -> -ln(1e-7) = 7 ln 10 = 16.11809565095832 each.
        Assert.Equal(16.11809565095832, Metrics.LogLoss(new[] { 0f, 1f }, new[] { 1f, 0f }), 9);
        // Completely right certain predictions: -ln(1 - 1e-7) = 1.000000050e-7 (finite, not 0 and not -inf).
        Assert.Equal(1.00000005e-7, Metrics.LogLoss(new[] { 1f, 0f }, new[] { 1f, 0f }), 14);
        // A larger eps: -ln(0.01) = 4.605170185988091.
        Assert.Equal(4.605170185988091, Metrics.LogLoss(new[] { 0f }, new[] { 1f }, eps: 0.01), 9);
    }

    [Fact]
    public void RelaImprFollowsYanEtAl()
    {
        // ((0.75 - 0.5)/(0.70 - 0.5) - 1) * 100 = (1.25 - 1) * 100 = 25 %.
        Assert.Equal(25.0, Metrics.RelaImpr(0.75, 0.70), 9);
        // Worse model: ((0.65 - 0.5)/(0.70 - 0.5) - 1) * 100 = -25 %.
        Assert.Equal(-25.0, Metrics.RelaImpr(0.65, 0.70), 9);
        Assert.Equal(0.0, Metrics.RelaImpr(0.7, 0.7), 12);
        Assert.Throws<ArgumentException>(() => Metrics.RelaImpr(0.7, 0.5));
    }

    [Fact]
    public void GaucIsImpressionWeighted()
    {
        // Group 1 (n=3): pos 0.9 beats negs 0.1, 0.5 -> AUC 1.
        // Group 2 (n=4): pos {0.3, 0.7}, neg {0.6, 0.4}: 0.3 loses twice, 0.7 wins twice -> 2/4 = 0.5.
        // Group 3 (n=2): positives only -> skipped.
        // GAUC = (3*1 + 4*0.5)/(3+4) = 5/7. (An unweighted mean would give 0.75.)
        float[] scores = { 0.9f, 0.1f, 0.5f, 0.3f, 0.6f, 0.4f, 0.7f, 0.2f, 0.8f };
        float[] labels = { 1f, 0f, 0f, 1f, 0f, 0f, 1f, 1f, 1f };
        long[] groups = { 1, 1, 1, 2, 2, 2, 2, 3, 3 };
        var g = Metrics.Gauc(scores, labels, groups);
        Assert.Equal(5.0 / 7.0, g.Value, 12);
        Assert.Equal(2, g.GroupsUsed);
        Assert.Equal(1, g.GroupsSkipped);
        Assert.Equal(7, g.Impressions);
    }

    [Fact]
    public void PerScenarioReportsSingleClassScenarioAsNaNWithCounts()
    {
        // Scenario A: the hand-worked AUC example (0.75). Scenario B: two negatives only. Scenario C: empty.
        float[] scores = { 0.1f, 0.4f, 0.35f, 0.8f, 0.2f, 0.3f };
        float[] labels = { 0f, 0f, 1f, 1f, 0f, 0f };
        int[] scenario = { 0, 0, 0, 0, 1, 1 };
        var rows = Metrics.PerScenario(scores, labels, scenario, new[] { "A", "B", "C" }, includeOverall: true);
        Assert.Equal(4, rows.Count);
        Assert.Equal(new ScenarioMetrics("A", 4, 2, 0.75, rows[0].LogLoss), rows[0]);
        // LogLoss of A: -(ln 0.9 + ln 0.6 + ln 0.35 + ln 0.8)/4 = (0.1053605 + 0.5108256 + 1.0498221 + 0.2231436)/4 = 0.4722880.
        Assert.Equal(0.4722880, rows[0].LogLoss, 6);
        Assert.Equal(("B", 2, 0), (rows[1].Scenario, rows[1].N, rows[1].Positives));
        Assert.True(double.IsNaN(rows[1].Auc));
        Assert.Equal(0, rows[2].N);
        Assert.Equal("all", rows[3].Scenario);
        Assert.Equal(6, rows[3].N);

        var df = ScenarioMetrics.ToDataFrame(rows);
        Assert.Equal(new[] { "Scenario", "N", "Positives", "AUC", "LogLoss" }, df.Columns.Select(c => c.Name));
        Assert.Equal(4L, df.Rows.Count);
        Assert.Equal(0.75, (double)df["AUC"][0]!, 12);
        Assert.Throws<ArgumentException>(() => Metrics.PerScenario(scores, labels, new[] { 0, 0, 0, 0, 1, 5 }, new[] { "A", "B" }));
    }
}
