using MiDpg.Research.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Models;

public class WeightingMatrixInspectorTests
{
    [Fact]
    public void BatchInspectionGivesCoresScenariosAndLabelsPerLayer()
    {
        using var scope = NewDisposeScope();
        var spec = ModelTestData.Spec();
        var model = new DpgModel(spec, ModelTestData.SmallConfig(DwmVariant.RC) with { ModulatedLayers = [1, 3] });
        var (input, labels) = ModelTestData.Batch(spec, 10, 4);
        using var inspection = WeightingMatrixInspector.Inspect(model, input, labels, includeFull: true);
        Assert.Equal(10, inspection.SampleCount);
        Assert.Equal([1, 3], inspection.Layers.Select(l => l.Layer));
        var layer1 = inspection.Layer(1);
        Assert.Equal([10L, 16, 8], layer1.Core.shape);     // d_m = 32, d_n = 16, divisors 2
        Assert.Equal([10L, 32, 16], layer1.Full!.shape);
        Assert.Equal([10L, 4, 2], inspection.Layer(3).Core.shape);
        Assert.Equal(DeviceType.CPU, layer1.Core.device_type);
        Assert.False(layer1.Core.requires_grad);
        Assert.Equal(input.Scenario.data<long>().ToArray(), inspection.Scenario.data<long>().ToArray());
        Assert.Equal(labels.data<float>().ToArray(), inspection.Labels.data<float>().ToArray());
        Assert.True(ModelTestData.MaxAbsDiff(inspection.Predictions, model.Predict(input)) < 1e-6);
        Assert.True(ModelTestData.MaxAbsDiff(layer1.Full, Repeat.Psi(layer1.Core, 32, 16, RepeatMode.Tile)) == 0);
        Assert.Throws<ArgumentException>(() => inspection.Layer(2));
        Assert.True(model.training); // the model's mode is restored
    }

    [Fact]
    public void SplitInspectionInChunksEqualsOneBatch()
    {
        using var scope = NewDisposeScope();
        var spec = ModelTestData.Spec(numeric: 2);
        var model = new DpgModel(spec, ModelTestData.SmallConfig(DwmVariant.C) with { RowDivisor = 2 });
        var (input, labels) = ModelTestData.Batch(spec, 23, 8);
        using var whole = WeightingMatrixInspector.Inspect(model, input, labels);
        using var chunked = WeightingMatrixInspector.InspectSplit(model, input, labels, chunkSize: 5);
        Assert.Equal(23, chunked.SampleCount);
        for (var l = 0; l < whole.Layers.Count; l++)
            Assert.True(ModelTestData.MaxAbsDiff(whole.Layers[l].Core, chunked.Layers[l].Core) < 1e-6);
        Assert.Null(chunked.Layers[0].Full);
        using var unlabelled = WeightingMatrixInspector.InspectSplit(model, input, null, chunkSize: 7);
        Assert.True(unlabelled.Labels.isnan().all().item<bool>());
    }

    [Fact]
    public void DataFrameHasOneRowPerSampleAndOneColumnPerCoreEntry()
    {
        using var scope = NewDisposeScope();
        var spec = ModelTestData.Spec();
        var model = new DpgModel(spec, ModelTestData.SmallConfig(DwmVariant.R));
        var (input, labels) = ModelTestData.Batch(spec, 6, 2);
        using var inspection = WeightingMatrixInspector.Inspect(model, input, labels, includeFull: true);
        var frame = inspection.ToDataFrame(3);                         // core 4 x 2
        Assert.Equal(6, frame.Rows.Count);
        var names = frame.Columns.Select(c => c.Name).ToArray();
        Assert.Equal(["sample", "scenario", "label", "prediction", "a_0_0", "a_0_1", "a_1_0", "a_1_1", "a_2_0", "a_2_1", "a_3_0", "a_3_1"], names);
        var core = inspection.Layer(3).Core;
        Assert.Equal(core[4, 2, 1].item<float>(), (float)frame["a_2_1"][4]);
        Assert.Equal(inspection.Scenario[5].item<long>(), (long)frame["scenario"][5]);
        var fullFrame = inspection.ToDataFrame(3, full: true);         // S 8 x 4
        Assert.Equal(4 + 32, fullFrame.Columns.Count);
        Assert.Equal("s_7_3", fullFrame.Columns[^1].Name);
    }

    [Fact]
    public void NonVariantReportsTheFullMatrixAsItsCore()
    {
        using var scope = NewDisposeScope();
        var spec = ModelTestData.Spec();
        var model = new DpgModel(spec, ModelTestData.SmallConfig(DwmVariant.Non) with { ModulatedLayers = [3] });
        var (input, _) = ModelTestData.Batch(spec, 3, 2);
        using var inspection = WeightingMatrixInspector.Inspect(model, input);
        Assert.Equal([3L, 8, 4], inspection.Layer(3).Core.shape);
    }
}

public class CoreSeparationTests
{
    static WeightingMatrixInspection Fake(float[,] cores, long[] scenarios)
    {
        int n = cores.GetLength(0), d = cores.GetLength(1);
        var flat = new float[n * d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) flat[i * d + j] = cores[i, j];
        var core = tensor(flat).reshape(n, 1, d);
        var layer = new LayerMatrices(1, new LayerGeometry(1, 1, d, 1, d, 1), core, null);
        return new WeightingMatrixInspection([layer], tensor(scenarios), full(n, float.NaN), zeros(n));
    }

    [Fact]
    public void OrthogonalScenarioCoresAreSeparated()
    {
        // Scenario 0 points along e1, scenario 1 along e2 (uncentred): within = 1, between = 0.
        using var inspection = Fake(new float[,] { { 1, 0 }, { 2, 0 }, { 0, 1 }, { 0, 3 } }, [0, 0, 1, 1]);
        var s = inspection.ScenarioSeparation(1, centred: false);
        Assert.Equal(1.0, s.Within, 6);
        Assert.Equal(0.0, s.Between, 6);
        Assert.Equal(1.0, s.Gap, 6);
        // Centred: the mean (0.75, 1) is removed; within-scenario pairs stay more alike than between.
        var c = inspection.ScenarioSeparation(1);
        Assert.True(c.Within > c.Between);
    }

    [Fact]
    public void IdenticalCoresGiveNoGapAndMissingPairsGiveNaN()
    {
        using var same = Fake(new float[,] { { 1, 2 }, { 1, 2 }, { 1, 2 } }, [0, 1, 1]);
        var s = same.ScenarioSeparation(1, centred: false);
        Assert.Equal(0.0, s.Gap, 6);
        using var single = Fake(new float[,] { { 1, 0 }, { 0, 1 } }, [0, 1]);
        Assert.True(double.IsNaN(single.ScenarioSeparation(1, centred: false).Within));
        Assert.Throws<ArgumentException>(() => single.ScenarioSeparation(2));
    }
}
