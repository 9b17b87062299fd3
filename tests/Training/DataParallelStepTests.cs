using MiDpg.Research.Data;
using MiDpg.Research.Models;
using MiDpg.Research.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Training;

/// <summary>Data-parallel steps: the shards' summed gradient is the batch gradient; training with shards is reproducible.
/// MI-DPG's permutation comes from torch's global generator, hence the collection.</summary>
[Collection("torch global generator")]
public class DataParallelStepTests
{
    static (ModelInput Input, Tensor Labels, FeatureSpec Features, EncodedDataset Train, EncodedDataset Valid) Batch(int rows = 130)
    {
        var (train, valid, _) = TrainerTests.SmallSynthetic(3000);
        var batch = new BatchIterator(train, new BatchOptions { BatchSize = rows, Shuffle = false }).Epoch(0).First();
        return (ModelData.Input(batch), batch.Label, ModelData.Features(train), train, valid);
    }

    static ModelConfig Small(string name) => ModelRegistry.DefaultConfig(name) switch
    {
        DpgConfig d => d with { HiddenSizes = [32, 16], EmbeddingDim = 8, RowDivisor = 2, ColumnDivisor = 2, GeneratorHidden = 16, DiscriminatorHidden = 16 },
        var c => c with { HiddenSizes = [32, 16], EmbeddingDim = 8 },
    };

    static Tensor[] Gradients(IEnumerable<Parameter> parameters) =>
        parameters.Select(p => p.grad is null ? zeros_like(p) : p.grad.is_sparse ? p.grad.to_dense() : p.grad.clone()).ToArray();

    [Theory]
    [InlineData("dnn", 2, true)]
    [InlineData("dpg-r", 2, true)]
    [InlineData("dpg-rc", 3, true)]
    [InlineData("midpg-r", 2, true)]
    [InlineData("midpg-c", 3, true)]
    [InlineData("midpg-r", 2, false)]
    [InlineData("pepnet", 2, true)]
    [InlineData("epnet", 2, true)]
    [InlineData("ppnet", 3, true)]
    [InlineData("sharedbottom", 2, true)]
    [InlineData("mmoe", 3, true)]
    [InlineData("sarnet", 3, true)]
    [InlineData("m2m", 2, true)]
    [InlineData("optmsm", 3, true)]
    [InlineData("adaptdhm", 3, true)]
    [InlineData("m3oe", 2, true)]
    public void ShardGradientsAddUpToTheBatchGradient(string name, int shards, bool mirGradientToBackbone)
    {
        using var scope = NewDisposeScope();
        var (input, labels, features, _, _) = Batch();
        manual_seed(11);
        var config = Small(name);
        if (config is DpgConfig d) config = d with { MirGradientToBackbone = mirGradientToBackbone };
        using var model = ModelRegistry.Create(config, features);
        model.train();
        var parameters = model.parameters().Where(p => p.requires_grad).ToArray();

        manual_seed(5);
        var reference = model.Loss(input, labels);
        reference.Total.backward();
        var expected = Gradients(parameters);
        foreach (var p in parameters) p.grad = null;

        manual_seed(5);     // the same permutation for MI-DPG
        using var step = new DataParallelStep(shards);
        var terms = step.Run(model, input, labels, parameters);
        var actual = Gradients(parameters);

        foreach (var (term, value) in reference.Terms)
            Assert.True(Math.Abs(terms[term] - value) <= 1e-5 * Math.Max(1, Math.Abs(value)), $"{term}: sharded {terms[term]} vs batch {value}");
        var names = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToArray();
        for (var i = 0; i < parameters.Length; i++)
        {
            var difference = (actual[i] - expected[i]).abs().max().item<float>();
            var size = expected[i].abs().max().item<float>();
            Assert.True(difference <= 1e-5 + 1e-4 * size, $"{name}: gradient of {names[i]} differs by {difference} (largest entry {size})");
        }
        Assert.Contains(expected, g => g.abs().max().item<float>() > 0);
    }

    [Fact]
    public void ShardedTrainingIsReproducibleAndLearnsLikeTheUnshardedOne()
    {
        var (_, _, _, train, valid) = Batch();
        TrainingResult Run(int shards)
        {
            using var model = TrainerTests.SmallMiDpg(train, 3);
            return new Trainer(TrainerTests.Quick(2) with { Shards = shards, Threads = 2 }).Fit(model, train, valid);
        }
        var first = Run(2);
        var second = Run(2);
        var unsharded = Run(1);
        Assert.Equal(first.History.Epochs.Select(e => e.ValidAuc), second.History.Epochs.Select(e => e.ValidAuc));
        Assert.Equal(first.History.Epochs.Select(e => e.TrainLoss), second.History.Epochs.Select(e => e.TrainLoss));
        Assert.True(first.BestValidAuc > 0.6, $"sharded training reached validation AUC {first.BestValidAuc:F4}");
        // The same gradients up to summation order, so the runs stay close (they are not bit-identical).
        Assert.True(Math.Abs(first.BestValidAuc - unsharded.BestValidAuc) < 0.01,
            $"validation AUC sharded {first.BestValidAuc:F4} vs unsharded {unsharded.BestValidAuc:F4}");
    }

    [Fact]
    public void ModelsWhoseLossCouplesRowsRefuseShards()
    {
        var (_, _, features, train, valid) = Batch();
        using var star = ModelRegistry.Create("star", features);
        var error = Assert.Throws<ArgumentException>(() => new Trainer(TrainerTests.Quick() with { Shards = 2 }).Fit(star, train, valid));
        Assert.Contains("partitioned normalisation", error.Message);
        Assert.Contains("Shards = 1", error.Message);
        using var dnn = ModelRegistry.Create(new MiDpg.Research.Models.Baselines.DnnConfig { Dropout = 0.1 }, features);
        Assert.Contains("dropout", Assert.Throws<ArgumentException>(() => new Trainer(TrainerTests.Quick() with { Shards = 2 }).Fit(dnn, train, valid)).Message);
    }

    [Fact]
    public void ShardsMustFitTheBatch()
    {
        Assert.Contains("Shards must be >= 1", Assert.Throws<ArgumentException>(() => new Trainer(new TrainerConfig { Shards = 0 })).Message);
        Assert.Contains("<= BatchSize (4)", Assert.Throws<ArgumentException>(() => new Trainer(new TrainerConfig { Shards = 8, BatchSize = 4 })).Message);
    }
}
