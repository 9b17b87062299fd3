// AdaSparse (MODELS.md "Baselines"; Yang et al., "AdaSparse: Learning Adaptively Sparse Structures for
// Multi-Domain Click-Through Rate Prediction", CIKM 2022).
// A pruner per layer produces neuron-level weighting factors from the scenario-aware embedding and the
// layer's neurons: u_l = Linear_l([e_aw, h_l]), pi_l = f(u_l), h_l <- pi_l ⊙ h_l, applied to the embedding
// layer (h_1 = [e_ag, e_aw, numeric]) and to every hidden layer's output (before the next layer).
// The three published variants f:
//   Binarization: pi = sigmoid(alpha u)            (a soft step that hardens as alpha grows)
//   Scaling     : pi = beta sigmoid(u)             (beta = 2: factors in (0, 2), ~1 at initialisation)
//   Fusion      : pi = beta sigmoid(alpha u)
// then, in every variant, factors below eps are zeroed (pi <- pi * 1[pi >= eps]; eps = 1e-2): the pruned
// neurons. alpha grows during training: alpha = min(AlphaMax, AlphaInitial + AlphaGrowthPerStep * step
// + AlphaGrowthPerEpoch * epoch), driven by the trainer through ITrainingStepAware (OnStep / OnEpoch). The
// current alpha is a buffer, so it is saved with the weights and evaluation uses the value training reached.
// Not implemented: the paper's optional sparsity-ratio regulariser (would be an auxiliary loss).
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models.Baselines;

/// <summary>AdaSparse's weighting-factor function f.</summary>
public enum AdaSparseVariant
{
    /// <summary>pi = sigmoid(alpha u).</summary>
    Binarization,
    /// <summary>pi = beta sigmoid(u).</summary>
    Scaling,
    /// <summary>pi = beta sigmoid(alpha u). Default (decision: the combination of both).</summary>
    Fusion,
}

/// <summary>AdaSparse settings.</summary>
public sealed record AdaSparseConfig : ModelConfig
{
    public AdaSparseVariant Variant { get; init; } = AdaSparseVariant.Fusion;

    /// <summary>Factors below eps are set to 0 (pruned). The paper: 1e-2. 0 disables pruning.</summary>
    public double Epsilon { get; init; } = 1e-2;

    /// <summary>beta, the scale of Scaling and Fusion. The paper: 2.</summary>
    public double Beta { get; init; } = 2.0;

    /// <summary>alpha at step 0, epoch 0 (decision: 1).</summary>
    public double AlphaInitial { get; init; } = 1.0;

    /// <summary>alpha added per optimiser step (decision: 0; the growth is per epoch by default).</summary>
    public double AlphaGrowthPerStep { get; init; }

    /// <summary>alpha added per epoch (decision: 1).</summary>
    public double AlphaGrowthPerEpoch { get; init; } = 1.0;

    /// <summary>Upper bound of alpha (decision: 10).</summary>
    public double AlphaMax { get; init; } = 10.0;

    /// <summary>Hidden sizes of each pruner before its output layer; empty = one Linear (MODELS.md). Default empty.</summary>
    public IReadOnlyList<int> PrunerHiddenSizes { get; init; } = [];

    /// <summary>Detach h_l in the pruner input [e_aw, h_l]. Default false.</summary>
    public bool DetachPrunerInput { get; init; }

    /// <summary>alpha after <paramref name="step"/> optimiser steps in epoch <paramref name="epoch"/>.</summary>
    public double Alpha(long step, int epoch) =>
        Math.Min(AlphaMax, AlphaInitial + AlphaGrowthPerStep * step + AlphaGrowthPerEpoch * epoch);

    public override IReadOnlyList<string> Problems(FeatureSpec? features = null)
    {
        var problems = new List<string>(base.Problems(features));
        if (!(Epsilon >= 0 && Epsilon < 1)) problems.Add($"{nameof(Epsilon)} must be in [0, 1); got {Epsilon}");
        if (!(Beta > 0)) problems.Add($"{nameof(Beta)} must be > 0; got {Beta}");
        if (!(AlphaInitial > 0)) problems.Add($"{nameof(AlphaInitial)} must be > 0; got {AlphaInitial}");
        if (!(AlphaGrowthPerStep >= 0)) problems.Add($"{nameof(AlphaGrowthPerStep)} must be >= 0; got {AlphaGrowthPerStep}");
        if (!(AlphaGrowthPerEpoch >= 0)) problems.Add($"{nameof(AlphaGrowthPerEpoch)} must be >= 0; got {AlphaGrowthPerEpoch}");
        if (!(AlphaMax >= AlphaInitial)) problems.Add($"{nameof(AlphaMax)} must be >= {nameof(AlphaInitial)} ({AlphaInitial}); got {AlphaMax}");
        Baseline.RequirePositive(problems, nameof(PrunerHiddenSizes), PrunerHiddenSizes);
        return problems;
    }
}

/// <summary>AdaSparse. Components: embeddings, backbone, generators (the pruners). Implements <see cref="ITrainingStepAware"/>.</summary>
public sealed class AdaSparseModel : ScenarioModel, IComponentCounted, ITrainingStepAware
{
    public const string KindName = "AdaSparse";

    private readonly FieldEmbedding embedding;
    private readonly ModuleList<Linear> layers;
    private readonly Linear output;
    private readonly ModuleList<Mlp> generator_pruners;   // [embedding layer, hidden 1, ..., hidden L]
    private readonly AdaSparseConfig config;
    private readonly FeatureSpec features;
    private long step;
    private int epoch;

    public override string Kind => KindName;
    public override FeatureSpec Features => features;
    public override ModelConfig Config => config;

    /// <summary>The current alpha (a buffer: saved with the weights).</summary>
    public double Alpha => get_buffer("alpha")!.item<float>();

    public AdaSparseModel(FeatureSpec features, AdaSparseConfig config, Device? device = null) : base(nameof(AdaSparseModel))
    {
        config.Validate(features);
        this.features = features;
        this.config = config;
        embedding = new FieldEmbedding(features, config.EmbeddingDim, config.EmbeddingInitStd, config.ClampUnknownIdsToOov);
        var awareDim = config.AwareDim(features);
        var width = config.InputDim(features);
        generator_pruners = new ModuleList<Mlp> { new Mlp(awareDim + width, config.PrunerHiddenSizes, width) };
        layers = new ModuleList<Linear>();
        foreach (var h in config.HiddenSizes)
        {
            layers.Add(Linear(width, h));
            generator_pruners.Add(new Mlp(awareDim + h, config.PrunerHiddenSizes, h));
            width = h;
        }
        output = Linear(width, 1);
        register_buffer("alpha", tensor((float)config.AlphaInitial));
        RegisterComponents();
        if (device is not null) this.to(device);
    }

    public void OnStep(long step) { this.step = step; UpdateAlpha(); }

    public void OnEpoch(int epoch) { this.epoch = epoch; UpdateAlpha(); }

    private void UpdateAlpha()
    {
        using var _ = no_grad();
        get_buffer("alpha")!.fill_(config.Alpha(step, epoch));
    }

    /// <summary>The weighting factors pi of one layer from its pruner output u.</summary>
    public Tensor Factors(Tensor u)
    {
        var alpha = get_buffer("alpha")!;
        var pi = config.Variant switch
        {
            AdaSparseVariant.Binarization => functional.sigmoid(alpha * u),
            AdaSparseVariant.Scaling => config.Beta * functional.sigmoid(u),
            _ => config.Beta * functional.sigmoid(alpha * u),
        };
        return config.Epsilon > 0 ? pi * pi.ge(config.Epsilon).to_type(pi.dtype) : pi;
    }

    private Tensor Prune(int index, Tensor aware, Tensor h)
    {
        var context = config.DetachPrunerInput ? h.detach() : h;
        return Factors(generator_pruners[index].call(cat([aware, context], 1))) * h;
    }

    public override Tensor forward(ModelInput input)
    {
        var emb = embedding.call(input.Categorical);
        var h = Prune(0, emb.Aware, emb.BackboneInput(input.Numeric));
        for (var l = 0; l < layers.Count; l++)
            h = Prune(l + 1, emb.Aware, functional.relu(layers[l].call(h)));
        return output.call(h).squeeze(1);
    }

    public IReadOnlyDictionary<string, long> ParameterCounts() => Baseline.Count(this,
        n => n.StartsWith("generator_", StringComparison.Ordinal) ? ModelComponent.Generators : ModelComponent.Backbone,
        ModelComponent.Backbone, ModelComponent.Generators);

    /// <summary>backbone = mlp(d_in, hidden..., 1); generators = sum_{d in [d_in, hidden...]} mlp(d_aw + d, pruner hidden..., d).</summary>
    public static IReadOnlyDictionary<string, long> Formula(FeatureSpec features, AdaSparseConfig config)
    {
        long aw = config.AwareDim(features), din = config.InputDim(features);
        var generators = new[] { (int)din }.Concat(config.HiddenSizes).Sum(d => Baseline.MlpCount(aw + d, config.PrunerHiddenSizes, d));
        return Baseline.WithTotal(new()
        {
            [ModelComponent.Embeddings] = Baseline.EmbeddingCount(features, config),
            [ModelComponent.Backbone] = Baseline.MlpCount(din, config.HiddenSizes, 1),
            [ModelComponent.Generators] = generators,
        });
    }
}
