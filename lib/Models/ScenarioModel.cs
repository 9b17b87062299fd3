// The contract between every model of the study (DPG, MI-DPG and the baselines) and the trainer.
// Models define structure, forward and their loss only (STYLE.md: one trainer owns the loop).
// Per-batch tensors follow the data contract: categorical int64 [B, F], numeric float32 [B, N]
// (N may be 0), scenario int64 [B], labels float32 [B].
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models;

/// <summary>One mini-batch as the models see it. <paramref name="Numeric"/> may be null or [B, 0].</summary>
public sealed record ModelInput(Tensor Categorical, Tensor? Numeric, Tensor Scenario)
{
    public long BatchSize => Categorical.shape[0];

    /// <summary>The same batch on <paramref name="device"/> (no copy for tensors already there).</summary>
    public ModelInput To(Device device) => new(Categorical.to(device), Numeric?.to(device), Scenario.to(device));

    /// <summary>Rows [start, start + length) of the batch.</summary>
    public ModelInput Slice(long start, long length) =>
        new(Categorical.narrow(0, start, length), Numeric?.narrow(0, start, length), Scenario.narrow(0, start, length));
}

/// <summary>
/// What <see cref="IScenarioModel.Loss"/> returns. <see cref="Total"/> is what the trainer back-propagates:
/// BCE + the model's weighted auxiliary loss. <see cref="Terms"/> holds scalar values for logging
/// (always "bce" and "total"; plus model-specific ones such as "mi").
/// </summary>
public sealed record ModelOutput(Tensor Logits, Tensor Total, Tensor Bce, Tensor? AuxiliaryLoss, IReadOnlyDictionary<string, float> Terms)
{
    /// <summary>The same output with the losses and logged terms multiplied by <paramref name="weight"/> (a shard's share
    /// of its batch: the weighted shard outputs of a batch add up to the batch's).</summary>
    public ModelOutput Scaled(double weight) => weight == 1.0 ? this : new(Logits, Total * weight, Bce * weight, AuxiliaryLoss is null ? null : AuxiliaryLoss * weight,
        Terms.ToDictionary(kv => kv.Key, kv => (float)(kv.Value * weight)));
}

/// <summary>What the trainer codes against for every model (baselines included).</summary>
public interface IScenarioModel
{
    /// <summary>Display / persistence name, e.g. "MI-DPG", "DPG", "DNN".</summary>
    string Kind { get; }

    /// <summary>The features the model was built for.</summary>
    FeatureSpec Features { get; }

    /// <summary>The model's immutable config (serialised with the weights by <see cref="ModelStore"/>).</summary>
    ModelConfig Config { get; }

    /// <summary>Logits [B] (apply sigmoid for probabilities).</summary>
    Tensor Forward(ModelInput input);

    /// <summary>Logits plus the training loss: BCE(labels, logits) + the model's weighted auxiliary loss.</summary>
    ModelOutput Loss(ModelInput input, Tensor labels);
}

/// <summary>
/// Base class of every model: a TorchSharp module from <see cref="ModelInput"/> to logits [B].
/// Subclasses implement <c>forward</c>; those with an auxiliary loss (MI-DPG's L_mi, STAR's auxiliary
/// network is part of forward, OptMSM's orthogonality penalty) override <see cref="Loss"/>,
/// typically through <see cref="Compose"/>.
/// </summary>
public abstract class ScenarioModel : nn.Module<ModelInput, Tensor>, IScenarioModel
{
    protected ScenarioModel(string name) : base(name) { }

    public abstract string Kind { get; }
    public abstract FeatureSpec Features { get; }
    public abstract ModelConfig Config { get; }

    /// <summary>The device the parameters live on.</summary>
    public Device Device => parameters().FirstOrDefault()?.device ?? CPU;

    public Tensor Forward(ModelInput input) => forward(input);

    /// <summary>Probabilities [B] = sigmoid(logits), computed without gradient.</summary>
    public Tensor Predict(ModelInput input)
    {
        using var _ = no_grad();
        return forward(input).sigmoid();
    }

    public virtual ModelOutput Loss(ModelInput input, Tensor labels) => Compose(forward(input), labels, null, 0.0, null);

    // Data-parallel steps (Trainer with TrainerConfig.Shards > 1): a mini-batch of B rows is cut into shards of
    // consecutive rows that run forward and backward concurrently; their gradients are summed. The loss of every model
    // here is a mean over rows plus terms that do not depend on the rows (OptMSM's orthogonality penalty), so
    //   Loss(batch) = sum_k (n_k / B) Loss(shard k)
    // and the summed shard gradients are the batch gradient. Models whose loss couples rows override ShardLoss (MI-DPG:
    // a negative pair takes e_aw from any row of the batch) or name why they cannot be sharded (STAR: batch statistics).

    /// <summary>Why this model's loss cannot be computed shard by shard (null when it can).</summary>
    public virtual string? ShardingObstacle => null;

    /// <summary>What the batch's loss needs from the whole batch, computed once on the calling thread before the shards run,
    /// so every shard sees the same value and a seeded run stays reproducible: MI-DPG's in-batch permutation (a random
    /// draw), AdaptDHM's centre update (computed from every row). Null if none.</summary>
    public virtual Tensor? PrepareBatch(ModelInput input) => null;

    /// <summary>Rows [start, start + length) of the batch's share of <see cref="Loss"/>: (length / B) Loss(rows), so the
    /// shards' outputs and gradients add up to those of the whole batch. <paramref name="batchState"/> comes
    /// from <see cref="PrepareBatch"/>.</summary>
    public virtual ModelOutput ShardLoss(ModelInput batch, Tensor labels, long start, long length, Tensor? batchState)
    {
        if (ShardingObstacle is { } why) throw new InvalidOperationException($"{Kind} cannot be trained in shards: {why}");
        return Loss(batch.Slice(start, length), labels.narrow(0, start, length)).Scaled(length / (double)batch.BatchSize);
    }

    /// <summary>Builds a <see cref="ModelOutput"/>: total = BCE + weight * auxiliary.</summary>
    protected static ModelOutput Compose(Tensor logits, Tensor labels, Tensor? auxiliary, double weight, string? auxiliaryName)
    {
        var bce = functional.binary_cross_entropy_with_logits(logits, labels.to_type(logits.dtype));
        var total = auxiliary is null || weight == 0 ? bce : bce + weight * auxiliary;
        var terms = new Dictionary<string, float> { ["bce"] = Value(bce), ["total"] = Value(total) };
        if (auxiliary is not null && auxiliaryName is not null) terms[auxiliaryName] = Value(auxiliary);
        return new ModelOutput(logits, total, bce, auxiliary, terms);
    }

    // A logged scalar, whatever the model's dtype (float64 models run the golden check).
    private static float Value(Tensor scalar) => scalar.detach().cpu().ToScalar().ToSingle();
}
