// Mutual-information regularisation, MIR (paper section 2.3, eqs. 6-7; MODELS.md "MIR").
// For each modulated layer a discriminator T scores (e_aw, s), s = vec(core) (the d_r x d_c matrix
// sigmoid(S_R S_C), which determines S; for Non, vec(S), optionally through a linear projection).
// Positive pairs (e_aw_i, s_i), negative pairs (e_aw_pi(i), s_i) with pi a random permutation of the
// mini-batch ("shuffle"); one discriminator serves both.
//   L_mi = mean_i [ softplus(-T+_i) + softplus(T-_i) ]  = -(log sigma(T+) + log(1 - sigma(T-))),
// averaged over the modulated layers. Its gradients reach the discriminators, the generators and the
// scenario-aware embeddings.
// Efficiency: T's first layer is linear in the concatenation [e, s], so W1 [e, s] = W1_e e + W1_s s. A positive
// and a negative pair share s and differ only in e's row order, hence Compute evaluates W1_s s + b1 and W1_e e_aw
// once per layer and obtains the negative pairs' W1_e e_aw[pi] by permuting rows: half the work of two full
// discriminator calls (and no [e, s] concatenations), the same function. After those products, a layer's ReLU, output
// layer, softplus terms and mean run as one fused autograd node on float32 CPU tensors (FusedMirHead; UseFusedKernel).
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models;

/// <summary>The MIR terms of one batch: L_mi (averaged over layers), the per-layer losses, the permutation used.</summary>
public sealed record MirResult(Tensor Loss, IReadOnlyList<Tensor> LayerLosses, Tensor Permutation);

/// <summary>One discriminator T per modulated layer (ModuleList), the in-batch shuffle and L_mi.</summary>
public sealed class MutualInformationRegularizer : Module<Tensor, IReadOnlyList<Tensor>, MirResult>
{
    private readonly ModuleList<Mlp> discriminators;
    private readonly ModuleList<Linear> projections;   // Non only, when NonDiscriminatorProjection > 0
    private readonly bool project;

    public int LayerCount => discriminators.Count;

    /// <param name="awareDim">Width of e_aw.</param>
    /// <param name="coreSizes">Width of vec(core) of each modulated layer (d_r d_c; Non: d_m d_n).</param>
    /// <param name="discriminatorHidden">Hidden width of each T.</param>
    /// <param name="projection">If &gt; 0, vec(core) is first projected linearly to this width (used for Non).</param>
    public MutualInformationRegularizer(int awareDim, IReadOnlyList<int> coreSizes, int discriminatorHidden, int projection = 0, Device? device = null)
        : base(nameof(MutualInformationRegularizer))
    {
        project = projection > 0;
        this.awareDim = awareDim;
        discriminators = new ModuleList<Mlp>();
        projections = new ModuleList<Linear>();
        foreach (var size in coreSizes)
        {
            var sDim = project ? projection : size;
            if (project) projections.Add(Linear(size, projection));
            discriminators.Add(new Mlp(awareDim + sDim, [discriminatorHidden], 1));
        }
        RegisterComponents();
        if (device is not null) this.to(device);
    }

    private readonly int awareDim;

    /// <summary>A random permutation pi of the batch (on the batch's device).</summary>
    public static Tensor SamplePermutation(long batchSize, Device device, Generator? generator = null) =>
        generator is null ? randperm(batchSize, device: device) : randperm(batchSize, device: device, generator: generator);

    /// <summary>shuffle(e_aw): rows of e_aw reordered by pi.</summary>
    public static Tensor Shuffle(Tensor eAw, Tensor permutation) => eAw.index_select(0, permutation);

    /// <summary>T(e_aw, s) of layer <paramref name="layer"/> (0-based among modulated layers): logits [B].</summary>
    public Tensor Score(int layer, Tensor eAw, Tensor core)
    {
        var s = core.reshape(core.shape[0], -1);
        if (project) s = projections[layer].call(s);
        return discriminators[layer].call(cat([eAw, s], 1)).squeeze(1);
    }

    /// <summary>Discriminator logits of the positive pairs (e_aw_i, s_i) and the negative pairs (e_aw_pi(i), s_i) of
    /// layer <paramref name="layer"/>, the first layer split over [e, s] (same values as two <see cref="Score"/> calls).</summary>
    public (Tensor Positive, Tensor Negative) ScorePairs(int layer, Tensor eAw, Tensor core, Tensor permutation)
    {
        var (fromS, weightE, discriminator) = SplitFirstLayer(layer, core);
        var fromE = functional.linear(eAw, weightE);                                                            // [B, H]
        return PairLogits(discriminator, cat([fromS + fromE, fromS + fromE.index_select(0, permutation)], 0), core.shape[0]);
    }

    // W1_s s + b1 of the layer's discriminator, and W1_e, the part of its first layer that reads e_aw.
    private (Tensor FromS, Tensor WeightE, Mlp Discriminator) SplitFirstLayer(int layer, Tensor core)
    {
        var s = core.reshape(core.shape[0], -1);
        if (project) s = projections[layer].call(s);
        var discriminator = discriminators[layer];
        var first = discriminator.HiddenLayers[0];
        var weight = first.weight!;
        var fromS = functional.linear(s, weight.narrow(1, awareDim, weight.shape[1] - awareDim), first.bias);   // [B, H]
        return (fromS, weight.narrow(1, 0, awareDim), discriminator);
    }

    // The rest of the discriminator on [positive; negative] first-layer pre-activations [2B, H].
    private static (Tensor Positive, Tensor Negative) PairLogits(Mlp discriminator, Tensor hidden, long batch)
    {
        var logits = discriminator.ForwardFromFirstHidden(hidden).squeeze(1);
        return (logits.narrow(0, 0, batch), logits.narrow(0, batch, batch));
    }

    /// <summary>L_mi for one layer from the discriminator logits of positive and negative pairs.</summary>
    public static Tensor LayerLoss(Tensor positiveLogits, Tensor negativeLogits) =>
        (functional.softplus(-positiveLogits) + functional.softplus(negativeLogits)).mean();

    /// <summary>L_mi averaged over layers, with a freshly sampled permutation.</summary>
    public override MirResult forward(Tensor eAw, IReadOnlyList<Tensor> cores) =>
        Compute(eAw, cores, SamplePermutation(eAw.shape[0], eAw.device));

    /// <summary>L_mi averaged over layers, with a given permutation (the same pi for every layer).</summary>
    public MirResult Compute(Tensor eAw, IReadOnlyList<Tensor> cores, Tensor permutation) =>
        Average(cores, l => PairLoss(l, eAw, null, cores[l], permutation), permutation);

    /// <summary>L_mi (averaged over layers) of rows whose negative pairs take e_aw from <paramref name="negativeAw"/>
    /// (rows <paramref name="negativeRows"/> of the batch); a shard of a batch gets its rows' terms of <see cref="Compute"/>.</summary>
    public MirResult ComputeWithNegatives(Tensor eAw, Tensor negativeAw, IReadOnlyList<Tensor> cores, Tensor negativeRows) =>
        Average(cores, l => PairLoss(l, eAw, negativeAw, cores[l], null), negativeRows);

    /// <summary>Whether a layer's loss after the first-layer products runs as one fused node (<see cref="FusedMirHead"/>)
    /// where it applies (float32 on the CPU, one hidden layer, no dropout); false runs the same function as torch ops.
    /// The same math, so not part of the config.</summary>
    public bool UseFusedKernel { get; set; } = true;

    // One layer's L_mi: the first layer split over [e, s] (W1_s s + b1 once for both pairs), the negative pairs' W1_e e_aw
    // taken by permuting rows (a whole batch) or computed from the given negativeAw (a shard).
    private Tensor PairLoss(int layer, Tensor eAw, Tensor? negativeAw, Tensor core, Tensor? permutation)
    {
        var (fromS, weightE, discriminator) = SplitFirstLayer(layer, core);
        var batch = core.shape[0];
        Tensor positiveE, negativeE;
        if (negativeAw is null)
        {
            positiveE = functional.linear(eAw, weightE);                                                       // [B, H]
            negativeE = positiveE.index_select(0, permutation!);
        }
        else
        {
            var both = functional.linear(cat([eAw, negativeAw], 0), weightE);                                  // [2B, H]
            positiveE = both.narrow(0, 0, batch);
            negativeE = both.narrow(0, batch, batch);
        }
        var output = discriminator.OutputLayer;
        if (UseFusedKernel && output is not null && discriminator.HiddenLayers.Count == 1 && discriminator.Dropout == 0
            && FusedMirHead.Supports(fromS, positiveE, negativeE, output.weight!, output.bias!))
            return FusedMirHead.Loss(fromS, positiveE, negativeE, output.weight!, output.bias!);
        var (positive, negative) = PairLogits(discriminator, cat([fromS + positiveE, fromS + negativeE], 0), batch);
        return LayerLoss(positive, negative);
    }

    private MirResult Average(IReadOnlyList<Tensor> cores, Func<int, Tensor> layerLoss, Tensor permutation)
    {
        if (cores.Count != discriminators.Count)
            throw new ArgumentException($"MIR was built for {discriminators.Count} modulated layers; got {cores.Count} cores");
        var losses = new List<Tensor>(cores.Count);
        for (var l = 0; l < cores.Count; l++) losses.Add(layerLoss(l));
        return new MirResult(stack(losses).mean(), losses, permutation);
    }
}
