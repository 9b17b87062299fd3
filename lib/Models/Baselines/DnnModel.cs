// DNN: the plain backbone shared by every model of the study (MODELS.md "Baselines";
// Covington, Adams, Sargin, "Deep Neural Networks for YouTube Recommendations", RecSys 2016 — the
// paper's reference [5]). logit = MLP([e_ag, e_aw, numeric]) with hidden sizes 128-64-32 and ReLU.
// Hyper-parameters: emb_dim and hidden sizes (ModelConfig), Dropout (after each hidden ReLU).
// The scenario only enters through the scenario-aware embeddings e_aw; no scenario-specific parameters.
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models.Baselines;

/// <summary>DNN settings: the shared <see cref="ModelConfig"/> plus dropout.</summary>
public sealed record DnnConfig : ModelConfig
{
    /// <summary>Dropout after each hidden ReLU (decision: 0, as MI-DPG's backbone).</summary>
    public double Dropout { get; init; }

    public override IReadOnlyList<string> Problems(FeatureSpec? features = null)
    {
        var problems = new List<string>(base.Problems(features));
        if (!(Dropout >= 0 && Dropout < 1)) problems.Add($"Dropout must be in [0, 1); got {Dropout}");
        return problems;
    }
}

/// <summary>The plain backbone. Components: embeddings, backbone.</summary>
public sealed class DnnModel : ScenarioModel, IComponentCounted
{
    public const string KindName = "DNN";

    private readonly FieldEmbedding embedding;
    private readonly Mlp backbone;
    private readonly DnnConfig config;
    private readonly FeatureSpec features;

    public override string Kind => KindName;
    public override FeatureSpec Features => features;
    public override ModelConfig Config => config;

    /// <inheritdoc/>
    public override string? ShardingObstacle => config.Dropout > 0
        ? "dropout draws its masks from torch's global generator inside the shard threads, so a seeded run would not be reproducible" : null;

    public DnnModel(FeatureSpec features, DnnConfig config, Device? device = null) : base(nameof(DnnModel))
    {
        config.Validate(features);
        this.features = features;
        this.config = config;
        embedding = new FieldEmbedding(features, config.EmbeddingDim, config.EmbeddingInitStd, config.ClampUnknownIdsToOov);
        backbone = new Mlp(config.InputDim(features), config.HiddenSizes, 1, config.Dropout);
        RegisterComponents();
        if (device is not null) this.to(device);
    }

    public override Tensor forward(ModelInput input)
    {
        var h1 = embedding.call(input.Categorical).BackboneInput(input.Numeric);
        return backbone.call(h1).squeeze(1);
    }

    public IReadOnlyDictionary<string, long> ParameterCounts() => Baseline.Count(this, _ => ModelComponent.Backbone, ModelComponent.Backbone);

    /// <summary>embeddings = sum_f vocab_f D; backbone = mlp(d_in, hidden..., 1).</summary>
    public static IReadOnlyDictionary<string, long> Formula(FeatureSpec features, DnnConfig config) => Baseline.WithTotal(new()
    {
        [ModelComponent.Embeddings] = Baseline.EmbeddingCount(features, config),
        [ModelComponent.Backbone] = Baseline.MlpCount(config.InputDim(features), config.HiddenSizes, 1),
    });
}
