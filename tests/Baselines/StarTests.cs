using MiDpg.Research.Models;
using MiDpg.Research.Models.Baselines;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Baselines;

public class StarTests
{
    private static StarModel Model(PnPlacement placement = PnPlacement.InputAndHidden)
    {
        manual_seed(5);
        return new StarModel(BaselineTestData.Spec(), new StarConfig { EmbeddingDim = 4, HiddenSizes = [8, 4], AuxiliaryHiddenSizes = [4], PnPlacement = placement });
    }

    /// <summary>Evaluation uses the per-scenario running statistics: a sample's output does not depend on the rest of
    /// the batch, while in training mode (batch statistics) it does, so train and eval outputs differ.</summary>
    [Fact]
    public void EvaluationUsesRunningStatisticsNotBatchStatistics()
    {
        using var scope = NewDisposeScope();
        var model = Model();
        var spec = model.Features;
        var (input, labels) = BaselineTestData.Batch(spec, 30, 1);
        BaselineTestData.Train(model, input, labels, steps: 5);

        model.eval();
        var (probe, _) = BaselineTestData.Batch(spec, 12, 2);
        var (other, _) = BaselineTestData.Batch(spec, 12, 3);
        var whole = model.Forward(probe);
        var first = model.Forward(probe.Slice(0, 3));
        var mixed = model.Forward(new ModelInput(cat([probe.Categorical.narrow(0, 0, 3), other.Categorical], 0),
            cat([probe.Numeric!.narrow(0, 0, 3), other.Numeric!], 0), cat([probe.Scenario.narrow(0, 0, 3), other.Scenario], 0)));
        Assert.True(BaselineTestData.MaxAbsDiff(whole.narrow(0, 0, 3), first) < 1e-5f);
        Assert.True(BaselineTestData.MaxAbsDiff(first, mixed.narrow(0, 0, 3)) < 1e-5f);

        model.train();
        using (no_grad())
        {
            var trainWhole = model.Forward(probe);
            var trainMixed = model.Forward(new ModelInput(cat([probe.Categorical.narrow(0, 0, 3), other.Categorical], 0),
                cat([probe.Numeric!.narrow(0, 0, 3), other.Numeric!], 0), cat([probe.Scenario.narrow(0, 0, 3), other.Scenario], 0)));
            Assert.True(BaselineTestData.MaxAbsDiff(trainWhole.narrow(0, 0, 3), trainMixed.narrow(0, 0, 3)) > 1e-4f);
            Assert.True(BaselineTestData.MaxAbsDiff(trainWhole, whole) > 1e-4f);
        }
    }

    /// <summary>Training updates each scenario's running mean / variance with that scenario's batch statistics
    /// (momentum 0.1, unbiased variance), and leaves scenarios absent from the batch untouched.</summary>
    [Fact]
    public void TrainingUpdatesPerScenarioRunningStatistics()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var norm = new PartitionedNorm(3, 3, momentum: 0.1, eps: 1e-5, minCount: 2);
        norm.train();
        var z = randn(8, 3);
        var scenario = tensor(new long[] { 0, 0, 0, 1, 1, 1, 1, 0 });
        var output = norm.call(z, scenario);
        for (var s = 0; s < 2; s++)
        {
            var rows = z.index_select(0, scenario.eq(s).nonzero().squeeze(1));
            Assert.True(BaselineTestData.MaxAbsDiff(norm.RunningMean[s], rows.mean([0L]) * 0.1) < 1e-6f);
            Assert.True(BaselineTestData.MaxAbsDiff(norm.RunningVar[s], 0.9 + rows.var(0) * 0.1) < 1e-5f);
            // Training output: batch statistics (biased variance), gamma = 1, beta = 0 at initialisation.
            var expected = (rows - rows.mean([0L])) / (rows.var(0, unbiased: false) + 1e-5).sqrt();
            Assert.True(BaselineTestData.MaxAbsDiff(output.index_select(0, scenario.eq(s).nonzero().squeeze(1)), expected) < 1e-4f);
        }
        Assert.Equal(0f, norm.RunningMean[2].abs().sum().item<float>());
        Assert.Equal(3f, norm.RunningVar[2].sum().item<float>());

        norm.eval();
        var evaluated = norm.call(z, scenario);
        var expectedEval = (z - norm.RunningMean.index_select(0, scenario)) / (norm.RunningVar.index_select(0, scenario) + 1e-5).sqrt();
        Assert.True(BaselineTestData.MaxAbsDiff(evaluated, expectedEval) < 1e-5f);
    }

    /// <summary>A scenario with a single sample in a training batch (variance undefined) is normalised with its
    /// running statistics and does not update them.</summary>
    [Fact]
    public void ScenariosWithTooFewSamplesUseTheirRunningStatistics()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var norm = new PartitionedNorm(2, 3, momentum: 0.5, eps: 1e-5, minCount: 2);
        norm.train();
        norm.RunningMean[2].fill_(0.5f);
        norm.RunningVar[2].fill_(4f);
        var z = randn(5, 2);
        var scenario = tensor(new long[] { 0, 0, 1, 1, 2 });
        var output = norm.call(z, scenario);
        Assert.True(BaselineTestData.MaxAbsDiff(output[4], (z[4] - 0.5) / Math.Sqrt(4 + 1e-5)) < 1e-5f);
        Assert.Equal(1f, norm.RunningMean[2].sum().item<float>(), 5);
        Assert.Equal(8f, norm.RunningVar[2].sum().item<float>(), 5);
    }

    [Fact]
    public void RunningStatisticsAreSavedWithTheModel()
    {
        using var scope = NewDisposeScope();
        var model = Model(PnPlacement.Input);
        var names = model.state_dict().Keys.ToArray();
        Assert.Contains("norms.0.running_mean", names);
        Assert.Contains("norms.0.running_var", names);
        Assert.DoesNotContain(model.named_parameters(), p => p.name.Contains("running"));
    }

    /// <summary>At initialisation (W_p = 1, b_p = 0, gamma_p = 1, beta_p = 0) every scenario is the shared network.</summary>
    [Fact]
    public void AtInitialisationScenariosShareTheFcn()
    {
        using var scope = NewDisposeScope();
        var model = Model();
        model.eval();
        var (probe, _) = BaselineTestData.Batch(model.Features, 6, 4);
        var a = model.Forward(probe with { Scenario = zeros(6, dtype: ScalarType.Int64) });
        var b = model.Forward(probe with { Scenario = full(6, 2L, dtype: ScalarType.Int64) });
        Assert.True(BaselineTestData.MaxAbsDiff(a, b) < 1e-6f);
    }
}
