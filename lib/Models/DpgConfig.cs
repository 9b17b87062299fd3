// Configuration of DPG and MI-DPG (paper section 2; MODELS.md "DPG" and "MIR").
// Every decision the paper leaves open is a named option here, with the paper's choice (or ours,
// where it is silent) as the default. Immutable; Validate() names each violated constraint.
using System.Text.Json.Serialization;

namespace MiDpg.Research.Models;

/// <summary>The four decomposable-weighting-matrix variants (paper 2.2.1-2.2.4).</summary>
public enum DwmVariant
{
    /// <summary>S = sigmoid(G(e_aw, h)): the full d_m x d_n matrix is generated (eq. 2).</summary>
    Non,

    /// <summary>S = psi(sigmoid(S_R S_C)), both factors generated (eq. 3).</summary>
    RC,

    /// <summary>S = psi(sigmoid(S_R C_share)), S_R generated, C_share learned and shared (eq. 4).</summary>
    R,

    /// <summary>S = psi(sigmoid(R_share S_C)), R_share learned and shared, S_C generated (eq. 5).</summary>
    C,
}

/// <summary>
/// What d_r = d_m / r_div (and d_c = d_n / c_div) means when the divisor does not divide the layer size —
/// which happens at layer 1, whose d_m is set by the data (e.g. 6 fields x 16 + 2 numeric = 98).
/// </summary>
public enum DivisorRounding
{
    /// <summary>The divisor must divide the size; otherwise the config is invalid (the constraint is named).</summary>
    Exact,

    /// <summary>d_r is the largest divisor of d_m not above d_m / r_div (so psi still tiles exactly); equals
    /// d_m / r_div whenever that is an integer. Default, so one setting serves every dataset.</summary>
    LargestDivisor,
}

/// <summary>How eq. 8's BCE is reduced over the mini-batch (see <see cref="DpgConfig.BceReduction"/>).</summary>
public enum BceReduction
{
    /// <summary>Batch sum, as eq. 8 writes it: L_mi weighs lambda / B against the batch-mean BCE (a named option).</summary>
    Sum,
    /// <summary>Batch mean, as L_mi: L = mean BCE + lambda L_mi. Default (eq. 6 divides L_mi by N; the peer reads both as means).</summary>
    Mean,
}

/// <summary>Geometry of one modulated layer: W in R^{d_m x d_n}, core in R^{d_r x d_c}, rank d_k.</summary>
public sealed record LayerGeometry(int Layer, int Dm, int Dn, int Dr, int Dc, int Dk);

/// <summary>
/// DPG / MI-DPG settings. MI-DPG = DPG + MIR: <see cref="UseMir"/> = false (or <see cref="Lambda"/> = 0)
/// gives DPG. Layer numbers are 1-based as in the paper (1 = the first hidden layer, input width d_m =
/// all embeddings + numeric fields).
/// </summary>
public sealed record DpgConfig : ModelConfig
{
    /// <summary>DWM variant (paper 2.2). Default R: the paper's best variant (section 3.5.1).</summary>
    public DwmVariant Variant { get; init; } = DwmVariant.R;

    /// <summary>r_div: d_r = d_m / RowDivisor for every modulated layer (must divide each layer's d_m).</summary>
    public int RowDivisor { get; init; } = 4;

    /// <summary>c_div: d_c = d_n / ColumnDivisor for every modulated layer (must divide each layer's d_n).</summary>
    public int ColumnDivisor { get; init; } = 4;

    /// <summary>How d_r and d_c are found when a divisor does not divide a layer's size (default: the largest
    /// divisor not above d_m / r_div; <see cref="DivisorRounding.Exact"/> makes it an error instead).</summary>
    public DivisorRounding Rounding { get; init; } = DivisorRounding.LargestDivisor;

    /// <summary>When set, d_r = RowSize for every modulated layer, overriding <see cref="RowDivisor"/>
    /// (e.g. 1 for the output-gating special case).</summary>
    public int? RowSize { get; init; }

    /// <summary>When set, d_c = ColumnSize for every modulated layer, overriding <see cref="ColumnDivisor"/>.</summary>
    public int? ColumnSize { get; init; }

    /// <summary>d_k: inner rank of S_R S_C; d_k &lt;= min(d_r, d_c). Default 2 (paper 3.5.1 sweeps {1, 2, 4}; the
    /// throughput-v1 workload uses 2). Measured on the synthetic default (DPG-R, d_r = d_m/4, d_c = d_n/4, seed 1):
    /// test AUC 0.8412 with d_k = 1 (a rank-one logit matrix per sample) vs 0.8452 with d_k = 2; DNN 0.8433.</summary>
    public int RankK { get; init; } = 2;

    /// <summary>psi: tile (default) or block.</summary>
    public RepeatMode Repeat { get; init; } = RepeatMode.Tile;

    /// <summary>Hidden width of each generator network G (one hidden layer, ReLU). Default 64.</summary>
    public int GeneratorHidden { get; init; } = 64;

    /// <summary>Detach h_l in the generator input [e_aw, h_l] (PEPNet-style stop-gradient). Default off.</summary>
    public bool DetachGeneratorInput { get; init; }

    /// <summary>Which hidden layers are modulated (1-based); null = all hidden layers.</summary>
    public IReadOnlyList<int>? ModulatedLayers { get; init; }

    /// <summary>S = GateScale * psi(sigmoid(...)). 1 = the paper's plain sigmoid (default); 2 makes the expected
    /// gate ~1 at initialisation (as PEPNet's gamma = 2).</summary>
    public double GateScale { get; init; } = 1.0;

    /// <summary>The backbone weights W of modulated layers are drawn from U(-g/sqrt(d_m), g/sqrt(d_m)) with g =
    /// WeightInitGain. 1 is nn.Linear's default. Since S starts near sigmoid(0) = 1/2, W ⊙ S then starts at half
    /// the scale of a plain layer, and the shrinkage compounds over the modulated layers; 2 (the default) makes
    /// W ⊙ S start at the scale of a plain layer while S keeps the paper's range (0, 1). The paper does not state
    /// its initialisation.</summary>
    public double WeightInitGain { get; init; } = 2.0;

    /// <summary>The generators' output layers keep PyTorch's default Linear initialisation scaled by this factor,
    /// so the generated factors start small and S starts near GateScale * sigmoid(0). Default 0.1.</summary>
    public double GeneratorOutputInitScale { get; init; } = 0.1;

    /// <summary>Shared factors (C_share, R_share) are initialised from N(0, SharedFactorInitStd^2). Default 1.</summary>
    public double SharedFactorInitStd { get; init; } = 1.0;

    /// <summary>Compute RC/R/C layers with the factored fast path (never a per-sample d_m x d_n matrix).
    /// false = naive W ⊙ S path (for testing). Non always uses the naive path.</summary>
    public bool UseFactoredPath { get; init; } = true;

    /// <summary>Add the MIR loss (MI-DPG). false = DPG.</summary>
    public bool UseMir { get; init; } = true;

    /// <summary>lambda in L = BCE + lambda * L_mi (paper 3.3: 1).</summary>
    public double Lambda { get; init; } = 1.0;

    /// <summary>How the BCE of eq. 8 is reduced over a mini-batch of B rows, which sets how much L_mi weighs against it.
    /// The paper writes L = -sum_{i=1..N} y_i log y^_i + lambda L_mi (eq. 8) with L_mi = -(1/N) sum_i [...] (eq. 6) and calls
    /// lambda a hyperparameter (3.3: 1).
    /// <see cref="Models.BceReduction.Mean"/> (default): both terms batch means, L = mean BCE + lambda L_mi — eq. 6's 1/N
    /// read for both terms, the PyTorch peer's loss (shared/bench/midpg_ref.py); lambda is then tuned on validation
    /// (experiment --tune searches {0.01, 0.03, 0.1, 0.3, 1}).
    /// <see cref="Models.BceReduction.Sum"/>: eq. 8 read literally, the BCE summed over the batch and L_mi a mean, so
    /// L_mi weighs lambda / B against the batch-mean BCE (1/512 of lambda at the paper's batch size); computed as mean BCE
    /// + (lambda / B) L_mi, which gives the same Adam steps as the literal sum (Adam's update does not change when the
    /// loss is multiplied by B, up to its epsilon). Under Sum the MIR barely acts: MI-DPG and DPG print the same AUC to
    /// 4 decimals (docs/figures/table1-full.md before issue 16).
    /// Measured (synthetic default, seeds 1–3, test AUC, lambda = 1 untuned): Sum 0.8413, Mean 0.8374, DNN 0.8399,
    /// DPG (R) 0.8413; with Mean at lambda = 1 the matrices' silhouette by scenario goes from 0.10 (DPG) to 0.89 and their
    /// group structure is lost, which is why lambda is tuned.</summary>
    public BceReduction BceReduction { get; init; } = BceReduction.Mean;

    /// <summary>Hidden width of each MIR discriminator T (one hidden layer, ReLU, scalar logit). Default 64.</summary>
    public int DiscriminatorHidden { get; init; } = 64;

    /// <summary>Non only: project vec(S) (d_m*d_n) linearly to this width before the discriminator; 0 = no projection.</summary>
    public int NonDiscriminatorProjection { get; init; }

    /// <summary>Where the gradient of L_mi may go. true (default; what plain autograd does in the paper's TensorFlow
    /// model, which mentions no stop-gradient): the MIR scores the cores of the forward pass, so L_mi reaches the
    /// generators, the discriminators, the scenario-aware embeddings and, through h_l, the backbone and every embedding
    /// below it. false: the MIR scores the same cores regenerated from [e_aw, detach(h_l)] (equal values), so L_mi
    /// reaches only the generators, the discriminators and e_aw (the narrowest reading of MODELS.md "MIR"); costs one
    /// more generator pass. Measured on the synthetic default (MI-DPG-R, lambda 1, seeds 1-2): test AUC 0.8394 (true)
    /// vs 0.8369 (false); the scenario structure of the matrices is the same.</summary>
    public bool MirGradientToBackbone { get; init; } = true;

    /// <summary>The effective MIR switch: MIR on and lambda &gt; 0.</summary>
    [JsonIgnore]
    public bool MirActive => UseMir && Lambda > 0;

    /// <summary>Modulated layers (1-based, ascending) for a backbone with HiddenSizes.Count hidden layers.</summary>
    [JsonIgnore]
    public IReadOnlyList<int> EffectiveModulatedLayers =>
        ModulatedLayers is null ? Enumerable.Range(1, HiddenSizes.Count).ToArray() : ModulatedLayers.Distinct().Order().ToArray();

    /// <summary>d_m, d_n, d_r, d_c, d_k of hidden layer <paramref name="layer"/> (1-based).</summary>
    public LayerGeometry Geometry(FeatureSpec features, int layer)
    {
        var (dm, dn) = LayerShape(features, layer);
        if (Variant == DwmVariant.Non) return new LayerGeometry(layer, dm, dn, dm, dn, 0);
        var dr = RowSize ?? Resolve(dm, Math.Max(RowDivisor, 1));
        var dc = ColumnSize ?? Resolve(dn, Math.Max(ColumnDivisor, 1));
        return new LayerGeometry(layer, dm, dn, dr, dc, RankK);
    }

    /// <summary>size / divisor, or (with <see cref="DivisorRounding.LargestDivisor"/>) the largest divisor of size not above it.</summary>
    int Resolve(int size, int divisor)
    {
        if (size % divisor == 0 || Rounding == DivisorRounding.Exact) return size / divisor;
        for (int d = size / divisor; d > 1; d--)
            if (size % d == 0) return d;
        return 1;
    }

    public override IReadOnlyList<string> Problems(FeatureSpec? features = null)
    {
        var problems = new List<string>(base.Problems(features));
        if (GeneratorHidden < 1) problems.Add($"GeneratorHidden must be >= 1; got {GeneratorHidden}");
        if (DiscriminatorHidden < 1) problems.Add($"DiscriminatorHidden must be >= 1; got {DiscriminatorHidden}");
        if (NonDiscriminatorProjection < 0) problems.Add($"NonDiscriminatorProjection must be >= 0 (0 = no projection); got {NonDiscriminatorProjection}");
        if (!(Lambda >= 0)) problems.Add($"Lambda (weight of L_mi) must be >= 0; got {Lambda}");
        if (!Enum.IsDefined(BceReduction)) problems.Add($"BceReduction must be Mean or Sum; got {BceReduction}");
        if (!(GateScale > 0)) problems.Add($"GateScale must be > 0; got {GateScale}");
        if (!(WeightInitGain > 0)) problems.Add($"WeightInitGain must be > 0; got {WeightInitGain}");
        if (!(GeneratorOutputInitScale > 0)) problems.Add($"GeneratorOutputInitScale must be > 0; got {GeneratorOutputInitScale}");
        if (!(SharedFactorInitStd > 0)) problems.Add($"SharedFactorInitStd must be > 0; got {SharedFactorInitStd}");
        if (!HasValidHiddenSizes) return problems;

        var layers = HiddenSizes.Count;
        if (ModulatedLayers is not null)
        {
            foreach (var l in ModulatedLayers)
                if (l < 1 || l > layers)
                    problems.Add($"ModulatedLayers entries must be hidden-layer numbers 1..{layers} (1-based); got {l}");
            if (ModulatedLayers.Count == 0)
                problems.Add("ModulatedLayers must name at least one hidden layer (null = all); got an empty list — use the DNN baseline for an unmodulated backbone");
            if (ModulatedLayers.Distinct().Count() != ModulatedLayers.Count)
                problems.Add($"ModulatedLayers must not repeat a layer; got [{string.Join(", ", ModulatedLayers)}]");
        }
        if (Variant == DwmVariant.Non) return problems;

        if (RowSize is null && RowDivisor < 1) problems.Add($"RowDivisor (r_div) must be >= 1; got {RowDivisor}");
        if (ColumnSize is null && ColumnDivisor < 1) problems.Add($"ColumnDivisor (c_div) must be >= 1; got {ColumnDivisor}");
        if (RowSize is < 1) problems.Add($"RowSize (d_r) must be >= 1 when set; got {RowSize}");
        if (ColumnSize is < 1) problems.Add($"ColumnSize (d_c) must be >= 1 when set; got {ColumnSize}");
        if (RankK < 1) problems.Add($"RankK (d_k) must be >= 1; got {RankK}");
        if (problems.Count > 0) return problems;

        foreach (var l in EffectiveModulatedLayers.Where(l => l >= 1 && l <= layers))
        {
            if (l == 1 && features is null) continue; // d_m of layer 1 depends on the features
            var (dm, dn) = LayerShape(features!, l);
            int dr, dc;
            if (RowSize is { } rs)
            {
                if (rs > dm || dm % rs != 0) { problems.Add($"RowSize (d_r) must divide d_m = {dm} of layer {l} (and d_r <= d_m); got RowSize = {rs}"); continue; }
                dr = rs;
            }
            else
            {
                if (dm % RowDivisor != 0 && Rounding == DivisorRounding.Exact) { problems.Add($"d_r = d_m / RowDivisor requires RowDivisor to divide d_m = {dm} of layer {l} (or Rounding = LargestDivisor); got RowDivisor = {RowDivisor}"); continue; }
                dr = Resolve(dm, RowDivisor);
            }
            if (ColumnSize is { } cs)
            {
                if (cs > dn || dn % cs != 0) { problems.Add($"ColumnSize (d_c) must divide d_n = {dn} of layer {l} (and d_c <= d_n); got ColumnSize = {cs}"); continue; }
                dc = cs;
            }
            else
            {
                if (dn % ColumnDivisor != 0 && Rounding == DivisorRounding.Exact) { problems.Add($"d_c = d_n / ColumnDivisor requires ColumnDivisor to divide d_n = {dn} of layer {l} (or Rounding = LargestDivisor); got ColumnDivisor = {ColumnDivisor}"); continue; }
                dc = Resolve(dn, ColumnDivisor);
            }
            if (RankK > Math.Min(dr, dc))
                problems.Add($"d_k <= min(d_r, d_c) is violated at layer {l}: d_r = {dr}, d_c = {dc}; got RankK (d_k) = {RankK}");
        }
        return problems;
    }
}
