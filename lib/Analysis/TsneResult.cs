using static TorchSharp.torch;

namespace MiDpg.Research.Analysis;

/// <summary>KL(P ‖ Q) at one reported iteration (computed with the un-exaggerated P; Barnes-Hut uses the tree's estimate of Z).</summary>
public sealed record TsneProgress(int Iteration, double KlDivergence, bool Exaggerated);

/// <summary>
/// A fitted t-SNE embedding: <see cref="Embedding"/> is [N, 2]; <see cref="KlHistory"/> lists the KL divergence every
/// <see cref="TsneConfig.ReportEvery"/> iterations; <see cref="Calibration"/> holds each point's β and entropy.
/// </summary>
public sealed record TsneResult(
    float[,] Embedding,
    IReadOnlyList<TsneProgress> KlHistory,
    TsneMethod Method,
    double LearningRate,
    ConditionalAffinities Calibration,
    TimeSpan AffinityTime,
    TimeSpan OptimisationTime)
{
    /// <summary>KL divergence at the last iteration.</summary>
    public double FinalKl => KlHistory.Count > 0 ? KlHistory[^1].KlDivergence : double.NaN;

    /// <summary>Number of embedded points.</summary>
    public int N => Embedding.GetLength(0);

    /// <summary>The embedding as a float32 [N, 2] tensor on <paramref name="device"/> (CPU by default).</summary>
    public Tensor ToTensor(Device? device = null) => tensor(Embedding, device: device ?? CPU);
}
