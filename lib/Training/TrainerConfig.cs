using static TorchSharp.torch;

namespace MiDpg.Research.Training;

/// <summary>
/// The training protocol of the paper (section 3.3): Adam with learning rate 1e-3, mini-batches of
/// 512, early stopping on validation AUC; the best epoch's weights are restored at the end.
/// Immutable; <see cref="Validated"/> names any violated constraint.
/// </summary>
public sealed record TrainerConfig
{
    /// <summary>Adam's learning rate (paper: 1e-3).</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Training mini-batch size (paper: 512).</summary>
    public int BatchSize { get; init; } = 512;
    /// <summary>Upper bound on epochs; early stopping usually ends training sooner.</summary>
    public int MaxEpochs { get; init; } = 10;
    /// <summary>Epochs without a validation-AUC improvement of more than <see cref="MinDelta"/> before stopping.</summary>
    public int Patience { get; init; } = 2;
    /// <summary>Smallest AUC gain that counts as an improvement.</summary>
    public double MinDelta { get; init; } = 1e-4;
    /// <summary>Seeds the shuffles and torch's generator (MIR's in-batch permutation, dropout).</summary>
    public int Seed { get; init; }
    /// <summary>Batch size for evaluation (no gradients, so larger is fine).</summary>
    public int EvaluationBatchSize { get; init; } = 8192;
    /// <summary>Where the model and batches live; null = the model's device.</summary>
    public Device? Device { get; init; }
    /// <summary>Threads for training: torch intra-op threads, or with <see cref="Shards"/> &gt; 1 all threads together
    /// (each shard thread gets Threads / Shards, at least 1); null leaves TorchSharp's setting alone.</summary>
    public int? Threads { get; init; }
    /// <summary>Data-parallel shards per step (<see cref="DataParallelStep"/>): each mini-batch is cut into this many
    /// shards of rows whose forward and backward run concurrently on their own threads and whose gradients are summed
    /// (the batch gradient, up to summation order). 1 (default) = one pass over the batch. Models whose loss couples
    /// the rows of a batch (STAR's partitioned normalisation, dropout) refuse Shards &gt; 1.</summary>
    public int Shards { get; init; } = 1;
    /// <summary>Adam's L2 weight decay (paper: none).</summary>
    public double WeightDecay { get; init; }
    /// <summary>Report training progress every this many steps.</summary>
    public int ReportEverySteps { get; init; } = 20;
    /// <summary>How Adam updates the embedding tables' sparse gradients: <see cref="AdamUpdate.Lazy"/> (default; only
    /// the rows a batch used, see <see cref="LazyAdam"/>) or <see cref="AdamUpdate.Dense"/> (exactly torch.optim.Adam,
    /// every row every step). Dense parameters always get torch.optim.Adam's update.</summary>
    public AdamUpdate EmbeddingUpdate { get; init; } = AdamUpdate.Lazy;

    public TrainerConfig Validated()
    {
        static void Require(bool ok, string name, string rule, object value)
        {
            if (!ok) throw new ArgumentException($"TrainerConfig.{name} must be {rule}; got {value}.", name);
        }
        Require(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), "a positive finite number", LearningRate);
        Require(BatchSize >= 1, nameof(BatchSize), ">= 1", BatchSize);
        Require(MaxEpochs >= 1, nameof(MaxEpochs), ">= 1", MaxEpochs);
        Require(Patience >= 1, nameof(Patience), ">= 1", Patience);
        Require(MinDelta >= 0, nameof(MinDelta), ">= 0", MinDelta);
        Require(EvaluationBatchSize >= 1, nameof(EvaluationBatchSize), ">= 1", EvaluationBatchSize);
        Require(Threads is null or >= 1, nameof(Threads), "null or >= 1", Threads!);
        Require(Shards >= 1 && Shards <= BatchSize, nameof(Shards), $">= 1 and <= BatchSize ({BatchSize})", Shards);
        Require(WeightDecay >= 0, nameof(WeightDecay), ">= 0", WeightDecay);
        Require(ReportEverySteps >= 1, nameof(ReportEverySteps), ">= 1", ReportEverySteps);
        Require(Enum.IsDefined(EmbeddingUpdate), nameof(EmbeddingUpdate), $"one of {string.Join(", ", Enum.GetNames<AdamUpdate>())}", EmbeddingUpdate);
        return this;
    }
}
