using static TorchSharp.torch;

namespace MiDpg.Research.Analysis;

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
