using MiDpg.Research.Analysis;

namespace MiDpg.Research.Tests.Analysis;

public class PerplexityCalibrationTests
{
    /// <summary>Entropy in bits recomputed from the affinities themselves: H = −Σ_j p_j log2 p_j (independent of the search's own formula).</summary>
    static double EntropyBits(SparseAffinities p, int i)
    {
        double h = 0;
        for (int e = p.RowPtr[i]; e < p.RowPtr[i + 1]; e++)
            if (p.Values[e] > 0) h -= p.Values[e] * Math.Log2(p.Values[e]);
        return h;
    }

    static void AssertCalibrated(ConditionalAffinities c, double perplexity, int expectedPerRow)
    {
        Assert.Equal(0, c.Unconverged);
        // Tolerance 1e-5 nats on H is 1e-5 / ln 2 ≈ 1.44e-5 bits; allow a little rounding on top.
        double tolBits = 1e-5 / Math.Log(2) + 1e-9;
        for (int i = 0; i < c.Conditional.N; i++)
        {
            Assert.Equal(expectedPerRow, c.Conditional.RowPtr[i + 1] - c.Conditional.RowPtr[i]);
            double rowSum = 0;
            for (int e = c.Conditional.RowPtr[i]; e < c.Conditional.RowPtr[i + 1]; e++)
            {
                Assert.NotEqual(i, c.Conditional.Columns[e]);
                rowSum += c.Conditional.Values[e];
            }
            Assert.Equal(1.0, rowSum, 10);
            Assert.True(Math.Abs(EntropyBits(c.Conditional, i) - Math.Log2(perplexity)) <= tolBits,
                $"point {i}: H = {EntropyBits(c.Conditional, i)} bits, target {Math.Log2(perplexity)}");
        }
    }

    [Fact]
    public void ExactCalibrationHitsTargetEntropyForEveryPoint()
    {
        var (x, _) = SyntheticClusters.Gaussian(120, 20, 3, separation: 3.0, seed: 3);
        using (x)
        {
            var c = PerplexityCalibration.Exact(x, 15);
            AssertCalibrated(c, 15, 119);
        }
    }

    [Fact]
    public void NearestNeighbourCalibrationHitsTargetEntropyForEveryPoint()
    {
        // Badly scaled data (×1000) checks that the search does not underflow.
        var (x, _) = SyntheticClusters.Gaussian(150, 40, 4, separation: 2.0, seed: 4);
        using (x)
        using (var scaled = x * 1000)
        {
            var c = PerplexityCalibration.NearestNeighbours(scaled, 10);
            AssertCalibrated(c, 10, 30); // k = 3 · perplexity
        }
    }

    [Fact]
    public void SymmetrisedAffinitiesAreSymmetricAndSumToOne()
    {
        var (x, _) = SyntheticClusters.Gaussian(60, 5, 2, seed: 5);
        using (x)
        {
            var p = PerplexityCalibration.NearestNeighbours(x, 5).Conditional.Symmetrise();
            var dense = p.ToDense();
            Assert.Equal(1.0, dense.Sum(), 10);
            for (int i = 0; i < 60; i++)
                for (int j = 0; j < 60; j++)
                    Assert.Equal(dense[i * 60 + j], dense[j * 60 + i], 15);
        }
    }

    [Fact]
    public void PerplexityMustBeBelowTheNumberOfNeighbours()
    {
        var (x, _) = SyntheticClusters.Gaussian(20, 3, 2, seed: 6);
        using (x)
            Assert.Throws<ArgumentException>(() => PerplexityCalibration.Exact(x, 19));
    }
}
