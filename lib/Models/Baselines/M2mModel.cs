// M2M (Zhang, Liao, Liu, Xu, Zheng, "Leaving No One Behind: A Multi-Scenario Multi-Task Meta Learning Approach for
// Advertiser Modeling", WSDM 2022, arXiv:2201.06814), single task (the conversion label) with the scenarios as the
// meta input. The paper's network (backbone, meta learning mechanism, multi-task loss), in its names:
//   backbone: a transformer layer over the behaviour and performance sequences,
//       MH(X) = concat(head_1, ..., head_h) W^H,  head_i = Attention(X W_i^Q, X W_i^K, X W_i^V),
//     expert views E_i = MLP_i(F) (i = 1..K) of the encoded features F, a task view T_t = MLP(task embedding t)
//     and the scenario knowledge representation S = MLP(scenario features)
//   meta unit: a layer whose weights are generated from S:  W = Reshape(V_W S + c_W),  b = V_b S + c_b,
//     Meta(h) = σ(W h + b)
//   meta attention: a_i = v^T Meta([E_i ‖ T_t]),  α = softmax(a),  R_t = Σ_i α_i E_i
//   meta tower (residual):  L^(0) = R_t,  L^(j) = σ(Meta^(j)(L^(j-1)) + L^(j-1)),  ŷ_t = MLP(L^(J))
//   loss: a Poisson likelihood per task; here one task, BCE on the logit.
// Decisions (each a named option of M2mConfig):
//   - no behaviour sequences: `Encoder = FieldSequence` (default, because the reference m2m.py always runs a
//     transformer) runs post-norm transformer encoder layers (PyTorch's nn.TransformerEncoderLayer without dropout:
//     self-attention, residual, LayerNorm, ReLU feed-forward, residual, LayerNorm) over the sample's F field embeddings
//     as a sequence of F tokens of width emb_dim (no positional encoding: a field is told apart by its own embedding
//     table), and F = the flattened tokens plus the numeric columns; `None` feeds h1 to the experts directly.
//     EncoderLayers 2, EncoderHeads 4, EncoderFeedForward 16 are m2m.py's num_encoder_layers, nhead, dim_feedforward.
//   - S = Mlp(e_aw, [ScenarioDim]): the scenario-aware embeddings (the scenario field among them) are the scenario
//     features. T = Mlp(t, [TaskDim]) of one learned task embedding t (`TaskInput = TaskEmbedding`, the paper's task
//     view; with one task it is the same vector for every sample) or of e_aw (`Aware`, as m2m.py, which feeds the
//     domain embedding to its task MLP).
//   - "Same backbone sizes" as far as the structure allows: experts d_F -> 128 -> 64 (`ExpertSizes`), the meta units
//     at the expert width 64, the output MLP 64 -> 32 -> 1 (`TowerSizes`). A generated d x d weight costs d^2
//     generator outputs per unit of S, so the meta units stay at the expert width, S is 32 wide (`ScenarioDim`) and the
//     meta attention's hidden layer 32 (`MetaAttentionHidden`); K = 4 experts (`Experts`, m2m.py's num_experts),
//     one meta tower layer (`MetaTowerLayers`, as m2m.py). σ = ReLU throughout (m2m.py: LeakyReLU(0.1)). With one
//     expert view (Experts = 1) α ≡ 1: no meta attention and no task view are built.
//   - Initialisation: each generator's bias c starts as nn.Linear's init of the generated layer (U(±1/sqrt(fan_in))),
//     its weight V at nn.Linear's bound divided by sqrt(fan_in), so every generated layer starts at nn.Linear's scale.
using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models.Baselines;

/// <summary>What stands in for M2M's transformer over behaviour sequences.</summary>
public enum M2mEncoder
{
    /// <summary>No encoder: the experts read h1.</summary>
    None,
    /// <summary>Transformer encoder layers over the field embeddings as a sequence of F tokens (default).</summary>
    FieldSequence,
}

/// <summary>What M2M's task view reads.</summary>
public enum M2mTaskInput
{
    /// <summary>One learned task embedding (the paper's task view; default).</summary>
    TaskEmbedding,
    /// <summary>The scenario-aware embeddings e_aw (as Scenario-Wise-Rec's m2m.py).</summary>
    Aware,
}

/// <summary>M2M settings. <see cref="ModelConfig.HiddenSizes"/> supplies the defaults of the expert and tower sizes.</summary>
public sealed record M2mConfig : ModelConfig
{
    /// <summary>The stand-in for the transformer over behaviour sequences. Default FieldSequence.</summary>
    public M2mEncoder Encoder { get; init; } = M2mEncoder.FieldSequence;

    /// <summary>Encoder layers (m2m.py: 2).</summary>
    public int EncoderLayers { get; init; } = 2;

    /// <summary>Attention heads per encoder layer; must divide EmbeddingDim (m2m.py: 4).</summary>
    public int EncoderHeads { get; init; } = 4;

    /// <summary>Width of each encoder layer's feed-forward network (m2m.py: 16).</summary>
    public int EncoderFeedForward { get; init; } = 16;

    /// <summary>K: expert views. Decision: 4 (m2m.py's num_experts).</summary>
    public int Experts { get; init; } = 4;

    /// <summary>Hidden sizes of every expert (at least one); the last is the width d of the meta units. null =
    /// HiddenSizes without its last entry (128, 64).</summary>
    public IReadOnlyList<int>? ExpertSizes { get; init; }

    /// <summary>Width of the scenario knowledge representation S. Decision: 32.</summary>
    public int ScenarioDim { get; init; } = 32;

    /// <summary>What the task view reads. Default TaskEmbedding.</summary>
    public M2mTaskInput TaskInput { get; init; } = M2mTaskInput.TaskEmbedding;

    /// <summary>Width of the task view T. null = the expert width d.</summary>
    public int? TaskDim { get; init; }

    /// <summary>Width of the meta attention's generated hidden layer. Decision: 32.</summary>
    public int MetaAttentionHidden { get; init; } = 32;

    /// <summary>J: generated residual layers of the meta tower (at least one). Decision: 1 (as m2m.py).</summary>
    public int MetaTowerLayers { get; init; } = 1;

    /// <summary>Hidden sizes of the output MLP before its logit layer. null = the last hidden size (32).</summary>
    public IReadOnlyList<int>? TowerSizes { get; init; }

    [JsonIgnore]
    public IReadOnlyList<int> EffectiveExpertSizes => ExpertSizes ?? Baseline.SharedPart(HiddenSizes);

    [JsonIgnore]
    public IReadOnlyList<int> EffectiveTowerSizes => TowerSizes ?? Baseline.TowerPart(HiddenSizes);

    /// <summary>d: the experts' output width, at which the meta units work.</summary>
    [JsonIgnore]
    public int MetaDim => EffectiveExpertSizes[^1];

    [JsonIgnore]
    public int EffectiveTaskDim => TaskDim ?? MetaDim;

    public override IReadOnlyList<string> Problems(FeatureSpec? features = null)
    {
        var problems = new List<string>(base.Problems(features));
        if (!Enum.IsDefined(Encoder)) problems.Add($"{nameof(Encoder)} must be None or FieldSequence; got {Encoder}");
        if (!Enum.IsDefined(TaskInput)) problems.Add($"{nameof(TaskInput)} must be TaskEmbedding or Aware; got {TaskInput}");
        if (Encoder == M2mEncoder.FieldSequence)
        {
            Baseline.RequirePositive(problems, nameof(EncoderLayers), EncoderLayers);
            Baseline.RequirePositive(problems, nameof(EncoderFeedForward), EncoderFeedForward);
            if (EncoderHeads < 1) problems.Add($"{nameof(EncoderHeads)} must be >= 1; got {EncoderHeads}");
            else if (EmbeddingDim >= 1 && EmbeddingDim % EncoderHeads != 0)
                problems.Add($"{nameof(EncoderHeads)} ({EncoderHeads}) must divide {nameof(EmbeddingDim)} ({EmbeddingDim}): each head reads EmbeddingDim / EncoderHeads dimensions of a field's token");
        }
        Baseline.RequirePositive(problems, nameof(Experts), Experts);
        Baseline.RequirePositive(problems, nameof(ScenarioDim), ScenarioDim);
        Baseline.RequirePositive(problems, nameof(MetaAttentionHidden), MetaAttentionHidden);
        Baseline.RequirePositive(problems, nameof(MetaTowerLayers), MetaTowerLayers);
        if (TaskDim is { } t && t < 1) problems.Add($"{nameof(TaskDim)} must be >= 1 (or null for the expert width); got {t}");
        if (!HasValidHiddenSizes) return problems;
        Baseline.RequirePositive(problems, nameof(ExpertSizes), EffectiveExpertSizes, allowEmpty: false);
        Baseline.RequirePositive(problems, nameof(TowerSizes), EffectiveTowerSizes);
        return problems;
    }
}

/// <summary>Multi-head self-attention with PyTorch's nn.MultiheadAttention parameter names (in_proj_weight [3D, D],
/// in_proj_bias [3D], out_proj), on [B, T, D] (batch first).</summary>
public sealed class FieldSelfAttention : Module<Tensor, Tensor>
{
    private readonly Parameter in_proj_weight, in_proj_bias;
    private readonly Linear out_proj;
    private readonly int heads;

    public FieldSelfAttention(int dim, int heads) : base(nameof(FieldSelfAttention))
    {
        this.heads = heads;
        // nn.MultiheadAttention's init: Xavier-uniform in-projection, zero biases; out_proj as nn.Linear with bias 0.
        in_proj_weight = Parameter(init.xavier_uniform_(empty(3 * dim, dim)));
        in_proj_bias = Parameter(zeros(3 * dim));
        out_proj = Linear(dim, dim);
        using (no_grad()) out_proj.bias!.zero_();
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        long B = x.shape[0], T = x.shape[1], D = x.shape[2], h = heads, dh = D / heads;
        var qkv = functional.linear(x, in_proj_weight, in_proj_bias).view(B, T, 3, h, dh).permute(2, 0, 3, 1, 4);  // [3, B, h, T, dh]
        Tensor q = qkv[0], k = qkv[1], v = qkv[2];
        var weights = functional.softmax(q.matmul(k.transpose(2, 3)) / Math.Sqrt(dh), 3);                       // [B, h, T, T]
        var concatenated = weights.matmul(v).transpose(1, 2).reshape(B, T, D);                                         // concat(head_1..head_h)
        return out_proj.call(concatenated);                                                                          // W^H
    }
}

/// <summary>One post-norm transformer encoder layer with PyTorch's nn.TransformerEncoderLayer names and structure
/// (dropout 0, ReLU): x = norm1(x + self_attn(x)); x = norm2(x + linear2(relu(linear1(x)))).</summary>
public sealed class FieldEncoderLayer : Module<Tensor, Tensor>
{
    private readonly FieldSelfAttention self_attn;
    private readonly Linear linear1, linear2;
    private readonly LayerNorm norm1, norm2;

    public FieldEncoderLayer(int dim, int heads, int feedForward) : base(nameof(FieldEncoderLayer))
    {
        self_attn = new FieldSelfAttention(dim, heads);
        linear1 = Linear(dim, feedForward);
        linear2 = Linear(feedForward, dim);
        norm1 = LayerNorm([dim]);
        norm2 = LayerNorm([dim]);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        x = norm1.call(x + self_attn.call(x));
        return norm2.call(x + linear2.call(functional.relu(linear1.call(x))));
    }

    /// <summary>Parameters of one layer of width D with feed-forward width f.</summary>
    public static long Count(long D, long f) => 3 * D * D + 3 * D + D * D + D + D * f + f + f * D + D + 4 * D;
}

/// <summary>A meta unit's layer: weight W [in, out] and bias b [out] generated per sample from the scenario knowledge
/// S, W = Reshape(V_W S + c_W), b = V_b S + c_b (one generator for both); returns the pre-activation x W + b.</summary>
public sealed class MetaLayer : Module<Tensor, Tensor, Tensor>
{
    private readonly Linear generator;
    private readonly int inputDim, outputDim;

    public MetaLayer(int scenarioDim, int inputDim, int outputDim) : base(nameof(MetaLayer))
    {
        this.inputDim = inputDim;
        this.outputDim = outputDim;
        generator = Linear(scenarioDim, inputDim * outputDim + outputDim);
        using (no_grad())
        {
            var bound = 1.0 / Math.Sqrt(inputDim);
            generator.bias!.uniform_(-bound, bound);                          // c: nn.Linear(in, out)'s init
            generator.weight!.mul_(bound);                                    // V: nn.Linear's bound / sqrt(in)
        }
        RegisterComponents();
    }

    /// <param name="x">[B, N, in] (N rows per sample share the sample's generated layer).</param>
    /// <param name="s">The scenario knowledge S [B, d_s].</param>
    /// <returns>x W(S) + b(S), [B, N, out].</returns>
    public override Tensor forward(Tensor x, Tensor s)
    {
        var generated = generator.call(s);                                                         // [B, in*out + out]
        var w = generated.narrow(1, 0, (long)inputDim * outputDim).view(-1, inputDim, outputDim);  // W = Reshape(V_W S + c_W)
        var b = generated.narrow(1, (long)inputDim * outputDim, outputDim).unsqueeze(1);           // b = V_b S + c_b
        return x.bmm(w) + b;
    }

    /// <summary>Parameters: (d_s + 1)(in out + out).</summary>
    public static long Count(long scenarioDim, long inputDim, long outputDim) => (scenarioDim + 1) * (inputDim * outputDim + outputDim);
}

/// <summary>M2M with one task: encoder, expert views, task view, scenario knowledge, meta attention, meta tower, output
/// MLP. Components: embeddings, encoder, experts, representations, generators, towers.</summary>
public sealed class M2mModel : ScenarioModel, IComponentCounted
{
    public const string KindName = "M2M";

    private readonly FieldEmbedding embedding;
    private readonly ModuleList<FieldEncoderLayer> encoder;
    private readonly ModuleList<Mlp> experts;
    private readonly Mlp scenario_knowledge;
    private readonly Parameter? task_embedding;
    private readonly Mlp? task_view;                 // the task view and the meta attention exist only for K > 1
    private readonly MetaLayer? meta_attention;
    private readonly Linear? meta_attention_v;
    private readonly ModuleList<MetaLayer> meta_tower;
    private readonly Mlp tower;
    private readonly M2mConfig config;
    private readonly FeatureSpec features;

    public override string Kind => KindName;
    public override FeatureSpec Features => features;
    public override ModelConfig Config => config;

    public M2mModel(FeatureSpec features, M2mConfig config, Device? device = null) : base(nameof(M2mModel))
    {
        config.Validate(features);
        this.features = features;
        this.config = config;
        int D = config.EmbeddingDim, aw = config.AwareDim(features), d = config.MetaDim, dt = config.EffectiveTaskDim;
        embedding = new FieldEmbedding(features, D, config.EmbeddingInitStd, config.ClampUnknownIdsToOov);
        encoder = new ModuleList<FieldEncoderLayer>();
        if (config.Encoder == M2mEncoder.FieldSequence)
            for (var l = 0; l < config.EncoderLayers; l++) encoder.Add(new FieldEncoderLayer(D, config.EncoderHeads, config.EncoderFeedForward));
        experts = new ModuleList<Mlp>();
        for (var i = 0; i < config.Experts; i++) experts.Add(new Mlp(config.InputDim(features), config.EffectiveExpertSizes));
        scenario_knowledge = new Mlp(aw, [config.ScenarioDim]);
        if (config.Experts > 1)   // a softmax over one expert view is identically 1: no attention parameters
        {
            if (config.TaskInput == M2mTaskInput.TaskEmbedding) task_embedding = Parameter(randn(D) * config.EmbeddingInitStd);
            task_view = new Mlp(config.TaskInput == M2mTaskInput.TaskEmbedding ? D : aw, [dt]);
            meta_attention = new MetaLayer(config.ScenarioDim, d + dt, config.MetaAttentionHidden);
            meta_attention_v = Linear(config.MetaAttentionHidden, 1, hasBias: false);                   // v^T
        }
        meta_tower = new ModuleList<MetaLayer>();
        for (var j = 0; j < config.MetaTowerLayers; j++) meta_tower.Add(new MetaLayer(config.ScenarioDim, d, d));
        tower = new Mlp(d, config.EffectiveTowerSizes, 1);
        RegisterComponents();
        if (device is not null) this.to(device);
    }

    public override Tensor forward(ModelInput input)
    {
        var (alpha, views, s) = Attend(input);
        var r = (alpha.unsqueeze(2) * views).sum(1);                                        // R = Σ_i α_i E_i  [B, d]
        foreach (var layer in meta_tower)                                                    // L^(j) = σ(Meta^(j)(L^(j-1)) + L^(j-1))
            r = functional.relu(layer.call(r.unsqueeze(1), s).squeeze(1) + r);
        return tower.call(r).squeeze(1);                                                     // ŷ = MLP(L^(J))
    }

    /// <summary>The meta attention's weights α [B, K] (rows sum to 1), the expert views E [B, K, d] and the scenario
    /// knowledge S [B, d_s] of a batch.</summary>
    public (Tensor Alpha, Tensor Views, Tensor Scenario) Attend(ModelInput input)
    {
        var e = embedding.call(input.Categorical);
        var f = EncodedFeatures(e, input.Numeric);                                           // F
        var views = stack(experts.Select(m => m.call(f)).ToArray(), 1);                    // E_i  [B, K, d]
        var s = scenario_knowledge.call(e.Aware);                                            // S  [B, d_s]
        if (meta_attention is null) return (ones(views.shape[0], 1, dtype: views.dtype, device: views.device), views, s);
        var t = task_embedding is not null
            ? task_view!.call(task_embedding.unsqueeze(0)).expand(views.shape[0], -1)        // T = MLP(t)
            : task_view!.call(e.Aware);
        var meta = cat([views, t.unsqueeze(1).expand(-1, views.shape[1], -1)], 2);          // [E_i ‖ T]  [B, K, d + d_t]
        var scores = meta_attention_v!.call(functional.relu(meta_attention.call(meta, s))).squeeze(2);  // a_i = v^T Meta(·)
        return (functional.softmax(scores, 1), views, s);
    }

    /// <summary>F: the encoded field tokens, flattened, plus the numeric columns (h1 when there is no encoder).</summary>
    private Tensor EncodedFeatures(FieldEmbeddings e, Tensor? numeric)
    {
        if (encoder.Count == 0) return e.BackboneInput(numeric);
        var tokens = e.Fields;                                                               // [B, F, D]
        foreach (var layer in encoder) tokens = layer.call(tokens);
        var flat = tokens.reshape(tokens.shape[0], -1);
        return numeric is null || numeric.shape[1] == 0 ? flat : cat([flat, numeric.to_type(flat.dtype)], 1);
    }

    public IReadOnlyDictionary<string, long> ParameterCounts() => Baseline.Count(this,
        n => n.StartsWith("encoder.", StringComparison.Ordinal) ? BaselineComponent.Encoder
            : n.StartsWith("experts.", StringComparison.Ordinal) ? BaselineComponent.Experts
            : n.StartsWith("scenario_knowledge.", StringComparison.Ordinal) || n.StartsWith("task_", StringComparison.Ordinal) ? BaselineComponent.Representations
            : n.StartsWith("meta_", StringComparison.Ordinal) ? ModelComponent.Generators
            : BaselineComponent.Towers,
        BaselineComponent.Encoder, BaselineComponent.Experts, BaselineComponent.Representations, ModelComponent.Generators, BaselineComponent.Towers);

    /// <summary>With emb_dim D, F fields, e_aw width a, K experts of sizes e_1..e_m (d = e_m), S width d_s, task width
    /// d_t, meta attention hidden h, J meta tower layers, L encoder layers of feed-forward width f, tower sizes t...:
    ///   encoder         = L (4 D^2 + 4 D + 2 D f + f + D + 4 D)          [FieldSequence]
    ///   experts         = K mlp(d_in, e_1..e_m, none)
    ///   representations = mlp(a, d_s) + (D + mlp(D, d_t)) [TaskEmbedding]  or  + mlp(a, d_t) [Aware]   (task: K > 1)
    ///   generators      = (d_s + 1)((d + d_t) h + h) + h [K > 1] + J (d_s + 1)(d^2 + d)
    ///   towers          = mlp(d, t..., 1).</summary>
    public static IReadOnlyDictionary<string, long> Formula(FeatureSpec features, M2mConfig config)
    {
        long D = config.EmbeddingDim, a = config.AwareDim(features), d = config.MetaDim, dt = config.EffectiveTaskDim;
        long ds = config.ScenarioDim, h = config.MetaAttentionHidden;
        var attention = config.Experts > 1;
        var task = !attention ? 0 : config.TaskInput == M2mTaskInput.TaskEmbedding ? D + Baseline.MlpCount(D, [(int)dt], null) : Baseline.MlpCount(a, [(int)dt], null);
        return Baseline.WithTotal(new()
        {
            [ModelComponent.Embeddings] = Baseline.EmbeddingCount(features, config),
            [BaselineComponent.Encoder] = config.Encoder == M2mEncoder.FieldSequence ? config.EncoderLayers * FieldEncoderLayer.Count(D, config.EncoderFeedForward) : 0,
            [BaselineComponent.Experts] = config.Experts * Baseline.MlpCount(config.InputDim(features), config.EffectiveExpertSizes, null),
            [BaselineComponent.Representations] = Baseline.MlpCount(a, [(int)ds], null) + task,
            [ModelComponent.Generators] = (attention ? MetaLayer.Count(ds, d + dt, h) + h : 0) + config.MetaTowerLayers * MetaLayer.Count(ds, d, d),
            [BaselineComponent.Towers] = Baseline.MlpCount(d, config.EffectiveTowerSizes, 1),
        });
    }
}
