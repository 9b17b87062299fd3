using System.Diagnostics;
using static TorchSharp.torch;

namespace MiDpg.Research.Analysis;

/// <summary>Timing of one t-SNE run on synthetic clustered data (see <see cref="TsneBenchmark.Run"/>).</summary>
public sealed record TsneBenchmarkResult(int N, int Dim, TsneMethod Method, double Seconds, double AffinitySeconds,
    double FinalKl, double Trustworthiness, double TrustworthinessSeconds, double SilhouetteEmbedding);

/// <summary>
/// Benchmark (not a test): t-SNE of <c>n</c> points in <c>dim</c> dimensions drawn from 10 Gaussian clusters
/// (<see cref="SyntheticClusters"/>), default configuration (Barnes-Hut above 1500 points), reporting wall-clock seconds,
/// final KL, trustworthiness T(10) and the embedding's silhouette by cluster.
/// </summary>
/// <remarks>
/// Measured 2026-11-25 on the 2-core development container while other engineers' builds ran (load average 6–12),
/// defaults (Barnes-Hut, θ = 0.5, 1000 iterations, PCA init), seed 0: 5,000 × 128 in 18.5 s wall at load ≈ 6–10
/// (27–29 s at load ≈ 12; ≈ 22 s CPU over both cores; affinities 3.5–6 s wall of which ≈ 2 s is first-use torch warm-up),
/// final KL 2.1805 (identical across runs), T(10) 0.9665, embedding silhouette 0.877.
/// </remarks>
public static class TsneBenchmark
{
    public static TsneBenchmarkResult Run(int n = 5000, int dim = 128, int seed = 0, TsneConfig? config = null)
    {
        var (x, labels) = SyntheticClusters.Gaussian(n, dim, clusters: 10, separation: 1.0, seed: seed);
        using (x)
        {
            var cfg = config ?? new TsneConfig { Seed = seed };
            var clock = Stopwatch.StartNew();
            var result = Tsne.Fit(x, cfg);
            double seconds = clock.Elapsed.TotalSeconds;
            using var y = result.ToTensor();
            clock.Restart();
            double t = Trustworthiness.Compute(x, y, 10);
            double tSeconds = clock.Elapsed.TotalSeconds;
            double sil = Silhouette.Compute(y, labels).Mean;
            return new TsneBenchmarkResult(n, dim, result.Method, seconds, result.AffinityTime.TotalSeconds, result.FinalKl, t, tSeconds, sil);
        }
    }
}
