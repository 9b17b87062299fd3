// Per-field embedding layer (MODELS.md "Data view shared by every model"; paper eq. 1's e^aw, e^ag).
// Every categorical field f owns VocabularySize_f x emb_dim rows; row 0 of each field is its
// out-of-vocabulary row. e_aw concatenates the scenario-aware fields' embeddings, e_ag the others;
// the backbone input is h1 = [e_ag, e_aw, numeric].
//
// Storage (MODELS.md "Efficiency"): the fields' rows are stacked into one table of sum_f V_f rows,
// field f starting at offset_f = sum_{g<f} V_g, so a batch's lookup is a single gather of
// categorical + offset (one kernel instead of one per field). With sparse gradients (the default)
// backward yields a sparse COO gradient holding only the rows the batch used; an optimiser that
// understands it (LazyAdam) then touches O(B F D) numbers per step instead of the whole table.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MiDpg.Research.Models;

/// <summary>The embeddings of one batch.</summary>
/// <param name="Fields">All fields, [B, F, emb_dim], in FeatureSpec order.</param>
/// <param name="Aware">e_aw, [B, F_aw * emb_dim].</param>
/// <param name="Agnostic">e_ag, [B, F_ag * emb_dim] (width 0 when there are no agnostic fields).</param>
public sealed record FieldEmbeddings(Tensor Fields, Tensor Aware, Tensor Agnostic)
{
    /// <summary>Backbone input h1 = [e_ag, e_aw, numeric] ([B, F * emb_dim + N]).</summary>
    public Tensor BackboneInput(Tensor? numeric) =>
        numeric is null || numeric.shape[1] == 0
            ? cat([Agnostic, Aware], 1)
            : cat([Agnostic, Aware, numeric.to_type(Aware.dtype)], 1);
}

/// <summary>
/// The embedding tables of all fields, stored as one stacked table (state-dict name <c>table.weight</c>,
/// [sum_f V_f, emb_dim]) and looked up with one gather per batch. Field f's rows are
/// <see cref="FieldWeight"/>(f).
/// </summary>
public sealed class FieldEmbedding : Module<Tensor, FieldEmbeddings>
{
    private readonly Embedding table;
    private readonly long[] vocabularySizes;
    private readonly long[] offsets;
    private readonly long[] awareIndices;
    private readonly long[] agnosticIndices;
    private readonly bool clampUnknown;
    // Per-device constants of the lookup (created on first use, never registered as buffers).
    private LookupConstants? constants;

    public int EmbeddingDim { get; }

    /// <summary>Number of fields F.</summary>
    public int FieldCount => vocabularySizes.Length;

    /// <summary>True when backward produces a sparse (COO) gradient for the table (rows the batch used only).</summary>
    public bool SparseGradients { get; }

    /// <summary>The stacked table [sum_f V_f, emb_dim].</summary>
    public Parameter Weight => table.weight!;

    /// <param name="sparseGradients">Sparse COO gradients for the table (default; needs an optimiser that accepts them,
    /// such as <see cref="MiDpg.Research.Training.LazyAdam"/>); false gives the usual dense gradient.</param>
    public FieldEmbedding(FeatureSpec features, int embeddingDim, double initStd = 0.01, bool clampUnknownIdsToOov = true,
        Device? device = null, bool sparseGradients = true)
        : base(nameof(FieldEmbedding))
    {
        EmbeddingDim = embeddingDim;
        SparseGradients = sparseGradients;
        clampUnknown = clampUnknownIdsToOov;
        vocabularySizes = features.Fields.Select(f => f.VocabularySize).ToArray();
        offsets = new long[vocabularySizes.Length];
        for (var f = 1; f < offsets.Length; f++) offsets[f] = offsets[f - 1] + vocabularySizes[f - 1];
        awareIndices = features.AwareIndices.Select(i => (long)i).ToArray();
        agnosticIndices = features.AgnosticIndices.Select(i => (long)i).ToArray();
        table = Embedding(vocabularySizes.Sum(), embeddingDim, sparse: sparseGradients);
        using (no_grad()) table.weight!.normal_(0, initStd);
        RegisterComponents();
        if (device is not null) this.to(device);
        Constants(Weight.device);
    }

    /// <summary>First row of field <paramref name="field"/> in the stacked table.</summary>
    public long FieldOffset(int field) => offsets[field];

    /// <summary>Field <paramref name="field"/>'s own table, a view [V_f, emb_dim] of the stacked one.</summary>
    public Tensor FieldWeight(int field) => Weight.narrow(0, offsets[field], vocabularySizes[field]);

    /// <summary>The gradient of field <paramref name="field"/>'s rows ([V_f, emb_dim], densified), or null before any backward.</summary>
    public Tensor? FieldGradient(int field)
    {
        var grad = Weight.grad;
        if (grad is null) return null;
        return (grad.is_sparse ? grad.to_dense() : grad).narrow(0, offsets[field], vocabularySizes[field]);
    }

    /// <summary>Rows of the stacked table for the ids of a batch: categorical + offset_f, unknown ids
    /// (outside 0..V_f-1) sent to the field's out-of-vocabulary row when clamping is on.</summary>
    public Tensor RowIndices(Tensor categorical)
    {
        var c = Constants(categorical.device);
        if (!clampUnknown) return categorical + c.Offsets;
        var known = categorical.ge(0).logical_and_(categorical.lt(c.Limits));
        return where(known, categorical, 0L).add_(c.Offsets);
    }

    public override FieldEmbeddings forward(Tensor categorical)
    {
        if (categorical.dim() != 2 || categorical.shape[1] != vocabularySizes.Length)
            throw new ArgumentException($"categorical must be [B, {vocabularySizes.Length}] (one column per field); got [{string.Join(", ", categorical.shape)}]");
        var batch = categorical.shape[0];
        var all = table.call(RowIndices(categorical));          // [B, F, D], one gather
        var c = Constants(categorical.device);
        var aware = Gather(all, c.Aware, awareIndices.Length, batch);
        var agnostic = Gather(all, c.Agnostic, agnosticIndices.Length, batch);
        return new FieldEmbeddings(all, aware, agnostic);
    }

    /// <summary>e_aw alone, [B, F_aw * emb_dim] (the same values as <c>forward(categorical).Aware</c>; only the
    /// scenario-aware fields are looked up, so only their rows get gradient).</summary>
    public Tensor LookupAware(Tensor categorical)
    {
        var batch = categorical.shape[0];
        var c = Constants(categorical.device);
        if (c.Aware is null) return zeros([batch, 0], dtype: table.weight!.dtype, device: categorical.device);
        return table.call(RowIndices(categorical).index_select(1, c.Aware)).view(batch, awareIndices.Length * EmbeddingDim);
    }

    private Tensor Gather(Tensor all, Tensor? index, int count, long batch) =>
        index is null
            ? zeros([batch, 0], dtype: all.dtype, device: all.device)
            : all.index_select(1, index).view(batch, count * EmbeddingDim);

    private LookupConstants Constants(Device device)
    {
        if (constants is { } c && c.Device.type == device.type && c.Device.index == device.index) return c;
        lock (constantsLock) return CreateConstants(device);
    }

    // Shards of a data-parallel step may run the first lookup concurrently: one of them builds the constants.
    private readonly object constantsLock = new();

    private LookupConstants CreateConstants(Device device)
    {
        if (constants is { } c && c.Device.type == device.type && c.Device.index == device.index) return c;
        constants?.Dispose();
        using var normal = inference_mode(false);    // the constants enter autograd-tracked ops later
        constants = new LookupConstants(device,
            tensor(offsets, device: device).unsqueeze(0).DetachFromDisposeScope(),
            tensor(vocabularySizes, device: device).unsqueeze(0).DetachFromDisposeScope(),
            awareIndices.Length == 0 ? null : tensor(awareIndices, device: device).DetachFromDisposeScope(),
            agnosticIndices.Length == 0 ? null : tensor(agnosticIndices, device: device).DetachFromDisposeScope());
        return constants;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { constants?.Dispose(); constants = null; }
        base.Dispose(disposing);
    }

    private sealed record LookupConstants(Device Device, Tensor Offsets, Tensor Limits, Tensor? Aware, Tensor? Agnostic) : IDisposable
    {
        public void Dispose()
        {
            Offsets.Dispose();
            Limits.Dispose();
            Aware?.Dispose();
            Agnostic?.Dispose();
        }
    }
}
