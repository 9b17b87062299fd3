// OptMSM (reconstructed from the abstract) — Tang, Qiao, Fu, Lyu, Liu, He, "OptMSM: Optimizing
// Multi-Scenario Modeling for Click-Through Rate Prediction", ECML PKDD 2023 (arXiv 2306.13382).
// Only the abstract could be read (no method section, no code; ../shared/papers/optmsm-method.md), so this
// is "OptMSM (reconstructed from the abstract)" and every table and docstring must call it that. Every
// structural choice below is a named option whose default is the reading of the abstract that changes
// the least (optmsm-method.md section 7; none of the defaults come from the paper):
//   1. feature split: specific = the scenario-aware fields x_aw (option: a named list), shared = the rest;
//   2. specific embedding e_sp = the concatenated specific embeddings (option: a linear projection);
//   3. K shared-information embeddings s_k = P_k(e_shared), K = number of scenarios (option: K free),
//      P_k linear (option: one hidden layer), each of width SharedDim;
//   4. soft orthogonality L_orth = mean_batch sum_{i != j} (ŝ_i · ŝ_j)^2 over the row-normalised s_k
//      (options: ||S Sᵀ - I||_F^2, or the penalty on the projections' weights);
//   5. representation r = [e_sp, s_own(scenario)] (options: all K, attention over K driven by e_sp, sum);
//   6. scenario-specific hypernetwork: an MLP on the scenario representation z = e_sp generates the weights
//      and biases of the prediction tower (HiddenSizes then a logit) per sample (options: only the last
//      layers, low-rank W = U V, a shared base added to the generated weights);
//   7. loss = BCE + lambda_orth L_orth (lambda_orth unknown from the paper; decision 0.1).
// Generated weights are scaled by 1/sqrt(fan_in) (low rank: 1/sqrt(d_m) and 1/sqrt(rank)) so the tower
// starts with activations of the usual scale; this scaling is ours.
using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models.Baselines;

/// <summary>How OptMSM (reconstructed from the abstract) keeps the shared-information embeddings apart.</summary>
public enum OrthogonalityMode
{
    /// <summary>mean_batch sum_{i != j} (ŝ_i · ŝ_j)^2 over row-normalised per-sample vectors. Default.</summary>
    PairwiseCosine,
    /// <summary>mean_batch ||S Sᵀ - I||_F^2 over the raw per-sample vectors.</summary>
    GramIdentity,
    /// <summary>sum_{i != j} cos(w_i, w_j)^2 over the flattened output-layer weights of the K projections.</summary>
    Weights,
}

/// <summary>How the shared-information embeddings join the specific embedding.</summary>
public enum SharedCombination
{
    /// <summary>[e_sp, s_own]: the sample's own scenario's shared embedding (needs K = number of scenarios). Default.</summary>
    OwnScenario,
    /// <summary>[e_sp, s_1, ..., s_K].</summary>
    ConcatAll,
    /// <summary>[e_sp, sum_k a_k s_k], a = softmax(Linear(e_sp)).</summary>
    Attention,
    /// <summary>[e_sp, sum_k s_k].</summary>
    Sum,
}

/// <summary>OptMSM (reconstructed from the abstract) settings; see the model's header for what is ours.</summary>
public sealed record OptMsmConfig : ModelConfig
{
    /// <summary>Names of the scenario-specific fields; null = the scenario-aware fields. The other fields are shared.</summary>
    public IReadOnlyList<string>? SpecificFields { get; init; }

    /// <summary>Width of a linear projection of the specific embeddings; null = no projection (the concatenation).</summary>
    public int? SpecificDim { get; init; }

    /// <summary>K, the number of shared-information embeddings; null = the number of scenarios.</summary>
    public int? SharedCount { get; init; }

    /// <summary>d, the width of each shared-information embedding. Decision: 32.</summary>
    public int SharedDim { get; init; } = 32;

    /// <summary>Hidden width of each shared projection (ReLU); 0 = linear. Default 0.</summary>
    public int SharedHidden { get; init; }

    public OrthogonalityMode Orthogonality { get; init; } = OrthogonalityMode.PairwiseCosine;

    /// <summary>lambda_orth in L = BCE + lambda_orth L_orth. No value is known from the paper; decision 0.1.</summary>
    public double LambdaOrth { get; init; } = 0.1;

    public SharedCombination Combination { get; init; } = SharedCombination.OwnScenario;

    /// <summary>Hidden width of each hypernetwork (one hidden layer, ReLU). Decision: 64.</summary>
    public int HyperHidden { get; init; } = 64;

    /// <summary>0 = generate full weight matrices; r &gt; 0 = generate W = U V with U [d_m, r], V [r, d_n]. Default 0.</summary>
    public int HyperRank { get; init; }

    /// <summary>How many of the tower's last layers (the logit layer counts as one) are generated; null = all.
    /// The others are plain shared Linear layers.</summary>
    public int? GeneratedLayers { get; init; }

    /// <summary>W = W_shared + W_generated(z) (and b likewise) instead of W_generated(z). Default false.</summary>
    public bool HyperSharedBase { get; init; }

    public int EffectiveSharedCount(FeatureSpec f) => SharedCount ?? f.ScenarioCount;

    [JsonIgnore]
    public int EffectiveGeneratedLayers => Math.Min(GeneratedLayers ?? HiddenSizes.Count + 1, HiddenSizes.Count + 1);

    /// <summary>Column indices of the specific fields.</summary>
    public IReadOnlyList<int> SpecificIndices(FeatureSpec f) => SpecificFields is null
        ? f.AwareIndices
        : Enumerable.Range(0, f.FieldCount).Where(i => SpecificFields.Contains(f.Fields[i].Name)).ToArray();

    public IReadOnlyList<int> SharedIndices(FeatureSpec f)
    {
        var specific = SpecificIndices(f).ToHashSet();
        return Enumerable.Range(0, f.FieldCount).Where(i => !specific.Contains(i)).ToArray();
    }

    public int SpecificWidth(FeatureSpec f) => SpecificDim ?? SpecificIndices(f).Count * EmbeddingDim;

    /// <summary>Width of the representation r fed to the tower (numeric fields appended).</summary>
    public int RepresentationWidth(FeatureSpec f) =>
        SpecificWidth(f) + (Combination == SharedCombination.ConcatAll ? EffectiveSharedCount(f) : 1) * SharedDim + f.NumericCount;

    public override IReadOnlyList<string> Problems(FeatureSpec? features = null)
    {
        var problems = new List<string>(base.Problems(features));
        if (SpecificDim is < 1) problems.Add($"{nameof(SpecificDim)} must be >= 1 when set; got {SpecificDim}");
        if (SharedCount is < 1) problems.Add($"{nameof(SharedCount)} (K) must be >= 1 when set; got {SharedCount}");
        Baseline.RequirePositive(problems, nameof(SharedDim), SharedDim);
        if (SharedHidden < 0) problems.Add($"{nameof(SharedHidden)} must be >= 0 (0 = linear); got {SharedHidden}");
        if (!(LambdaOrth >= 0)) problems.Add($"{nameof(LambdaOrth)} must be >= 0; got {LambdaOrth}");
        Baseline.RequirePositive(problems, nameof(HyperHidden), HyperHidden);
        if (HyperRank < 0) problems.Add($"{nameof(HyperRank)} must be >= 0 (0 = full weights); got {HyperRank}");
        if (GeneratedLayers is < 1) problems.Add($"{nameof(GeneratedLayers)} must be >= 1 when set (null = all); got {GeneratedLayers}");
        if (features is null) return problems;
        if (SpecificFields is not null)
            foreach (var name in SpecificFields.Where(n => features.Fields.All(f => f.Name != n)))
                problems.Add($"{nameof(SpecificFields)} names an unknown field '{name}' (fields: {string.Join(", ", features.Fields.Select(f => f.Name))})");
        if (SpecificIndices(features).Count == 0) problems.Add("OptMSM needs at least one scenario-specific field; got none");
        if (SharedIndices(features).Count == 0) problems.Add("OptMSM needs at least one scenario-shared field (the shared-information embeddings are projections of them); got none");
        if (Combination == SharedCombination.OwnScenario && EffectiveSharedCount(features) != features.ScenarioCount)
            problems.Add($"{nameof(Combination)} = OwnScenario needs {nameof(SharedCount)} (K) = the number of scenarios ({features.ScenarioCount}); got {EffectiveSharedCount(features)}");
        return problems;
    }
}

/// <summary>One generated tower layer: y = h W(z) + b(z) with W, b produced by a hypernetwork from z
/// (full or low-rank), optionally added to a shared base layer.</summary>
public sealed class HyperLayer : Module<Tensor, Tensor, Tensor>
{
    private readonly Mlp generator_weights;
    private readonly Linear? shared_base;
    private readonly int dm, dn, rank;

    public HyperLayer(int dm, int dn, int zDim, int hidden, int rank, bool sharedBase) : base(nameof(HyperLayer))
    {
        (this.dm, this.dn, this.rank) = (dm, dn, rank);
        var size = rank == 0 ? dm * dn + dn : dm * rank + rank * dn + dn;
        generator_weights = new Mlp(zDim, [hidden], size);
        if (sharedBase) shared_base = Linear(dm, dn);
        RegisterComponents();
    }

    public override Tensor forward(Tensor h, Tensor z)
    {
        var g = generator_weights.call(z);
        var B = h.shape[0];
        Tensor y;
        if (rank == 0)
        {
            var w = g.narrow(1, 0, dm * dn).view(B, dm, dn) / Math.Sqrt(dm);
            y = h.unsqueeze(1).bmm(w).squeeze(1);
        }
        else
        {
            var u = g.narrow(1, 0, dm * rank).view(B, dm, rank) / Math.Sqrt(dm);
            var v = g.narrow(1, dm * rank, rank * dn).view(B, rank, dn) / Math.Sqrt(rank);
            y = h.unsqueeze(1).bmm(u).bmm(v).squeeze(1);
        }
        y = y + g.narrow(1, g.shape[1] - dn, dn);
        return shared_base is null ? y : y + shared_base.call(h);
    }
}

/// <summary>OptMSM (reconstructed from the abstract). Components: embeddings, projections (specific and shared
/// projections, attention), backbone (tower layers that are not generated), generators (hypernetworks),
/// shared_factors (shared base layers).</summary>
public sealed class OptMsmModel : ScenarioModel, IComponentCounted
{
    /// <summary>The name every table must use.</summary>
    public const string KindName = "OptMSM (reconstructed from the abstract)";

    private readonly FieldEmbedding embedding;
    private readonly Linear? specific_projection;
    private readonly ModuleList<Mlp> shared_projections;
    private readonly Linear? attention;
    private readonly ModuleList<Linear> plain_layers;
    private readonly ModuleList<HyperLayer> hyper_layers;
    private readonly long[] specificIndices, sharedIndices;
    private readonly OptMsmConfig config;
    private readonly FeatureSpec features;

    public override string Kind => KindName;
    public override FeatureSpec Features => features;
    public override ModelConfig Config => config;

    public OptMsmModel(FeatureSpec features, OptMsmConfig config, Device? device = null) : base(nameof(OptMsmModel))
    {
        config.Validate(features);
        this.features = features;
        this.config = config;
        var D = config.EmbeddingDim;
        embedding = new FieldEmbedding(features, D, config.EmbeddingInitStd, config.ClampUnknownIdsToOov);
        specificIndices = config.SpecificIndices(features).Select(i => (long)i).ToArray();
        sharedIndices = config.SharedIndices(features).Select(i => (long)i).ToArray();
        if (config.SpecificDim is { } sd) specific_projection = Linear(specificIndices.Length * D, sd);
        shared_projections = new ModuleList<Mlp>();
        var K = config.EffectiveSharedCount(features);
        int[] hidden = config.SharedHidden > 0 ? [config.SharedHidden] : [];
        for (var k = 0; k < K; k++) shared_projections.Add(new Mlp(sharedIndices.Length * D, hidden, config.SharedDim));
        var zDim = config.SpecificWidth(features);
        if (config.Combination == SharedCombination.Attention) attention = Linear(zDim, K);

        plain_layers = new ModuleList<Linear>();
        hyper_layers = new ModuleList<HyperLayer>();
        var sizes = config.HiddenSizes.Append(1).ToArray();
        var firstGenerated = sizes.Length - config.EffectiveGeneratedLayers;
        var width = config.RepresentationWidth(features);
        for (var l = 0; l < sizes.Length; l++)
        {
            if (l < firstGenerated) plain_layers.Add(Linear(width, sizes[l]));
            else hyper_layers.Add(new HyperLayer(width, sizes[l], zDim, config.HyperHidden, config.HyperRank, config.HyperSharedBase));
            width = sizes[l];
        }
        RegisterComponents();
        if (device is not null) this.to(device);
    }

    /// <summary>Everything one forward pass produces: logits [B], the specific embedding z [B, d_z], the K shared
    /// embeddings [B, K, d] and L_orth.</summary>
    public sealed record OptMsmForward(Tensor Logits, Tensor Specific, Tensor Shared, Tensor Orthogonality);

    public override Tensor forward(ModelInput input) => Run(input).Logits;

    public OptMsmForward Run(ModelInput input)
    {
        var emb = embedding.call(input.Categorical);
        var B = input.BatchSize;
        var specific = Gather(emb.Fields, specificIndices, B);
        if (specific_projection is not null) specific = specific_projection.call(specific);
        var sharedInput = Gather(emb.Fields, sharedIndices, B);
        var shared = stack(shared_projections.Select(p => p.call(sharedInput)).ToArray(), 1);          // [B, K, d]
        var combined = config.Combination switch
        {
            SharedCombination.OwnScenario => Baseline.PickScenario(shared, input.Scenario),
            SharedCombination.ConcatAll => shared.reshape(B, -1),
            SharedCombination.Attention => (functional.softmax(attention!.call(specific), 1).unsqueeze(2) * shared).sum(1),
            _ => shared.sum(1),
        };
        var parts = new List<Tensor> { specific, combined };
        if (input.Numeric is { } numeric && numeric.shape[1] > 0) parts.Add(numeric.to_type(specific.dtype));
        var h = cat(parts.ToArray(), 1);
        var layerCount = plain_layers.Count + hyper_layers.Count;
        for (var l = 0; l < layerCount; l++)
        {
            h = l < plain_layers.Count ? plain_layers[l].call(h) : hyper_layers[l - plain_layers.Count].call(h, specific);
            if (l < layerCount - 1) h = functional.relu(h);
        }
        return new OptMsmForward(h.squeeze(1), specific, shared, Orthogonality(shared));
    }

    /// <summary>L_orth of the configured mode.</summary>
    public Tensor Orthogonality(Tensor shared)
    {
        var K = shared.shape[1];
        switch (config.Orthogonality)
        {
            case OrthogonalityMode.PairwiseCosine:
            {
                var unit = functional.normalize(shared, p: 2, dim: 2);
                var gram = unit.bmm(unit.transpose(1, 2));                                // [B, K, K]
                var offDiagonal = 1 - eye(K, dtype: gram.dtype, device: gram.device);
                return (gram.pow(2) * offDiagonal).sum([1, 2]).mean();
            }
            case OrthogonalityMode.GramIdentity:
            {
                var gram = shared.bmm(shared.transpose(1, 2));
                return (gram - eye(K, dtype: gram.dtype, device: gram.device)).pow(2).sum([1, 2]).mean();
            }
            default:
            {
                var weights = stack(shared_projections.Select(p => p.OutputLayer!.weight!.flatten()).ToArray(), 0);
                var unit = functional.normalize(weights, p: 2, dim: 1);
                var gram = unit.matmul(unit.t());
                var offDiagonal = 1 - eye(K, dtype: gram.dtype, device: gram.device);
                return (gram.pow(2) * offDiagonal).sum();
            }
        }
    }

    /// <summary>L = BCE + lambda_orth L_orth; Terms: "bce", "orth", "total".</summary>
    public override ModelOutput Loss(ModelInput input, Tensor labels)
    {
        var run = Run(input);
        return Compose(run.Logits, labels, run.Orthogonality, config.LambdaOrth, "orth");
    }

    private Tensor Gather(Tensor fields, long[] indices, long batch)
    {
        using var index = tensor(indices, device: fields.device);
        return fields.index_select(1, index).reshape(batch, indices.Length * config.EmbeddingDim);
    }

    public IReadOnlyDictionary<string, long> ParameterCounts() => Baseline.Count(this, Classify,
        BaselineComponent.Projections, ModelComponent.Backbone, ModelComponent.Generators, ModelComponent.SharedFactors);

    private static string Classify(string name) =>
        name.Contains("generator_", StringComparison.Ordinal) ? ModelComponent.Generators
        : name.Contains("shared_base", StringComparison.Ordinal) ? ModelComponent.SharedFactors
        : name.StartsWith("plain_layers.", StringComparison.Ordinal) ? ModelComponent.Backbone
        : BaselineComponent.Projections;

    /// <summary>With D = emb_dim, n_sp / n_sh specific / shared fields, K, d = SharedDim, z = specific width, H = HyperHidden,
    /// tower layers (d_m, d_n) over [HiddenSizes, 1] starting at the representation width:
    ///   projections = [SpecificDim: n_sp D z + z] + K mlp(n_sh D, SharedHidden?, d) + [Attention: z K + K]
    ///   backbone    = sum_{plain layers} (d_m d_n + d_n)
    ///   generators  = sum_{generated layers} mlp(z, H, d_m d_n + d_n)  (low rank r: mlp(z, H, d_m r + r d_n + d_n))
    ///   shared_factors = sum_{generated layers} (d_m d_n + d_n) when HyperSharedBase.</summary>
    public static IReadOnlyDictionary<string, long> Formula(FeatureSpec features, OptMsmConfig config)
    {
        long D = config.EmbeddingDim, nsp = config.SpecificIndices(features).Count, nsh = config.SharedIndices(features).Count;
        long K = config.EffectiveSharedCount(features), z = config.SpecificWidth(features), r = config.HyperRank;
        long projections = (config.SpecificDim is null ? 0 : nsp * D * z + z)
                           + K * Baseline.MlpCount(nsh * D, config.SharedHidden > 0 ? [config.SharedHidden] : [], config.SharedDim)
                           + (config.Combination == SharedCombination.Attention ? z * K + K : 0);
        long backbone = 0, generators = 0, shared = 0, width = config.RepresentationWidth(features);
        var sizes = config.HiddenSizes.Append(1).ToArray();
        var firstGenerated = sizes.Length - config.EffectiveGeneratedLayers;
        for (var l = 0; l < sizes.Length; l++)
        {
            long dn = sizes[l];
            if (l < firstGenerated) backbone += width * dn + dn;
            else
            {
                generators += Baseline.MlpCount(z, [config.HyperHidden], r == 0 ? width * dn + dn : width * r + r * dn + dn);
                if (config.HyperSharedBase) shared += width * dn + dn;
            }
            width = dn;
        }
        return Baseline.WithTotal(new()
        {
            [ModelComponent.Embeddings] = Baseline.EmbeddingCount(features, config),
            [BaselineComponent.Projections] = projections,
            [ModelComponent.Backbone] = backbone,
            [ModelComponent.Generators] = generators,
            [ModelComponent.SharedFactors] = shared,
        });
    }
}
