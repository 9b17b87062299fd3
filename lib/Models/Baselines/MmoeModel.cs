// MMoE with scenarios as tasks (Ma, Zhao, Yi, Chen, Hong, Chi, "Modeling Task Relationships in Multi-task Learning
// with Multi-gate Mixture-of-Experts", KDD 2018, section 4.2). Here the tasks are the scenarios, as in
// Scenario-Wise-Rec's mmoe.py: n shared experts, one gate and one tower per scenario; each sample is scored by its
// own scenario's tower.
//   f_i(x) = expert_i(h1)  (Linear + ReLU per ExpertSizes entry),  h1 = [e_ag, e_aw, numeric]
//   g_s(x) = softmax(W_gs h1 (+ b_gs))   (one n-way gate per scenario; the paper's W_gk x has no bias: GateBias = false)
//   f_s(x) = sum_i g_s(x)_i f_i(x),  logit_s = tower_s(f_s(x));  logit = logit_{scenario}
// "Same backbone sizes" (as PLE): every expert defaults to the backbone's hidden sizes but the last (128, 64), the
// towers to the last one (32), so a sample still passes d_in -> 128 -> 64 -> 32 -> 1.
// Hyper-parameters (MmoeConfig): Experts (n; null = one per scenario, Scenario-Wise-Rec's scripts' n_expert =
// domain_num; the paper leaves n open), ExpertSizes, TowerSizes, GateBias.
using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models.Baselines;

/// <summary>MMoE settings. <see cref="ModelConfig.HiddenSizes"/> supplies the defaults of the expert and tower sizes.</summary>
public sealed record MmoeConfig : ModelConfig
{
    /// <summary>Number of shared experts n. null = one per scenario (decision, as Scenario-Wise-Rec's scripts).</summary>
    public int? Experts { get; init; }

    /// <summary>Hidden sizes of every expert (at least one). null = HiddenSizes without its last entry (128, 64).</summary>
    public IReadOnlyList<int>? ExpertSizes { get; init; }

    /// <summary>Hidden sizes of each scenario tower before its logit layer. null = the last hidden size (32).</summary>
    public IReadOnlyList<int>? TowerSizes { get; init; }

    /// <summary>Give each gate's linear map a bias. Default false: the paper's g_k(x) = softmax(W_gk x).</summary>
    public bool GateBias { get; init; }

    /// <summary>n for these features.</summary>
    public int ExpertCount(FeatureSpec features) => Experts ?? features.ScenarioCount;

    [JsonIgnore]
    public IReadOnlyList<int> EffectiveExpertSizes =>
        ExpertSizes ?? Baseline.SharedPart(HiddenSizes);

    [JsonIgnore]
    public IReadOnlyList<int> EffectiveTowerSizes =>
        TowerSizes ?? Baseline.TowerPart(HiddenSizes);

    public override IReadOnlyList<string> Problems(FeatureSpec? features = null)
    {
        var problems = new List<string>(base.Problems(features));
        if (Experts is { } n && n < 1) problems.Add($"{nameof(Experts)} must be >= 1 (or null for one per scenario); got {n}");
        if (features is not null && features.ScenarioCount < 1) problems.Add($"MMoE needs at least one scenario (one gate and tower each); got {features.ScenarioCount}");
        if (!HasValidHiddenSizes) return problems;
        Baseline.RequirePositive(problems, nameof(ExpertSizes), EffectiveExpertSizes, allowEmpty: false);
        Baseline.RequirePositive(problems, nameof(TowerSizes), EffectiveTowerSizes);
        return problems;
    }
}

/// <summary>MMoE with one gate and one tower per scenario. Components: embeddings, experts, gates, towers.</summary>
public sealed class MmoeModel : ScenarioModel, IComponentCounted
{
    public const string KindName = "MMoE";

    private readonly FieldEmbedding embedding;
    private readonly ModuleList<Mlp> experts;
    private readonly ModuleList<Linear> gates;
    private readonly ModuleList<Mlp> towers;
    private readonly MmoeConfig config;
    private readonly FeatureSpec features;

    public override string Kind => KindName;
    public override FeatureSpec Features => features;
    public override ModelConfig Config => config;

    public MmoeModel(FeatureSpec features, MmoeConfig config, Device? device = null) : base(nameof(MmoeModel))
    {
        config.Validate(features);
        this.features = features;
        this.config = config;
        embedding = new FieldEmbedding(features, config.EmbeddingDim, config.EmbeddingInitStd, config.ClampUnknownIdsToOov);
        var din = config.InputDim(features);
        var n = config.ExpertCount(features);
        experts = new ModuleList<Mlp>();
        for (var i = 0; i < n; i++) experts.Add(new Mlp(din, config.EffectiveExpertSizes));
        gates = new ModuleList<Linear>();
        if (n > 1)   // a softmax over one expert is identically 1: no gate parameters
            for (var s = 0; s < features.ScenarioCount; s++) gates.Add(Linear(din, n, hasBias: config.GateBias));
        towers = new ModuleList<Mlp>();
        for (var s = 0; s < features.ScenarioCount; s++) towers.Add(new Mlp(config.EffectiveExpertSizes[^1], config.EffectiveTowerSizes, 1));
        RegisterComponents();
        if (device is not null) this.to(device);
    }

    public override Tensor forward(ModelInput input)
    {
        var h1 = embedding.call(input.Categorical).BackboneInput(input.Numeric);
        var f = stack(experts.Select(e => e.call(h1)).ToArray(), 1);                        // [B, n, w]
        // Every gate and tower runs on the whole batch (S is small); each sample keeps its own scenario's logit.
        var logits = new Tensor[features.ScenarioCount];
        for (var s = 0; s < logits.Length; s++)
        {
            var mixed = gates.Count == 0 ? f.select(1, 0)
                : (functional.softmax(gates[s].call(h1), 1).unsqueeze(2) * f).sum(1);        // f_s(x) [B, w]
            logits[s] = towers[s].call(mixed).squeeze(1);
        }
        return Baseline.PickScenario(stack(logits, 1), input.Scenario);
    }

    public IReadOnlyDictionary<string, long> ParameterCounts() => Baseline.Count(this,
        n => n.StartsWith("towers.", StringComparison.Ordinal) ? BaselineComponent.Towers
            : n.StartsWith("gates.", StringComparison.Ordinal) ? BaselineComponent.Gates
            : BaselineComponent.Experts,
        BaselineComponent.Experts, BaselineComponent.Gates, BaselineComponent.Towers);

    /// <summary>With S scenarios, n experts of sizes e_1..e_L, tower sizes t...:
    ///   experts = n mlp(d_in, e_1..e_L, none)
    ///   gates   = S (d_in n + [GateBias] n)   [only when n > 1]
    ///   towers  = S mlp(e_L, t..., 1).</summary>
    public static IReadOnlyDictionary<string, long> Formula(FeatureSpec features, MmoeConfig config)
    {
        long S = features.ScenarioCount, n = config.ExpertCount(features), din = config.InputDim(features);
        var sizes = config.EffectiveExpertSizes;
        return Baseline.WithTotal(new()
        {
            [ModelComponent.Embeddings] = Baseline.EmbeddingCount(features, config),
            [BaselineComponent.Experts] = n * Baseline.MlpCount(din, sizes, null),
            [BaselineComponent.Gates] = n > 1 ? S * (din * n + (config.GateBias ? n : 0)) : 0,
            [BaselineComponent.Towers] = S * Baseline.MlpCount(sizes[^1], config.EffectiveTowerSizes, 1),
        });
    }
}
