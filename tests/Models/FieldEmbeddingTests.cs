using MiDpg.Research.Models;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Models;

public class FieldEmbeddingTests
{
    /// <summary>The stacked table is the fields' tables one after another: a lookup of field f's id k is row offset_f + k,
    /// and ids outside the field's vocabulary go to the field's own out-of-vocabulary row.</summary>
    [Fact]
    public void LookupUsesEachFieldsOwnRowsAndClampsUnknownIds()
    {
        using var scope = NewDisposeScope();
        var spec = ModelTestData.Spec();
        var embedding = new FieldEmbedding(spec, 3);
        Assert.Equal(spec.Fields.Sum(f => f.VocabularySize), embedding.Weight.shape[0]);
        var ids = tensor(new long[] { 1, 5, 49, 0, 3, 6, -2, 29 }, [2, 4]);   // row 2: field 1 id 6 and field 2 id -2 are unknown
        var fields = embedding.call(ids).Fields;
        long[][] expected = [[1, 5, 49, 0], [3, 0, 0, 29]];
        for (var b = 0; b < 2; b++)
            for (var f = 0; f < 4; f++)
                Assert.True(fields[b, f].allclose(embedding.FieldWeight(f)[expected[b][f]], 0, 0), $"row {b}, field {f}");
    }

    /// <summary>Sparse gradients (the default) and dense ones give the same forward values and, densified, the same
    /// gradient; rows the batch did not use have no entry in the sparse gradient.</summary>
    [Fact]
    public void SparseGradientsEqualDenseGradientsOnTouchedRows()
    {
        using var scope = NewDisposeScope();
        var spec = ModelTestData.Spec();
        var (input, _) = ModelTestData.Batch(spec, 24, 3);
        manual_seed(5);
        var sparse = new FieldEmbedding(spec, 4);
        var dense = new FieldEmbedding(spec, 4, sparseGradients: false);
        using (no_grad()) dense.Weight.copy_(sparse.Weight);
        var upstream = randn([24, spec.FieldCount, 4]);
        Tensor Backward(FieldEmbedding e)
        {
            var emb = e.call(input.Categorical);
            var loss = (emb.Fields * upstream).sum() + emb.BackboneInput(null).pow(2).sum();
            loss.backward();
            return loss.detach();
        }
        Assert.Equal(Backward(dense).item<float>(), Backward(sparse).item<float>(), 5);
        Assert.True(sparse.Weight.grad!.is_sparse);
        Assert.False(dense.Weight.grad!.is_sparse);
        Assert.True(sparse.Weight.grad!.to_dense().allclose(dense.Weight.grad!, rtol: 1e-5, atol: 1e-7));
        var rows = sparse.RowIndices(input.Categorical).flatten().unique().Item1;
        Assert.Equal(rows.data<long>().ToArray(), MiDpg.Research.Training.LazyAdam.Coalesce(sparse.Weight.grad!).Rows.data<long>().ToArray());
    }
}
