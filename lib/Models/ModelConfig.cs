// Configuration shared by every model of the study (MODELS.md "Data view shared by every model"):
// per-field embeddings of dimension emb_dim, backbone hidden sizes 128-64-32 (paper section 3.3).
// Immutable; Validate() fails with messages that name the violated constraint.
using System.Text.Json.Serialization;

namespace MiDpg.Research.Models;

/// <summary>Settings every model shares: embedding size, backbone hidden sizes, embedding initialisation.</summary>
public record ModelConfig
{
    /// <summary>emb_dim: dimension of every categorical field's embedding (MODELS.md default 16).</summary>
    public int EmbeddingDim { get; init; } = 16;

    /// <summary>Backbone hidden sizes (paper 3.3: 128, 64, 32), followed by a linear layer to one logit.</summary>
    public IReadOnlyList<int> HiddenSizes { get; init; } = [128, 64, 32];

    /// <summary>Embedding rows are initialised from N(0, EmbeddingInitStd^2). Default 1, PyTorch's nn.Embedding default
    /// (and the peer's, shared/bench/midpg_ref.py). Measured on the synthetic default (100 k rows, 1 trial): with 0.01,
    /// as in some CTR model zoos, every model stalled near test AUC 0.69 after its first epoch (the discriminator of
    /// MIR cannot tell scenarios apart from near-zero e_aw); with 1 they reach 0.83–0.85.</summary>
    public double EmbeddingInitStd { get; init; } = 1.0;

    /// <summary>Ids outside 0..vocab-1 are mapped to the OOV row 0 when true; when false they raise (decision: true).</summary>
    public bool ClampUnknownIdsToOov { get; init; } = true;

    /// <summary>Backbone input width d_m of layer 1: all field embeddings plus the numeric fields.</summary>
    public int InputDim(FeatureSpec features) => features.FieldCount * EmbeddingDim + features.NumericCount;

    /// <summary>Width of e_aw, the concatenated scenario-aware embeddings.</summary>
    public int AwareDim(FeatureSpec features) => features.AwareFieldCount * EmbeddingDim;

    /// <summary>(d_m, d_n) of hidden layer <paramref name="layer"/> (1-based, as in the paper).</summary>
    public (int Dm, int Dn) LayerShape(FeatureSpec features, int layer) =>
        (layer == 1 ? InputDim(features) : HiddenSizes[layer - 2], HiddenSizes[layer - 1]);

    /// <summary>Every violated constraint, as a message naming it. <paramref name="features"/> enables the
    /// checks that depend on the input width (layer 1).</summary>
    public virtual IReadOnlyList<string> Problems(FeatureSpec? features = null)
    {
        var problems = new List<string>();
        if (EmbeddingDim < 1) problems.Add($"EmbeddingDim must be >= 1; got {EmbeddingDim}");
        if (HiddenSizes is null || HiddenSizes.Count == 0) problems.Add("HiddenSizes needs at least one hidden layer; got none");
        else
            for (var i = 0; i < HiddenSizes.Count; i++)
                if (HiddenSizes[i] < 1) problems.Add($"HiddenSizes[{i}] (layer {i + 1}) must be >= 1; got {HiddenSizes[i]}");
        if (!(EmbeddingInitStd > 0)) problems.Add($"EmbeddingInitStd must be > 0; got {EmbeddingInitStd}");
        if (features is not null) problems.AddRange(features.Problems());
        return problems;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every violated constraint.</summary>
    public void Validate(FeatureSpec? features = null)
    {
        var problems = Problems(features);
        if (problems.Count > 0)
            throw new ArgumentException($"Invalid {GetType().Name}:{Environment.NewLine}  - " +
                                        string.Join(Environment.NewLine + "  - ", problems));
    }

    [JsonIgnore]
    internal bool HasValidHiddenSizes => HiddenSizes is { Count: > 0 } && HiddenSizes.All(h => h >= 1);
}
