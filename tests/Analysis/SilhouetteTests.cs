using MiDpg.Research.Analysis;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Analysis;

public class SilhouetteTests
{
    [Fact]
    public void HandWorkedExample()
    {
        // 1-D points: A = {0, 2}, B = {5, 9}, C = {20} (singleton -> s = 0).
        //   0: a = 2; b = min(mean to B (5+9)/2 = 7, to C 20) = 7; s = (7−2)/7 = 5/7
        //   2: a = 2; b = min((3+7)/2 = 5, 18) = 5;                 s = 3/5
        //   5: a = 4; b = min(mean to A (5+3)/2 = 4, 15) = 4;       s = 0
        //   9: a = 4; b = min((9+7)/2 = 8, 11) = 8;                 s = 1/2
        //  20: singleton;                                           s = 0
        // Mean = (5/7 + 3/5 + 0 + 1/2 + 0)/5; per label A = (5/7 + 3/5)/2, B = 1/4, C = 0.
        using var x = tensor(new float[,] { { 0 }, { 2 }, { 5 }, { 9 }, { 20 } });
        var r = Silhouette.Compute(x, new[] { 0, 0, 1, 1, 2 });
        Assert.Equal((5.0 / 7 + 3.0 / 5 + 0.5) / 5, r.Mean, 12);
        Assert.Equal((5.0 / 7 + 3.0 / 5) / 2, r.PerLabel[0], 12);
        Assert.Equal(0.25, r.PerLabel[1], 12);
        Assert.Equal(0.0, r.PerLabel[2], 12);
        Assert.Equal(new[] { 2, 2, 1 }, r.Counts);
        // Same with tiny chunks.
        Assert.Equal(r.Mean, Silhouette.Compute(x, new[] { 0, 0, 1, 1, 2 }, chunk: 2).Mean, 12);
    }

    [Fact]
    public void SeparatedClustersScoreHighAndShuffledLabelsScoreNearZero()
    {
        var (x, labels) = SyntheticClusters.Gaussian(120, 10, 3, separation: 5.0, seed: 9);
        using (x)
        {
            Assert.True(Silhouette.Compute(x, labels).Mean > 0.5);
            var shuffled = labels.OrderBy(_ => 0).ToArray();
            new Random(1).Shuffle(shuffled);
            Assert.InRange(Silhouette.Compute(x, shuffled).Mean, -0.2, 0.1);
        }
    }

    [Fact]
    public void NeedsTwoLabels()
    {
        using var x = randn(5, 2);
        Assert.Throws<ArgumentException>(() => Silhouette.Compute(x, new int[5]));
    }
}
