// The decomposable weighting matrix module, DWM (paper section 2.2, eqs. 1-5; MODELS.md "DPG").
// One modulated backbone layer: y = h (W ⊙ S) + b, with S generated per sample from [e_aw, h]:
//   Non: S = sigmoid(G(e_aw, h))                                    (eq. 2, full d_m x d_n)
//   RC : S = psi(sigmoid(S_R S_C)),  S_R = G_R(e_aw, h), S_C = G_C(e_aw, h)   (eq. 3)
//   R  : S = psi(sigmoid(S_R C_share)), S_R = G_R(e_aw, h)          (eq. 4)
//   C  : S = psi(sigmoid(R_share S_C)), S_C = G_C(e_aw, h)          (eq. 5)
// The "core" A = GateScale * sigmoid(S_R S_C) in R^{d_r x d_c} determines S = psi(A) exactly.
//
// Factored fast path (MODELS.md "Efficiency"): for RC/R/C the layer never builds a per-sample
// d_m x d_n matrix. With tiling, S[i, j] = A[i mod d_r, j mod d_c]; grouping input rows by their
// row class r = i mod d_r,
//   y[b, j] = sum_r (h_r W_r)[b, j] * A[b, r, j mod d_c],
// where h_r W_r is one batched GEMM over the d_r row classes (P in R^{B x d_r x d_n}); the column
// factor is broadcast over the d_n / d_c column periods and r is summed out. Block mode groups
// contiguous rows / columns instead. Memory O(B d_r d_n); large batches are cut into row chunks
// whose intermediates fit in cache (FactoredChunkElements), which makes backward several times faster.
// On float32 CPU tensors the factored path runs fused kernels instead (FusedCore for A, FusedDwm for y; UseFusedKernel),
// the same functions without the B x d_r x d_n intermediate.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models;

/// <summary>Output of one DWM layer: the pre-activation y = h (W ⊙ S) + b, and the generated core
/// (A [B, d_r, d_c] for RC/R/C; the full S [B, d_m, d_n] for Non).</summary>
public sealed record DwmResult(Tensor Output, Tensor Core);

/// <summary>One DWM-modulated layer: backbone weight W [d_m, d_n] and bias b, generators, shared factors.</summary>
public sealed class WeightingMatrix : Module<Tensor, Tensor, Tensor>
{
    // Field names become state-dict names (weight, bias, generator_row.*, column_share, ...).
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly Mlp? generator_full;
    private readonly Mlp? generator_row;
    private readonly Mlp? generator_column;
    private readonly Parameter? row_share;
    private readonly Parameter? column_share;

    public LayerGeometry Geometry { get; }
    public DwmVariant Variant { get; }
    public RepeatMode Repeat { get; }
    public double GateScale { get; }
    public bool DetachGeneratorInput { get; }
    public bool UseFactoredPath { get; }

    /// <summary>Whether the factored path runs the fused kernels (<see cref="FusedCore"/> for the core, <see cref="FusedDwm"/>
    /// for y = h (W ⊙ S)) where they apply (float32 on the CPU); false runs the same functions as torch ops (<see cref="ApplyFactored"/>). The same math, so not part of the
    /// config: a run's results do not depend on it beyond floating-point summation order.</summary>
    public bool UseFusedKernel { get; set; } = true;

    /// <summary>Width of the generator input [e_aw, h].</summary>
    public int GeneratorInputDim { get; }

    /// <summary>Width of vec(core): d_r * d_c (Non: d_m * d_n).</summary>
    public int CoreSize => Geometry.Dr * Geometry.Dc;

    /// <summary>Backbone weight W [d_m, d_n] (rows = inputs).</summary>
    public Parameter Weight => weight;

    /// <summary>Backbone bias b [d_n].</summary>
    public Parameter Bias => bias;

    public WeightingMatrix(LayerGeometry geometry, int awareDim, DpgConfig config, Device? device = null)
        : base($"{nameof(WeightingMatrix)}{geometry.Layer}")
    {
        Geometry = geometry;
        Variant = config.Variant;
        Repeat = config.Repeat;
        GateScale = config.GateScale;
        DetachGeneratorInput = config.DetachGeneratorInput;
        UseFactoredPath = config.UseFactoredPath;
        var (dm, dn, dr, dc, dk) = (geometry.Dm, geometry.Dn, geometry.Dr, geometry.Dc, geometry.Dk);
        if (dm % dr != 0 || dn % dc != 0 || (Variant != DwmVariant.Non && dk > Math.Min(dr, dc)))
            throw new ArgumentException($"Invalid DWM geometry for layer {geometry.Layer}: {geometry}");
        GeneratorInputDim = awareDim + dm;

        // Backbone weight: nn.Linear's default U(-1/sqrt(d_m), 1/sqrt(d_m)) times WeightInitGain (see DpgConfig).
        var bound = 1.0 / Math.Sqrt(dm);
        weight = Parameter(empty([dm, dn]).uniform_(-bound * config.WeightInitGain, bound * config.WeightInitGain));
        bias = Parameter(empty(dn).uniform_(-bound, bound));

        int[] hidden = [config.GeneratorHidden];
        switch (Variant)
        {
            case DwmVariant.Non:
                generator_full = Generator(dm * dn);
                break;
            case DwmVariant.RC:
                generator_row = Generator(dr * dk);
                generator_column = Generator(dk * dc);
                break;
            case DwmVariant.R:
                generator_row = Generator(dr * dk);
                column_share = Parameter(empty([dk, dc]).normal_(0, config.SharedFactorInitStd));
                break;
            case DwmVariant.C:
                row_share = Parameter(empty([dr, dk]).normal_(0, config.SharedFactorInitStd));
                generator_column = Generator(dk * dc);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(config), config.Variant, "unknown DWM variant");
        }
        RegisterComponents();
        if (device is not null) this.to(device);

        Mlp Generator(int outputs)
        {
            var g = new Mlp(GeneratorInputDim, hidden, outputs);
            using (no_grad())
            {
                g.OutputLayer!.weight!.mul_(config.GeneratorOutputInitScale);
                g.OutputLayer!.bias!.mul_(config.GeneratorOutputInitScale);
            }
            return g;
        }
    }

    /// <summary>y = h (W ⊙ S) + b (pre-activation), S generated from [e_aw, h].</summary>
    public override Tensor forward(Tensor h, Tensor eAw) => Compute(h, eAw).Output;

    /// <summary>Generates the core and applies the layer.</summary>
    public DwmResult Compute(Tensor h, Tensor eAw, bool? factored = null)
    {
        var core = Generate(h, eAw);
        return new DwmResult(Apply(h, core, factored), core);
    }

    /// <summary>The generated core: A = GateScale * sigmoid(S_R S_C) [B, d_r, d_c]; Non: S [B, d_m, d_n].</summary>
    public Tensor Generate(Tensor h, Tensor eAw)
    {
        var (dm, dn, dr, dc, dk) = (Geometry.Dm, Geometry.Dn, Geometry.Dr, Geometry.Dc, Geometry.Dk);
        var batch = h.shape[0];
        var x = cat([eAw, DetachGeneratorInput ? h.detach() : h], 1);
        if (Variant == DwmVariant.Non)
        {
            var full = generator_full!.call(x).view(batch, dm, dn).sigmoid();
            return GateScale == 1.0 ? full : full * GateScale;
        }
        var (left, right) = Variant switch
        {
            DwmVariant.RC => (generator_row!.call(x).view(batch, dr, dk), generator_column!.call(x).view(batch, dk, dc)),
            DwmVariant.R => (generator_row!.call(x).view(batch, dr, dk), column_share!.unsqueeze(0)),
            DwmVariant.C => (row_share!.unsqueeze(0), generator_column!.call(x).view(batch, dk, dc)),
            _ => throw new InvalidOperationException(),
        };
        // GateScale * sigmoid(L R): one kernel (FusedCore) where it applies, else the same function as torch ops.
        return UseFusedKernel && FusedCore.Supports(left, right) ? FusedCore.Apply(left, right, GateScale) : LowRankCore(left, right);
    }

    // GateScale * sigmoid(L R) by torch ops (a shared factor has batch size 1 and broadcasts).
    private Tensor LowRankCore(Tensor left, Tensor right)
    {
        var core = matmul(left, right).sigmoid();
        return GateScale == 1.0 ? core : core * GateScale;
    }

    /// <summary>The full S [B, d_m, d_n] for a core (psi for RC/R/C; identity for Non).</summary>
    public Tensor Materialise(Tensor core) =>
        Variant == DwmVariant.Non ? core : MiDpg.Research.Models.Repeat.Psi(core, Geometry.Dm, Geometry.Dn, Repeat);

    /// <summary>y = h (W ⊙ psi(core)) + b, by the factored path (default for RC/R/C; the fused kernel where it applies,
    /// see <see cref="UseFusedKernel"/>) or the naive one.</summary>
    public Tensor Apply(Tensor h, Tensor core, bool? factored = null)
    {
        var useFactored = (factored ?? UseFactoredPath) && Variant != DwmVariant.Non;
        if (!useFactored) return ApplyNaive(h, core) + bias;
        return (UseFusedKernel && FusedDwm.Supports(h, weight, core) ? FusedDwm.Apply(h, weight, core, Repeat) : ApplyFactored(h, core)) + bias;
    }

    /// <summary>Naive path: materialise S [B, d_m, d_n] and multiply h by W ⊙ S (memory O(B d_m d_n)).</summary>
    public Tensor ApplyNaive(Tensor h, Tensor core)
    {
        var s = Materialise(core);
        return bmm(h.unsqueeze(1), weight.unsqueeze(0) * s).squeeze(1);
    }

    /// <summary>Largest intermediate (elements) the factored path builds at once: batches whose P = h_r W_r
    /// (B x d_r x d_n) would exceed it are processed in row chunks, so each chunk's intermediates stay in cache
    /// in forward and in backward (autograd runs a chunk's backward nodes one after another). 2.5 MiB of floats:
    /// 128 rows of the workload's first layer (d_r 40, d_n 128).</summary>
    public const long FactoredChunkElements = 655_360;

    /// <summary>Factored path for a core A [B, d_r, d_c]; never materialises a per-sample d_m x d_n matrix.</summary>
    public Tensor ApplyFactored(Tensor h, Tensor core)
    {
        var batch = h.shape[0];
        var rowsPerChunk = Math.Max(1, FactoredChunkElements / ((long)core.shape[1] * Geometry.Dn));
        if (batch <= rowsPerChunk) return ApplyFactoredChunk(h, core);
        var hChunks = h.split(rowsPerChunk, 0);
        var coreChunks = core.split(rowsPerChunk, 0);
        var outputs = new Tensor[hChunks.Length];
        for (var k = 0; k < hChunks.Length; k++)
        {
            // A chunk's temporaries are released as soon as the chunk is done (autograd keeps what backward needs),
            // so a large evaluation batch never holds every chunk's intermediates at once.
            using var chunkScope = NewDisposeScope();
            outputs[k] = ApplyFactoredChunk(hChunks[k], coreChunks[k]).MoveToOuterDisposeScope();
        }
        var output = cat(outputs, 0);
        foreach (var t in outputs) t.Dispose();
        return output;
    }

    private Tensor ApplyFactoredChunk(Tensor h, Tensor core)
    {
        var (dm, dn, dr, dc) = (Geometry.Dm, Geometry.Dn, (int)core.shape[1], (int)core.shape[2]);
        var batch = h.shape[0];
        var rowsPerClass = dm / dr;
        var columnPeriods = dn / dc;
        if (Repeat == RepeatMode.Tile)
        {
            // input row i = q * d_r + r (class r = i mod d_r); output column j = p * d_c + c.
            var hr = h.reshape(batch, rowsPerClass, dr).permute(2, 0, 1);             // [r, B, q]
            var wr = weight.view(rowsPerClass, dr, dn).permute(1, 0, 2);           // [r, q, d_n]
            var p = bmm(hr, wr).view(dr, batch, columnPeriods, dc);                // [r, B, p, c] = (h_r W_r)
            var a = core.permute(1, 0, 2).unsqueeze(2);                            // [r, B, 1, c]
            return (p * a).sum(0, keepdim: false).view(batch, dn);
        }
        else
        {
            // input row i = r * (d_m / d_r) + q; output column j = c * (d_n / d_c) + p.
            var hr = h.reshape(batch, dr, rowsPerClass).permute(1, 0, 2);             // [r, B, q]
            var wr = weight.view(dr, rowsPerClass, dn);                            // [r, q, d_n]
            var p = bmm(hr, wr).view(dr, batch, dc, columnPeriods);                // [r, B, c, p]
            var a = core.permute(1, 0, 2).unsqueeze(3);                            // [r, B, c, 1]
            return (p * a).sum(0, keepdim: false).view(batch, dn);
        }
    }

    /// <summary>Generator parameters (G, G_R, G_C).</summary>
    public IEnumerable<Parameter> GeneratorParameters() =>
        new[] { generator_full, generator_row, generator_column }.Where(g => g is not null).SelectMany(g => g!.parameters());

    /// <summary>Shared factors (C_share for R, R_share for C; none otherwise).</summary>
    public IEnumerable<Parameter> SharedFactorParameters() =>
        new[] { row_share, column_share }.Where(p => p is not null).Select(p => p!);
}
