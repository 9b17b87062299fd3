using MiDpg.Research.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Data;

public class BatchIteratorTests
{
    static readonly EncodedDataset Data = SyntheticScenarios.Generate(new SyntheticConfig { Rows = 1_000, Users = 300, Items = 100, Seed = 3 }).Data;

    [Fact]
    public void BatchesHaveTheDeclaredShapesAndTypes()
    {
        var it = new BatchIterator(Data, new BatchOptions { BatchSize = 64 });
        using var batch = it.Epoch(0).First();
        Assert.Equal(new long[] { 64, Data.FieldCount }, batch.Categorical.shape);
        Assert.Equal(ScalarType.Int64, batch.Categorical.dtype);
        Assert.Equal(new long[] { 64, Data.NumericCount }, batch.Numeric.shape);
        Assert.Equal(ScalarType.Float32, batch.Numeric.dtype);
        Assert.Equal(new long[] { 64 }, batch.Label.shape);
        Assert.Equal(ScalarType.Float32, batch.Label.dtype);
        Assert.Equal(ScalarType.Int64, batch.Scenario.dtype);
        Assert.Equal(64, batch.Size);
    }

    [Fact]
    public void AnEpochVisitsEveryRowOnceAndBatchesHoldTheRightValues()
    {
        var it = new BatchIterator(Data, new BatchOptions { BatchSize = 96, Seed = 5 });
        var order = it.Order(2);
        var seen = new List<int>();
        int offset = 0;
        foreach (var batch in it.Epoch(2))
        {
            using var scope = torch.NewDisposeScope();
            using var _ = batch;
            var cat = batch.Categorical.data<long>().ToArray();
            var num = batch.Numeric.data<float>().ToArray();
            var label = batch.Label.data<float>().ToArray();
            var scen = batch.Scenario.data<long>().ToArray();
            for (int i = 0; i < batch.Size; i++)
            {
                int r = order[offset + i];
                seen.Add(r);
                for (int f = 0; f < Data.FieldCount; f++) Assert.Equal(Data.Id(r, f), cat[i * Data.FieldCount + f]);
                for (int n = 0; n < Data.NumericCount; n++) Assert.Equal(Data.Numeric[r * Data.NumericCount + n], num[i * Data.NumericCount + n]);
                Assert.Equal(Data.Labels[r], label[i]);
                Assert.Equal(Data.Scenario[r], scen[i]);
            }
            offset += batch.Size;
        }
        Assert.Equal(Enumerable.Range(0, Data.Rows), seen.Order());
        Assert.Equal(it.BatchesPerEpoch, (Data.Rows + 95) / 96);
    }

    [Fact]
    public void SameSeedSameBatchesOtherEpochOtherOrder()
    {
        var a = new BatchIterator(Data, new BatchOptions { BatchSize = 100, Seed = 9 });
        var b = new BatchIterator(Data, new BatchOptions { BatchSize = 100, Seed = 9 });
        Assert.Equal(a.Order(0), b.Order(0));
        Assert.NotEqual(a.Order(0), a.Order(1));
        Assert.NotEqual(a.Order(0), new BatchIterator(Data, new BatchOptions { Seed = 10 }).Order(0));
        using var x = a.Epoch(1).First();
        using var y = b.Epoch(1).First();
        Assert.Equal(x.Categorical.data<long>().ToArray(), y.Categorical.data<long>().ToArray());
        Assert.Equal(x.Label.data<float>().ToArray(), y.Label.data<float>().ToArray());
    }

    [Fact]
    public void DropLastDropsTheShortBatch()
    {
        var keep = new BatchIterator(Data, new BatchOptions { BatchSize = 300 });
        var drop = new BatchIterator(Data, new BatchOptions { BatchSize = 300, DropLast = true });
        var sizesKeep = keep.Epoch().Select(b => { using (b) return b.Size; }).ToList();
        var sizesDrop = drop.Epoch().Select(b => { using (b) return b.Size; }).ToList();
        Assert.Equal(Data.Rows, sizesKeep.Sum());
        Assert.Equal(Data.Rows % 300, sizesKeep[^1]);
        Assert.All(sizesDrop, s => Assert.Equal(300, s));
        Assert.Equal(Data.Rows / 300, sizesDrop.Count);
    }

    [Fact]
    public void ABatchStaysValidAfterTheNextIsMade()
    {
        var it = new BatchIterator(Data, new BatchOptions { BatchSize = 50, Shuffle = false });
        var batches = it.Epoch().Take(3).ToList();
        var first = batches[0].Categorical.data<long>().ToArray();
        Assert.Equal(Data.Categorical.Take(50 * Data.FieldCount), first);
        foreach (var b in batches) b.Dispose();
    }

    [Fact]
    public void BatchSizeMustBePositive() =>
        Assert.Contains("BatchSize", Assert.Throws<ArgumentException>(() => new BatchOptions { BatchSize = 0 }).Message);
}
