namespace MiDpg.Research.Analysis;

/// <summary>
/// The outcome of <see cref="PerplexityCalibration"/>: conditional affinities p_{j|i} (rows sum to 1), the calibrated
/// precision β_i = 1/(2σ_i²) of each point's Gaussian, the achieved entropy H(P_i) in nats (target ln perplexity),
/// and how many points did not reach the tolerance within the step limit.
/// </summary>
public sealed record ConditionalAffinities(SparseAffinities Conditional, double[] Betas, double[] Entropies, double Perplexity, int Unconverged)
{
    /// <summary>Target entropy ln(perplexity) in nats; in bits it is log2(perplexity).</summary>
    public double TargetEntropy => Math.Log(Perplexity);
}
