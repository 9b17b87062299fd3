// Per-field embedding layer (MODELS.md "Data view shared by every model"; paper eq. 1's e^aw, e^ag).
// Every categorical field has its own table of VocabularySize x emb_dim rows; row 0 is the
// out-of-vocabulary row. e_aw concatenates the scenario-aware fields' embeddings, e_ag the others;
// the backbone input is h1 = [e_ag, e_aw, numeric].
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

/// <summary>One embedding table per field, kept in a ModuleList so every table is registered and trained.</summary>
public sealed class FieldEmbedding : Module<Tensor, FieldEmbeddings>
{
    private readonly ModuleList<Embedding> tables;
    private readonly long[] vocabularySizes;
    private readonly long[] awareIndices;
    private readonly long[] agnosticIndices;
    private readonly bool clampUnknown;

    public int EmbeddingDim { get; }

    public FieldEmbedding(FeatureSpec features, int embeddingDim, double initStd = 0.01, bool clampUnknownIdsToOov = true, Device? device = null)
        : base(nameof(FieldEmbedding))
    {
        EmbeddingDim = embeddingDim;
        clampUnknown = clampUnknownIdsToOov;
        vocabularySizes = features.Fields.Select(f => f.VocabularySize).ToArray();
        awareIndices = features.AwareIndices.Select(i => (long)i).ToArray();
        agnosticIndices = features.AgnosticIndices.Select(i => (long)i).ToArray();
        tables = new ModuleList<Embedding>();
        foreach (var field in features.Fields)
        {
            var table = Embedding(field.VocabularySize, embeddingDim);
            using (no_grad()) table.weight!.normal_(0, initStd);
            tables.Add(table);
        }
        RegisterComponents();
        if (device is not null) this.to(device);
    }

    public override FieldEmbeddings forward(Tensor categorical)
    {
        if (categorical.dim() != 2 || categorical.shape[1] != tables.Count)
            throw new ArgumentException($"categorical must be [B, {tables.Count}] (one column per field); got [{string.Join(", ", categorical.shape)}]");
        var columns = new Tensor[tables.Count];
        for (var f = 0; f < tables.Count; f++)
        {
            var ids = categorical.select(1, f);
            if (clampUnknown) ids = where(ids.ge(0).logical_and(ids.lt(vocabularySizes[f])), ids, zeros_like(ids));
            columns[f] = tables[f].call(ids);
        }
        var all = stack(columns, 1);                        // [B, F, D]
        var batch = categorical.shape[0];
        var aware = Gather(all, awareIndices, batch);
        var agnostic = Gather(all, agnosticIndices, batch);
        return new FieldEmbeddings(all, aware, agnostic);
    }

    private Tensor Gather(Tensor all, long[] indices, long batch)
    {
        if (indices.Length == 0) return zeros([batch, 0], dtype: all.dtype, device: all.device);
        using var index = tensor(indices, device: all.device);
        return all.index_select(1, index).reshape(batch, indices.Length * EmbeddingDim);
    }
}
