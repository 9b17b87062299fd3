using MiDpg.Research.Models;
using MiDpg.Research.Models.Baselines;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Baselines;

/// <summary>Shared-Bottom and MMoE (scenarios as tasks) and EPNet / PPNet on their own (issue 19). The checks every
/// registry model passes (gradients, counts, persistence, data-parallel shards) run from BaselineModelTests,
/// ModelRegistryTests and DataParallelStepTests; here what is particular to these four.</summary>
public class ScenarioTaskModelTests
{
    static ArgumentException Invalid(ModelConfig config) =>
        Assert.Throws<ArgumentException>(() => ModelRegistry.Create(config, BaselineTestData.Spec()));

    [Fact]
    public void SharedBottomRejectsBadSizesClearly()
    {
        var e = Invalid(new SharedBottomConfig { BottomSizes = [] });
        Assert.Contains("BottomSizes needs at least one entry", e.Message);
        e = Invalid(new SharedBottomConfig { BottomSizes = [8, 0], TowerSizes = [-1] });
        Assert.Contains("BottomSizes[1] must be >= 1; got 0", e.Message);
        Assert.Contains("TowerSizes[0] must be >= 1; got -1", e.Message);
        Assert.Contains("SharedBottomConfig", e.Message);
    }

    [Fact]
    public void MmoeRejectsBadSizesClearly()
    {
        var e = Invalid(new MmoeConfig { Experts = 0 });
        Assert.Contains("Experts must be >= 1", e.Message);
        e = Invalid(new MmoeConfig { ExpertSizes = [], TowerSizes = [0] });
        Assert.Contains("ExpertSizes needs at least one entry", e.Message);
        Assert.Contains("TowerSizes[0] must be >= 1; got 0", e.Message);
        Assert.Contains("MmoeConfig", e.Message);
    }

    [Fact]
    public void EpNetAndPpNetRejectBadSettingsClearly()
    {
        var e = Invalid(new EpNetConfig { GateHidden = 0, Gamma = 0 });
        Assert.Contains("GateHidden must be >= 1; got 0", e.Message);
        Assert.Contains("Gamma must be > 0", e.Message);
        Assert.Contains("EpNetConfig", e.Message);
        // No scenario-agnostic field: EPNet's default target gates nothing.
        var awareOnly = new FeatureSpec([new FieldSpec("scenario", 4, true), new FieldSpec("page", 5, true)], 0, 3);
        e = Assert.Throws<ArgumentException>(() => new EpNetModel(awareOnly, new EpNetConfig()));
        Assert.Contains("Target = Agnostic needs at least one scenario-agnostic field (or use All)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new PpNetModel(new FeatureSpec([new FieldSpec("user", 4, false)], 0, 3), new PpNetConfig()));
        Assert.Contains("Prior = Aware selects no field", e.Message);
        Assert.Contains("GateHidden must be >= 1", Invalid(new PpNetConfig { GateHidden = -2 }).Message);
    }

    /// <summary>One tower (and, for MMoE, one gate) per scenario, registered: they appear among the parameters and each
    /// gets a gradient only from its own scenario's samples.</summary>
    [Theory]
    [InlineData("sharedbottom")]
    [InlineData("mmoe")]
    public void EachScenarioHasItsOwnRegisteredTowerTrainedOnlyByItsSamples(string name)
    {
        using var scope = NewDisposeScope();
        var spec = BaselineTestData.Spec();
        var model = BaselineTestData.Create(name, spec);
        var names = model.named_parameters().Select(p => p.name).ToArray();
        for (var s = 0; s < spec.ScenarioCount; s++)
        {
            Assert.Contains($"towers.{s}.output.weight", names);
            if (name == "mmoe") Assert.Contains($"gates.{s}.weight", names);
        }
        Assert.DoesNotContain($"towers.{spec.ScenarioCount}.output.weight", names);
        var (input, labels) = BaselineTestData.Batch(spec, 30, 9);
        var only1 = input.Scenario.eq(1);
        model.Loss(input with { Categorical = input.Categorical[only1], Numeric = input.Numeric![only1], Scenario = input.Scenario[only1] }, labels[only1]).Total.backward();
        var grads = model.named_parameters().Where(p => p.name.StartsWith("towers.") || p.name.StartsWith("gates."))
            .ToDictionary(p => p.name, p => p.parameter.grad is { } g ? g.abs().sum().item<float>() : 0f);
        Assert.All(grads.Where(g => g.Key.StartsWith("towers.1.") || g.Key.StartsWith("gates.1.")), g => Assert.True(g.Value > 0, g.Key));
        Assert.All(grads.Where(g => !g.Key.StartsWith("towers.1.") && !g.Key.StartsWith("gates.1.")), g => Assert.Equal(0f, g.Value));
    }

    /// <summary>EPNet and PPNet are PEPNet with the other part off: same parameter names, and on the same weights the same outputs.</summary>
    [Theory]
    [InlineData("epnet")]
    [InlineData("ppnet")]
    public void EpNetAndPpNetArePepNetWithTheOtherPartOff(string name)
    {
        using var scope = NewDisposeScope();
        var spec = BaselineTestData.Spec();
        var part = BaselineTestData.Create(name, spec);
        var pep = part.Config switch
        {
            EpNetConfig c => new PepNetModel(spec, c.AsPepNet()),
            PpNetConfig c => new PepNetModel(spec, c.AsPepNet()),
            _ => throw new InvalidOperationException(),
        };
        Assert.Equal(pep.named_parameters().Select(p => p.name), part.named_parameters().Select(p => p.name));
        pep.load_state_dict(part.state_dict());
        var (input, _) = BaselineTestData.Batch(spec, 9, 10);
        Assert.Equal(0f, BaselineTestData.MaxAbsDiff(pep.Forward(input), part.Forward(input)));
        Assert.Equal(ModelRegistry.ParameterFormula(pep.Config, spec), ModelRegistry.ParameterCounts(part));
        Assert.Contains(part.named_parameters(), p => p.name.StartsWith("generator_"));
        Assert.Equal(name == "epnet", part.named_parameters().Any(p => p.name.StartsWith("generator_ep")));
        Assert.Equal(name == "ppnet", part.named_parameters().Any(p => p.name.StartsWith("generator_pp")));
    }

    /// <summary>MMoE with one expert has no gates (a softmax over one expert is 1) and is a Shared-Bottom with those sizes.</summary>
    [Fact]
    public void MmoeWithOneExpertIsSharedBottom()
    {
        using var scope = NewDisposeScope();
        var spec = BaselineTestData.Spec();
        manual_seed(3);
        var mmoe = new MmoeModel(spec, new MmoeConfig { EmbeddingDim = 4, HiddenSizes = [8, 4], Experts = 1 });
        var bottom = new SharedBottomModel(spec, new SharedBottomConfig { EmbeddingDim = 4, HiddenSizes = [8, 4] });
        Assert.Equal(0, ModelRegistry.ParameterCounts(mmoe)[BaselineComponent.Gates]);
        var state = mmoe.state_dict().ToDictionary(kv => kv.Key.Replace("experts.0.", "bottom."), kv => kv.Value);
        bottom.load_state_dict(state);
        var (input, _) = BaselineTestData.Batch(spec, 9, 11);
        Assert.Equal(0f, BaselineTestData.MaxAbsDiff(mmoe.Forward(input), bottom.Forward(input)));
    }
}
