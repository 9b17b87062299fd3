// DPG and MI-DPG (Cheng et al., "MI-DPG: Decomposable Parameter Generation Network Based on Mutual
// Information for Multi-Scenario Recommendation", section 2; MODELS.md).
//   h1 = [e_ag, e_aw, numeric];  h_{l+1} = ReLU(h_l (W_l ⊙ S_l) + b_l) for modulated layers (DWM),
//   h_{l+1} = ReLU(h_l W_l + b_l) otherwise;  logit = h_{L+1} w_out + b_out.
//   L = BCE(y, sigmoid(logit)) + lambda * L_mi  (eq. 8); MI-DPG = DPG + MIR, DPG = MIR off or lambda = 0.
//   Eq. 8's reading: by default (BceReduction.Mean) both terms are batch means, mean BCE + lambda L_mi; BceReduction.Sum
//   reads eq. 8 literally (BCE summed over the batch), computed as mean BCE + (lambda / B) L_mi, the same Adam steps.
// Hyper-parameters: see DpgConfig (variant, r_div / c_div or d_r / d_c, d_k, psi mode, generator
// hidden size, detach option, modulated layers, lambda, discriminator size) and ModelConfig
// (emb_dim, hidden sizes 128-64-32).
// Initialisation: embeddings N(0, EmbeddingInitStd^2); backbone weights and biases
// U(-1/sqrt(d_m), 1/sqrt(d_m)) (nn.Linear's default); generator and discriminator hidden layers
// nn.Linear's default; generator output layers scaled by GeneratorOutputInitScale (S starts near
// GateScale * 0.5); shared factors N(0, SharedFactorInitStd^2).
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models;

/// <summary>Everything one forward pass produces: logits [B], the embeddings, and per modulated layer
/// its generated core (A [B, d_r, d_c]; Non: S [B, d_m, d_n]).</summary>
public sealed record DpgForward(Tensor Logits, FieldEmbeddings Embeddings, IReadOnlyList<Tensor> Cores)
{
    /// <summary>The input h_l of each modulated layer (same order as <see cref="Cores"/>).</summary>
    public IReadOnlyList<Tensor> LayerInputs { get; init; } = [];
}

/// <summary>DPG / MI-DPG. Kind is "MI-DPG" when the MIR is active, "DPG" otherwise.</summary>
public sealed class DpgModel : ScenarioModel
{
    private readonly FieldEmbedding embedding;
    private readonly ModuleList<WeightingMatrix> dwm;     // modulated hidden layers, ascending
    private readonly ModuleList<Linear> plain;            // unmodulated hidden layers, ascending
    private readonly Linear output;
    private readonly MutualInformationRegularizer? mir;
    private readonly (bool Modulated, int Index)[] layout; // per hidden layer: which list, which entry

    private readonly DpgConfig config;
    private readonly FeatureSpec features;

    public const string MiDpgKind = "MI-DPG";
    public const string DpgKind = "DPG";

    public override string Kind => config.MirActive ? MiDpgKind : DpgKind;
    public override FeatureSpec Features => features;
    public override ModelConfig Config => config;
    public DpgConfig DpgConfig => config;

    /// <summary>The modulated layers (1-based layer numbers in <see cref="ModulatedLayerNumbers"/>).</summary>
    public IReadOnlyList<WeightingMatrix> WeightingLayers => dwm.ToArray();

    public IReadOnlyList<int> ModulatedLayerNumbers { get; }

    public FieldEmbedding Embedding => embedding;

    /// <summary>The MIR module; null for DPG.</summary>
    public MutualInformationRegularizer? Mir => mir;

    public DpgModel(FeatureSpec features, DpgConfig config, Device? device = null) : base(nameof(DpgModel))
    {
        config.Validate(features);
        this.config = config;
        this.features = features;
        embedding = new FieldEmbedding(features, config.EmbeddingDim, config.EmbeddingInitStd, config.ClampUnknownIdsToOov);
        dwm = new ModuleList<WeightingMatrix>();
        plain = new ModuleList<Linear>();
        var modulated = config.EffectiveModulatedLayers.ToHashSet();
        ModulatedLayerNumbers = config.EffectiveModulatedLayers;
        var awareDim = config.AwareDim(features);
        layout = new (bool, int)[config.HiddenSizes.Count];
        for (var l = 1; l <= config.HiddenSizes.Count; l++)
        {
            if (modulated.Contains(l))
            {
                layout[l - 1] = (true, dwm.Count);
                dwm.Add(new WeightingMatrix(config.Geometry(features, l), awareDim, config));
            }
            else
            {
                var (dm, dn) = config.LayerShape(features, l);
                layout[l - 1] = (false, plain.Count);
                plain.Add(Linear(dm, dn));
            }
        }
        output = Linear(config.HiddenSizes[^1], 1);
        if (config.MirActive)
        {
            var coreSizes = dwm.Select(w => w.CoreSize).ToArray();
            var projection = config.Variant == DwmVariant.Non ? config.NonDiscriminatorProjection : 0;
            mir = new MutualInformationRegularizer(awareDim, coreSizes, config.DiscriminatorHidden, projection);
        }
        RegisterComponents();
        if (device is not null) this.to(device);
    }

    public override Tensor forward(ModelInput input) => Run(input).Logits;

    /// <summary>The forward pass, keeping the embeddings and every modulated layer's core.</summary>
    /// <param name="factored">Override the config's path choice (true = factored, false = naive); null = config.</param>
    public DpgForward Run(ModelInput input, bool? factored = null)
    {
        var emb = embedding.call(input.Categorical);
        var h = emb.BackboneInput(input.Numeric);
        var cores = new List<Tensor>(dwm.Count);
        var inputs = new List<Tensor>(dwm.Count);
        foreach (var (isModulated, index) in layout)
        {
            if (isModulated)
            {
                inputs.Add(h);
                var result = dwm[index].Compute(h, emb.Aware, factored);
                cores.Add(result.Core);
                h = functional.relu(result.Output);
            }
            else h = functional.relu(plain[index].call(h));
        }
        var logits = output.call(h).squeeze(1);
        return new DpgForward(logits, emb, cores) { LayerInputs = inputs };
    }

    /// <summary>L = mean BCE + w L_mi, w = <see cref="MirWeight"/> (L_mi only when the MIR is active); Terms: "bce", "mi", "total".</summary>
    public override ModelOutput Loss(ModelInput input, Tensor labels) => Loss(input, labels, permutation: null);

    /// <summary><see cref="Loss(ModelInput, Tensor)"/> with the MIR's in-batch permutation pi given (the same for every
    /// layer); null draws one. A given pi makes the loss a deterministic function of weights and batch (golden checks).</summary>
    public ModelOutput Loss(ModelInput input, Tensor labels, Tensor? permutation)
    {
        var run = Run(input);
        if (mir is null) return Compose(run.Logits, labels, null, 0, null);
        var cores = CoresForMir(run);
        var mi = permutation is null ? mir.call(run.Embeddings.Aware, cores) : mir.Compute(run.Embeddings.Aware, cores, permutation);
        return Compose(run.Logits, labels, mi.Loss, MirWeight(input.BatchSize), "mi");
    }

    /// <summary>MI-DPG: the in-batch permutation pi of the MIR's negative pairs (drawn as <see cref="Loss"/> draws it).</summary>
    public override Tensor? PrepareBatch(ModelInput input) =>
        mir is null ? null : MutualInformationRegularizer.SamplePermutation(input.BatchSize, input.Categorical.device);

    /// <summary>MI-DPG's share of rows [start, start + length): their BCE and MIR terms, the negative pair of row i
    /// taking e_aw of batch row pi(i) wherever it lies (looked up again from the table), times length / B.</summary>
    public override ModelOutput ShardLoss(ModelInput batch, Tensor labels, long start, long length, Tensor? batchState)
    {
        if (mir is null) return base.ShardLoss(batch, labels, start, length, batchState);
        if (batchState is null)
            throw new ArgumentNullException(nameof(batchState), "MI-DPG's shard loss needs the batch permutation from PrepareBatch.");
        var run = Run(batch.Slice(start, length));
        var negativeRows = batchState.narrow(0, start, length);
        var negativeAw = embedding.LookupAware(batch.Categorical.index_select(0, negativeRows));
        var mi = mir.ComputeWithNegatives(run.Embeddings.Aware, negativeAw, CoresForMir(run), negativeRows);
        return Compose(run.Logits, labels.narrow(0, start, length), mi.Loss, MirWeight(batch.BatchSize), "mi").Scaled(length / (double)batch.BatchSize);
    }

    /// <summary>The weight of L_mi next to the batch-mean BCE: lambda, or lambda / B when eq. 8's BCE is a batch sum.</summary>
    public double MirWeight(long batchSize) => config.BceReduction == BceReduction.Sum ? config.Lambda / batchSize : config.Lambda;

    // With MirGradientToBackbone off, the MIR scores the same cores regenerated from [e_aw, detach(h_l)] (equal
    // values, gradient stopped at h_l: L_mi reaches only the generators, the discriminators and e_aw).
    private IReadOnlyList<Tensor> CoresForMir(DpgForward run) => config.MirGradientToBackbone
        ? run.Cores
        : run.LayerInputs.Select((h, l) => dwm[l].Generate(h.detach(), run.Embeddings.Aware)).ToArray();
}
