// STAR: star-topology FCN (MODELS.md "Baselines"; Sheng et al., "One Model to Serve All: Star
// Topology Adaptive Recommender for Multi-Domain CTR Prediction", CIKM 2021).
//   per FCN layer:  W = W_shared ⊙ W_p,  b = b_shared + b_p   (p = the sample's scenario)
//   partitioned normalisation (PN):  z' = (gamma ⊙ gamma_p) (z - E_p) / sqrt(Var_p + eps) + (beta + beta_p)
//     training: E_p, Var_p = statistics of the batch's scenario-p samples; per-scenario running
//               averages updated with them (momentum as nn.BatchNorm's);
//     evaluation: the running averages of the sample's scenario (one sample's output is then
//               independent of the rest of the batch).
//   auxiliary network on the scenario embedding e_aw; its logit is added to the main logit.
// Where PN is applied (the paper's Fig. 2 normalises the concatenated embeddings before the FCN):
// PnPlacement.Input (default) normalises h1 = [e_ag, e_aw, numeric]; PnPlacement.InputAndHidden also
// normalises every hidden layer's pre-activation; PnPlacement.None switches PN off.
// Decisions (StarConfig): W_p initialised to ones (ScenarioWeightInitStd adds noise) and b_p to zeros (every scenario starts as the shared
// network, as in the public STAR descriptions); W_shared, b_shared as nn.Linear's default; the logit
// layer is star-topology too (StarOutputLayer); scenarios with fewer than PnMinBatchCount samples in a
// training batch are normalised with their running statistics and do not update them.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models.Baselines;

/// <summary>Where STAR's partitioned normalisation is applied.</summary>
public enum PnPlacement
{
    /// <summary>No partitioned normalisation.</summary>
    None,
    /// <summary>On the FCN input h1 (the paper's Fig. 2). Default.</summary>
    Input,
    /// <summary>On h1 and on every hidden layer's pre-activation.</summary>
    InputAndHidden,
}

/// <summary>STAR settings.</summary>
public sealed record StarConfig : ModelConfig
{
    /// <summary>Hidden sizes of the auxiliary network on e_aw (then a linear layer to one logit). Decision: [32].</summary>
    public IReadOnlyList<int> AuxiliaryHiddenSizes { get; init; } = [32];

    /// <summary>Add the auxiliary network's logit to the main logit (the paper: yes).</summary>
    public bool UseAuxiliaryNetwork { get; init; } = true;

    /// <summary>Where partitioned normalisation is applied.</summary>
    public PnPlacement PnPlacement { get; init; } = PnPlacement.Input;

    /// <summary>Running-average momentum: running = (1 - m) running + m batch (nn.BatchNorm's convention, 0.1).</summary>
    public double PnMomentum { get; init; } = 0.1;

    /// <summary>eps in sqrt(Var + eps) (nn.BatchNorm's 1e-5).</summary>
    public double PnEps { get; init; } = 1e-5;

    /// <summary>A scenario needs at least this many samples in a training batch to be normalised with (and to update)
    /// batch statistics; otherwise its running statistics are used. Default 2.</summary>
    public int PnMinBatchCount { get; init; } = 2;

    /// <summary>W_p starts at 1 + N(0, ScenarioWeightInitStd^2); 0 (default) = exactly 1, every scenario starting as the shared FCN.</summary>
    public double ScenarioWeightInitStd { get; init; }

    /// <summary>The logit layer is a star-topology layer as well (W_shared ⊙ W_p). Default true.</summary>
    public bool StarOutputLayer { get; init; } = true;

    /// <summary>Which STAR: the paper's (default), or Scenario-Wise-Rec's (<see cref="ScenarioWiseRecStar"/>: whole-batch
    /// normalisation, a BatchNorm and ReLU after every layer of every scenario's path, the auxiliary network on all
    /// features), for the side-by-side comparison with that implementation. That flavour fixes its own normalisation,
    /// initialisation and logit layer: the Pn* settings, ScenarioWeightInitStd and StarOutputLayer must keep their defaults.</summary>
    public StarFlavour Flavour { get; init; } = StarFlavour.Paper;

    public override IReadOnlyList<string> Problems(FeatureSpec? features = null)
    {
        var problems = new List<string>(base.Problems(features));
        Baseline.RequirePositive(problems, nameof(AuxiliaryHiddenSizes), AuxiliaryHiddenSizes);
        if (!(PnMomentum > 0 && PnMomentum <= 1)) problems.Add($"{nameof(PnMomentum)} must be in (0, 1]; got {PnMomentum}");
        if (!(PnEps > 0)) problems.Add($"{nameof(PnEps)} must be > 0; got {PnEps}");
        if (!(ScenarioWeightInitStd >= 0)) problems.Add($"{nameof(ScenarioWeightInitStd)} must be >= 0; got {ScenarioWeightInitStd}");
        if (PnMinBatchCount < 2) problems.Add($"{nameof(PnMinBatchCount)} must be >= 2 (the variance of one sample is undefined); got {PnMinBatchCount}");
        if (!Enum.IsDefined(Flavour)) problems.Add($"{nameof(Flavour)} must be Paper or ScenarioWiseRec; got {Flavour}");
        if (Flavour == StarFlavour.ScenarioWiseRec)
        {
            var paper = new StarConfig();
            if (PnPlacement != paper.PnPlacement || PnMomentum != paper.PnMomentum || PnEps != paper.PnEps || PnMinBatchCount != paper.PnMinBatchCount
                || ScenarioWeightInitStd != paper.ScenarioWeightInitStd || StarOutputLayer != paper.StarOutputLayer || !UseAuxiliaryNetwork)
                problems.Add($"{nameof(Flavour)} = ScenarioWiseRec fixes its normalisation, initialisation, logit layer and auxiliary network: " +
                             "leave PnPlacement, PnMomentum, PnEps, PnMinBatchCount, ScenarioWeightInitStd, StarOutputLayer and UseAuxiliaryNetwork at their defaults");
        }
        return problems;
    }
}

/// <summary>
/// Partitioned normalisation over d features with S scenarios. Parameters gamma, beta [d] (shared) and
/// scenario_gamma, scenario_beta [S, d]; buffers running_mean [S, d], running_var [S, d] (unbiased, as BatchNorm).
/// </summary>
public sealed class PartitionedNorm : Module<Tensor, Tensor, Tensor>
{
    private readonly Parameter gamma, beta, scenario_gamma, scenario_beta;
    private readonly double momentum, eps;
    private readonly int minCount;
    private readonly int scenarios;

    public PartitionedNorm(int dim, int scenarios, double momentum, double eps, int minCount) : base(nameof(PartitionedNorm))
    {
        this.scenarios = scenarios;
        this.momentum = momentum;
        this.eps = eps;
        this.minCount = minCount;
        gamma = Parameter(ones(dim));
        beta = Parameter(zeros(dim));
        scenario_gamma = Parameter(ones(scenarios, dim));
        scenario_beta = Parameter(zeros(scenarios, dim));
        register_buffer("running_mean", zeros(scenarios, dim));
        register_buffer("running_var", ones(scenarios, dim));
        RegisterComponents();
    }

    /// <summary>Per-scenario running means [S, d].</summary>
    public Tensor RunningMean => get_buffer("running_mean")!;

    /// <summary>Per-scenario running (unbiased) variances [S, d].</summary>
    public Tensor RunningVar => get_buffer("running_var")!;

    public override Tensor forward(Tensor z, Tensor scenario)
    {
        var index = scenario.to_type(ScalarType.Int64);
        Tensor mean, variance;
        if (training)
        {
            var mask = functional.one_hot(index, scenarios).to_type(z.dtype);                      // [B, S]
            var count = mask.sum(0, keepdim: false);                                                               // [S]
            var batchMean = mask.t().matmul(z) / count.clamp_min(1).unsqueeze(1);                  // [S, d]
            var centred = z - batchMean.index_select(0, index);
            var biasedVar = mask.t().matmul(centred * centred) / count.clamp_min(1).unsqueeze(1);  // [S, d]
            var enough = count.ge(minCount).unsqueeze(1);                                          // [S, 1]
            using (no_grad())
            {
                var unbiased = biasedVar * (count / (count - 1).clamp_min(1)).unsqueeze(1);
                var m = momentum;
                RunningMean.copy_(where(enough, RunningMean * (1 - m) + batchMean.detach() * m, RunningMean));
                RunningVar.copy_(where(enough, RunningVar * (1 - m) + unbiased.detach() * m, RunningVar));
            }
            mean = where(enough, batchMean, RunningMean);
            variance = where(enough, biasedVar, RunningVar);
        }
        else
        {
            mean = RunningMean;
            variance = RunningVar;
        }
        var normalised = (z - mean.index_select(0, index)) * (variance.index_select(0, index) + eps).rsqrt();
        var scale = gamma * scenario_gamma.index_select(0, index);
        var shift = beta + scenario_beta.index_select(0, index);
        return scale * normalised + shift;
    }
}

/// <summary>One star-topology layer: y = h (W_shared ⊙ W_p) + b_shared + b_p, computed for all scenarios and
/// picked per sample (no per-sample d_m x d_n matrix).</summary>
public sealed class StarLayer : Module<Tensor, Tensor, Tensor>
{
    private readonly Parameter shared_weight, shared_bias, scenario_weight, scenario_bias;

    public StarLayer(int dm, int dn, int scenarios, double scenarioInitStd = 0) : base(nameof(StarLayer))
    {
        var bound = 1.0 / Math.Sqrt(dm);
        shared_weight = Parameter(empty(dm, dn).uniform_(-bound, bound));
        shared_bias = Parameter(empty(dn).uniform_(-bound, bound));
        scenario_weight = Parameter(scenarioInitStd > 0 ? empty(scenarios, dm, dn).normal_(1, scenarioInitStd) : ones(scenarios, dm, dn));
        scenario_bias = Parameter(zeros(scenarios, dn));
        RegisterComponents();
    }

    public override Tensor forward(Tensor h, Tensor scenario)
    {
        var index = scenario.to_type(ScalarType.Int64);
        var weights = shared_weight.unsqueeze(0) * scenario_weight;      // [S, d_m, d_n]: W_shared ⊙ W_p
        var all = einsum("bi,sij->bsj", h, weights);                      // [B, S, d_n]
        return Baseline.PickScenario(all, index) + shared_bias + scenario_bias.index_select(0, index);
    }
}

/// <summary>STAR. Components: embeddings, backbone (shared W, b), scenario_specific (W_p, b_p), normalisation, auxiliary.</summary>
public sealed class StarModel : ScenarioModel, IComponentCounted
{
    public const string KindName = "STAR";

    private readonly FieldEmbedding embedding;
    private readonly ModuleList<StarLayer> layers;
    private readonly ModuleList<PartitionedNorm> norms;   // [input, hidden 1, ...] as PnPlacement says
    private readonly StarLayer? star_output;
    private readonly Linear? linear_output;
    private readonly Mlp? auxiliary;
    private readonly ScenarioWiseRecStar? reference_star;   // StarFlavour.ScenarioWiseRec: the whole network but the embeddings
    private readonly StarConfig config;
    private readonly FeatureSpec features;

    public override string Kind => KindName;
    public override FeatureSpec Features => features;
    public override ModelConfig Config => config;

    /// <inheritdoc/>
    public override string? ShardingObstacle => config.Flavour == StarFlavour.ScenarioWiseRec
        ? "Scenario-Wise-Rec's STAR normalises with the statistics of the whole batch"
        : config.PnPlacement == PnPlacement.None ? null
        : "partitioned normalisation uses the statistics of each scenario's rows in the whole batch (and updates running statistics from them)";

    /// <summary>The PN modules (first: the input's; then the hidden layers' for InputAndHidden).</summary>
    public IReadOnlyList<PartitionedNorm> Norms => norms.ToArray();

    public StarModel(FeatureSpec features, StarConfig config, Device? device = null) : base(nameof(StarModel))
    {
        config.Validate(features);
        this.features = features;
        this.config = config;
        var S = features.ScenarioCount;
        embedding = new FieldEmbedding(features, config.EmbeddingDim, config.EmbeddingInitStd, config.ClampUnknownIdsToOov);
        layers = new ModuleList<StarLayer>();
        norms = new ModuleList<PartitionedNorm>();
        var width = config.InputDim(features);
        if (config.Flavour == StarFlavour.ScenarioWiseRec)
        {
            reference_star = new ScenarioWiseRecStar(width, config.HiddenSizes, config.AuxiliaryHiddenSizes, S);
            RegisterComponents();
            if (device is not null) this.to(device);
            return;
        }
        if (config.PnPlacement != PnPlacement.None) norms.Add(Norm(width, S, config));
        foreach (var h in config.HiddenSizes)
        {
            layers.Add(new StarLayer(width, h, S, config.ScenarioWeightInitStd));
            if (config.PnPlacement == PnPlacement.InputAndHidden) norms.Add(Norm(h, S, config));
            width = h;
        }
        if (config.StarOutputLayer) star_output = new StarLayer(width, 1, S, config.ScenarioWeightInitStd);
        else linear_output = Linear(width, 1);
        if (config.UseAuxiliaryNetwork) auxiliary = new Mlp(config.AwareDim(features), config.AuxiliaryHiddenSizes, 1);
        RegisterComponents();
        if (device is not null) this.to(device);
    }

    private static PartitionedNorm Norm(int dim, int scenarios, StarConfig c) => new(dim, scenarios, c.PnMomentum, c.PnEps, c.PnMinBatchCount);

    public override Tensor forward(ModelInput input)
    {
        var emb = embedding.call(input.Categorical);
        var h = emb.BackboneInput(input.Numeric);
        if (reference_star is not null) return reference_star.call(h, input.Scenario);
        var n = 0;
        if (config.PnPlacement != PnPlacement.None) h = norms[n++].call(h, input.Scenario);
        foreach (var layer in layers)
        {
            h = layer.call(h, input.Scenario);
            if (config.PnPlacement == PnPlacement.InputAndHidden) h = norms[n++].call(h, input.Scenario);
            h = functional.relu(h);
        }
        var logit = (star_output is not null ? star_output.call(h, input.Scenario) : linear_output!.call(h)).squeeze(1);
        return auxiliary is null ? logit : logit + auxiliary.call(emb.Aware).squeeze(1);
    }

    public IReadOnlyDictionary<string, long> ParameterCounts() => Baseline.Count(this, Classify,
        ModelComponent.Backbone, BaselineComponent.ScenarioSpecific, BaselineComponent.Normalisation, BaselineComponent.Auxiliary);

    private static string Classify(string name) =>
        name.StartsWith("norms.", StringComparison.Ordinal) || name.StartsWith("reference_star.norm_", StringComparison.Ordinal)
            || name.StartsWith("reference_star.path_norms.", StringComparison.Ordinal) ? BaselineComponent.Normalisation
        : name.StartsWith("auxiliary.", StringComparison.Ordinal) || name.StartsWith("reference_star.auxiliary.", StringComparison.Ordinal) ? BaselineComponent.Auxiliary
        : name.Contains("scenario_", StringComparison.Ordinal) ? BaselineComponent.ScenarioSpecific
        : ModelComponent.Backbone;

    /// <summary>With S scenarios and FCN layers (d_m, d_n) (the logit layer included when star):
    ///   backbone = sum (d_m d_n + d_n);  scenario_specific = S sum (d_m d_n + d_n);
    ///   normalisation = sum_{normalised widths d} (2 d + 2 S d);  auxiliary = mlp(d_aw, aux..., 1).</summary>
    public static IReadOnlyDictionary<string, long> Formula(FeatureSpec features, StarConfig config)
    {
        if (config.Flavour == StarFlavour.ScenarioWiseRec)
        {
            var (b, sp, n, a) = ScenarioWiseRecStar.Formula(config.InputDim(features), config.HiddenSizes, config.AuxiliaryHiddenSizes, features.ScenarioCount);
            return Baseline.WithTotal(new()
            {
                [ModelComponent.Embeddings] = Baseline.EmbeddingCount(features, config),
                [ModelComponent.Backbone] = b, [BaselineComponent.ScenarioSpecific] = sp, [BaselineComponent.Normalisation] = n, [BaselineComponent.Auxiliary] = a,
            });
        }
        long S = features.ScenarioCount, backbone = 0, specific = 0, norm = 0;
        long width = config.InputDim(features);
        if (config.PnPlacement != PnPlacement.None) norm += 2 * width * (1 + S);
        foreach (var h in config.HiddenSizes)
        {
            backbone += width * h + h;
            specific += S * (width * h + h);
            if (config.PnPlacement == PnPlacement.InputAndHidden) norm += 2L * h * (1 + S);
            width = h;
        }
        backbone += width + 1;
        if (config.StarOutputLayer) specific += S * (width + 1);
        return Baseline.WithTotal(new()
        {
            [ModelComponent.Embeddings] = Baseline.EmbeddingCount(features, config),
            [ModelComponent.Backbone] = backbone,
            [BaselineComponent.ScenarioSpecific] = specific,
            [BaselineComponent.Normalisation] = norm,
            [BaselineComponent.Auxiliary] = config.UseAuxiliaryNetwork ? Baseline.MlpCount(config.AwareDim(features), config.AuxiliaryHiddenSizes, 1) : 0,
        });
    }
}
