// Pieces the baselines share (issue 5; MODELS.md "Baselines"): component names for parameter
// reports, the trainer hook for schedules that depend on training progress (AdaSparse's growing
// alpha), and small helpers every baseline composes. The embedding layer, the MLP and the
// parameter counter are the models engineer's (FieldEmbedding, Mlp, ParameterCount), reused here.
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models.Baselines;

/// <summary>Component names of the baselines' parameter reports, in addition to <see cref="ModelComponent"/>
/// (embeddings, backbone, generators, shared_factors, discriminators).</summary>
public static class BaselineComponent
{
    /// <summary>PLE, SAR-Net: shared and per-scenario experts; MMoE, M2M: the shared experts.</summary>
    public const string Experts = "experts";
    /// <summary>PLE: the CGC gates; MMoE: one gate per scenario; SAR-Net: the multi-scenario gate.</summary>
    public const string Gates = "gates";
    /// <summary>PLE, MMoE, Shared-Bottom: one tower per scenario; SAR-Net, M2M: the one tower on the mixture.</summary>
    public const string Towers = "towers";
    /// <summary>STAR: per-scenario weights and biases of the star-topology FCN; SAR-Net: the scenario-specific
    /// linear transformation's scales and shifts.</summary>
    public const string ScenarioSpecific = "scenario_specific";
    /// <summary>STAR: partitioned normalisation (shared and per-scenario scale / shift).</summary>
    public const string Normalisation = "normalisation";
    /// <summary>STAR: the auxiliary network on the scenario embedding.</summary>
    public const string Auxiliary = "auxiliary";
    /// <summary>OptMSM: the specific and shared-information projections (and the attention over them).</summary>
    public const string Projections = "projections";
    /// <summary>SAR-Net: the scenario-query attention's projections W_Q, W_K, W_V.</summary>
    public const string Attention = "attention";
    /// <summary>M2M: the transformer encoder over the field embeddings.</summary>
    public const string Encoder = "encoder";
    /// <summary>M2M: the scenario knowledge and task view representations that feed the meta units.</summary>
    public const string Representations = "representations";
    /// <summary>HAMUR: the adapter cells' low-rank factors U, V and biases.</summary>
    public const string Adapters = "adapters";
    /// <summary>AdaptDHM: the per-cluster weights (Star structure) or towers (SharedBottom structure).</summary>
    public const string Clusters = "clusters";
    /// <summary>M3oE: the learnable balancing and fusion weights of the domain and task experts.</summary>
    public const string Balance = "balance";
}

/// <summary>
/// Implemented by models whose behaviour depends on training progress (AdaSparse's alpha). The trainer
/// calls <see cref="OnEpoch"/> at the start of every epoch (0-based) and <see cref="OnStep"/> after every
/// optimiser step with the number of optimiser steps taken so far (1 after the first step). Models that do
/// not implement it need no calls. Evaluation uses the state reached by the last call.
/// </summary>
public interface ITrainingStepAware
{
    void OnStep(long step);
    void OnEpoch(int epoch);
}

/// <summary>A model that reports its parameter count by component (and knows the closed form).</summary>
public interface IComponentCounted
{
    /// <summary>Scalar parameters per component, plus "total" (from the actual registered parameters).</summary>
    IReadOnlyDictionary<string, long> ParameterCounts();
}

internal static class Baseline
{
    /// <summary>mlp(i, h..., o): parameters of Linear layers i -> h_1 -> ... -> o (weights and biases).</summary>
    public static long MlpCount(long input, IEnumerable<int> hidden, long? output)
    {
        long total = 0, width = input;
        foreach (var h in hidden) { total += width * h + h; width = h; }
        if (output is { } o) total += width * o + o;
        return total;
    }

    public static long EmbeddingCount(FeatureSpec features, ModelConfig config) =>
        features.Fields.Sum(f => f.VocabularySize) * config.EmbeddingDim;

    /// <summary>Counts by component using a classifier of state-dict names; every listed component is present.</summary>
    public static IReadOnlyDictionary<string, long> Count(Module model, Func<string, string> classify, params string[] components)
    {
        var counts = components.ToDictionary(c => c, _ => 0L);
        counts[ModelComponent.Embeddings] = 0;
        foreach (var (name, p) in model.named_parameters())
        {
            var c = name.StartsWith("embedding.", StringComparison.Ordinal) ? ModelComponent.Embeddings : classify(name);
            counts[c] = counts.GetValueOrDefault(c) + p.numel();
        }
        counts["total"] = counts.Where(kv => kv.Key != "total").Sum(kv => kv.Value);
        return counts;
    }

    /// <summary>Adds "total" to a closed-form count.</summary>
    public static IReadOnlyDictionary<string, long> WithTotal(Dictionary<string, long> counts)
    {
        counts["total"] = counts.Values.Sum();
        return counts;
    }

    /// <summary>Picks row b's entry of a per-scenario stack: all [B, S, ...] -> [B, ...] at scenario[b].</summary>
    public static Tensor PickScenario(Tensor all, Tensor scenario)
    {
        var shape = all.shape.ToArray();
        var index = scenario.to_type(ScalarType.Int64).view(shape[0], 1);
        for (var d = 2; d < shape.Length; d++) index = index.unsqueeze(-1);
        var expandShape = (long[])shape.Clone();
        expandShape[1] = 1;
        return all.gather(1, index.expand(expandShape)).squeeze(1);
    }

    /// <summary>The default split of the backbone's hidden sizes between shared layers (experts, a shared bottom) and
    /// per-scenario towers: all but the last size below (128, 64), the last in each tower (32); one size stays below.</summary>
    public static IReadOnlyList<int> SharedPart(IReadOnlyList<int> hidden) =>
        hidden.Count > 1 ? hidden.Take(hidden.Count - 1).ToArray() : hidden.ToArray();

    /// <summary>The tower part of <see cref="SharedPart"/>'s split: the last hidden size, or none.</summary>
    public static IReadOnlyList<int> TowerPart(IReadOnlyList<int> hidden) => hidden.Count > 1 ? [hidden[^1]] : [];

    /// <summary>Common checks for the model-specific sizes.</summary>
    public static void RequirePositive(List<string> problems, string name, int value)
    {
        if (value < 1) problems.Add($"{name} must be >= 1; got {value}");
    }

    public static void RequirePositive(List<string> problems, string name, IReadOnlyList<int>? sizes, bool allowEmpty = true)
    {
        if (sizes is null) { problems.Add($"{name} must be set"); return; }
        if (!allowEmpty && sizes.Count == 0) problems.Add($"{name} needs at least one entry; got none");
        for (var i = 0; i < sizes.Count; i++)
            if (sizes[i] < 1) problems.Add($"{name}[{i}] must be >= 1; got {sizes[i]}");
    }
}
