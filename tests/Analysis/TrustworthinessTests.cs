using MiDpg.Research.Analysis;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Analysis;

public class TrustworthinessTests
{
    [Fact]
    public void IdentityEmbeddingIsPerfectlyTrustworthyAndRandomIsNot()
    {
        var (x, _) = SyntheticClusters.Gaussian(200, 10, 4, seed: 1);
        using (x)
        {
            Assert.Equal(1.0, Trustworthiness.Compute(x, x, 10), 12);
            using var x64 = x.to(ScalarType.Float64);
            Assert.Equal(1.0, Trustworthiness.Compute(x64, x64, 10), 12);
            Assert.Equal(200, x64.shape[0]); // the caller's float64 tensor is still alive after the call
            // Ties: duplicated points (every distance appears twice) still give exactly 1 for the identity map.
            using var doubled = cat(new[] { x, x }, 0);
            Assert.Equal(1.0, Trustworthiness.Compute(doubled, doubled, 10), 12);
            using var random = randn(200, 2, generator: new Generator(7));
            double t = Trustworthiness.Compute(x, random, 10);
            Assert.InRange(t, 0.3, 0.7); // a random map is about 0.5
        }
    }

    [Fact]
    public void HandWorkedExample()
    {
        // Original (1-D): p0..p4 at 0, 1, 3, 7, 15. Embedding swaps p0 and p4: 15, 1, 3, 7, 0. k = 1.
        // Embedding nearest neighbour and its original rank r (1 = nearest):
        //   p0 (at 15) -> p3 (dist 8);  p0's original ranks p1=1, p2=2, p3=3, p4=4 -> r = 3, penalty 2
        //   p1 (at 1)  -> p4 (dist 1);  p1's original ranks p0=1, p2=2, p3=3, p4=4 -> r = 4, penalty 3
        //   p2 (at 3)  -> p1 (dist 2);  r = 1, penalty 0
        //   p3 (at 7)  -> p2 (dist 4);  r = 1, penalty 0
        //   p4 (at 0)  -> p1 (dist 1);  p4's original ranks p3=1, p2=2, p1=3, p0=4 -> r = 3, penalty 2
        // T = 1 − 2/(N k (2N − 3k − 1)) · 7 = 1 − 2·7/(5·1·6) = 16/30.
        using var original = tensor(new float[,] { { 0 }, { 1 }, { 3 }, { 7 }, { 15 } });
        using var embedded = tensor(new float[,] { { 15 }, { 1 }, { 3 }, { 7 }, { 0 } });
        Assert.Equal(new long[] { 2, 3, 0, 0, 2 }, Trustworthiness.PointPenalties(original, embedded, 1));
        Assert.Equal(16.0 / 30.0, Trustworthiness.Compute(original, embedded, 1), 12);
        // By group {p0, p1} and {p2, p3, p4}: 1 − 2·5/(2·6) = 1/6 and 1 − 2·2/(3·6) = 7/9; size-weighted mean = T.
        var byGroup = Trustworthiness.ByGroup(original, embedded, new[] { 0, 0, 1, 1, 1 }, 2, 1);
        Assert.Equal(1.0 / 6.0, byGroup[0], 12);
        Assert.Equal(7.0 / 9.0, byGroup[1], 12);
        Assert.Equal(16.0 / 30.0, (2 * byGroup[0] + 3 * byGroup[1]) / 5, 12);
    }

    [Fact]
    public void ChunkingDoesNotChangeTheResult()
    {
        var (x, _) = SyntheticClusters.Gaussian(90, 8, 3, seed: 2);
        using (x)
        using (var y = x[.., ..2].contiguous())
            Assert.Equal(Trustworthiness.Compute(x, y, 5, chunk: 1000), Trustworthiness.Compute(x, y, 5, chunk: 7), 12);
    }

    [Fact]
    public void KMustBeBelowHalfOfN()
    {
        using var x = randn(10, 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => Trustworthiness.Compute(x, x, 5));
    }
}
