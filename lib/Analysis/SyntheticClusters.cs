using static TorchSharp.torch;

namespace MiDpg.Research.Analysis;

/// <summary>
/// Isotropic Gaussian clusters for tests and benchmarks: cluster centres c_g ~ N(0, separation² I),
/// points x = c_g + N(0, I), labels assigned round-robin (balanced). Seeded, reproducible.
/// </summary>
public static class SyntheticClusters
{
    /// <summary>Returns a float32 [n, dim] data tensor and the cluster label of each row.</summary>
    public static (Tensor Data, int[] Labels) Gaussian(int n, int dim, int clusters, double separation = 3.0, int seed = 0)
    {
        if (n < clusters || clusters < 1) throw new ArgumentException($"Need 1 ≤ clusters ≤ n (got clusters = {clusters}, n = {n}).");
        if (dim < 1) throw new ArgumentOutOfRangeException(nameof(dim), dim, "dim must be at least 1.");
        var rng = new Random(seed);
        double Normal()
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
        var centres = new double[clusters, dim];
        for (int g = 0; g < clusters; g++)
            for (int d = 0; d < dim; d++) centres[g, d] = separation * Normal();
        var data = new float[n, dim];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            int g = i % clusters;
            labels[i] = g;
            for (int d = 0; d < dim; d++) data[i, d] = (float)(centres[g, d] + Normal());
        }
        return (tensor(data), labels);
    }
}
