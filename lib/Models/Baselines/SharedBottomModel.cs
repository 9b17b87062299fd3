// Shared-Bottom with scenarios as tasks (Caruana, "Multitask Learning", Machine Learning 28, 1997: one network whose
// bottom layers are shared by every task, with task-specific output layers on top). Here the tasks are the scenarios:
// a shared bottom MLP, one tower per scenario, and each sample is scored by its own scenario's tower (as
// Scenario-Wise-Rec's sharebottom.py does), so a tower only learns from its scenario's samples.
//   b = bottom(h1),  h1 = [e_ag, e_aw, numeric]  (Linear + ReLU per BottomSizes entry)
//   logit_s = tower_s(b)  (Linear + ReLU per TowerSizes entry, then Linear to one logit);  logit = logit_{scenario}
// "Same backbone sizes" (as PLE): the bottom defaults to the backbone's hidden sizes but the last (128, 64), the towers
// to the last one (32), so a sample still passes d_in -> 128 -> 64 -> 32 -> 1.
// Hyper-parameters (SharedBottomConfig): BottomSizes, TowerSizes.
using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models.Baselines;

/// <summary>Shared-Bottom settings. <see cref="ModelConfig.HiddenSizes"/> supplies the defaults of the bottom and tower sizes.</summary>
public sealed record SharedBottomConfig : ModelConfig
{
    /// <summary>Hidden sizes of the shared bottom (at least one). null = HiddenSizes without its last entry (128, 64).</summary>
    public IReadOnlyList<int>? BottomSizes { get; init; }

    /// <summary>Hidden sizes of each scenario tower before its logit layer. null = the last hidden size (32).</summary>
    public IReadOnlyList<int>? TowerSizes { get; init; }

    [JsonIgnore]
    public IReadOnlyList<int> EffectiveBottomSizes =>
        BottomSizes ?? Baseline.SharedPart(HiddenSizes);

    [JsonIgnore]
    public IReadOnlyList<int> EffectiveTowerSizes =>
        TowerSizes ?? Baseline.TowerPart(HiddenSizes);

    public override IReadOnlyList<string> Problems(FeatureSpec? features = null)
    {
        var problems = new List<string>(base.Problems(features));
        if (features is not null && features.ScenarioCount < 1) problems.Add($"Shared-Bottom needs at least one scenario (one tower each); got {features.ScenarioCount}");
        if (!HasValidHiddenSizes) return problems;
        Baseline.RequirePositive(problems, nameof(BottomSizes), EffectiveBottomSizes, allowEmpty: false);
        Baseline.RequirePositive(problems, nameof(TowerSizes), EffectiveTowerSizes);
        return problems;
    }
}

/// <summary>Shared-Bottom with one tower per scenario. Components: embeddings, backbone (the shared bottom), towers.</summary>
public sealed class SharedBottomModel : ScenarioModel, IComponentCounted
{
    public const string KindName = "Shared-Bottom";

    private readonly FieldEmbedding embedding;
    private readonly Mlp bottom;
    private readonly ModuleList<Mlp> towers;
    private readonly SharedBottomConfig config;
    private readonly FeatureSpec features;

    public override string Kind => KindName;
    public override FeatureSpec Features => features;
    public override ModelConfig Config => config;

    public SharedBottomModel(FeatureSpec features, SharedBottomConfig config, Device? device = null) : base(nameof(SharedBottomModel))
    {
        config.Validate(features);
        this.features = features;
        this.config = config;
        embedding = new FieldEmbedding(features, config.EmbeddingDim, config.EmbeddingInitStd, config.ClampUnknownIdsToOov);
        bottom = new Mlp(config.InputDim(features), config.EffectiveBottomSizes);
        towers = new ModuleList<Mlp>();
        for (var s = 0; s < features.ScenarioCount; s++) towers.Add(new Mlp(bottom.OutputDim, config.EffectiveTowerSizes, 1));
        RegisterComponents();
        if (device is not null) this.to(device);
    }

    public override Tensor forward(ModelInput input)
    {
        var b = bottom.call(embedding.call(input.Categorical).BackboneInput(input.Numeric));
        // Every tower runs on the whole batch (S is small); each sample keeps its own scenario's logit.
        var all = stack(towers.Select(t => t.call(b).squeeze(1)).ToArray(), 1);   // [B, S]
        return Baseline.PickScenario(all, input.Scenario);
    }

    public IReadOnlyDictionary<string, long> ParameterCounts() => Baseline.Count(this,
        n => n.StartsWith("towers.", StringComparison.Ordinal) ? BaselineComponent.Towers : ModelComponent.Backbone,
        ModelComponent.Backbone, BaselineComponent.Towers);

    /// <summary>With S scenarios, bottom sizes b_1..b_L, tower sizes t...:
    ///   backbone = mlp(d_in, b_1..b_L, none),  towers = S mlp(b_L, t..., 1).</summary>
    public static IReadOnlyDictionary<string, long> Formula(FeatureSpec features, SharedBottomConfig config)
    {
        var sizes = config.EffectiveBottomSizes;
        return Baseline.WithTotal(new()
        {
            [ModelComponent.Embeddings] = Baseline.EmbeddingCount(features, config),
            [ModelComponent.Backbone] = Baseline.MlpCount(config.InputDim(features), sizes, null),
            [BaselineComponent.Towers] = features.ScenarioCount * Baseline.MlpCount(sizes[^1], config.EffectiveTowerSizes, 1),
        });
    }
}
