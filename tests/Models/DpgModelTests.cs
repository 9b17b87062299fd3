using MiDpg.Research.Training;
using MiDpg.Research.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Models;

public class DpgModelTests
{
    [Theory]
    [InlineData(DwmVariant.Non, 0)]
    [InlineData(DwmVariant.RC, 2)]
    [InlineData(DwmVariant.R, 0)]
    [InlineData(DwmVariant.C, 3)]
    public void ForwardGivesOneLogitPerSampleAndCoresOfTheConfiguredShape(DwmVariant variant, int numeric)
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var spec = ModelTestData.Spec(numeric);
        var config = ModelTestData.SmallConfig(variant) with { RowDivisor = 1, ColumnDivisor = 2 };
        if (numeric == 2) config = config with { RowDivisor = 2 };           // d_m = 34 of layer 1
        if (numeric == 3) config = config with { ModulatedLayers = [2, 3] }; // d_m = 35 of layer 1 is not divisible
        var model = new DpgModel(spec, config);
        var (input, _) = ModelTestData.Batch(spec, 9, 42);
        var run = model.Run(input);
        Assert.Equal([9L], run.Logits.shape);
        Assert.Equal([9L], model.Predict(input).shape);
        Assert.Equal(config.EffectiveModulatedLayers.Count, run.Cores.Count);
        for (var k = 0; k < run.Cores.Count; k++)
        {
            var g = config.Geometry(spec, config.EffectiveModulatedLayers[k]);
            Assert.Equal([9L, g.Dr, g.Dc], run.Cores[k].shape);
            Assert.True(run.Cores[k].gt(0).all().item<bool>() && run.Cores[k].lt(1).all().item<bool>());
        }
    }

    [Fact]
    public void NumericInputMayBeNullOrEmpty()
    {
        using var scope = NewDisposeScope();
        var spec = ModelTestData.Spec();
        var model = new DpgModel(spec, ModelTestData.SmallConfig());
        var (input, _) = ModelTestData.Batch(spec, 4, 1);
        model.eval();
        var a = model.Predict(input);
        var b = model.Predict(input with { Numeric = null });
        Assert.Equal(0f, ModelTestData.MaxAbsDiff(a, b));
    }

    [Fact]
    public void OutOfRangeIdsFallBackToTheOovRow()
    {
        using var scope = NewDisposeScope();
        var spec = ModelTestData.Spec();
        var model = new DpgModel(spec, ModelTestData.SmallConfig());
        var (input, _) = ModelTestData.Batch(spec, 4, 1);
        var bad = input.Categorical.clone();
        bad[0, 2] = tensor(9999L);
        bad[1, 3] = tensor(-5L);
        var oov = bad.clone();
        oov[0, 2] = tensor(0L);
        oov[1, 3] = tensor(0L);
        Assert.Equal(0f, ModelTestData.MaxAbsDiff(model.Predict(input with { Categorical = bad }), model.Predict(input with { Categorical = oov })));
    }

    public static TheoryData<DwmVariant, bool> VariantsAndPartialModulation() => new()
    {
        { DwmVariant.Non, false }, { DwmVariant.RC, false }, { DwmVariant.R, false }, { DwmVariant.C, false }, { DwmVariant.R, true },
    };

    [Theory]
    [MemberData(nameof(VariantsAndPartialModulation))]
    public void AfterOneBackwardEveryParameterHasANonZeroGradient(DwmVariant variant, bool partial)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var spec = ModelTestData.Spec(numeric: 2);
        var config = ModelTestData.SmallConfig(variant) with { HiddenSizes = [32, 16, 8], RowDivisor = 2, GeneratorOutputInitScale = 1.0 };
        if (partial) config = config with { ModulatedLayers = [2] };
        var model = new DpgModel(spec, config);
        model.train();
        var (input, labels) = ModelTestData.Batch(spec, 64, 9);
        var output = model.Loss(input, labels);
        output.Total.backward();

        var names = model.named_parameters().Select(p => p.name).ToArray();
        Assert.Contains(names, n => n.StartsWith("embedding."));
        Assert.Contains(names, n => n.Contains("generator_"));
        Assert.Contains(names, n => n.StartsWith("mir."));
        if (variant is DwmVariant.R or DwmVariant.C) Assert.Contains(names, n => n.EndsWith("_share"));
        if (partial) Assert.Contains(names, n => n.StartsWith("plain."));
        foreach (var (name, p) in model.named_parameters())
        {
            Assert.True(p.grad is not null, $"{name} has no gradient");
            Assert.True(p.grad!.abs().sum().item<float>() > 0, $"{name} has an all-zero gradient");
        }
        Assert.True(output.Terms.ContainsKey("mi"));
        Assert.Equal(output.Terms["bce"] + (float)model.MirWeight(64) * output.Terms["mi"], output.Terms["total"], 4);
    }

    /// <summary>Eq. 8 read literally (BCE summed over the batch, L_mi a mean) weighs L_mi 1/B as much as the default.</summary>
    [Fact]
    public void SummedBceWeighsTheMirByOneOverTheBatchSize()
    {
        using var scope = NewDisposeScope();
        var spec = ModelTestData.Spec();
        var config = new DpgConfig { HiddenSizes = [16, 8], EmbeddingDim = 4, RowDivisor = 2, GeneratorHidden = 8, DiscriminatorHidden = 8, Lambda = 2.0, BceReduction = BceReduction.Sum };
        var model = new DpgModel(spec, config);
        var (input, labels) = ModelTestData.Batch(spec, 64, 9);
        var output = model.Loss(input, labels);
        Assert.Equal(2.0 / 64, model.MirWeight(64), 12);
        Assert.Equal(output.Terms["bce"] + (float)(2.0 / 64) * output.Terms["mi"], output.Terms["total"], 5);
        Assert.Equal(2.0, new DpgModel(spec, config with { BceReduction = BceReduction.Mean }).MirWeight(64));
    }

    [Fact]
    public void MirGradientsReachGeneratorsDiscriminatorsAndAwareEmbeddings()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var spec = ModelTestData.Spec();
        var model = new DpgModel(spec, ModelTestData.SmallConfig(DwmVariant.RC) with { GeneratorOutputInitScale = 1.0 });
        var (input, _) = ModelTestData.Batch(spec, 32, 5);
        var run = model.Run(input);
        model.Mir!.call(run.Embeddings.Aware, run.Cores).Loss.backward();
        var grads = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad?.abs().sum().item<float>() ?? 0f);
        Assert.True(grads.Where(kv => kv.Key.StartsWith("mir.")).All(kv => kv.Value > 0));
        Assert.True(grads.Where(kv => kv.Key.Contains("generator_")).All(kv => kv.Value > 0));
        Assert.True(grads["embedding.table.weight"] > 0);
        foreach (var field in spec.AwareIndices)                                                         // scenario-aware rows
            Assert.True(model.Embedding.FieldGradient(field)!.abs().sum().item<float>() > 0, $"aware field {field} has no MIR gradient");
        Assert.Equal(0f, grads["output.weight"]);                                                        // L_mi does not touch the head
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MirGradientToBackboneDecidesWhetherLmiMovesTheBackbone(bool toBackbone)
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var spec = ModelTestData.Spec();
        var model = new DpgModel(spec, ModelTestData.SmallConfig(DwmVariant.R) with { GeneratorOutputInitScale = 1.0, MirGradientToBackbone = toBackbone });
        var (input, labels) = ModelTestData.Batch(spec, 32, 6);
        model.Loss(input, labels).AuxiliaryLoss!.backward();                      // L_mi alone
        float Grad(string name) => model.named_parameters().Single(p => p.name == name).parameter.grad?.abs().sum().item<float>() ?? 0f;
        Assert.All(model.named_parameters().Where(p => p.name.Contains("generator_")), p => Assert.True(Grad(p.name) > 0, $"{p.name} has no MIR gradient"));
        foreach (var field in spec.AwareIndices)
            Assert.True(model.Embedding.FieldGradient(field)!.abs().sum().item<float>() > 0, $"aware field {field} has no MIR gradient");
        float backbone = Grad("dwm.0.weight");
        float agnostic = spec.AgnosticIndices.Sum(f => model.Embedding.FieldGradient(f)?.abs().sum().item<float>() ?? 0f);
        if (toBackbone)
        {
            Assert.True(backbone > 0, "with MirGradientToBackbone, L_mi reaches the first layer's W through h_2");
            Assert.True(agnostic > 0, "with MirGradientToBackbone, L_mi reaches the agnostic embeddings through h_1");
        }
        else
        {
            Assert.Equal(0f, backbone);
            Assert.Equal(0f, agnostic);
        }
    }

    [Fact]
    public void DpgIsMiDpgWithoutTheRegulariser()
    {
        using var scope = NewDisposeScope();
        var spec = ModelTestData.Spec();
        var dpg = new DpgModel(spec, ModelTestData.SmallConfig() with { UseMir = false });
        var lambdaZero = new DpgModel(spec, ModelTestData.SmallConfig() with { Lambda = 0 });
        var miDpg = new DpgModel(spec, ModelTestData.SmallConfig());
        Assert.Equal(DpgModel.DpgKind, dpg.Kind);
        Assert.Equal(DpgModel.DpgKind, lambdaZero.Kind);
        Assert.Equal(DpgModel.MiDpgKind, miDpg.Kind);
        Assert.Null(dpg.Mir);
        var (input, labels) = ModelTestData.Batch(spec, 8, 2);
        var output = dpg.Loss(input, labels);
        Assert.Null(output.AuxiliaryLoss);
        Assert.Equal(output.Bce.item<float>(), output.Total.item<float>());
        Assert.False(output.Terms.ContainsKey("mi"));
    }

    [Fact]
    public void NaivePathGivesTheSameModelOutput()
    {
        using var scope = NewDisposeScope();
        var spec = ModelTestData.Spec();
        var model = new DpgModel(spec, ModelTestData.SmallConfig(DwmVariant.R) with { Repeat = RepeatMode.Block });
        var (input, _) = ModelTestData.Batch(spec, 16, 3);
        using var _ = no_grad();
        Assert.True(ModelTestData.MaxAbsDiff(model.Run(input, factored: true).Logits, model.Run(input, factored: false).Logits) < 1e-5);
    }

    [Fact]
    public void DeviceOptionIsRespectedOnCpu()
    {
        using var scope = NewDisposeScope();
        var spec = ModelTestData.Spec();
        var model = new DpgModel(spec, ModelTestData.SmallConfig(), CPU);
        Assert.All(model.parameters(), p => Assert.Equal(DeviceType.CPU, p.device_type));
        Assert.Equal(DeviceType.CPU, model.Device.type);
    }

    [CudaFact]
    public void DeviceOptionIsRespectedOnCuda()
    {
        using var scope = NewDisposeScope();
        var spec = ModelTestData.Spec();
        var device = new Device(DeviceType.CUDA);
        var model = new DpgModel(spec, ModelTestData.SmallConfig(), device);
        Assert.All(model.parameters(), p => Assert.Equal(DeviceType.CUDA, p.device_type));
        var (input, labels) = ModelTestData.Batch(spec, 8, 1, device);
        model.Loss(input, labels).Total.backward();
        using var inspection = WeightingMatrixInspector.Inspect(model, input, labels);
        Assert.Equal(DeviceType.CPU, inspection.Layers[0].Core.device_type);
    }

    [Theory]
    [InlineData(DwmVariant.RC)]
    [InlineData(DwmVariant.R)]
    [InlineData(DwmVariant.C)]
    [InlineData(DwmVariant.Non)]
    public void AFewAdamStepsLowerTheLossOnAScenarioDependentTask(DwmVariant variant)
    {
        // Labels flip with the scenario: y = 1 iff (item id is even) XOR (scenario field >= 2).
        using var scope = NewDisposeScope();
        manual_seed(12);
        var spec = ModelTestData.Spec();
        var model = new DpgModel(spec, ModelTestData.SmallConfig(variant) with { HiddenSizes = [32, 16, 8] });
        var (input, _) = ModelTestData.Batch(spec, 128, 6);
        var labels = input.Categorical.select(1, 3).remainder(2).eq(0).logical_xor(input.Categorical.select(1, 0).ge(2)).to_type(ScalarType.Float32);
        var optimizer = new LazyAdam(model.parameters(), 0.02);
        float first = 0, last = 0;
        for (var step = 0; step < 25; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var output = model.Loss(input, labels);
            output.Total.backward();
            optimizer.step();
            if (step == 0) first = output.Terms["bce"];
            last = output.Terms["bce"];
        }
        Assert.True(last < 0.8 * first, $"BCE went from {first} to {last}");
    }
}
