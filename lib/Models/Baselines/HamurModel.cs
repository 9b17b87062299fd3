// HAMUR (Li, Yan, Zhao, Wang, Chen, Guo, Tang, "HAMUR: Hyper Adapter for Multi-Domain Recommendation", CIKM 2023;
// arXiv 2309.06217): a backbone with a domain-specific adapter cell after its layers, whose weights a domain-shared
// hyper-network generates per instance in low-rank form. Here the backbone is our DNN (emb 16, hidden 128-64-32,
// ReLU; DnnModel's Mlp, same parameter names), each hidden layer followed by an adapter cell (AdapterLayers):
// (The equations below follow the paper's description of the adapter cell (down-projection, non-linearity,
// up-projection, domain norm, skip connection) and of the hyper-network's low-rank generation W = U M V from the
// instance representation; the paper's full text was not at hand to quote its equation numbers, so the structure was
// checked against the authors' reference code, Scenario-Wise-Rec's hamur.py.)
//   h1 = [e_ag, e_aw, numeric];  h_l = ReLU(W_l h_{l-1} + b_l)                       (the backbone)
//   M(x) = reshape_{k x k}(HyperNet(x_ins))                                            (the "instance representation
//          matrix": one k x k core per sample; x_ins = h1 by default, HyperInput)
//   W_down = U_down M V_down  (d x r),  W_up = U_up M V_up  (r x d)                    (low-rank generation, rank k)
//   a  = sigma(h_l W_down + b_down)                                                    (down-projection, non-linearity)
//   u  = a W_up (+ b_up only with AdapterNorm = None: a norm's mean subtraction cancels it) (up-projection)
//   h_l <- h_l + DN_s(u)                                                               (domain norm, skip connection)
//   logit = w_out h_L + b_out
// Every product is taken factor by factor, ((h U) M) V with a batched [B,1,k] x [B,k,k] bmm, so no per-sample d x r
// matrix is ever built (the reference materialises einsum('mi,bij,jn->bmn') per sample).
// "Domain-specific": U, V and b are one set per scenario (stacked [S, ...], ScenarioSpecificFactors), computed for
// all scenarios with one matmul and picked per sample; DN_s is STAR's partitioned normalisation (per-scenario batch
// statistics, shared and per-scenario scale and shift, running averages at test time; AdapterNorm). "Domain-shared":
// one hyper-network and one core M for every adapter and both projections (SeparateCores: one core per projection).
// Hyper-parameters (HamurConfig): AdapterLayers (null = after every hidden layer), AdapterBottleneck r (32, the
// reference's), RankK k (32), HyperHiddenSizes (64, the reference scripts' hyper_dims), HyperInput (All = the
// instance's features, as the paper's instance representation and the reference; or Aware = e_aw), AdapterActivation
// (Sigmoid, as the reference), AdapterNorm (DomainNorm; WholeBatch = the reference's: the whole batch's statistics at
// training and test time, one shared scale and shift; None), ScenarioSpecificFactors (true; false = one shared U, V, b
// as the reference), SeparateCores (false = one core, as the reference).
// Initialisation (decision): U, V ~ N(0, 1/fan_in) as APG's factors (the reference: all ones), biases 0, the
// hyper-network nn.Linear's default. With M = 0 every adapter's update is a constant that the norm maps to its shift
// (0 at initialisation): HAMUR is then the plain DNN on the same backbone weights (tests/Baselines/HamurTests.cs).
using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models.Baselines;

/// <summary>What HAMUR's hyper-network reads (the instance representation).</summary>
public enum HamurHyperInput
{
    /// <summary>All features h1 = [e_ag, e_aw, numeric] (the paper's instance representation; the reference's embedding of every feature).</summary>
    All,
    /// <summary>The scenario-aware embeddings e_aw only.</summary>
    Aware,
}

/// <summary>The adapter's non-linearity between down- and up-projection.</summary>
public enum HamurActivation
{
    /// <summary>Sigmoid (the reference's).</summary>
    Sigmoid,
    /// <summary>ReLU.</summary>
    Relu,
}

/// <summary>The adapter's normalisation of the up-projection's output before the skip connection.</summary>
public enum HamurNorm
{
    /// <summary>Domain norm: STAR's partitioned normalisation (per-scenario statistics, shared and per-scenario scale and
    /// shift, per-scenario running averages at test time).</summary>
    DomainNorm,
    /// <summary>The reference's: the whole batch's mean and unbiased variance, at training and at test time, then one shared
    /// scale and shift (hamur.py:361-364). Evaluation then depends on the evaluation batch.</summary>
    WholeBatch,
    /// <summary>No normalisation.</summary>
    None,
}

/// <summary>HAMUR settings. <see cref="ModelConfig.HiddenSizes"/> is the backbone (DNN 128-64-32).</summary>
public sealed record HamurConfig : ModelConfig
{
    /// <summary>0-based indices of the hidden layers followed by an adapter cell (after the layer's ReLU). null = every hidden
    /// layer (decision; the reference's scripts put one cell after the last of their two layers).</summary>
    public IReadOnlyList<int>? AdapterLayers { get; init; }

    /// <summary>r: the adapter's bottleneck width (down-projection d -> r, up-projection r -> d). Decision: 32, the reference's
    /// fixed width.</summary>
    public int AdapterBottleneck { get; init; } = 32;

    /// <summary>k: rank of the generated weights W = U M V (M is k x k). Decision: 32 (the reference's scripts use 35, more
    /// than its bottleneck 32, which adds parameters but no rank).</summary>
    public int RankK { get; init; } = 32;

    /// <summary>Hidden widths of the hyper-network (ReLU) before its k^2 (or 2 A k^2) output. Default [64] (the reference
    /// scripts' hyper_dims).</summary>
    public IReadOnlyList<int> HyperHiddenSizes { get; init; } = [64];

    /// <summary>What the hyper-network reads. Default All (the instance representation).</summary>
    public HamurHyperInput HyperInput { get; init; } = HamurHyperInput.All;

    /// <summary>The adapter's non-linearity. Default Sigmoid (the reference's; the paper only says non-linear).</summary>
    public HamurActivation AdapterActivation { get; init; } = HamurActivation.Sigmoid;

    /// <summary>The adapter's normalisation. Default DomainNorm.</summary>
    public HamurNorm AdapterNorm { get; init; } = HamurNorm.DomainNorm;

    /// <summary>One U, V, b set per scenario (the domain-specific adapter over our shared backbone). Default true; false = one
    /// set shared by all scenarios, as the reference (whose backbones are per scenario instead).</summary>
    public bool ScenarioSpecificFactors { get; init; } = true;

    /// <summary>One generated core per projection (2 per adapter) instead of one core for all. Default false (the reference).</summary>
    public bool SeparateCores { get; init; }

    /// <summary>Running-average momentum of the domain norm (nn.BatchNorm's 0.1, as STAR's).</summary>
    public double NormMomentum { get; init; } = 0.1;

    /// <summary>eps in sqrt(Var + eps) (nn.BatchNorm's 1e-5).</summary>
    public double NormEps { get; init; } = 1e-5;

    /// <summary>The hidden layers with an adapter, in order.</summary>
    [JsonIgnore]
    public IReadOnlyList<int> EffectiveAdapterLayers =>
        AdapterLayers?.Distinct().Order().ToArray() ?? Enumerable.Range(0, HiddenSizes?.Count ?? 0).ToArray();

    /// <summary>Number of generated cores: 1, or 2 per adapter with <see cref="SeparateCores"/>.</summary>
    [JsonIgnore]
    public int CoreCount => SeparateCores ? 2 * EffectiveAdapterLayers.Count : 1;

    /// <summary>Width of the hyper-network's input.</summary>
    public int HyperInputDim(FeatureSpec features) => HyperInput == HamurHyperInput.All ? InputDim(features) : AwareDim(features);

    public override IReadOnlyList<string> Problems(FeatureSpec? features = null)
    {
        var problems = new List<string>(base.Problems(features));
        Baseline.RequirePositive(problems, nameof(AdapterBottleneck), AdapterBottleneck);
        Baseline.RequirePositive(problems, nameof(RankK), RankK);
        Baseline.RequirePositive(problems, nameof(HyperHiddenSizes), HyperHiddenSizes);
        if (!Enum.IsDefined(HyperInput)) problems.Add($"{nameof(HyperInput)} must be All or Aware; got {HyperInput}");
        if (!Enum.IsDefined(AdapterActivation)) problems.Add($"{nameof(AdapterActivation)} must be Sigmoid or Relu; got {AdapterActivation}");
        if (!Enum.IsDefined(AdapterNorm)) problems.Add($"{nameof(AdapterNorm)} must be DomainNorm, WholeBatch or None; got {AdapterNorm}");
        if (!(NormMomentum > 0 && NormMomentum <= 1)) problems.Add($"{nameof(NormMomentum)} must be in (0, 1]; got {NormMomentum}");
        if (!(NormEps > 0)) problems.Add($"{nameof(NormEps)} must be > 0; got {NormEps}");
        if (AdapterLayers is { } layers && HasValidHiddenSizes)
        {
            if (layers.Count == 0) problems.Add($"{nameof(AdapterLayers)} needs at least one hidden-layer index (or null for every layer); got none");
            foreach (var l in layers)
                if (l < 0 || l >= HiddenSizes.Count)
                    problems.Add($"{nameof(AdapterLayers)} holds {l}; indices must be in 0..{HiddenSizes.Count - 1} (one per hidden layer of {nameof(HiddenSizes)})");
        }
        if (features is not null && HyperInput == HamurHyperInput.Aware && features.AwareFieldCount == 0)
            problems.Add($"{nameof(HyperInput)} = Aware selects no field: the features have no scenario-aware field (or use All)");
        if (features is not null && features.ScenarioCount < 1) problems.Add($"HAMUR needs at least one scenario; got {features.ScenarioCount}");
        return problems;
    }
}

/// <summary>The reference's adapter normalisation: whole-batch mean and unbiased variance (training and test), one shared
/// scale and shift.</summary>
public sealed class WholeBatchNorm : Module<Tensor, Tensor>
{
    private readonly Parameter gamma, beta;
    private readonly double eps;

    public WholeBatchNorm(int dim, double eps) : base(nameof(WholeBatchNorm))
    {
        this.eps = eps;
        gamma = Parameter(ones(dim));
        beta = Parameter(zeros(dim));
        RegisterComponents();
    }

    public override Tensor forward(Tensor z) =>
        gamma * ((z - z.mean([0])) * (z.var(0) + eps).rsqrt()) + beta;
}

/// <summary>One HAMUR adapter cell on a d-wide layer: h + DN(((sigma(((h U_d) M) V_d + b_d)) U_u) M') V_u (+ b_u)). Factors
/// [F, ., .] with F = S (one set per scenario) or 1. b_u exists only without a normalisation (a normalisation's mean
/// subtraction cancels it: zero gradient in training; its shift takes that role).</summary>
public sealed class HamurAdapter : Module
{
    private readonly Parameter u_down, v_down, b_down, u_up, v_up;
    private readonly Parameter? b_up;
    private readonly PartitionedNorm? domain_norm;
    private readonly WholeBatchNorm? batch_norm;
    private readonly HamurActivation activation;

    public int Width { get; }

    public HamurAdapter(int d, int scenarios, HamurConfig config) : base(nameof(HamurAdapter))
    {
        Width = d;
        int r = config.AdapterBottleneck, k = config.RankK, f = config.ScenarioSpecificFactors ? scenarios : 1;
        activation = config.AdapterActivation;
        static Parameter Normal(long sets, long rows, long cols) => Parameter(empty(sets, rows, cols).normal_(0, 1 / Math.Sqrt(rows)));
        u_down = Normal(f, d, k); v_down = Normal(f, k, r); b_down = Parameter(zeros(f, r));
        u_up = Normal(f, r, k); v_up = Normal(f, k, d);
        // A normalisation subtracts its batch mean, which cancels a bias before it (its gradient would be 0): b_up only without one.
        if (config.AdapterNorm == HamurNorm.None) b_up = Parameter(zeros(f, d));
        if (config.AdapterNorm == HamurNorm.DomainNorm) domain_norm = new PartitionedNorm(d, scenarios, config.NormMomentum, config.NormEps, minCount: 2);
        if (config.AdapterNorm == HamurNorm.WholeBatch) batch_norm = new WholeBatchNorm(d, config.NormEps);
        RegisterComponents();
    }

    /// <summary>x [B, a] times the sample's factor [F, a, c]: one matmul for all F sets, then each sample's own ([B, c]).</summary>
    private static Tensor Project(Tensor x, Tensor factor, Tensor scenario)
    {
        if (factor.shape[0] == 1) return x.matmul(factor[0]);
        long sets = factor.shape[0], a = factor.shape[1], c = factor.shape[2];
        var all = x.matmul(factor.permute(1, 0, 2).reshape(a, sets * c)).view(-1, sets, c);  // [B, F, c]
        return Baseline.PickScenario(all, scenario);
    }

    private static Tensor Bias(Tensor bias, Tensor scenario) => bias.shape[0] == 1 ? bias[0] : bias.index_select(0, scenario);

    /// <summary>x W(M) (+ b) with W(M) = U M V per sample, never materialised: ((x U) M) V.</summary>
    private static Tensor Generated(Tensor x, Tensor u, Tensor core, Tensor v, Tensor? b, Tensor scenario)
    {
        var xu = Project(x, u, scenario);                                   // [B, k]
        var xum = xu.unsqueeze(1).bmm(core).squeeze(1);                     // [B, k]
        var y = Project(xum, v, scenario);                                  // [B, out]
        return b is null ? y : y + Bias(b, scenario);
    }

    /// <summary>The adapter's update DN(u) (before the skip connection).</summary>
    public Tensor Update(Tensor h, Tensor coreDown, Tensor coreUp, Tensor scenario)
    {
        var down = Generated(h, u_down, coreDown, v_down, b_down, scenario);
        var a = activation == HamurActivation.Sigmoid ? functional.sigmoid(down) : functional.relu(down);
        var up = Generated(a, u_up, coreUp, v_up, b_up, scenario);
        if (domain_norm is not null) return domain_norm.call(up, scenario);
        return batch_norm is not null ? batch_norm.call(up) : up;
    }

    /// <summary>h + DN(u): the adapter cell with its skip connection.</summary>
    public Tensor Apply(Tensor h, Tensor coreDown, Tensor coreUp, Tensor scenario) => h + Update(h, coreDown, coreUp, scenario);
}

/// <summary>HAMUR over the DNN backbone. Components: embeddings, backbone, generators (the hyper-network), adapters (U, V,
/// b), normalisation (the adapters' norms).</summary>
public sealed class HamurModel : ScenarioModel, IComponentCounted
{
    public const string KindName = "HAMUR";

    private readonly FieldEmbedding embedding;
    private readonly Mlp backbone;
    private readonly Mlp hyper_network;
    private readonly ModuleList<HamurAdapter> adapters;
    private readonly int[] adapterAt;      // hidden layer -> adapter index, -1 = none
    private readonly HamurConfig config;
    private readonly FeatureSpec features;

    public override string Kind => KindName;
    public override FeatureSpec Features => features;
    public override ModelConfig Config => config;

    /// <inheritdoc/>
    public override string? ShardingObstacle => config.AdapterNorm switch
    {
        HamurNorm.DomainNorm => "the adapters' domain norm uses the statistics of each scenario's rows in the whole batch (and updates running statistics from them)",
        HamurNorm.WholeBatch => "the adapters' normalisation uses the statistics of the whole batch",
        _ => null,
    };

    /// <summary>The adapter cells, in backbone order.</summary>
    public IReadOnlyList<HamurAdapter> Adapters => adapters.ToArray();

    /// <summary>The hyper-network (its output layer generates the cores).</summary>
    public Mlp HyperNetwork => hyper_network;

    public HamurModel(FeatureSpec features, HamurConfig config, Device? device = null) : base(nameof(HamurModel))
    {
        config.Validate(features);
        this.features = features;
        this.config = config;
        embedding = new FieldEmbedding(features, config.EmbeddingDim, config.EmbeddingInitStd, config.ClampUnknownIdsToOov);
        backbone = new Mlp(config.InputDim(features), config.HiddenSizes, 1);
        var k = config.RankK;
        hyper_network = new Mlp(config.HyperInputDim(features), config.HyperHiddenSizes, config.CoreCount * k * k);
        adapters = new ModuleList<HamurAdapter>();
        adapterAt = Enumerable.Repeat(-1, config.HiddenSizes.Count).ToArray();
        foreach (var l in config.EffectiveAdapterLayers)
        {
            adapterAt[l] = adapters.Count;
            adapters.Add(new HamurAdapter(config.HiddenSizes[l], features.ScenarioCount, config));
        }
        RegisterComponents();
        if (device is not null) this.to(device);
    }

    /// <summary>The generated cores M [B, C, k, k] of a batch (C = 1, or 2 per adapter with SeparateCores).</summary>
    public Tensor Cores(ModelInput input)
    {
        var emb = embedding.call(input.Categorical);
        return Cores(emb, input.Numeric);
    }

    private Tensor Cores(FieldEmbeddings emb, Tensor? numeric)
    {
        var x = config.HyperInput == HamurHyperInput.All ? emb.BackboneInput(numeric) : emb.Aware;
        return hyper_network.call(x).view(-1, config.CoreCount, config.RankK, config.RankK);
    }

    public override Tensor forward(ModelInput input)
    {
        var emb = embedding.call(input.Categorical);
        var cores = Cores(emb, input.Numeric);
        var scenario = input.Scenario.to_type(ScalarType.Int64);
        var h = emb.BackboneInput(input.Numeric);
        var layers = backbone.HiddenLayers;
        for (var l = 0; l < layers.Count; l++)
        {
            h = functional.relu(layers[l].call(h));
            var a = adapterAt[l];
            if (a < 0) continue;
            var down = cores.select(1, config.SeparateCores ? 2 * a : 0);
            var up = cores.select(1, config.SeparateCores ? 2 * a + 1 : 0);
            h = adapters[a].Apply(h, down, up, scenario);
        }
        return backbone.OutputLayer!.call(h).squeeze(1);
    }

    public IReadOnlyDictionary<string, long> ParameterCounts() => Baseline.Count(this,
        n => n.StartsWith("hyper_network.", StringComparison.Ordinal) ? ModelComponent.Generators
            : n.StartsWith("adapters.", StringComparison.Ordinal)
                ? (n.Contains("_norm.", StringComparison.Ordinal) ? BaselineComponent.Normalisation : BaselineComponent.Adapters)
            : ModelComponent.Backbone,
        ModelComponent.Backbone, ModelComponent.Generators, BaselineComponent.Adapters, BaselineComponent.Normalisation);

    /// <summary>With S scenarios, F = S (ScenarioSpecificFactors) or 1, k = RankK, r = AdapterBottleneck, C cores, adapters on
    /// widths d_a:
    ///   backbone      = mlp(d_in, hidden..., 1)
    ///   generators    = mlp(d_hyper, HyperHiddenSizes..., C k^2)
    ///   adapters      = sum_a F (d_a k + k r + r + r k + k d_a + [AdapterNorm = None] d_a)
    ///   normalisation = sum_a (2 d_a + 2 S d_a) [DomainNorm], 2 d_a [WholeBatch], 0 [None].</summary>
    public static IReadOnlyDictionary<string, long> Formula(FeatureSpec features, HamurConfig config)
    {
        long S = features.ScenarioCount, F = config.ScenarioSpecificFactors ? S : 1, k = config.RankK, r = config.AdapterBottleneck;
        long adapters = 0, norm = 0;
        foreach (var l in config.EffectiveAdapterLayers)
        {
            long d = config.HiddenSizes[l];
            adapters += F * (d * k + k * r + r + r * k + k * d + (config.AdapterNorm == HamurNorm.None ? d : 0));
            norm += config.AdapterNorm switch { HamurNorm.DomainNorm => 2 * d + 2 * S * d, HamurNorm.WholeBatch => 2 * d, _ => 0 };
        }
        return Baseline.WithTotal(new()
        {
            [ModelComponent.Embeddings] = Baseline.EmbeddingCount(features, config),
            [ModelComponent.Backbone] = Baseline.MlpCount(config.InputDim(features), config.HiddenSizes, 1),
            [ModelComponent.Generators] = Baseline.MlpCount(config.HyperInputDim(features), config.HyperHiddenSizes, config.CoreCount * k * k),
            [BaselineComponent.Adapters] = adapters,
            [BaselineComponent.Normalisation] = norm,
        });
    }
}
