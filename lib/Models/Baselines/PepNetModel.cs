// PEPNet, single-task (MODELS.md "Baselines"; Chang et al., "PEPNet: Parameter and Embedding
// Personalized Network for Infusing with Personalized Prior Information", KDD 2023).
// Gate NU (Gate Neural Unit): delta = gamma * sigmoid(Linear(ReLU(Linear(x)))), gamma = 2, so a gate
// starts near 1 and can scale a signal up to 2x.
//   EPNet (embedding personalisation): O_ep = delta_ep ⊙ E, delta_ep = NU_ep([e_aw, stopgrad(E)]), where E
//     is the gated part of the embedding layer (EpNetTarget: e_ag by default, or [e_ag, e_aw]);
//     h1 = [O_ep, e_aw, numeric] (Agnostic target) or [O_ep, numeric] (All target).
//   PPNet (parameter personalisation): after every hidden layer l,
//     h_{l+1} = delta_l ⊙ ReLU(h_l W_l + b_l), delta_l = NU_l([prior, stopgrad(context)]),
//     prior = PpNetPrior (e_aw by default: this data view has no separate user/item prior fields), context =
//     PpNetContext (the layer's input h_l by default, or the EPNet output h1 for every layer, as in the paper).
// The stop-gradient (detach) keeps the gate networks from steering the main representation through the
// gate input; the gate networks still learn through the gated output.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models.Baselines;

/// <summary>Which part of the embedding layer EPNet gates.</summary>
public enum EpNetTarget
{
    /// <summary>The scenario-agnostic embeddings e_ag (the "general" embeddings; e_aw is the gate's input). Default.</summary>
    Agnostic,
    /// <summary>All embeddings [e_ag, e_aw].</summary>
    All,
}

/// <summary>The personal-prior part of PPNet's gate input.</summary>
public enum PpNetPrior
{
    /// <summary>e_aw. Default.</summary>
    Aware,
    /// <summary>e_ag.</summary>
    Agnostic,
    /// <summary>[e_ag, e_aw].</summary>
    All,
}

/// <summary>The stop-gradient part of PPNet's gate input.</summary>
public enum PpNetContext
{
    /// <summary>stopgrad(h_l), the input of the gated layer. Default.</summary>
    LayerInput,
    /// <summary>stopgrad(h1), the EPNet output, for every layer (the paper's O_ep).</summary>
    EpNetOutput,
}

/// <summary>PEPNet settings.</summary>
public sealed record PepNetConfig : ModelConfig
{
    /// <summary>gamma in delta = gamma * sigmoid(.). The paper: 2.</summary>
    public double Gamma { get; init; } = 2.0;

    /// <summary>Hidden width of every gate network (one hidden layer, ReLU). Decision: 64.</summary>
    public int GateHidden { get; init; } = 64;

    /// <summary>Detach the embeddings in EPNet's input [e_aw, stopgrad(E)] and the context in PPNet's. Default true (the paper).</summary>
    public bool StopGradient { get; init; } = true;

    public EpNetTarget EpNetTarget { get; init; } = EpNetTarget.Agnostic;
    public PpNetPrior PpNetPrior { get; init; } = PpNetPrior.Aware;
    public PpNetContext PpNetContext { get; init; } = PpNetContext.LayerInput;

    /// <summary>Use the EPNet gate. Default true.</summary>
    public bool UseEpNet { get; init; } = true;

    /// <summary>Use the PPNet gates. Default true.</summary>
    public bool UsePpNet { get; init; } = true;

    /// <summary>Width of the part of the embeddings EPNet gates.</summary>
    public int EpNetWidth(FeatureSpec f) => EpNetTarget == EpNetTarget.All ? f.FieldCount * EmbeddingDim : f.AgnosticFieldCount * EmbeddingDim;

    public int PriorWidth(FeatureSpec f) => PpNetPrior switch
    {
        PpNetPrior.Aware => AwareDim(f),
        PpNetPrior.Agnostic => f.AgnosticFieldCount * EmbeddingDim,
        _ => f.FieldCount * EmbeddingDim,
    };

    public override IReadOnlyList<string> Problems(FeatureSpec? features = null)
    {
        var problems = new List<string>(base.Problems(features));
        if (!(Gamma > 0)) problems.Add($"{nameof(Gamma)} must be > 0; got {Gamma}");
        Baseline.RequirePositive(problems, nameof(GateHidden), GateHidden);
        if (features is not null && UseEpNet && EpNetWidth(features) == 0)
            problems.Add($"{nameof(EpNetTarget)} = Agnostic needs at least one scenario-agnostic field (or use All / UseEpNet = false)");
        if (features is not null && UsePpNet && PriorWidth(features) == 0)
            problems.Add($"{nameof(PpNetPrior)} = {PpNetPrior} selects no field for these features");
        return problems;
    }
}

/// <summary>PEPNet. Components: embeddings, backbone, generators (the EPNet and PPNet gate networks).
/// EPNet and PPNet on their own (EpNetModel.cs, PpNetModel.cs) are this network with the other part switched off,
/// under their own kind and config.</summary>
public class PepNetModel : ScenarioModel, IComponentCounted
{
    public const string KindName = "PEPNet";

    private readonly FieldEmbedding embedding;
    private readonly ModuleList<Linear> layers;
    private readonly Linear output;
    private readonly Mlp? generator_ep;
    private readonly ModuleList<Mlp> generator_pp;
    private readonly PepNetConfig config;
    private readonly FeatureSpec features;

    public override string Kind => KindName;
    public override FeatureSpec Features => features;
    public override ModelConfig Config => config;

    public PepNetModel(FeatureSpec features, PepNetConfig config, Device? device = null) : this(nameof(PepNetModel), features, config, device) { }

    /// <summary>The network of <paramref name="config"/> under module name <paramref name="name"/> (EPNet, PPNet).</summary>
    protected PepNetModel(string name, FeatureSpec features, PepNetConfig config, Device? device) : base(name)
    {
        config.Validate(features);
        this.features = features;
        this.config = config;
        embedding = new FieldEmbedding(features, config.EmbeddingDim, config.EmbeddingInitStd, config.ClampUnknownIdsToOov);
        var awareDim = config.AwareDim(features);
        var gated = config.EpNetWidth(features);
        if (config.UseEpNet) generator_ep = new Mlp(awareDim + gated, [config.GateHidden], gated);
        layers = new ModuleList<Linear>();
        generator_pp = new ModuleList<Mlp>();
        var width = config.InputDim(features);
        var prior = config.PriorWidth(features);
        foreach (var h in config.HiddenSizes)
        {
            layers.Add(Linear(width, h));
            var context = config.PpNetContext == PpNetContext.LayerInput ? width : config.InputDim(features);
            if (config.UsePpNet) generator_pp.Add(new Mlp(prior + context, [config.GateHidden], h));
            width = h;
        }
        output = Linear(width, 1);
        RegisterComponents();
        if (device is not null) this.to(device);
    }

    private Tensor Gate(Mlp network, Tensor input) => config.Gamma * functional.sigmoid(network.call(input));

    private Tensor StopGradient(Tensor x) => config.StopGradient ? x.detach() : x;

    public override Tensor forward(ModelInput input)
    {
        var emb = embedding.call(input.Categorical);
        Tensor h;
        if (generator_ep is null) h = emb.BackboneInput(input.Numeric);
        else
        {
            var all = config.EpNetTarget == EpNetTarget.All;
            var target = all ? cat([emb.Agnostic, emb.Aware], 1) : emb.Agnostic;
            var gated = Gate(generator_ep, cat([emb.Aware, StopGradient(target)], 1)) * target;   // O_ep
            var parts = new List<Tensor> { gated };
            if (!all) parts.Add(emb.Aware);
            if (input.Numeric is { } numeric && numeric.shape[1] > 0) parts.Add(numeric.to_type(gated.dtype));
            h = cat(parts.ToArray(), 1);
        }
        var prior = config.PpNetPrior switch
        {
            PpNetPrior.Aware => emb.Aware,
            PpNetPrior.Agnostic => emb.Agnostic,
            _ => cat([emb.Agnostic, emb.Aware], 1),
        };
        var h1 = h;
        for (var l = 0; l < layers.Count; l++)
        {
            var next = functional.relu(layers[l].call(h));
            if (config.UsePpNet)
            {
                var context = config.PpNetContext == PpNetContext.LayerInput ? h : h1;
                next = Gate(generator_pp[l], cat([prior, StopGradient(context)], 1)) * next;
            }
            h = next;
        }
        return output.call(h).squeeze(1);
    }

    public IReadOnlyDictionary<string, long> ParameterCounts() => Baseline.Count(this,
        n => n.StartsWith("generator_", StringComparison.Ordinal) ? ModelComponent.Generators : ModelComponent.Backbone,
        ModelComponent.Backbone, ModelComponent.Generators);

    /// <summary>With H = GateHidden, g = gated width (e_ag or all embeddings), p = prior width, c_l = context width:
    ///   backbone = mlp(d_in, hidden..., 1)
    ///   generators = mlp(d_aw + g, H, g) + sum_l mlp(p + c_l, H, d_l)  (c_l = d_{l-1} for LayerInput, d_in for EpNetOutput).</summary>
    public static IReadOnlyDictionary<string, long> Formula(FeatureSpec features, PepNetConfig config)
    {
        long generators = 0, g = config.EpNetWidth(features), p = config.PriorWidth(features), din = config.InputDim(features), width = din;
        if (config.UseEpNet) generators += Baseline.MlpCount(config.AwareDim(features) + g, [config.GateHidden], g);
        foreach (var h in config.HiddenSizes)
        {
            var c = config.PpNetContext == PpNetContext.LayerInput ? width : din;
            if (config.UsePpNet) generators += Baseline.MlpCount(p + c, [config.GateHidden], h);
            width = h;
        }
        return Baseline.WithTotal(new()
        {
            [ModelComponent.Embeddings] = Baseline.EmbeddingCount(features, config),
            [ModelComponent.Backbone] = Baseline.MlpCount(din, config.HiddenSizes, 1),
            [ModelComponent.Generators] = generators,
        });
    }
}
