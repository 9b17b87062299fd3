using static TorchSharp.torch;

namespace MiDpg.Research.Analysis;

/// <summary>
/// Immutable, validated t-SNE configuration. Defaults follow van der Maaten &amp; Hinton (2008) and van der Maaten (2014)
/// "Accelerating t-SNE using tree-based algorithms" (bhtsne): perplexity 30, 1000 iterations, early exaggeration 12 for
/// the first 250 iterations, momentum 0.5 then 0.8, gains with minimum 0.01, θ = 0.5.
/// The learning rate defaults to "auto" = max(N / early exaggeration / 4, 50) (Belkina et al. 2019, as in openTSNE/scikit-learn).
/// </summary>
public sealed record TsneConfig
{
    /// <summary>
    /// N at or below which <see cref="TsneMethod.Auto"/> picks the exact gradient. Exact costs O(N²) memory traffic per
    /// iteration (N = 1500, 30-D, 1000 iterations on the busy 2-core container: exact ≈ 100 s, Barnes-Hut ≈ 8 s, both T(10) ≈ 0.947), hence 1000.
    /// </summary>
    public const int AutoExactMaxN = 1000;

    /// <summary>Effective number of neighbours; each point's Gaussian bandwidth is calibrated so that 2^H(P_i) = perplexity.</summary>
    public double Perplexity { get; init; } = 30;
    /// <summary>Gradient-descent step size; null = auto, max(N / <see cref="EarlyExaggeration"/> / 4, 50).</summary>
    public double? LearningRate { get; init; }
    /// <summary>Total number of gradient iterations.</summary>
    public int Iterations { get; init; } = 1000;
    /// <summary>Factor α multiplying P during the first <see cref="ExaggerationIterations"/> iterations.</summary>
    public double EarlyExaggeration { get; init; } = 12;
    /// <summary>Number of iterations with exaggerated P; the momentum switches at the same iteration.</summary>
    public int ExaggerationIterations { get; init; } = 250;
    /// <summary>Momentum during early exaggeration.</summary>
    public double InitialMomentum { get; init; } = 0.5;
    /// <summary>Momentum after early exaggeration.</summary>
    public double FinalMomentum { get; init; } = 0.8;
    /// <summary>Lower bound of the per-coordinate adaptive gains (Jacobs 1988 delta-bar-delta, as in the reference implementation).</summary>
    public double MinGain { get; init; } = 0.01;
    /// <summary>Initialisation of the embedding.</summary>
    public TsneInit Init { get; init; } = TsneInit.Pca;
    /// <summary>Exact or Barnes-Hut gradient.</summary>
    public TsneMethod Method { get; init; } = TsneMethod.Auto;
    /// <summary>Barnes-Hut accuracy: a cell of width w at distance d is summarised when w/d &lt; θ. 0 means exact repulsion through the tree.</summary>
    public double Theta { get; init; } = 0.5;
    /// <summary>Seed for the random initialisation (the only random step).</summary>
    public int Seed { get; init; } = 0;
    /// <summary>KL divergence is computed and reported every this many iterations (and at the last one).</summary>
    public int ReportEvery { get; init; } = 50;
    /// <summary>Tolerance on the entropy (nats) in the perplexity binary search.</summary>
    public double PerplexityTolerance { get; init; } = 1e-5;
    /// <summary>Maximum binary-search steps per point.</summary>
    public int PerplexityMaxSteps { get; init; } = 50;
    /// <summary>Device for the tensor work (distances, exact gradient). The Barnes-Hut tree runs on the CPU.</summary>
    public Device? Device { get; init; }

    /// <summary>
    /// Torch intra-op threads for the duration of the fit (restored afterwards); null leaves torch's setting alone.
    /// The exact gradient works on many small N × N tensors, where 1 thread is often fastest on a busy machine.
    /// Note the setting is process-wide in libtorch while the fit runs.
    /// </summary>
    public int? TorchThreads { get; init; }

    /// <summary>The device actually used (CPU when <see cref="Device"/> is null).</summary>
    public Device ResolvedDevice => Device ?? CPU;

    /// <summary>Learning rate for <paramref name="n"/> points: the explicit value or the automatic rule.</summary>
    public double ResolveLearningRate(int n) => LearningRate ?? Math.Max(n / EarlyExaggeration / 4.0, 50.0);

    /// <summary>Method for <paramref name="n"/> points, resolving <see cref="TsneMethod.Auto"/>.</summary>
    public TsneMethod ResolveMethod(int n) =>
        Method != TsneMethod.Auto ? Method : n <= AutoExactMaxN ? TsneMethod.Exact : TsneMethod.BarnesHut;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting; returns this config.</summary>
    public TsneConfig Validate()
    {
        static void Require(bool ok, string name, object value, string rule)
        {
            if (!ok) throw new ArgumentException($"TsneConfig.{name} = {value} is invalid: {rule}.", name);
        }
        Require(Perplexity > 0 && double.IsFinite(Perplexity), nameof(Perplexity), Perplexity, "must be a positive number");
        Require(LearningRate is null || (LearningRate > 0 && double.IsFinite(LearningRate.Value)), nameof(LearningRate), LearningRate!, "must be positive (or null for auto)");
        Require(Iterations >= 1, nameof(Iterations), Iterations, "must be at least 1");
        Require(EarlyExaggeration >= 1, nameof(EarlyExaggeration), EarlyExaggeration, "must be at least 1");
        Require(ExaggerationIterations >= 0, nameof(ExaggerationIterations), ExaggerationIterations, "must be non-negative");
        Require(InitialMomentum is >= 0 and < 1, nameof(InitialMomentum), InitialMomentum, "must lie in [0, 1)");
        Require(FinalMomentum is >= 0 and < 1, nameof(FinalMomentum), FinalMomentum, "must lie in [0, 1)");
        Require(MinGain > 0 && MinGain <= 1, nameof(MinGain), MinGain, "must lie in (0, 1]");
        Require(Theta >= 0 && Theta <= 1.5, nameof(Theta), Theta, "must lie in [0, 1.5]");
        Require(ReportEvery >= 1, nameof(ReportEvery), ReportEvery, "must be at least 1");
        Require(PerplexityTolerance > 0, nameof(PerplexityTolerance), PerplexityTolerance, "must be positive");
        Require(TorchThreads is null || TorchThreads >= 1, nameof(TorchThreads), TorchThreads!, "must be at least 1 (or null)");
        Require(PerplexityMaxSteps >= 1, nameof(PerplexityMaxSteps), PerplexityMaxSteps, "must be at least 1");
        return this;
    }

    /// <summary>Checks that the configuration fits a data set of <paramref name="n"/> points.</summary>
    public void ValidateFor(int n)
    {
        Validate();
        if (n < 4) throw new ArgumentException($"t-SNE needs at least 4 points (got {n}).");
        if (Perplexity >= n - 1)
            throw new ArgumentException($"TsneConfig.Perplexity = {Perplexity} must be smaller than N − 1 = {n - 1} (rule of thumb: 3·perplexity < N).");
    }
}
