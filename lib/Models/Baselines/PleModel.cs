// PLE with scenarios as tasks (MODELS.md "Baselines"; Tang, Liu, Zhao, Gong, "Progressive Layered
// Extraction (PLE): A Novel Multi-Task Learning (MTL) Model for Personalized Recommendations",
// RecSys 2020). Each CGC extraction level holds per-scenario experts and shared experts; the gate of
// scenario s mixes [experts of s, shared experts] (softmax over a linear map of s's input); every level
// but the last (when there are shared experts) also has a shared gate over all experts, whose output feeds the next level's shared
// experts. One tower per scenario; each sample is scored by its own scenario's tower.
// "Same backbone sizes": the expert widths default to the backbone's hidden sizes but the last (128, 64),
// the towers to the last one (32), then a linear layer to the logit, so a sample still passes
// d_in -> 128 -> 64 -> 32 -> 1.
// Hyper-parameters (PleConfig): ScenarioExperts (experts per scenario and level), SharedExperts,
// ExpertSizes (one width per CGC level; each expert is one Linear+ReLU of that width), TowerSizes.
using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models.Baselines;

/// <summary>PLE settings. <see cref="ModelConfig.HiddenSizes"/> supplies the defaults of the expert and tower sizes.</summary>
public sealed record PleConfig : ModelConfig
{
    /// <summary>Experts per scenario in every CGC level (decision: 1).</summary>
    public int ScenarioExperts { get; init; } = 1;

    /// <summary>Shared experts in every CGC level (decision: 1).</summary>
    public int SharedExperts { get; init; } = 1;

    /// <summary>Output width of the experts of each CGC level; the number of entries is the number of levels.
    /// null = HiddenSizes without its last entry (128, 64 -> two levels).</summary>
    public IReadOnlyList<int>? ExpertSizes { get; init; }

    /// <summary>Hidden sizes of each scenario tower before its logit layer. null = the last hidden size (32).</summary>
    public IReadOnlyList<int>? TowerSizes { get; init; }

    [JsonIgnore]
    public IReadOnlyList<int> EffectiveExpertSizes =>
        ExpertSizes ?? Baseline.SharedPart(HiddenSizes);

    [JsonIgnore]
    public IReadOnlyList<int> EffectiveTowerSizes =>
        TowerSizes ?? Baseline.TowerPart(HiddenSizes);

    public override IReadOnlyList<string> Problems(FeatureSpec? features = null)
    {
        var problems = new List<string>(base.Problems(features));
        Baseline.RequirePositive(problems, nameof(ScenarioExperts), ScenarioExperts);
        if (SharedExperts < 0) problems.Add($"{nameof(SharedExperts)} must be >= 0; got {SharedExperts}");
        if (!HasValidHiddenSizes) return problems;
        Baseline.RequirePositive(problems, nameof(ExpertSizes), EffectiveExpertSizes, allowEmpty: false);
        Baseline.RequirePositive(problems, nameof(TowerSizes), EffectiveTowerSizes);
        return problems;
    }
}

/// <summary>One CGC extraction level: per-scenario experts (flattened, scenario s owns entries
/// s*m .. s*m+m-1), shared experts, one gate per scenario and, unless it is the last level, a shared gate.</summary>
public sealed class CgcLevel : Module<Tensor[], Tensor, (Tensor[] Scenario, Tensor? Shared)>
{
    private readonly ModuleList<Mlp> scenario_experts;
    private readonly ModuleList<Mlp> shared_experts;
    private readonly ModuleList<Linear> scenario_gates;
    private readonly Linear? shared_gate;
    private readonly int scenarios, perScenario;

    public CgcLevel(int inputDim, int width, int scenarios, int perScenario, int shared, bool last) : base(nameof(CgcLevel))
    {
        this.scenarios = scenarios;
        this.perScenario = perScenario;
        scenario_experts = new ModuleList<Mlp>();
        for (var i = 0; i < scenarios * perScenario; i++) scenario_experts.Add(new Mlp(inputDim, [width]));
        shared_experts = new ModuleList<Mlp>();
        for (var i = 0; i < shared; i++) shared_experts.Add(new Mlp(inputDim, [width]));
        scenario_gates = new ModuleList<Linear>();
        if (perScenario + shared > 1)   // a gate over one expert is identically 1: no parameters
            for (var s = 0; s < scenarios; s++) scenario_gates.Add(Linear(inputDim, perScenario + shared));
        if (!last && shared > 0) shared_gate = Linear(inputDim, scenarios * perScenario + shared);
        RegisterComponents();
    }

    /// <param name="inputs">Input of each scenario's branch ([B, d] each).</param>
    /// <param name="shared">Input of the shared branch [B, d].</param>
    public override (Tensor[] Scenario, Tensor? Shared) forward(Tensor[] inputs, Tensor shared)
    {
        var sharedOut = shared_experts.Select(e => e.call(shared)).ToArray();
        var specific = new Tensor[scenarios][];
        var outputs = new Tensor[scenarios];
        for (var s = 0; s < scenarios; s++)
        {
            specific[s] = Enumerable.Range(s * perScenario, perScenario).Select(i => scenario_experts[i].call(inputs[s])).ToArray();
            var experts = stack(specific[s].Concat(sharedOut).ToArray(), 1);              // [B, m + m_sh, w]
            if (scenario_gates.Count == 0) { outputs[s] = experts.select(1, 0); continue; }
            var gate = functional.softmax(scenario_gates[s].call(inputs[s]), 1).unsqueeze(2); // [B, m + m_sh, 1]
            outputs[s] = (gate * experts).sum(1);
        }
        Tensor? sharedNext = null;
        if (shared_gate is not null)
        {
            var all = stack(specific.SelectMany(e => e).Concat(sharedOut).ToArray(), 1);
            sharedNext = (functional.softmax(shared_gate.call(shared), 1).unsqueeze(2) * all).sum(1);
        }
        return (outputs, sharedNext);
    }
}

/// <summary>PLE with scenarios as tasks. Components: embeddings, experts, gates, towers.</summary>
public sealed class PleModel : ScenarioModel, IComponentCounted
{
    public const string KindName = "PLE";

    private readonly FieldEmbedding embedding;
    private readonly ModuleList<CgcLevel> levels;
    private readonly ModuleList<Mlp> towers;
    private readonly PleConfig config;
    private readonly FeatureSpec features;

    public override string Kind => KindName;
    public override FeatureSpec Features => features;
    public override ModelConfig Config => config;

    public PleModel(FeatureSpec features, PleConfig config, Device? device = null) : base(nameof(PleModel))
    {
        config.Validate(features);
        this.features = features;
        this.config = config;
        embedding = new FieldEmbedding(features, config.EmbeddingDim, config.EmbeddingInitStd, config.ClampUnknownIdsToOov);
        levels = new ModuleList<CgcLevel>();
        var sizes = config.EffectiveExpertSizes;
        var width = config.InputDim(features);
        for (var l = 0; l < sizes.Count; l++)
        {
            levels.Add(new CgcLevel(width, sizes[l], features.ScenarioCount, config.ScenarioExperts, config.SharedExperts, l == sizes.Count - 1));
            width = sizes[l];
        }
        towers = new ModuleList<Mlp>();
        for (var s = 0; s < features.ScenarioCount; s++) towers.Add(new Mlp(width, config.EffectiveTowerSizes, 1));
        RegisterComponents();
        if (device is not null) this.to(device);
    }

    public override Tensor forward(ModelInput input)
    {
        var h1 = embedding.call(input.Categorical).BackboneInput(input.Numeric);
        // Every scenario's branch and tower runs on the whole batch (S is small); each sample then keeps its own
        // scenario's logit, so a tower only receives gradient from its scenario's samples.
        var branches = Enumerable.Repeat(h1, features.ScenarioCount).ToArray();
        Tensor? shared = h1;
        foreach (var level in levels)
            (branches, shared) = level.call(branches, shared!);
        var all = stack(branches.Select((b, s) => towers[s].call(b).squeeze(1)).ToArray(), 1); // [B, S]
        return Baseline.PickScenario(all, input.Scenario);
    }

    public IReadOnlyDictionary<string, long> ParameterCounts() => Baseline.Count(this, Classify,
        BaselineComponent.Experts, BaselineComponent.Gates, BaselineComponent.Towers);

    private static string Classify(string name) =>
        name.StartsWith("towers.", StringComparison.Ordinal) ? BaselineComponent.Towers
        : name.Contains("_gate", StringComparison.Ordinal) ? BaselineComponent.Gates
        : BaselineComponent.Experts;

    /// <summary>With S scenarios, m experts per scenario, m_sh shared, level widths w_l, level inputs d_l (d_1 = d_in):
    ///   experts = sum_l (S m + m_sh)(d_l w_l + w_l)
    ///   gates   = sum_l S (d_l (m + m_sh) + m + m_sh) [only when m + m_sh > 1] + sum_{l &lt; L, m_sh > 0} (d_l (S m + m_sh) + S m + m_sh)
    ///   towers  = S mlp(w_L, tower..., 1).</summary>
    public static IReadOnlyDictionary<string, long> Formula(FeatureSpec features, PleConfig config)
    {
        long S = features.ScenarioCount, m = config.ScenarioExperts, msh = config.SharedExperts, experts = 0, gates = 0;
        var sizes = config.EffectiveExpertSizes;
        long d = config.InputDim(features);
        for (var l = 0; l < sizes.Count; l++)
        {
            long w = sizes[l];
            experts += (S * m + msh) * (d * w + w);
            if (m + msh > 1) gates += S * (d * (m + msh) + m + msh);
            if (l < sizes.Count - 1 && msh > 0) gates += d * (S * m + msh) + S * m + msh;
            d = w;
        }
        return Baseline.WithTotal(new()
        {
            [ModelComponent.Embeddings] = Baseline.EmbeddingCount(features, config),
            [BaselineComponent.Experts] = experts,
            [BaselineComponent.Gates] = gates,
            [BaselineComponent.Towers] = S * Baseline.MlpCount(d, config.EffectiveTowerSizes, 1),
        });
    }
}
