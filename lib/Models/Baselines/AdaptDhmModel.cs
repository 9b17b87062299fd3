// AdaptDHM (Li, Zheng, Liu, Lu, Wu, Hu, "AdaptDHM: Adaptive Distribution Hierarchical Model for Multi-Domain CTR
// Prediction", arXiv 2211.12105, 2022 / 2023). Samples are not routed by their scenario but by the distribution they
// belong to: a distribution adaptation module keeps K cluster centres c_j (unit vectors, not trained by gradient) and
// a customised dynamic routing (capsule-style) assigns every sample to a cluster; each cluster has its own route on top
// of the shared network (the hierarchical structure: shared part, then cluster-specific part).
// The routing, in the paper's names (x_i = the sample's embedding, detached; c_j = cluster centre j):
//   s_ij = x_i · c_j                       (similarity)
//   r_ij = softmax_j(s_ij)                 (distribution coefficient of sample i for cluster j)
//   training, `RoutingIterations` times:  c_j <- normalise(beta c_j + (1 - beta) sum_i r_ij x_i)
//                                          (then s_ij, r_ij again with the updated centres)
//   route_i = argmax_j r_ij                (Routing = Hard, the paper) or the r_i-weighted mixture (Routing = Soft)
// Our reading of the equations follows the paper's description of the routing (similarity, softmax coefficient,
// momentum-averaged and L2-normalised centres, argmax assignment) as Scenario-Wise-Rec's adaptdhm.py implements it
// (cal_router: 3 iterations, beta = 0.9 in its scripts); only the abstract of the paper could be consulted here, so the
// exact form of the centre update is the reference's, made an option (`CentroidUpdate`).
// The hierarchical network (Structure = Star, default, as the reference): every layer l of the FCN d_in -> hidden... -> 1
//   W_l = W_l^shared ⊙ W_l^(k),  b_l = b_l^shared + b_l^(k)   (k = the sample's cluster; STAR's star topology)
// or (Structure = SharedBottom) a shared bottom MLP followed by one tower per cluster.
// The centres are state, not parameters: a buffer "centroids" (saved with the weights). They change only in training,
// and only after the optimiser step: a training forward computes the batch's updated centres (pending) and routes with
// them; ITrainingStepAware.OnStep commits them. Evaluation (model.eval()) routes with the committed centres and never
// changes them. For data-parallel steps the batch's update is computed once on the whole batch
// (PrepareBatch) and every shard routes with it, so the sharded step equals the batch step exactly.
// Hyper-parameters (AdaptDhmConfig): Clusters (K = 3), Routing (Hard), CentroidUpdate (RoutingSum), CentroidMomentum
// (beta = 0.9), RoutingIterations (3), Structure (Star), BottomSizes / TowerSizes (SharedBottom only), and for Star
// Initialisation (SharedStart: W^(k) = 1, b^(k) = 0, every cluster starts as the shared network; Xavier: W^shared and
// W^(k) Xavier-uniform with ReLU gain, the reference's adaptdhm.py:45,61) and Biases (true; false = no bias in any
// layer, what the reference computes: its biases are created but never used, adaptdhm.py:104-106).
// "Same backbone sizes": the Star structure's FCN is the backbone d_in -> 128 -> 64 -> 32 -> 1 for every cluster.
using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models.Baselines;

/// <summary>How a sample's cluster routes combine.</summary>
public enum AdaptDhmRouting
{
    /// <summary>The sample uses its most similar cluster's route only (argmax_j r_ij; the paper). Default.</summary>
    Hard,
    /// <summary>The logits of all routes weighted by r_ij (no gradient through r: the centres are state).</summary>
    Soft,
}

/// <summary>How the cluster centres follow the data during training.</summary>
public enum AdaptDhmCentroidUpdate
{
    /// <summary>c_j &lt;- normalise(beta c_j + (1 - beta) sum_i r_ij x_i): the dynamic routing update as
    /// Scenario-Wise-Rec implements it (a sum over the batch, so with large batches beta matters little). Default.</summary>
    RoutingSum,
    /// <summary>c_j &lt;- normalise(beta c_j + (1 - beta) sum_i r_ij x_i / sum_i r_ij): a soft k-means moving average,
    /// independent of the batch size.</summary>
    RoutingMean,
    /// <summary>The centres stay at their random initialisation (an ablation: routing by fixed random directions).</summary>
    Frozen,
}

/// <summary>The network that the clusters share and specialise.</summary>
public enum AdaptDhmStructure
{
    /// <summary>Every FCN layer W^shared ⊙ W^(k), b^shared + b^(k) (the hierarchical structure, as the reference). Default.</summary>
    Star,
    /// <summary>A shared bottom MLP (BottomSizes), then one tower per cluster (TowerSizes, then one logit).</summary>
    SharedBottom,
}

/// <summary>How the Star structure's weights start.</summary>
public enum AdaptDhmInitialisation
{
    /// <summary>W^shared, b^shared as nn.Linear's default; W^(k) = 1, b^(k) = 0, so every cluster starts as the shared
    /// network. Default (decision).</summary>
    SharedStart,
    /// <summary>W^shared and every W^(k) Xavier-uniform with ReLU gain sqrt(2) (Scenario-Wise-Rec's adaptdhm.py:45,61);
    /// biases 0. The product W^shared ⊙ W^(k) then starts far smaller than either factor.</summary>
    Xavier,
}

/// <summary>AdaptDHM settings.</summary>
public sealed record AdaptDhmConfig : ModelConfig
{
    /// <summary>Number of clusters K (decision: 3, Scenario-Wise-Rec's scripts' cluster_num; the paper tunes it).</summary>
    public int Clusters { get; init; } = 3;

    /// <summary>Hard (argmax, the paper) or soft routing.</summary>
    public AdaptDhmRouting Routing { get; init; } = AdaptDhmRouting.Hard;

    /// <summary>The centre update rule (default RoutingSum, the reference's).</summary>
    public AdaptDhmCentroidUpdate CentroidUpdate { get; init; } = AdaptDhmCentroidUpdate.RoutingSum;

    /// <summary>beta, the weight of the old centre in the moving average (decision: 0.9, the reference's scripts).</summary>
    public double CentroidMomentum { get; init; } = 0.9;

    /// <summary>Routing iterations per training batch (each updates the centres once). Decision: 3, the reference's `times`.</summary>
    public int RoutingIterations { get; init; } = 3;

    /// <summary>Star (default) or SharedBottom.</summary>
    public AdaptDhmStructure Structure { get; init; } = AdaptDhmStructure.Star;

    /// <summary>Star only: how W^shared and W^(k) start (default SharedStart).</summary>
    /// (Left out of the serialised config at its default, so runs recorded before the option existed stay reusable.)
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public AdaptDhmInitialisation Initialisation { get; init; } = AdaptDhmInitialisation.SharedStart;

    /// <summary>Star only: b^shared + b^(k) in every layer (null = default = true; false = none, as the reference computes).
    /// Nullable so that the default is left out of the serialised config and runs recorded before the option stay reusable.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Biases { get; init; }

    /// <summary>Whether the Star layers have biases (<see cref="Biases"/> ?? true).</summary>
    [JsonIgnore]
    public bool HasBiases => Biases ?? true;

    /// <summary>SharedBottom only: hidden sizes of the shared bottom. null = HiddenSizes without its last entry (128, 64).</summary>
    public IReadOnlyList<int>? BottomSizes { get; init; }

    /// <summary>SharedBottom only: hidden sizes of each cluster tower before its logit. null = the last hidden size (32).</summary>
    public IReadOnlyList<int>? TowerSizes { get; init; }

    [JsonIgnore]
    public IReadOnlyList<int> EffectiveBottomSizes => BottomSizes ?? Baseline.SharedPart(HiddenSizes);

    [JsonIgnore]
    public IReadOnlyList<int> EffectiveTowerSizes => TowerSizes ?? Baseline.TowerPart(HiddenSizes);

    public override IReadOnlyList<string> Problems(FeatureSpec? features = null)
    {
        var problems = new List<string>(base.Problems(features));
        if (Clusters < 1) problems.Add($"{nameof(Clusters)} must be >= 1; got {Clusters}");
        if (!(CentroidMomentum >= 0 && CentroidMomentum < 1)) problems.Add($"{nameof(CentroidMomentum)} must be in [0, 1); got {CentroidMomentum}");
        if (RoutingIterations < 1) problems.Add($"{nameof(RoutingIterations)} must be >= 1; got {RoutingIterations}");
        if (!Enum.IsDefined(Routing)) problems.Add($"{nameof(Routing)} must be Hard or Soft; got {Routing}");
        if (!Enum.IsDefined(CentroidUpdate)) problems.Add($"{nameof(CentroidUpdate)} must be RoutingSum, RoutingMean or Frozen; got {CentroidUpdate}");
        if (!Enum.IsDefined(Structure)) problems.Add($"{nameof(Structure)} must be Star or SharedBottom; got {Structure}");
        if (!Enum.IsDefined(Initialisation)) problems.Add($"{nameof(Initialisation)} must be SharedStart or Xavier; got {Initialisation}");
        if (Structure == AdaptDhmStructure.Star && (BottomSizes is not null || TowerSizes is not null))
            problems.Add($"{nameof(BottomSizes)} and {nameof(TowerSizes)} apply to Structure = SharedBottom only (Structure = Star uses HiddenSizes)");
        if (Structure == AdaptDhmStructure.SharedBottom && (Initialisation != AdaptDhmInitialisation.SharedStart || !HasBiases))
            problems.Add($"{nameof(Initialisation)} and {nameof(Biases)} apply to Structure = Star only (SharedBottom's MLPs start as nn.Linear and have biases)");
        if (!HasValidHiddenSizes || Structure != AdaptDhmStructure.SharedBottom) return problems;
        Baseline.RequirePositive(problems, nameof(BottomSizes), EffectiveBottomSizes, allowEmpty: false);
        Baseline.RequirePositive(problems, nameof(TowerSizes), EffectiveTowerSizes);
        return problems;
    }
}

/// <summary>One star-topology layer for K clusters at once: input [K, B, in] (one copy per cluster) -> [K, B, out]
/// with W^(k) = shared_weight ⊙ cluster_weight[k], b^(k) = shared_bias + cluster_bias[k] (no bias with biases = false).</summary>
internal sealed class ClusterStarLayer : Module<Tensor, Tensor>
{
    private readonly Parameter shared_weight;    // [in, out]
    private readonly Parameter? shared_bias;     // [out]
    private readonly Parameter cluster_weight;   // [K, in, out]; SharedStart: ones, every cluster starts as the shared layer
    private readonly Parameter? cluster_bias;    // [K, out], zeros

    public ClusterStarLayer(int clusters, int input, int output, AdaptDhmInitialisation initialisation, bool biases) : base(nameof(ClusterStarLayer))
    {
        if (initialisation == AdaptDhmInitialisation.Xavier)
        {
            // Xavier-uniform with ReLU gain: bound = sqrt(2) sqrt(6 / (in + out)), for the shared and every cluster factor.
            var bound = Math.Sqrt(2.0) * Math.Sqrt(6.0 / (input + output));
            shared_weight = Parameter(empty(input, output).uniform_(-bound, bound));
            cluster_weight = Parameter(empty(clusters, input, output).uniform_(-bound, bound));
            if (biases) shared_bias = Parameter(zeros(output));
        }
        else
        {
            var bound = 1.0 / Math.Sqrt(input);   // nn.Linear's default for the shared weights and biases
            shared_weight = Parameter(empty(input, output).uniform_(-bound, bound));
            cluster_weight = Parameter(ones(clusters, input, output));
            if (biases) shared_bias = Parameter(empty(output).uniform_(-bound, bound));
        }
        if (biases) cluster_bias = Parameter(zeros(clusters, output));
        RegisterComponents();
    }

    public override Tensor forward(Tensor h)
    {
        var y = bmm(h, cluster_weight * shared_weight);
        return cluster_bias is null ? y : y + (cluster_bias + shared_bias!).unsqueeze(1);
    }
}

/// <summary>AdaptDHM. Components: embeddings, backbone (the shared weights or bottom), clusters (per-cluster weights or
/// towers). Implements <see cref="ITrainingStepAware"/> (the centre update is committed after each optimiser step).</summary>
public sealed class AdaptDhmModel : ScenarioModel, IComponentCounted, ITrainingStepAware
{
    public const string KindName = "AdaptDHM";

    private readonly FieldEmbedding embedding;
    private readonly ModuleList<ClusterStarLayer>? layers;     // Star
    private readonly Mlp? bottom;                                // SharedBottom
    private readonly ModuleList<Mlp>? towers;                    // SharedBottom
    private readonly AdaptDhmConfig config;
    private readonly FeatureSpec features;
    private Tensor? pending;   // the last training batch's updated centres, committed by OnStep

    public override string Kind => KindName;
    public override FeatureSpec Features => features;
    public override ModelConfig Config => config;

    /// <summary>The committed cluster centres [K, d_in] (a buffer: saved with the weights).</summary>
    public Tensor Centroids => get_buffer("centroids")!;

    public AdaptDhmModel(FeatureSpec features, AdaptDhmConfig config, Device? device = null) : base(nameof(AdaptDhmModel))
    {
        config.Validate(features);
        this.features = features;
        this.config = config;
        embedding = new FieldEmbedding(features, config.EmbeddingDim, config.EmbeddingInitStd, config.ClampUnknownIdsToOov);
        var din = config.InputDim(features);
        var k = config.Clusters;
        if (config.Structure == AdaptDhmStructure.Star)
        {
            layers = new ModuleList<ClusterStarLayer>();
            var width = din;
            foreach (var h in config.HiddenSizes.Append(1))
            {
                layers.Add(new ClusterStarLayer(k, width, h, config.Initialisation, config.HasBiases));
                width = h;
            }
        }
        else
        {
            bottom = new Mlp(din, config.EffectiveBottomSizes);
            towers = new ModuleList<Mlp>();
            for (var j = 0; j < k; j++) towers.Add(new Mlp(bottom.OutputDim, config.EffectiveTowerSizes, 1));
        }
        register_buffer("centroids", functional.normalize(randn(k, din), p: 2, dim: 1));
        RegisterComponents();
        if (device is not null) this.to(device);
    }

    /// <summary>The centres after routing <paramref name="x"/> [B, d] (no gradient) from <paramref name="centroids"/>
    /// [K, d] with <paramref name="config"/>'s rule: RoutingIterations rounds of c_j &lt;- normalise(beta c_j + (1 - beta)
    /// sum_i r_ij x_i) (RoutingMean: divided by sum_i r_ij). Frozen returns the centres unchanged.</summary>
    public static Tensor UpdatedCentroids(Tensor x, Tensor centroids, AdaptDhmConfig config)
    {
        using var _ = no_grad();
        var c = centroids;
        if (config.CentroidUpdate == AdaptDhmCentroidUpdate.Frozen) return c.clone();
        var beta = config.CentroidMomentum;
        for (var t = 0; t < config.RoutingIterations; t++)
        {
            var r = functional.softmax(x.matmul(c.t()), 1);          // r_ij [B, K]
            var pulled = r.t().matmul(x);                             // sum_i r_ij x_i [K, d]
            if (config.CentroidUpdate == AdaptDhmCentroidUpdate.RoutingMean)
                pulled = pulled / r.sum(dim: 0).unsqueeze(1).clamp_min(1e-12);
            c = functional.normalize(beta * c + (1 - beta) * pulled, p: 2, dim: 1);
        }
        return c;
    }

    /// <summary>Distribution coefficients r_ij = softmax_j(x_i · c_j) [B, K] of a batch's routing input with the
    /// committed centres (what evaluation routes with).</summary>
    public Tensor Coefficients(ModelInput input)
    {
        using var _ = no_grad();
        return functional.softmax(RoutingInput(input).matmul(Centroids.t()), 1);
    }

    // x_i: the backbone input [e_ag, e_aw, numeric], detached (the centres are not trained by gradient).
    private Tensor RoutingInput(ModelInput input) => embedding.call(input.Categorical).BackboneInput(input.Numeric).detach();

    private bool UpdatesCentroids => training && config.CentroidUpdate != AdaptDhmCentroidUpdate.Frozen;

    public void OnStep(long step)
    {
        if (pending is null) return;
        using (no_grad()) Centroids.copy_(pending);
        pending.Dispose();
        pending = null;
    }

    public void OnEpoch(int epoch) { }

    private void SetPending(Tensor centres)
    {
        pending?.Dispose();
        pending = centres.detach().clone().DetachFromDisposeScope();
    }

    public override Tensor forward(ModelInput input)
    {
        Tensor? centres = null;
        if (UpdatesCentroids)
        {
            using var _ = no_grad();
            centres = UpdatedCentroids(RoutingInput(input), Centroids, config);
            SetPending(centres);
        }
        return Score(input, centres ?? Centroids);
    }

    /// <summary>Data-parallel steps: the batch's centre update, computed once on the whole batch on the calling thread
    /// (and left pending for OnStep, as the unsharded forward does); every shard routes with it.</summary>
    public override Tensor? PrepareBatch(ModelInput input)
    {
        if (!UpdatesCentroids) return null;
        using var _ = no_grad();
        var centres = UpdatedCentroids(RoutingInput(input), Centroids, config);
        SetPending(centres);
        return centres;
    }

    public override ModelOutput ShardLoss(ModelInput batch, Tensor labels, long start, long length, Tensor? batchState)
    {
        var rows = batch.Slice(start, length);
        var logits = Score(rows, batchState ?? Centroids);
        return Compose(logits, labels.narrow(0, start, length), null, 0.0, null).Scaled(length / (double)batch.BatchSize);
    }

    // Logits [B] of a batch routed with the given centres (never changes state).
    private Tensor Score(ModelInput input, Tensor centres)
    {
        var h1 = embedding.call(input.Categorical).BackboneInput(input.Numeric);
        Tensor r;
        using (no_grad()) r = functional.softmax(h1.detach().matmul(centres.t()), 1);    // r_ij [B, K]
        var all = RouteLogits(h1);                                                      // [B, K]
        return config.Routing == AdaptDhmRouting.Hard
            ? all.gather(1, r.argmax(1, keepdim: true)).squeeze(1)
            : (r * all).sum(1);
    }

    /// <summary>Every cluster's logit for every sample [B, K].</summary>
    private Tensor RouteLogits(Tensor h1)
    {
        if (layers is not null)
        {
            var h = h1.unsqueeze(0).expand(config.Clusters, -1, -1);                         // [K, B, d_in]
            for (var l = 0; l < layers.Count; l++)
            {
                h = layers[l].call(h);
                if (l < layers.Count - 1) h = functional.relu(h);
            }
            return h.squeeze(2).t();
        }
        var b = bottom!.call(h1);
        return stack(towers!.Select(t => t.call(b).squeeze(1)).ToArray(), 1);
    }

    public IReadOnlyDictionary<string, long> ParameterCounts() => Baseline.Count(this,
        n => n.StartsWith("towers.", StringComparison.Ordinal) || n.Contains(".cluster_", StringComparison.Ordinal)
            ? BaselineComponent.Clusters : ModelComponent.Backbone,
        ModelComponent.Backbone, BaselineComponent.Clusters);

    /// <summary>Star: backbone = mlp(d_in, hidden..., 1) (the shared W, b), clusters = K mlp(d_in, hidden..., 1); without
    /// biases each less sum(hidden) + 1.
    /// SharedBottom: backbone = mlp(d_in, bottom..., none), clusters = K mlp(bottom_L, tower..., 1). The centres are a
    /// buffer, not parameters.</summary>
    public static IReadOnlyDictionary<string, long> Formula(FeatureSpec features, AdaptDhmConfig config)
    {
        long k = config.Clusters, din = config.InputDim(features);
        long backbone, clusters;
        if (config.Structure == AdaptDhmStructure.Star)
        {
            backbone = Baseline.MlpCount(din, config.HiddenSizes, 1) - (config.HasBiases ? 0 : config.HiddenSizes.Sum() + 1L);
            clusters = k * backbone;
        }
        else
        {
            var b = config.EffectiveBottomSizes;
            backbone = Baseline.MlpCount(din, b, null);
            clusters = k * Baseline.MlpCount(b[^1], config.EffectiveTowerSizes, 1);
        }
        return Baseline.WithTotal(new()
        {
            [ModelComponent.Embeddings] = Baseline.EmbeddingCount(features, config),
            [ModelComponent.Backbone] = backbone,
            [BaselineComponent.Clusters] = clusters,
        });
    }
}
