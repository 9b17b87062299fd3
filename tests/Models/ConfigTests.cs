using MiDpg.Research.Models;

namespace MiDpg.Research.Tests.Models;

public class ConfigTests
{
    private static string Fails(DpgConfig config, FeatureSpec? spec = null) =>
        Assert.Throws<ArgumentException>(() => config.Validate(spec ?? ModelTestData.Spec())).Message;

    [Fact]
    public void DefaultsAreThePapersSettings()
    {
        var config = new DpgConfig();
        Assert.Equal([128, 64, 32], config.HiddenSizes);
        Assert.Equal(16, config.EmbeddingDim);
        Assert.Equal(1.0, config.Lambda);
        Assert.Equal(RepeatMode.Tile, config.Repeat);
        Assert.Equal(64, config.GeneratorHidden);
        Assert.False(config.DetachGeneratorInput);
        Assert.Equal(1.0, config.GateScale);
        Assert.True(config.MirActive);
        config.Validate(ModelTestData.Spec()); // 4 fields x 16 = 64 inputs
    }

    [Fact]
    public void RowDivisorMustDivideEachLayersInputWidth()
    {
        var message = Fails(new DpgConfig { RowDivisor = 3, Rounding = DivisorRounding.Exact });
        Assert.Contains("d_r = d_m / RowDivisor requires RowDivisor to divide d_m = 64 of layer 1 (or Rounding = LargestDivisor); got RowDivisor = 3", message);
        Assert.Contains("d_m = 128 of layer 2", message);
    }

    [Fact]
    public void LargestDivisorRoundingKeepsPsiExactWhenTheDivisorDoesNotDivide()
    {
        // 6 fields x 16 + 2 numeric = 98 = 2 x 7 x 7: 98 / 4 = 24.5, and the largest divisor of 98 not above it is 14.
        var features = FeatureSpec.From(Enumerable.Range(0, 6).Select(i => ($"f{i}", 10L, i == 0)), 2, 3);
        var config = new DpgConfig { RowDivisor = 4, ColumnDivisor = 4 };
        Assert.Empty(config.Problems(features));
        Assert.Equal(14, config.Geometry(features, 1).Dr);
        Assert.Equal(32, config.Geometry(features, 1).Dc);   // 128 / 4 divides: unchanged
        Assert.Equal(32, config.Geometry(features, 2).Dr);   // 128 / 4
        using var model = new DpgModel(features, config);
        Assert.NotEmpty(model.parameters());
        Assert.Contains("RowDivisor to divide d_m = 98 of layer 1", string.Join("\n", (config with { Rounding = DivisorRounding.Exact }).Problems(features)));
    }

    [Fact]
    public void ColumnDivisorMustDivideEachLayersOutputWidth()
    {
        var message = Fails(new DpgConfig { ColumnDivisor = 5, Rounding = DivisorRounding.Exact });
        Assert.Contains("d_c = d_n / ColumnDivisor requires ColumnDivisor to divide d_n = 128 of layer 1 (or Rounding = LargestDivisor); got ColumnDivisor = 5", message);
    }

    [Fact]
    public void RankMustNotExceedTheCoreSize()
    {
        var message = Fails(new DpgConfig { RowDivisor = 32, RankK = 3 }); // d_r = 2 at layer 1
        Assert.Contains("d_k <= min(d_r, d_c) is violated at layer 1: d_r = 2, d_c = 32; got RankK (d_k) = 3", message);
    }

    [Fact]
    public void AbsoluteSizesMustDivide()
    {
        Assert.Contains("RowSize (d_r) must divide d_m = 64 of layer 1", Fails(new DpgConfig { RowSize = 3 }));
        Assert.Contains("ColumnSize (d_c) must divide d_n = 32 of layer 3", Fails(new DpgConfig { ColumnSize = 64 }));
        new DpgConfig { RowSize = 1, ColumnSize = 32, RankK = 1, ModulatedLayers = [3] }.Validate(ModelTestData.Spec());
    }

    [Fact]
    public void ScalarOptionsAreChecked()
    {
        Assert.Contains("Lambda (weight of L_mi) must be >= 0; got -1", Fails(new DpgConfig { Lambda = -1 }));
        Assert.Contains("GeneratorHidden must be >= 1; got 0", Fails(new DpgConfig { GeneratorHidden = 0 }));
        Assert.Contains("GateScale must be > 0", Fails(new DpgConfig { GateScale = 0 }));
        Assert.Contains("EmbeddingDim must be >= 1; got 0", Fails(new DpgConfig { EmbeddingDim = 0 }));
        Assert.Contains("HiddenSizes[1] (layer 2) must be >= 1; got 0", Fails(new DpgConfig { HiddenSizes = [8, 0] }));
        Assert.Contains("ModulatedLayers entries must be hidden-layer numbers 1..3 (1-based); got 4", Fails(new DpgConfig { ModulatedLayers = [4] }));
        Assert.Contains("ModulatedLayers must not repeat a layer", Fails(new DpgConfig { ModulatedLayers = [1, 1] }));
        Assert.Contains("ModulatedLayers must name at least one hidden layer", Fails(new DpgConfig { ModulatedLayers = [] }));
    }

    [Fact]
    public void NonIgnoresTheFactorSizes()
    {
        new DpgConfig { Variant = DwmVariant.Non, RowDivisor = 3, RankK = 99, HiddenSizes = [8, 4] }.Validate(ModelTestData.Spec());
    }

    [Fact]
    public void FeatureSpecProblemsAreReported()
    {
        var spec = new FeatureSpec([new FieldSpec("user", 10, false)], 0, 2);
        Assert.Contains("at least one scenario-aware field", Fails(new DpgConfig(), spec));
    }

    [Fact]
    public void ModelConstructorValidates()
    {
        var e = Assert.Throws<ArgumentException>(() => new DpgModel(ModelTestData.Spec(), new DpgConfig { RowDivisor = 3, Rounding = DivisorRounding.Exact }));
        Assert.Contains("RowDivisor to divide", e.Message);
    }

    [Fact]
    public void ConfigIsImmutableAndCopiedWithWith()
    {
        var a = new DpgConfig();
        var b = a with { Variant = DwmVariant.C };
        Assert.Equal(DwmVariant.R, a.Variant);
        Assert.Equal(DwmVariant.C, b.Variant);
    }

    [Fact]
    public void FeatureSpecFromTuples()
    {
        var spec = FeatureSpec.From([("scenario", 3, true), ("user", 10, false), ("page", 4, true)], 1, 3);
        Assert.Equal([0, 2], spec.AwareIndices);
        Assert.Equal([1], spec.AgnosticIndices);
        Assert.Equal(3 * 16 + 1, new DpgConfig().InputDim(spec));
        Assert.Equal(2 * 16, new DpgConfig().AwareDim(spec));
    }

    [Fact]
    public void WeightInitGainScalesTheBackboneWeightsOfModulatedLayers()
    {
        // U(-g/sqrt(d_m), g/sqrt(d_m)) has standard deviation g / sqrt(3 d_m).
        var features = ModelTestData.Spec();
        foreach (var gain in new[] { 1.0, 2.0 })
        {
            TorchSharp.torch.manual_seed(0);
            using var model = new DpgModel(features, new DpgConfig { WeightInitGain = gain });
            var w = model.WeightingLayers[1].Weight;   // layer 2: d_m = 128, 16384 draws
            var expected = gain / Math.Sqrt(3 * 128);
            Assert.InRange(w.std().item<float>(), expected * 0.97, expected * 1.03);
            Assert.True(w.abs().max().item<float>() <= gain / Math.Sqrt(128) + 1e-6);
        }
        Assert.Contains("WeightInitGain must be > 0", string.Join("\n", new DpgConfig { WeightInitGain = 0 }.Problems()));
    }
}
