// SAR-Net (Shen, Tao, Zhang, Wen, Chen, Lu, "SAR-Net: A Scenario-Aware Ranking Network for Personalized Fair
// Recommendation in Hundreds of Travel Scenarios", CIKM 2021, arXiv:2110.06475). The paper's modules, in its names
// (the equations as we read them; the notation of the attention is the standard scaled dot product):
//   cross-scenario behaviour extraction: two attention modules pool the user's behaviour sequence B, one with the
//     scenario features as the query, one with the target item's features:
//       a_sc = softmax((W_Q e_sc)(W_K B)^T / sqrt(d)) (W_V B)
//   scenario-specific linear transformation: x~ = x ⊙ w_s + b_s, one scale and one shift vector per scenario s
//     (almost no extra parameters), applied to the concatenated encoded features x
//   debias expert networks: scenario-shared experts E_1..E_K and, for each scenario, its own experts
//     E^s_1..E^s_L, all reading x~; a Fairness Coefficient computed from bias features (manual promotion
//     interventions) re-weights their predictions
//   multi-scenario gating: g = softmax(W_g x~ + b_g) over the K shared and the sample's L specific experts,
//     o = sum_i g_i E_i(x~);  logit = tower(o).
// What our data lacks, and what stands in for it (decisions, each a named option of SarNetConfig):
//   - no behaviour sequences: `Attention = FieldSequence` (default) runs the scenario-query attention over the
//     sample's field embeddings as the "sequence" (query W_Q e_aw from the scenario-aware embeddings, keys and values
//     W_K e_f, W_V e_f for every field f) and appends the pooled vector a (AttentionDim wide) to h1; `None` leaves
//     the attention out (Scenario-Wise-Rec's sarnet.py has none). The item-query attention needs a designated target
//     item, which FeatureSpec does not name: it is left out.
//   - no bias features: the Fairness Coefficient is left out; the experts are plain MLPs (as in sarnet.py, where
//     "DebiasExpertNet" is BatchNorm + Linear with no coefficient).
//   - `Transform = PerScenario` (default): w_s, b_s are free [S, d] parameters starting at w = 1, b = 0 (the identity);
//     `ScenarioEmbedding`: w = 1 + U_w e_aw + c_w, b = U_b e_aw + c_b, generated from the scenario-aware embeddings.
// "Same backbone sizes" (as MMoE): every expert is d_x -> 128 -> 64 (`ExpertSizes`), the tower 64 -> 32 -> 1
// (`TowerSizes`). Expert counts (decision): `SharedExperts` 8 and `ScenarioExperts` 2 per scenario, Scenario-Wise-Rec's
// defaults. The gate (decision) reads x~ (`GateInput = Transformed`, as sarnet.py) or e_aw, with a bias.
using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models.Baselines;

/// <summary>What stands in for SAR-Net's cross-scenario attention over behaviour sequences.</summary>
public enum SarNetAttention
{
    /// <summary>No attention module (Scenario-Wise-Rec's sarnet.py).</summary>
    None,
    /// <summary>The scenario-query attention over the sample's field embeddings as the sequence (default).</summary>
    FieldSequence,
}

/// <summary>Where the scenario-specific linear transformation's scale and shift come from.</summary>
public enum SarNetTransform
{
    /// <summary>Free per-scenario vectors w_s, b_s (the paper's scenario-specific layer; default).</summary>
    PerScenario,
    /// <summary>Generated from the scenario-aware embeddings: w = 1 + Linear(e_aw), b = Linear(e_aw).</summary>
    ScenarioEmbedding,
}

/// <summary>What the multi-scenario gate reads.</summary>
public enum SarNetGateInput
{
    /// <summary>The transformed input x~ (Scenario-Wise-Rec's sarnet.py; default).</summary>
    Transformed,
    /// <summary>The scenario-aware embeddings e_aw (the scenario features alone).</summary>
    Aware,
}

/// <summary>SAR-Net settings. <see cref="ModelConfig.HiddenSizes"/> supplies the defaults of the expert and tower sizes.</summary>
public sealed record SarNetConfig : ModelConfig
{
    /// <summary>The stand-in for the behaviour-sequence attention. Default FieldSequence.</summary>
    public SarNetAttention Attention { get; init; } = SarNetAttention.FieldSequence;

    /// <summary>d: width of the attention's projections and of its pooled output. null = EmbeddingDim.</summary>
    public int? AttentionDim { get; init; }

    /// <summary>Source of the scenario-specific scale and shift. Default PerScenario.</summary>
    public SarNetTransform Transform { get; init; } = SarNetTransform.PerScenario;

    /// <summary>K: scenario-shared experts. Decision: 8 (Scenario-Wise-Rec's default).</summary>
    public int SharedExperts { get; init; } = 8;

    /// <summary>L: experts of each scenario. Decision: 2 (Scenario-Wise-Rec's default).</summary>
    public int ScenarioExperts { get; init; } = 2;

    /// <summary>Hidden sizes of every expert (at least one). null = HiddenSizes without its last entry (128, 64).</summary>
    public IReadOnlyList<int>? ExpertSizes { get; init; }

    /// <summary>Hidden sizes of the tower before its logit layer. null = the last hidden size (32).</summary>
    public IReadOnlyList<int>? TowerSizes { get; init; }

    /// <summary>What the gate reads. Default Transformed.</summary>
    public SarNetGateInput GateInput { get; init; } = SarNetGateInput.Transformed;

    [JsonIgnore]
    public IReadOnlyList<int> EffectiveExpertSizes => ExpertSizes ?? Baseline.SharedPart(HiddenSizes);

    [JsonIgnore]
    public IReadOnlyList<int> EffectiveTowerSizes => TowerSizes ?? Baseline.TowerPart(HiddenSizes);

    [JsonIgnore]
    public int EffectiveAttentionDim => AttentionDim ?? EmbeddingDim;

    /// <summary>d_x: width of the transformed input, h1 plus the attention's output.</summary>
    public int TransformedDim(FeatureSpec features) =>
        InputDim(features) + (Attention == SarNetAttention.FieldSequence ? EffectiveAttentionDim : 0);

    /// <summary>Width of the gate's input.</summary>
    public int GateInputDim(FeatureSpec features) =>
        GateInput == SarNetGateInput.Transformed ? TransformedDim(features) : AwareDim(features);

    public override IReadOnlyList<string> Problems(FeatureSpec? features = null)
    {
        var problems = new List<string>(base.Problems(features));
        if (!Enum.IsDefined(Attention)) problems.Add($"{nameof(Attention)} must be None or FieldSequence; got {Attention}");
        if (!Enum.IsDefined(Transform)) problems.Add($"{nameof(Transform)} must be PerScenario or ScenarioEmbedding; got {Transform}");
        if (!Enum.IsDefined(GateInput)) problems.Add($"{nameof(GateInput)} must be Transformed or Aware; got {GateInput}");
        if (AttentionDim is { } a && a < 1) problems.Add($"{nameof(AttentionDim)} must be >= 1 (or null for EmbeddingDim); got {a}");
        if (SharedExperts < 0) problems.Add($"{nameof(SharedExperts)} must be >= 0; got {SharedExperts}");
        if (ScenarioExperts < 0) problems.Add($"{nameof(ScenarioExperts)} must be >= 0; got {ScenarioExperts}");
        if (SharedExperts >= 0 && ScenarioExperts >= 0 && SharedExperts + ScenarioExperts < 1)
            problems.Add($"SAR-Net needs at least one expert: {nameof(SharedExperts)} + {nameof(ScenarioExperts)} must be >= 1; got 0");
        if (!HasValidHiddenSizes) return problems;
        Baseline.RequirePositive(problems, nameof(ExpertSizes), EffectiveExpertSizes, allowEmpty: false);
        Baseline.RequirePositive(problems, nameof(TowerSizes), EffectiveTowerSizes);
        return problems;
    }
}

/// <summary>SAR-Net: attention stand-in, scenario-specific linear transformation, shared and per-scenario experts, one
/// gate, one tower. Components: embeddings, attention, scenario_specific, experts, gates, towers.</summary>
public sealed class SarNetModel : ScenarioModel, IComponentCounted
{
    public const string KindName = "SAR-Net";

    private readonly FieldEmbedding embedding;
    private readonly Linear? attention_query, attention_key, attention_value;
    private readonly Parameter? scenario_scale, scenario_shift;       // PerScenario: [S, d_x]
    private readonly Linear? transform_scale, transform_shift;        // ScenarioEmbedding: e_aw -> d_x
    private readonly ModuleList<Mlp> shared_experts;
    private readonly ModuleList<Mlp> scenario_experts;                // scenario s, expert l at s * L + l
    private readonly Linear? gate;
    private readonly Mlp tower;
    private readonly SarNetConfig config;
    private readonly FeatureSpec features;

    public override string Kind => KindName;
    public override FeatureSpec Features => features;
    public override ModelConfig Config => config;

    public SarNetModel(FeatureSpec features, SarNetConfig config, Device? device = null) : base(nameof(SarNetModel))
    {
        config.Validate(features);
        this.features = features;
        this.config = config;
        embedding = new FieldEmbedding(features, config.EmbeddingDim, config.EmbeddingInitStd, config.ClampUnknownIdsToOov);
        int D = config.EmbeddingDim, aw = config.AwareDim(features), dx = config.TransformedDim(features), S = features.ScenarioCount;
        if (config.Attention == SarNetAttention.FieldSequence)
        {
            var da = config.EffectiveAttentionDim;
            attention_query = Linear(aw, da, hasBias: false);
            attention_key = Linear(D, da, hasBias: false);
            attention_value = Linear(D, da, hasBias: false);
        }
        if (config.Transform == SarNetTransform.PerScenario)
        {
            scenario_scale = Parameter(ones(S, dx));
            scenario_shift = Parameter(zeros(S, dx));
        }
        else
        {
            transform_scale = Linear(aw, dx);
            transform_shift = Linear(aw, dx);
        }
        shared_experts = new ModuleList<Mlp>();
        for (var k = 0; k < config.SharedExperts; k++) shared_experts.Add(new Mlp(dx, config.EffectiveExpertSizes));
        scenario_experts = new ModuleList<Mlp>();
        for (var s = 0; s < S; s++)
            for (var l = 0; l < config.ScenarioExperts; l++) scenario_experts.Add(new Mlp(dx, config.EffectiveExpertSizes));
        var experts = config.SharedExperts + config.ScenarioExperts;
        if (experts > 1) gate = Linear(config.GateInputDim(features), experts);   // a softmax over one expert is 1
        tower = new Mlp(config.EffectiveExpertSizes[^1], config.EffectiveTowerSizes, 1);
        RegisterComponents();
        if (device is not null) this.to(device);
    }

    public override Tensor forward(ModelInput input)
    {
        var (gateWeights, experts) = Mixture(input);
        return tower.call((gateWeights.unsqueeze(2) * experts).sum(1)).squeeze(1);
    }

    /// <summary>The gate g [B, K + L] (rows sum to 1) and the expert outputs [B, K + L, w] of a batch: the K shared
    /// experts first, then the L experts of each sample's own scenario.</summary>
    public (Tensor Gate, Tensor Experts) Mixture(ModelInput input)
    {
        var e = embedding.call(input.Categorical);
        var x = e.BackboneInput(input.Numeric);                                                   // h1 [B, d_in]
        if (attention_query is not null)
            x = cat([x, ScenarioAttention(e.Aware, e.Fields)], 1);                                // [h1, a_sc]
        var index = input.Scenario.to_type(ScalarType.Int64);
        var transformed = scenario_scale is not null
            ? x * scenario_scale.index_select(0, index) + scenario_shift!.index_select(0, index)  // x ⊙ w_s + b_s
            : x * (1 + transform_scale!.call(e.Aware)) + transform_shift!.call(e.Aware);

        var outputs = new List<Tensor>();
        if (shared_experts.Count > 0) outputs.Add(stack(shared_experts.Select(m => m.call(transformed)).ToArray(), 1));
        if (config.ScenarioExperts > 0) outputs.Add(ScenarioExpertOutputs(transformed, index));
        var experts = outputs.Count == 1 ? outputs[0] : cat(outputs.ToArray(), 1);           // [B, K + L, w]
        var g = gate is null
            ? ones(experts.shape[0], 1, dtype: experts.dtype, device: experts.device)
            : functional.softmax(gate.call(config.GateInput == SarNetGateInput.Transformed ? transformed : e.Aware), 1);
        return (g, experts);
    }

    /// <summary>a_sc = softmax((W_Q e_aw)(W_K e_f)^T / sqrt(d)) W_V e_f over the fields f: [B, d].</summary>
    private Tensor ScenarioAttention(Tensor aware, Tensor fields)
    {
        var q = attention_query!.call(aware).unsqueeze(1);                                       // [B, 1, d]
        var k = attention_key!.call(fields);                                                     // [B, F, d]
        var v = attention_value!.call(fields);                                                   // [B, F, d]
        var weights = functional.softmax(q.bmm(k.transpose(1, 2)) / Math.Sqrt(q.shape[2]), 2);  // [B, 1, F]
        return weights.bmm(v).squeeze(1);
    }

    /// <summary>The L experts of each sample's own scenario, [B, L, w]: the rows of every scenario pass through that
    /// scenario's experts only (one group per scenario present in the batch), so an expert learns from its scenario alone.</summary>
    private Tensor ScenarioExpertOutputs(Tensor x, Tensor index)
    {
        int L = config.ScenarioExperts, w = config.EffectiveExpertSizes[^1];
        var result = zeros([x.shape[0], L, w], dtype: x.dtype, device: x.device);
        for (var s = 0; s < features.ScenarioCount; s++)
        {
            var rows = index.eq(s).nonzero().squeeze(1);
            if (rows.shape[0] == 0) continue;
            var xs = x.index_select(0, rows);
            var group = stack(Enumerable.Range(0, L).Select(l => scenario_experts[s * L + l].call(xs)).ToArray(), 1);
            result = result.index_copy(0, rows, group);
        }
        return result;
    }

    public IReadOnlyDictionary<string, long> ParameterCounts() => Baseline.Count(this,
        n => n.StartsWith("attention_", StringComparison.Ordinal) ? BaselineComponent.Attention
            : n.StartsWith("scenario_scale", StringComparison.Ordinal) || n.StartsWith("scenario_shift", StringComparison.Ordinal)
              || n.StartsWith("transform_", StringComparison.Ordinal) ? BaselineComponent.ScenarioSpecific
            : n.StartsWith("gate.", StringComparison.Ordinal) ? BaselineComponent.Gates
            : n.StartsWith("tower.", StringComparison.Ordinal) ? BaselineComponent.Towers
            : BaselineComponent.Experts,
        BaselineComponent.Attention, BaselineComponent.ScenarioSpecific, BaselineComponent.Experts, BaselineComponent.Gates, BaselineComponent.Towers);

    /// <summary>With S scenarios, emb_dim D, e_aw width a, attention width d, d_x = d_in (+ d with the attention), K shared
    /// and L per-scenario experts of sizes e_1..e_m, tower sizes t..., gate input width d_g (d_x or a):
    ///   attention         = a d + 2 D d                                   [FieldSequence]
    ///   scenario_specific = 2 S d_x  [PerScenario]   or   2 (a d_x + d_x)  [ScenarioEmbedding]
    ///   experts           = (K + S L) mlp(d_x, e_1..e_m, none)
    ///   gates             = d_g (K + L) + (K + L)                           [only when K + L > 1]
    ///   towers            = mlp(e_m, t..., 1).</summary>
    public static IReadOnlyDictionary<string, long> Formula(FeatureSpec features, SarNetConfig config)
    {
        long S = features.ScenarioCount, D = config.EmbeddingDim, a = config.AwareDim(features), dx = config.TransformedDim(features);
        long d = config.EffectiveAttentionDim, K = config.SharedExperts, L = config.ScenarioExperts, n = K + L;
        var sizes = config.EffectiveExpertSizes;
        return Baseline.WithTotal(new()
        {
            [ModelComponent.Embeddings] = Baseline.EmbeddingCount(features, config),
            [BaselineComponent.Attention] = config.Attention == SarNetAttention.FieldSequence ? a * d + 2 * D * d : 0,
            [BaselineComponent.ScenarioSpecific] = config.Transform == SarNetTransform.PerScenario ? 2 * S * dx : 2 * (a * dx + dx),
            [BaselineComponent.Experts] = (K + S * L) * Baseline.MlpCount(dx, sizes, null),
            [BaselineComponent.Gates] = n > 1 ? config.GateInputDim(features) * n + n : 0,
            [BaselineComponent.Towers] = Baseline.MlpCount(sizes[^1], config.EffectiveTowerSizes, 1),
        });
    }
}
