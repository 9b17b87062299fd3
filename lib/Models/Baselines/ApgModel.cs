// APG (MODELS.md "Baselines"; Yan et al., "APG: Adaptive Parameter Generation Network for
// Click-Through Rate Prediction", NeurIPS 2022). Every hidden layer's weight is generated per sample in
// low-rank form W(z) = U S(z) V, with U in R^{d_m x k} and V in R^{k x d_n} learned and shared and the
// k x k core S(z) generated from the scenario representation z (= e_aw, the scenario-aware embeddings):
//   h_{l+1} = ReLU(((h_l U) S(z)) V + b)        (decomposed feed-forward: never a d_m x d_n matrix)
// Over-parameterisation (option): U = U_l U_r (d_m x p, p x k), V = V_l V_r (k x p, p x d_n) with inner size
// p, trained factored (can be merged after training). The logit layer is a plain Linear (decision).
// Rank k is configurable; ApgAlignment.RankForBudget picks k to match a parameter budget (the low-rank
// sweep of the MI-DPG paper, section 3.5.1).
// Initialisation (decision): U, V ~ N(0, 1/fan_in) (fan_in = d_m for U, k for V; the factored halves
// likewise), biases 0, core generator: one hidden layer (CoreHidden, ReLU) with nn.Linear's default init;
// CoreIdentityOffset adds I to S(z) so every sample starts near the shared low-rank layer U V.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models.Baselines;

/// <summary>APG settings.</summary>
public sealed record ApgConfig : ModelConfig
{
    /// <summary>k: rank of W = U S(z) V (the same for every hidden layer). Decision: 8.</summary>
    public int RankK { get; init; } = 8;

    /// <summary>Hidden width of each core generator (z -> k x k). Decision: 64.</summary>
    public int CoreHidden { get; init; } = 64;

    /// <summary>Factor U = U_l U_r and V = V_l V_r during training (the paper's over-parameterisation). Default false.</summary>
    public bool OverParameterize { get; init; }

    /// <summary>p: inner size of the over-parameterised factors (p &gt;= k). Decision: 32.</summary>
    public int OverParameterizationSize { get; init; } = 32;

    /// <summary>S(z) = I + G(z) instead of G(z). Default false (the paper's S(z)).</summary>
    public bool CoreIdentityOffset { get; init; }

    public override IReadOnlyList<string> Problems(FeatureSpec? features = null)
    {
        var problems = new List<string>(base.Problems(features));
        Baseline.RequirePositive(problems, nameof(RankK), RankK);
        Baseline.RequirePositive(problems, nameof(CoreHidden), CoreHidden);
        if (OverParameterize && OverParameterizationSize < RankK)
            problems.Add($"{nameof(OverParameterizationSize)} (p) must be >= {nameof(RankK)} (k = {RankK}) when over-parameterising; got {OverParameterizationSize}");
        return problems;
    }
}

/// <summary>One APG layer: y = ((h U) S(z)) V + b.</summary>
public sealed class ApgLayer : Module<Tensor, Tensor, Tensor>
{
    private readonly Parameter? u, v, u_left, u_right, v_left, v_right;
    private readonly Parameter bias;
    private readonly Mlp generator_core;
    private readonly int k;
    private readonly bool identityOffset;

    public ApgLayer(int dm, int dn, int zDim, ApgConfig config) : base(nameof(ApgLayer))
    {
        k = config.RankK;
        identityOffset = config.CoreIdentityOffset;
        static Parameter Normal(long rows, long cols) => Parameter(empty(rows, cols).normal_(0, 1 / Math.Sqrt(rows)));
        if (config.OverParameterize)
        {
            var p = config.OverParameterizationSize;
            u_left = Normal(dm, p); u_right = Normal(p, k);
            v_left = Normal(k, p); v_right = Normal(p, dn);
        }
        else
        {
            u = Normal(dm, k);
            v = Normal(k, dn);
        }
        bias = Parameter(zeros(dn));
        generator_core = new Mlp(zDim, [config.CoreHidden], k * k);
        RegisterComponents();
    }

    /// <summary>The generated cores S(z) [B, k, k].</summary>
    public Tensor Core(Tensor z)
    {
        var core = generator_core.call(z).view(-1, k, k);
        return identityOffset ? core + eye(k, dtype: core.dtype, device: core.device) : core;
    }

    public override Tensor forward(Tensor h, Tensor z)
    {
        var hu = u is not null ? h.matmul(u) : h.matmul(u_left!).matmul(u_right!);          // [B, k]
        var hus = hu.unsqueeze(1).bmm(Core(z)).squeeze(1);                                   // [B, k]
        var y = v is not null ? hus.matmul(v) : hus.matmul(v_left!).matmul(v_right!);       // [B, d_n]
        return y + bias;
    }
}

/// <summary>APG. Components: embeddings, backbone (U, V and biases, the logit layer), generators (the core generators).</summary>
public sealed class ApgModel : ScenarioModel, IComponentCounted
{
    public const string KindName = "APG";

    private readonly FieldEmbedding embedding;
    private readonly ModuleList<ApgLayer> layers;
    private readonly Linear output;
    private readonly ApgConfig config;
    private readonly FeatureSpec features;

    public override string Kind => KindName;
    public override FeatureSpec Features => features;
    public override ModelConfig Config => config;

    public IReadOnlyList<ApgLayer> Layers => layers.ToArray();

    public ApgModel(FeatureSpec features, ApgConfig config, Device? device = null) : base(nameof(ApgModel))
    {
        config.Validate(features);
        this.features = features;
        this.config = config;
        embedding = new FieldEmbedding(features, config.EmbeddingDim, config.EmbeddingInitStd, config.ClampUnknownIdsToOov);
        layers = new ModuleList<ApgLayer>();
        var width = config.InputDim(features);
        foreach (var h in config.HiddenSizes)
        {
            layers.Add(new ApgLayer(width, h, config.AwareDim(features), config));
            width = h;
        }
        output = Linear(width, 1);
        RegisterComponents();
        if (device is not null) this.to(device);
    }

    public override Tensor forward(ModelInput input)
    {
        var emb = embedding.call(input.Categorical);
        var z = emb.Aware;
        var h = emb.BackboneInput(input.Numeric);
        foreach (var layer in layers) h = functional.relu(layer.call(h, z));
        return output.call(h).squeeze(1);
    }

    public IReadOnlyDictionary<string, long> ParameterCounts() => Baseline.Count(this,
        n => n.Contains("generator_", StringComparison.Ordinal) ? ModelComponent.Generators : ModelComponent.Backbone,
        ModelComponent.Backbone, ModelComponent.Generators);

    /// <summary>With k = RankK, H = CoreHidden, p = OverParameterizationSize:
    ///   backbone   = sum_l (d_m k + k d_n + d_n) [over-parameterised: d_m p + p k + k p + p d_n + d_n] + (d_last + 1)
    ///   generators = sum_l mlp(d_aw, H, k^2).</summary>
    public static IReadOnlyDictionary<string, long> Formula(FeatureSpec features, ApgConfig config)
    {
        long k = config.RankK, p = config.OverParameterizationSize, backbone = 0, generators = 0, width = config.InputDim(features);
        foreach (var h in config.HiddenSizes)
        {
            backbone += (config.OverParameterize ? width * p + p * k + k * p + p * h : width * k + k * h) + h;
            generators += Baseline.MlpCount(config.AwareDim(features), [config.CoreHidden], k * k);
            width = h;
        }
        return Baseline.WithTotal(new()
        {
            [ModelComponent.Embeddings] = Baseline.EmbeddingCount(features, config),
            [ModelComponent.Backbone] = backbone + width + 1,
            [ModelComponent.Generators] = generators,
        });
    }
}

/// <summary>Aligns APG's parameter count with another model's (the low-rank sweep, MI-DPG paper 3.5.1).</summary>
public static class ApgAlignment
{
    /// <summary>The rank k (&gt;= 1) whose APG total parameter count (<see cref="ApgModel.Formula"/>, embeddings
    /// included) is closest to <paramref name="parameterBudget"/>; ties go to the smaller k. The count grows
    /// strictly with k, so the search stops once it passes the budget. With over-parameterisation the inner size p
    /// is raised to k where needed (p = max(p, k)).</summary>
    public static int RankForBudget(FeatureSpec features, ApgConfig template, long parameterBudget, int maxRank = 4096)
    {
        long Total(int k) => ApgModel.Formula(features, WithRank(template, k))["total"];
        var best = 1;
        var bestGap = Math.Abs(Total(1) - parameterBudget);
        for (var k = 2; k <= maxRank; k++)
        {
            var total = Total(k);
            var gap = Math.Abs(total - parameterBudget);
            if (gap < bestGap) { best = k; bestGap = gap; }
            if (total > parameterBudget) break;
        }
        return best;
    }

    /// <summary>The template with rank k (and p = max(p, k) when over-parameterised).</summary>
    public static ApgConfig WithRank(ApgConfig template, int k) => template with
    {
        RankK = k,
        OverParameterizationSize = template.OverParameterize ? Math.Max(template.OverParameterizationSize, k) : template.OverParameterizationSize,
    };

    /// <summary>The rank closest to a DPG / MI-DPG config's parameter count (same features), and the APG config with it.</summary>
    public static ApgConfig AlignedWith(FeatureSpec features, ApgConfig template, DpgConfig dpg) =>
        WithRank(template, RankForBudget(features, template, ParameterCount.Formula(features, dpg)["total"]));
}
