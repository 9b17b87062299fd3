// PPNet on its own: PEPNet's parameter personalisation without its embedding personalisation (Chang et al.,
// "PEPNet: Parameter and Embedding Personalized Network for Infusing with Personalized Prior Information",
// KDD 2023, section 4.3 "Parameter Personalized Network"). Scenario-Wise-Rec ships it as its own model (ppnet.py).
//   h1 = [e_ag, e_aw, numeric]  (no embedding gate)
//   h_{l+1} = delta_l ⊙ ReLU(h_l W_l + b_l),  delta_l = gamma * sigmoid(Linear(ReLU(Linear([prior, stopgrad(context_l)]))))
//   logit = h_L W_out + b_out
// Hyper-parameters (PpNetConfig): Gamma (2), GateHidden (every gate's hidden width, decision 64), StopGradient
// (true), Prior (the personal prior: e_aw by default, this data view has no separate user/item prior fields; or e_ag
// or all), Context (the gated layer's input h_l by default, or h1 for every layer as in the paper's O_ep).
// The network is PepNetModel's with UseEpNet = false (same code, same parameter names); only the kind and the config differ.
using TorchSharp;
using static TorchSharp.torch;

namespace MiDpg.Research.Models.Baselines;

/// <summary>PPNet settings (the PPNet part of <see cref="PepNetConfig"/>).</summary>
public sealed record PpNetConfig : ModelConfig
{
    /// <summary>gamma in delta = gamma * sigmoid(.). The paper: 2.</summary>
    public double Gamma { get; init; } = 2.0;

    /// <summary>Hidden width of every gate network (one hidden layer, ReLU). Decision: 64.</summary>
    public int GateHidden { get; init; } = 64;

    /// <summary>Detach the context in the gate input [prior, stopgrad(context)]. Default true (the paper).</summary>
    public bool StopGradient { get; init; } = true;

    /// <summary>The personal-prior part of the gate input (default e_aw).</summary>
    public PpNetPrior Prior { get; init; } = PpNetPrior.Aware;

    /// <summary>The stop-gradient part of the gate input (default the gated layer's input).</summary>
    public PpNetContext Context { get; init; } = PpNetContext.LayerInput;

    /// <summary>The equivalent PEPNet config (EPNet off).</summary>
    public PepNetConfig AsPepNet() => new()
    {
        EmbeddingDim = EmbeddingDim, HiddenSizes = HiddenSizes, EmbeddingInitStd = EmbeddingInitStd, ClampUnknownIdsToOov = ClampUnknownIdsToOov,
        Gamma = Gamma, GateHidden = GateHidden, StopGradient = StopGradient, PpNetPrior = Prior, PpNetContext = Context, UseEpNet = false, UsePpNet = true,
    };

    public override IReadOnlyList<string> Problems(FeatureSpec? features = null) =>
        AsPepNet().Problems(features).Select(p => p.Replace(nameof(PepNetConfig.PpNetPrior), nameof(Prior), StringComparison.Ordinal)).ToArray();
}

/// <summary>PPNet. Components: embeddings, backbone, generators (one gate network per hidden layer).</summary>
public sealed class PpNetModel : PepNetModel
{
    public new const string KindName = "PPNet";

    private readonly PpNetConfig ppConfig;

    public override string Kind => KindName;
    public override ModelConfig Config => ppConfig;

    public PpNetModel(FeatureSpec features, PpNetConfig config, Device? device = null)
        : base(nameof(PpNetModel), features, Validated(config, features).AsPepNet(), device) => ppConfig = config;

    private static PpNetConfig Validated(PpNetConfig config, FeatureSpec features)
    {
        config.Validate(features);
        return config;
    }

    /// <summary>backbone = mlp(d_in, hidden..., 1); generators = sum_l mlp(p + c_l, H, d_l), p = prior width,
    /// c_l = d_{l-1} (LayerInput) or d_in (EpNetOutput).</summary>
    public static IReadOnlyDictionary<string, long> Formula(FeatureSpec features, PpNetConfig config) => Formula(features, config.AsPepNet());
}
