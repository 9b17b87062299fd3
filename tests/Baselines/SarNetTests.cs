using MiDpg.Research.Models;
using MiDpg.Research.Models.Baselines;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Baselines;

/// <summary>SAR-Net (issue 19). The checks every registry model passes (gradients, counts, persistence, shards) run from
/// BaselineModelTests, ModelRegistryTests and DataParallelStepTests; here what is particular to SAR-Net.</summary>
public class SarNetTests
{
    static SarNetConfig Small => new() { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 6, 4], SharedExperts = 2, ScenarioExperts = 2 };

    static ArgumentException Invalid(ModelConfig config) =>
        Assert.Throws<ArgumentException>(() => ModelRegistry.Create(config, BaselineTestData.Spec()));

    static void Copy(ScenarioModel from, ScenarioModel to, IReadOnlyDictionary<string, string> names)
    {
        var target = to.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using var _ = no_grad();
        foreach (var (name, p) in from.named_parameters()) target[names.GetValueOrDefault(name, name)].copy_(p);
    }

    [Fact]
    public void BadConfigurationsFailClearly()
    {
        var e = Invalid(new SarNetConfig { SharedExperts = 0, ScenarioExperts = 0 });
        Assert.Contains("SAR-Net needs at least one expert: SharedExperts + ScenarioExperts must be >= 1; got 0", e.Message);
        Assert.Contains("SarNetConfig", e.Message);
        e = Invalid(new SarNetConfig { SharedExperts = -1, AttentionDim = 0, ExpertSizes = [], TowerSizes = [0] });
        Assert.Contains("SharedExperts must be >= 0; got -1", e.Message);
        Assert.Contains("AttentionDim must be >= 1 (or null for EmbeddingDim); got 0", e.Message);
        Assert.Contains("ExpertSizes needs at least one entry", e.Message);
        Assert.Contains("TowerSizes[0] must be >= 1; got 0", e.Message);
        Assert.Contains("Attention must be None or FieldSequence; got 7", Invalid(new SarNetConfig { Attention = (SarNetAttention)7 }).Message);
        Assert.Contains("Transform must be PerScenario or ScenarioEmbedding", Invalid(new SarNetConfig { Transform = (SarNetTransform)9 }).Message);
    }

    /// <summary>The scenario-specific experts and the scale and shift of scenario s are registered and learn only from
    /// the samples of scenario s; the shared experts learn from all.</summary>
    [Fact]
    public void EachScenarioTrainsOnlyItsOwnExpertsAndTransform()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var spec = BaselineTestData.Spec();
        var model = new SarNetModel(spec, Small);
        var (input, labels) = BaselineTestData.Batch(spec, 30, 2);
        var rows = input.Scenario.ne(2).nonzero().squeeze(1);                  // scenarios 0 and 1 only
        var part = new ModelInput(input.Categorical.index_select(0, rows), input.Numeric!.index_select(0, rows), input.Scenario.index_select(0, rows));
        model.Loss(part, labels.index_select(0, rows)).Total.backward();
        var grads = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad);
        float Size(Tensor? g) => g is null ? 0f : g.abs().sum().item<float>();
        for (var s = 0; s < 3; s++)
            for (var l = 0; l < 2; l++)
            {
                var expert = grads.Where(kv => kv.Key.StartsWith($"scenario_experts.{s * 2 + l}.")).ToArray();
                Assert.NotEmpty(expert);
                Assert.All(expert, kv => Assert.Equal(s < 2, Size(kv.Value) > 0));
            }
        foreach (var name in new[] { "scenario_scale", "scenario_shift" })
        {
            var g = grads[name]!;
            Assert.True(Size(g[0]) > 0 && Size(g[1]) > 0, $"{name}: scenarios 0 and 1 got no gradient");
            Assert.Equal(0f, Size(g[2]));
        }
        Assert.All(grads.Where(kv => kv.Key.StartsWith("shared_experts.")), kv => Assert.True(Size(kv.Value) > 0, kv.Key));
    }

    /// <summary>The multi-scenario gate is a softmax over the K shared and the sample's L specific experts.</summary>
    [Fact]
    public void GateWeightsArePositiveAndSumToOne()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var spec = BaselineTestData.Spec();
        var model = new SarNetModel(spec, Small with { GateInput = SarNetGateInput.Aware });
        var (input, _) = BaselineTestData.Batch(spec, 9, 3);
        var (gate, experts) = model.Mixture(input);
        Assert.Equal([9L, 4L], gate.shape);
        Assert.Equal([9L, 4L, 6L], experts.shape);
        Assert.True(gate.gt(0).all().item<bool>());
        Assert.True((gate.sum(1) - 1).abs().max().item<float>() < 1e-6f);
    }

    /// <summary>A special case that reduces to a simpler model: no attention, one shared expert and no scenario experts
    /// (so no gate), and the transformation at its initial identity (w_s = 1, b_s = 0): SAR-Net is then the DNN with the
    /// same hidden sizes, expert and tower being the backbone's first and last layers. Its per-scenario transformation
    /// then changes the outputs of its own scenario's samples only.</summary>
    [Fact]
    public void WithOneSharedExpertAndTheIdentityTransformItIsTheDnn()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var spec = BaselineTestData.Spec();
        var sar = new SarNetModel(spec, Small with { Attention = SarNetAttention.None, SharedExperts = 1, ScenarioExperts = 0 });
        var dnn = new DnnModel(spec, new DnnConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 6, 4] });
        Copy(dnn, sar, new Dictionary<string, string>
        {
            ["backbone.layers.0.weight"] = "shared_experts.0.layers.0.weight", ["backbone.layers.0.bias"] = "shared_experts.0.layers.0.bias",
            ["backbone.layers.1.weight"] = "shared_experts.0.layers.1.weight", ["backbone.layers.1.bias"] = "shared_experts.0.layers.1.bias",
            ["backbone.layers.2.weight"] = "tower.layers.0.weight", ["backbone.layers.2.bias"] = "tower.layers.0.bias",
            ["backbone.output.weight"] = "tower.output.weight", ["backbone.output.bias"] = "tower.output.bias",
        });
        var (input, _) = BaselineTestData.Batch(spec, 12, 6);
        var before = sar.Predict(input);
        Assert.True(BaselineTestData.MaxAbsDiff(dnn.Predict(input), before) < 1e-6f);

        using (no_grad())
        {
            var scale = sar.named_parameters().Single(p => p.name == "scenario_scale").parameter;
            scale[1].copy_(rand(scale.shape[1]) + 0.5);
        }
        var changed = (sar.Predict(input) - before).abs().gt(1e-7f);
        Assert.True(changed.eq(input.Scenario.eq(1)).all().item<bool>(), "only scenario 1's samples change");
    }

    /// <summary>`Transform = ScenarioEmbedding` generates w = 1 + U_w e_aw + c_w and b = U_b e_aw + c_b: with its generators
    /// at zero it is the identity, so the model equals the PerScenario one at its identity start on the same weights.</summary>
    [Fact]
    public void TheGeneratedTransformWithZeroGeneratorsIsTheIdentity()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        var spec = BaselineTestData.Spec();
        var perScenario = new SarNetModel(spec, Small);
        var generated = new SarNetModel(spec, Small with { Transform = SarNetTransform.ScenarioEmbedding });
        var target = generated.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (no_grad())
        {
            foreach (var (name, p) in perScenario.named_parameters())
                if (target.TryGetValue(name, out var t)) t.copy_(p);
            foreach (var (name, p) in target)
                if (name.StartsWith("transform_")) p.zero_();
        }
        var (input, _) = BaselineTestData.Batch(spec, 12, 7);
        Assert.True(BaselineTestData.MaxAbsDiff(perScenario.Predict(input), generated.Predict(input)) < 1e-6f);
    }
}
