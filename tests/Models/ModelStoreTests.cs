using MiDpg.Research.Training;
using MiDpg.Research.Models;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Models;

public sealed class ModelStoreTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "midpg-models-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    private static DpgModel Trained(FeatureSpec spec, DpgConfig config)
    {
        manual_seed(21);
        var model = new DpgModel(spec, config);
        var optimizer = new LazyAdam(model.parameters(), 0.01);
        for (var step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            var (input, labels) = ModelTestData.Batch(spec, 32, step);
            optimizer.zero_grad();
            model.Loss(input, labels).Total.backward();
            optimizer.step();
        }
        return model;
    }

    [Theory]
    [InlineData(DwmVariant.R, true)]
    [InlineData(DwmVariant.Non, false)]
    public void RoundTripGivesBitIdenticalPredictions(DwmVariant variant, bool mir)
    {
        using var scope = NewDisposeScope();
        var spec = ModelTestData.Spec(numeric: 2);
        var config = ModelTestData.SmallConfig(variant) with { RowDivisor = 2, UseMir = mir, Repeat = RepeatMode.Block, ModulatedLayers = [1, 2] };
        var model = Trained(spec, config);
        const string vocabularies = """{"user": ["<oov>", "u1", "u2"]}""";
        ModelStore.Save(model, directory, vocabularies);

        var stored = ModelStore.Load(directory);
        Assert.Equal(vocabularies, stored.Vocabularies);
        var loaded = Assert.IsType<DpgModel>(stored.Model);
        Assert.Equal(model.Kind, loaded.Kind);
        Assert.True(spec.SameAs(loaded.Features));
        Assert.Equal(ModelStore.ConfigJson(config).ToJsonString(), ModelStore.ConfigJson(loaded.Config).ToJsonString());

        var (input, _) = ModelTestData.Batch(spec, 50, 99);
        model.eval();
        loaded.eval();
        var expected = model.Predict(input).data<float>().ToArray();
        var actual = loaded.Predict(input).data<float>().ToArray();
        Assert.Equal(expected, actual); // exact equality
        foreach (var ((name, a), (_, b)) in model.named_parameters().Zip(loaded.named_parameters()))
            Assert.True(a.eq(b).all().item<bool>(), name);
    }

    [Fact]
    public void LoadingIntoAMismatchedConfigFailsListingTheDifferences()
    {
        using var scope = NewDisposeScope();
        var spec = ModelTestData.Spec();
        var config = ModelTestData.SmallConfig(DwmVariant.RC);
        ModelStore.Save(new DpgModel(spec, config), directory);

        var other = new DpgModel(spec, config with { Variant = DwmVariant.C, RankK = 1 });
        var e = Assert.Throws<ModelMismatchException>(() => ModelStore.LoadInto(other, directory));
        Assert.Contains("config.Variant: saved \"RC\", model \"C\"", e.Message);
        Assert.Contains("config.RankK: saved 2, model 1", e.Message);
        Assert.Equal(2, e.Differences.Count);

        var otherSpec = spec with { Fields = [.. spec.Fields.Take(3), new FieldSpec("item", 31, false)] };
        var e2 = Assert.Throws<ModelMismatchException>(() => ModelStore.LoadInto(new DpgModel(otherSpec, config), directory));
        Assert.Contains("features.Fields[3].VocabularySize: saved 30, model 31", e2.Message);

        var e3 = Assert.Throws<ModelMismatchException>(() => ModelStore.LoadInto(new DpgModel(spec, config with { UseMir = false }), directory));
        Assert.Contains("kind: saved MI-DPG, model DPG", e3.Message);
    }

    [Fact]
    public void MatchingLoadIntoSucceedsAndMissingFolderIsClear()
    {
        using var scope = NewDisposeScope();
        var spec = ModelTestData.Spec();
        var config = ModelTestData.SmallConfig();
        var model = Trained(spec, config);
        ModelStore.Save(model, directory);
        var fresh = new DpgModel(spec, config);
        Assert.Null(ModelStore.LoadInto(fresh, directory));
        var (input, _) = ModelTestData.Batch(spec, 5, 1);
        Assert.Equal(model.Predict(input).data<float>().ToArray(), fresh.Predict(input).data<float>().ToArray());
        var e = Assert.Throws<FileNotFoundException>(() => ModelStore.Load(Path.Combine(directory, "nothing")));
        Assert.Contains("model.json is missing", e.Message);
    }
}
