using MiDpg.Research.Analysis;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Analysis;

/// <summary>Small, fast fits: N ≤ 300 and shortened schedules; one torch thread (fastest for small tensors on a busy machine).</summary>
public class TsneTests
{
    static readonly TsneConfig Fast = new()
    {
        Perplexity = 20, Iterations = 350, ExaggerationIterations = 100, ReportEvery = 50, TorchThreads = 1,
    };

    sealed class Recorder : IProgress<TsneProgress>
    {
        public readonly List<TsneProgress> Seen = new();
        public void Report(TsneProgress value) => Seen.Add(value);
    }

    [Fact]
    public void ExactTsneSeparatesGaussianClusters()
    {
        var (x, labels) = SyntheticClusters.Gaussian(200, 30, 4, separation: 3.0, seed: 11);
        using (x)
        {
            var recorder = new Recorder();
            var r = Tsne.Fit(x, Fast with { Method = TsneMethod.Exact }, recorder);
            using var y = r.ToTensor();
            Assert.Equal(TsneMethod.Exact, r.Method);
            Assert.Equal(new[] { 50, 100, 150, 200, 250, 300, 350 }, r.KlHistory.Select(h => h.Iteration));
            Assert.Equal(r.KlHistory, recorder.Seen);
            Assert.True(r.KlHistory[^1].KlDivergence < r.KlHistory[0].KlDivergence);
            Assert.True(r.FinalKl > 0);
            double t = Trustworthiness.Compute(x, y, 10);
            double s = Silhouette.Compute(y, labels).Mean;
            Assert.True(t > 0.9, $"trustworthiness {t}");
            Assert.True(s > 0.5, $"silhouette {s}");
        }
    }

    [Fact]
    public void SameSeedGivesTheSameEmbedding()
    {
        var (x, _) = SyntheticClusters.Gaussian(100, 10, 3, seed: 12);
        using (x)
        {
            var cfg = Fast with { Init = TsneInit.Random, Iterations = 120, ExaggerationIterations = 50, Seed = 5, Perplexity = 10 };
            var a = Tsne.Fit(x, cfg with { Method = TsneMethod.Exact });
            var b = Tsne.Fit(x, cfg with { Method = TsneMethod.Exact });
            Assert.Equal(a.Embedding, b.Embedding);
            var c = Tsne.Fit(x, cfg with { Method = TsneMethod.Exact, Seed = 6 });
            Assert.NotEqual(a.Embedding, c.Embedding);
            var bh1 = Tsne.Fit(x, cfg with { Method = TsneMethod.BarnesHut });
            var bh2 = Tsne.Fit(x, cfg with { Method = TsneMethod.BarnesHut });
            Assert.Equal(bh1.Embedding, bh2.Embedding);
        }
    }

    [Fact]
    public void BarnesHutAndExactGiveComparableTrustworthiness()
    {
        var (x, labels) = SyntheticClusters.Gaussian(300, 20, 3, separation: 3.0, seed: 13);
        using (x)
        {
            var exact = Tsne.Fit(x, Fast with { Method = TsneMethod.Exact });
            var bh = Tsne.Fit(x, Fast with { Method = TsneMethod.BarnesHut });
            Assert.Equal(TsneMethod.BarnesHut, bh.Method);
            using var ye = exact.ToTensor();
            using var yb = bh.ToTensor();
            double te = Trustworthiness.Compute(x, ye, 10), tb = Trustworthiness.Compute(x, yb, 10);
            Assert.True(te > 0.9 && tb > 0.9, $"exact {te}, Barnes-Hut {tb}");
            Assert.True(Math.Abs(te - tb) < 0.03, $"exact {te}, Barnes-Hut {tb}");
            Assert.True(Silhouette.Compute(yb, labels).Mean > 0.5);
            // KL values are on the same scale (BH's P is sparse, so not identical).
            Assert.InRange(bh.FinalKl / exact.FinalKl, 0.7, 1.4);
        }
    }

    [Fact]
    public void BarnesHutRepulsionMatchesBruteForce()
    {
        var rng = new Random(3);
        int n = 400;
        var y = new double[2 * n];
        for (int k = 0; k < y.Length; k++) y[k] = rng.NextDouble() * 20 - 10;
        y[2] = y[0]; y[3] = y[1]; // a duplicate point
        var tree = new BarnesHutTree();
        tree.Build(y, n);
        double maxZError = 0, forceError2 = 0, force2 = 0;
        for (int i = 0; i < n; i++)
        {
            double fx = 0, fy = 0, z = 0;
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
                double q = 1 / (1 + dx * dx + dy * dy);
                z += q; fx += q * q * dx; fy += q * q * dy;
            }
            tree.Repulsion(i, 0.0, out var ex, out var ey, out var ez); // θ = 0: exact through the tree
            Assert.Equal(z, ez, 9);
            Assert.Equal(fx, ex, 9);
            Assert.Equal(fy, ey, 9);
            tree.Repulsion(i, 0.5, out var ax, out var ay, out var az);
            maxZError = Math.Max(maxZError, Math.Abs(az - z) / z);
            forceError2 += (ax - fx) * (ax - fx) + (ay - fy) * (ay - fy);
            force2 += fx * fx + fy * fy;
        }
        // θ = 0.5 (monopole cells with width/distance < 0.5): Z within 3 % for every point, forces within 5 % in the RMS sense.
        Assert.True(maxZError < 0.03, $"max relative error of Z {maxZError}");
        Assert.True(Math.Sqrt(forceError2 / force2) < 0.05, $"relative RMS force error {Math.Sqrt(forceError2 / force2)}");
    }

    /// <summary>KL(P ‖ Q) = Σ_{i≠j} p_ij ln(p_ij / q_ij), q_ij = (1 + ‖y_i − y_j‖²)^−1 / Σ_{k≠l} (1 + ‖y_k − y_l‖²)^−1, in plain loops.</summary>
    static double Kl(double[,] p, double[,] y)
    {
        int n = p.GetLength(0);
        double z = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) if (i != j) z += Kernel(y, i, j);
        double kl = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) if (i != j) kl += p[i, j] * Math.Log(p[i, j] / (Kernel(y, i, j) / z));
        return kl;
    }

    static double Kernel(double[,] y, int i, int j)
    {
        double dx = y[i, 0] - y[j, 0], dy = y[i, 1] - y[j, 1];
        return 1 / (1 + dx * dx + dy * dy);
    }

    [Fact]
    public void ExactGradientMatchesFiniteDifferencesOfKl()
    {
        var rng = new Random(21);
        int n = 12;
        var p = new double[n, n];
        double total = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < i; j++) { p[i, j] = p[j, i] = rng.NextDouble() + 0.01; total += 2 * p[i, j]; }
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) p[i, j] /= total;
        var y = new double[n, 2];
        for (int i = 0; i < n; i++) { y[i, 0] = rng.NextDouble() * 4 - 2; y[i, 1] = rng.NextDouble() * 4 - 2; }

        using var pt = tensor(p);
        using var yt = tensor(y);
        using var grad = Tsne.ExactGradient(pt, yt, 1.0, out var q);
        using (q)
        {
            var g = grad.data<double>().ToArray();
            const double h = 1e-6;
            for (int i = 0; i < n; i++)
                for (int c = 0; c < 2; c++)
                {
                    double keep = y[i, c];
                    y[i, c] = keep + h; double up = Kl(p, y);
                    y[i, c] = keep - h; double down = Kl(p, y);
                    y[i, c] = keep;
                    Assert.Equal((up - down) / (2 * h), g[2 * i + c], 6);
                }
            Assert.Equal(1.0, q.sum().item<double>() - n * 1e-12, 9); // Q sums to 1 (its diagonal is clamped to 1e-12)
        }
    }

    [Fact]
    public void BarnesHutGradientWithThetaZeroEqualsExactGradient()
    {
        var (x, _) = SyntheticClusters.Gaussian(80, 6, 3, seed: 22);
        using (x)
        {
            var joint = PerplexityCalibration.Exact(x, 10).Conditional.Symmetrise(); // all N − 1 neighbours
            var rng = new Random(4);
            var y = new double[2 * 80];
            for (int k = 0; k < y.Length; k++) y[k] = rng.NextDouble() * 10 - 5;
            using var pt = tensor(joint.ToDense(), new long[] { 80, 80 });
            using var yt = tensor(y, new long[] { 80, 2 });
            foreach (var alpha in new[] { 1.0, 12.0 })
            {
                using var exact = Tsne.ExactGradient(pt, yt, alpha, out var q);
                q.Dispose();
                var bh = new double[2 * 80];
                Tsne.BarnesHutGradient(joint, y, theta: 0, alpha, bh);
                var e = exact.data<double>().ToArray();
                for (int k = 0; k < bh.Length; k++) Assert.Equal(e[k], bh[k], 10);
            }
        }
    }

    [Fact]
    public void ConfigIsValidatedWithClearErrors()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TsneConfig { Perplexity = -1 }.Validate());
        Assert.Contains("Perplexity", ex.Message);
        Assert.Throws<ArgumentException>(() => new TsneConfig { LearningRate = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new TsneConfig { FinalMomentum = 1 }.Validate());
        Assert.Throws<ArgumentException>(() => new TsneConfig().ValidateFor(20)); // perplexity 30 ≥ N − 1
        Assert.Equal(50, new TsneConfig().ResolveLearningRate(1000));
        Assert.Equal(5000 / 12.0 / 4, new TsneConfig().ResolveLearningRate(5000), 12);
        Assert.Equal(200, new TsneConfig { LearningRate = 200 }.ResolveLearningRate(5000));
        Assert.Equal(TsneMethod.Exact, new TsneConfig().ResolveMethod(1000));
        Assert.Equal(TsneMethod.BarnesHut, new TsneConfig().ResolveMethod(1001));
    }

    [Fact]
    public void EmbeddingQualityReportsByScenario()
    {
        var (x, labels) = SyntheticClusters.Gaussian(90, 10, 3, separation: 4.0, seed: 14);
        using (x)
        using (var y = x[.., ..2].contiguous())
        {
            var q = EmbeddingQuality.Evaluate(x, y, labels, new[] { "s0", "s1", "s2" }, k: 5);
            var df = q.ToDataFrame();
            Assert.Equal(4L, df.Rows.Count);
            Assert.Equal("all", df["Scenario"][3]);
            Assert.Equal(q.Trustworthiness, (q.TrustworthinessByScenario.Sum() * 30) / 90, 12);
            Assert.True(q.SilhouetteOriginal.Mean > 0.3);
        }
    }
}
