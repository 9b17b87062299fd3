// EPNet on its own: PEPNet's embedding personalisation without its parameter personalisation (Chang et al.,
// "PEPNet: Parameter and Embedding Personalized Network for Infusing with Personalized Prior Information",
// KDD 2023, section 4.2 "Embedding Personalized Network"). Scenario-Wise-Rec ships it as its own model (epnet.py).
//   delta_ep = gamma * sigmoid(Linear(ReLU(Linear([e_aw, stopgrad(E)]))))   (Gate NU, gamma = 2)
//   O_ep = delta_ep ⊙ E,  h1 = [O_ep, e_aw, numeric] (Target = Agnostic) or [O_ep, numeric] (Target = All)
//   logit = mlp(h1; hidden sizes, 1)  (the plain backbone: DNN's 128-64-32 with ReLU)
// Hyper-parameters (EpNetConfig): Gamma (2), GateHidden (the gate's hidden width, decision 64), StopGradient (true),
// Target (E = e_ag by default, or all embeddings). The network is PepNetModel's with UsePpNet = false (same code,
// same parameter names); only the kind and the config differ.
using TorchSharp;
using static TorchSharp.torch;

namespace MiDpg.Research.Models.Baselines;

/// <summary>EPNet settings (the EPNet part of <see cref="PepNetConfig"/>).</summary>
public sealed record EpNetConfig : ModelConfig
{
    /// <summary>gamma in delta = gamma * sigmoid(.). The paper: 2.</summary>
    public double Gamma { get; init; } = 2.0;

    /// <summary>Hidden width of the gate network (one hidden layer, ReLU). Decision: 64.</summary>
    public int GateHidden { get; init; } = 64;

    /// <summary>Detach E in the gate input [e_aw, stopgrad(E)]. Default true (the paper).</summary>
    public bool StopGradient { get; init; } = true;

    /// <summary>What the gate scales: e_ag (default) or all embeddings.</summary>
    public EpNetTarget Target { get; init; } = EpNetTarget.Agnostic;

    /// <summary>The equivalent PEPNet config (PPNet off).</summary>
    public PepNetConfig AsPepNet() => new()
    {
        EmbeddingDim = EmbeddingDim, HiddenSizes = HiddenSizes, EmbeddingInitStd = EmbeddingInitStd, ClampUnknownIdsToOov = ClampUnknownIdsToOov,
        Gamma = Gamma, GateHidden = GateHidden, StopGradient = StopGradient, EpNetTarget = Target, UseEpNet = true, UsePpNet = false,
    };

    public override IReadOnlyList<string> Problems(FeatureSpec? features = null) =>
        AsPepNet().Problems(features).Select(p => p.Replace(nameof(PepNetConfig.EpNetTarget), nameof(Target), StringComparison.Ordinal)
            .Replace(" / UseEpNet = false", "", StringComparison.Ordinal)).ToArray();
}

/// <summary>EPNet. Components: embeddings, backbone, generators (the EPNet gate network).</summary>
public sealed class EpNetModel : PepNetModel
{
    public new const string KindName = "EPNet";

    private readonly EpNetConfig epConfig;

    public override string Kind => KindName;
    public override ModelConfig Config => epConfig;

    public EpNetModel(FeatureSpec features, EpNetConfig config, Device? device = null)
        : base(nameof(EpNetModel), features, Validated(config, features).AsPepNet(), device) => epConfig = config;

    private static EpNetConfig Validated(EpNetConfig config, FeatureSpec features)
    {
        config.Validate(features);
        return config;
    }

    /// <summary>backbone = mlp(d_in, hidden..., 1); generators = mlp(d_aw + g, H, g), g = gated width (e_ag or all embeddings).</summary>
    public static IReadOnlyDictionary<string, long> Formula(FeatureSpec features, EpNetConfig config) => Formula(features, config.AsPepNet());
}
