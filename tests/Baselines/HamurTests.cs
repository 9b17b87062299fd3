using MiDpg.Research.Models;
using MiDpg.Research.Models.Baselines;
using MiDpg.Research.Training;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Baselines;

/// <summary>HAMUR (issue 19). The checks every registry model passes (gradients, counts, persistence) run from
/// BaselineModelTests and ModelRegistryTests; here what is particular to HAMUR.</summary>
[Collection("torch global generator")]
public class HamurTests
{
    static HamurConfig Small => new() { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 6, 4], RankK = 3, AdapterBottleneck = 2, HyperHiddenSizes = [5] };

    static ArgumentException Invalid(HamurConfig config, FeatureSpec? spec = null) =>
        Assert.Throws<ArgumentException>(() => new HamurModel(spec ?? BaselineTestData.Spec(), config));

    [Fact]
    public void BadSettingsFailClearly()
    {
        var e = Invalid(Small with { RankK = 0, AdapterBottleneck = -1, HyperHiddenSizes = [4, 0] });
        Assert.Contains("RankK must be >= 1; got 0", e.Message);
        Assert.Contains("AdapterBottleneck must be >= 1; got -1", e.Message);
        Assert.Contains("HyperHiddenSizes[1] must be >= 1; got 0", e.Message);
        Assert.Contains("HamurConfig", e.Message);
        e = Invalid(Small with { AdapterLayers = [0, 3, -1] });
        Assert.Contains("AdapterLayers holds 3; indices must be in 0..2", e.Message);
        Assert.Contains("AdapterLayers holds -1", e.Message);
        Assert.Contains("AdapterLayers needs at least one hidden-layer index", Invalid(Small with { AdapterLayers = [] }).Message);
        Assert.Contains("NormEps must be > 0", Invalid(Small with { NormEps = 0 }).Message);
        Assert.Contains("NormMomentum must be in (0, 1]", Invalid(Small with { NormMomentum = 1.5 }).Message);
        Assert.Contains("AdapterNorm must be DomainNorm, WholeBatch or None; got 7", Invalid(Small with { AdapterNorm = (HamurNorm)7 }).Message);
        var agnosticOnly = new FeatureSpec([new FieldSpec("user", 4, false)], 1, 3);
        Assert.Contains("HyperInput = Aware selects no field", Invalid(Small with { HyperInput = HamurHyperInput.Aware }, agnosticOnly).Message);
    }

    /// <summary>The adapter computes the paper's per-sample weights W_down = U_s M V_s and W_up = U'_s M' V'_s (here
    /// materialised sample by sample) without building them: same cell output h + sigma(h W_down + b_down) W_up + b_up.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheFactoredCellEqualsTheExplicitGeneratedWeights(bool scenarioSpecific)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        const int B = 9, d = 6, S = 3;
        var config = Small with { AdapterNorm = HamurNorm.None, ScenarioSpecificFactors = scenarioSpecific, SeparateCores = true };
        var adapter = new HamurAdapter(d, S, config);
        var p = adapter.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        using (no_grad()) p["b_down"].normal_(); using (no_grad()) p["b_up"].normal_();
        var h = randn(B, d);
        var coreDown = randn(B, config.RankK, config.RankK);
        var coreUp = randn(B, config.RankK, config.RankK);
        var scenario = arange(B, dtype: ScalarType.Int64).remainder(S);
        var actual = adapter.Apply(h, coreDown, coreUp, scenario);
        for (var b = 0; b < B; b++)
        {
            var s = scenarioSpecific ? b % S : 0;
            var wDown = p["u_down"][s].matmul(coreDown[b]).matmul(p["v_down"][s]);                 // d x r
            var wUp = p["u_up"][s].matmul(coreUp[b]).matmul(p["v_up"][s]);                         // r x d
            var a = nn.functional.sigmoid(h[b].matmul(wDown) + p["b_down"][s]);
            var expected = h[b] + a.matmul(wUp) + p["b_up"][s];
            Assert.True(BaselineTestData.MaxAbsDiff(expected, actual[b]) < 1e-5f, $"sample {b}");
        }
    }

    /// <summary>The paper's structure as a special case: with the hyper-network's output zeroed (M = 0) every adapter's update
    /// is a constant the normalisation maps to its shift (0 at initialisation), so HAMUR equals the plain DNN on the same
    /// embedding and backbone weights, in training and in evaluation.</summary>
    [Theory]
    [InlineData(HamurNorm.DomainNorm)]
    [InlineData(HamurNorm.WholeBatch)]
    [InlineData(HamurNorm.None)]
    public void WithZeroGeneratedCoresHamurIsTheDnnBackbone(HamurNorm norm)
    {
        using var scope = NewDisposeScope();
        var spec = BaselineTestData.Spec();
        manual_seed(5);
        var dnn = new DnnModel(spec, new DnnConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 6, 4] });
        var hamur = new HamurModel(spec, Small with { AdapterNorm = norm });
        var source = dnn.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        var copied = 0;
        using (no_grad())
        {
            foreach (var (name, parameter) in hamur.named_parameters())
                if (source.TryGetValue(name, out var value)) { parameter.copy_(value); copied++; }
            hamur.HyperNetwork.OutputLayer!.weight!.zero_();
            hamur.HyperNetwork.OutputLayer!.bias!.zero_();
        }
        Assert.Equal(source.Count, copied);
        var (input, _) = BaselineTestData.Batch(spec, 12, 9);
        Assert.True(hamur.Cores(input).abs().max().item<float>() == 0);
        foreach (var training in new[] { true, false })
        {
            dnn.train(training);
            hamur.train(training);
            Assert.True(BaselineTestData.MaxAbsDiff(dnn.Forward(input), hamur.Forward(input)) < 1e-5f, $"training = {training}");
        }
        // With a non-zero core the adapters do change the output.
        using (no_grad()) hamur.HyperNetwork.OutputLayer!.bias!.normal_();
        hamur.train();
        Assert.True(BaselineTestData.MaxAbsDiff(dnn.Forward(input), hamur.Forward(input)) > 1e-4f);
    }

    /// <summary>The domain-specific parts (a scenario's U, V, b and its domain-norm scale and shift) get gradient only from
    /// their own scenario's samples; the shared hyper-network from all.</summary>
    [Fact]
    public void ScenarioFactorsAreTrainedOnlyByTheirScenariosSamples()
    {
        using var scope = NewDisposeScope();
        var spec = BaselineTestData.Spec();
        manual_seed(7);
        var model = new HamurModel(spec, Small);
        model.train();
        var (all, allLabels) = BaselineTestData.Batch(spec, 30, 2);
        var rows = nonzero(all.Scenario.ne(2)).squeeze(1);                       // scenarios 0 and 1 only
        var input = new ModelInput(all.Categorical.index_select(0, rows), all.Numeric!.index_select(0, rows), all.Scenario.index_select(0, rows));
        model.Loss(input, allLabels.index_select(0, rows)).Total.backward();
        var perScenario = model.named_parameters()
            .Where(p => p.name.StartsWith("adapters.", StringComparison.Ordinal) && !p.name.EndsWith(".gamma") && !p.name.EndsWith(".beta"))
            .ToArray();
        Assert.Equal(3 * 5 + 3 * 2, perScenario.Length);   // per adapter u/v/b down, u/v up; scenario_gamma, scenario_beta
        foreach (var (name, p) in perScenario)
        {
            Assert.Equal(BaselineTestData.Scenarios, (int)p.shape[0]);
            Assert.True(p.grad![2].abs().max().item<float>() == 0, $"{name}: scenario 2 got a gradient without samples");
            Assert.True(p.grad![0].abs().max().item<float>() > 0, $"{name}: scenario 0 got no gradient");
            Assert.True(p.grad![1].abs().max().item<float>() > 0, $"{name}: scenario 1 got no gradient");
        }
        Assert.True(model.HyperNetwork.OutputLayer!.weight!.grad!.abs().max().item<float>() > 0);
    }

    /// <summary>Without a normalisation the loss is a sum over rows: the shards' gradients add up to the batch gradient. The
    /// normalisations couple rows, so those configurations refuse shards.</summary>
    [Fact]
    public void ShardsAddUpWithoutNormalisationAndAreRefusedWithIt()
    {
        using var scope = NewDisposeScope();
        var spec = BaselineTestData.Spec();
        manual_seed(11);
        var model = new HamurModel(spec, Small with { AdapterNorm = HamurNorm.None, SeparateCores = true });
        Assert.Null(model.ShardingObstacle);
        Assert.Contains("domain norm", new HamurModel(spec, Small).ShardingObstacle);
        Assert.Contains("whole batch", new HamurModel(spec, Small with { AdapterNorm = HamurNorm.WholeBatch }).ShardingObstacle);
        model.train();
        var (input, labels) = BaselineTestData.Batch(spec, 40, 4);
        var parameters = model.parameters().ToArray();
        model.Loss(input, labels).Total.backward();
        var expected = parameters.Select(p => p.grad!.is_sparse ? p.grad.to_dense() : p.grad!.clone()).ToArray();
        foreach (var p in parameters) p.grad = null;
        using var step = new DataParallelStep(3);
        step.Run(model, input, labels, parameters);
        for (var i = 0; i < parameters.Length; i++)
        {
            var actual = parameters[i].grad!.is_sparse ? parameters[i].grad!.to_dense() : parameters[i].grad!;
            var size = expected[i].abs().max().item<float>();
            Assert.True((actual - expected[i]).abs().max().item<float>() <= 1e-5 + 1e-4 * size, $"parameter {i}");
        }
    }

    [Fact]
    public void FormulaCountsTheTinyCaseByHand()
    {
        // Spec: d_in 18, S 3, e_aw 8. Backbone 18-8-6-4-1: 152 + 54 + 28 + 5 = 239. Hyper-network 18 -> 5 -> 9: 95 + 54.
        // Adapters (k 3, r 2, F = S = 3) on 8, 6, 4: 3 (3d + 6 + 2 + 6 + 3d) = 3 (6d + 14): 186 + 150 + 114.
        // Domain norm: 2d + 6d = 8d: 64 + 48 + 32.
        var f = HamurModel.Formula(BaselineTestData.Spec(), Small);
        Assert.Equal(239, f[ModelComponent.Backbone]);
        Assert.Equal(149, f[ModelComponent.Generators]);
        Assert.Equal(450, f[BaselineComponent.Adapters]);
        Assert.Equal(144, f[BaselineComponent.Normalisation]);
        // Shared factors, no norm (b_up appears), the last layer only, one core per projection (2 cores), hyper input e_aw.
        var g = HamurModel.Formula(BaselineTestData.Spec(), Small with
        {
            ScenarioSpecificFactors = false, AdapterNorm = HamurNorm.None, AdapterLayers = [2], SeparateCores = true, HyperInput = HamurHyperInput.Aware,
        });
        Assert.Equal(4 * 3 + 3 * 2 + 2 + 2 * 3 + 3 * 4 + 4, g[BaselineComponent.Adapters]);
        Assert.Equal(0, g[BaselineComponent.Normalisation]);
        Assert.Equal(8 * 5 + 5 + 5 * 18 + 18, g[ModelComponent.Generators]);
    }
}
