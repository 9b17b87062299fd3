using MiDpg.Research.Models;
using MiDpg.Research.Models.Baselines;
using TorchSharp;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Baselines;

/// <summary>M3oE: configuration checks, the balancing weights as trained parameters, the reduction to MMoE when the
/// domain and task parts are switched off, the domain balance's convex weights, and which scenarios train which part.</summary>
[Collection("torch global generator")]
public sealed class M3oeTests
{
    static M3oeConfig Small => new() { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], Experts = 2 };

    static M3oeModel Build(M3oeConfig config, FeatureSpec? spec = null)
    {
        manual_seed(5);
        return new M3oeModel(spec ?? BaselineTestData.Spec(), config);
    }

    static Dictionary<string, TorchSharp.Modules.Parameter> Parameters(nn.Module model) =>
        model.named_parameters().ToDictionary(p => p.name, p => p.parameter);

    [Fact]
    public void BadConfigurationsFailClearly()
    {
        var spec = BaselineTestData.Spec();
        void Fails(M3oeConfig config, params string[] words)
        {
            var error = Assert.Throws<ArgumentException>(() => new M3oeModel(spec, config));
            foreach (var w in words) Assert.Contains(w, error.Message);
        }
        Fails(Small with { Experts = 0 }, "Experts", "got 0");
        Fails(Small with { ExpertSizes = [] }, "ExpertSizes", "at least one");
        Fails(Small with { ExpertSizes = [4, -1] }, "ExpertSizes[1]");
        Fails(Small with { TowerSizes = [0] }, "TowerSizes[0]");
        Fails(Small with { InitialBalanceLogit = double.NaN }, "InitialBalanceLogit");
    }

    [Fact]
    public void BalancingWeightsAreParametersThatReceiveGradients()
    {
        using var scope = NewDisposeScope();
        var model = Build(Small);
        var names = Parameters(model).Keys.Where(n => n.StartsWith("balance_") || n.StartsWith("weight_")).Order().ToArray();
        Assert.Equal(["balance_domain", "weight_domain", "weight_task"], names);
        var (a, wd, wt) = model.BalanceWeights();
        Assert.Equal(1 / (1 + Math.Exp(-1)), wd, 5);
        Assert.Equal(wd, a!.Value, 5);
        Assert.Equal(wd, wt!.Value, 5);
        var (input, labels) = BaselineTestData.Batch(model.Features, 30, 1);
        model.Loss(input, labels).Total.backward();
        foreach (var n in names) Assert.True(Parameters(model)[n].grad!.abs().item<float>() > 0, n);

        // With one task and no task expert there is no w_t; with one scenario no domain balance a.
        Assert.DoesNotContain("weight_task", Parameters(Build(Small with { TaskExpert = false })).Keys);
        var one = new FeatureSpec([new FieldSpec("scenario", 2, true), new FieldSpec("user", 20, false)], 1, 1);
        Assert.DoesNotContain("balance_domain", Parameters(Build(Small, one)).Keys);
    }

    /// <summary>With no task expert and w_d = sigmoid(-100) = 0, z_d = S_d: M3oE is MMoE with the same experts, gates and
    /// towers (the parameter names are MMoE's), so on copied weights the outputs are equal.</summary>
    [Fact]
    public void WithoutDomainAndTaskExpertsItIsMmoe()
    {
        using var scope = NewDisposeScope();
        var model = Build(Small with { TaskExpert = false, Experts = 3 });
        manual_seed(8);
        var mmoe = new MmoeModel(model.Features, new MmoeConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], Experts = 3 });
        var ours = Parameters(model);
        using (no_grad())
        {
            ours["weight_domain"].fill_(-100f);
            foreach (var (name, p) in mmoe.named_parameters()) p.copy_(ours[name]);
        }
        var (input, _) = BaselineTestData.Batch(model.Features, 24, 2);
        Assert.True(BaselineTestData.MaxAbsDiff(model.Forward(input), mmoe.Forward(input)) < 1e-6);
        using (no_grad()) ours["weight_domain"].fill_(1f);
        Assert.True(BaselineTestData.MaxAbsDiff(model.Forward(input), mmoe.Forward(input)) > 1e-4, "the domain experts matter once w_d > 0");
    }

    /// <summary>The domain balance weights a and (1 - a) / (S - 1) sum to 1: when every domain expert computes the same
    /// function, the output does not depend on a.</summary>
    [Fact]
    public void TheDomainBalanceIsAConvexCombination()
    {
        using var scope = NewDisposeScope();
        var model = Build(Small);
        var ours = Parameters(model);
        using (no_grad())
            foreach (var (name, p) in ours.Where(kv => kv.Key.StartsWith("domain_experts.1.") || kv.Key.StartsWith("domain_experts.2.")))
                p.copy_(ours["domain_experts.0." + name.Split('.', 3)[2]]);
        var (input, _) = BaselineTestData.Batch(model.Features, 24, 3);
        var before = model.Forward(input).detach().clone();
        using (no_grad()) ours["balance_domain"].fill_(-3f);
        Assert.True(BaselineTestData.MaxAbsDiff(model.Forward(input), before) < 1e-5);
    }

    /// <summary>Each scenario's tower learns only from its samples; a domain expert also learns from the other scenarios
    /// through the balance (1 - a) / (S - 1), and only from its own when a = 1.</summary>
    [Fact]
    public void TowersTrainOnTheirScenarioAndDomainExpertsThroughTheBalance()
    {
        using var scope = NewDisposeScope();
        var (input, labels) = BaselineTestData.Batch(BaselineTestData.Spec(), 30, 4);
        var rows = input.Scenario.ne(2).nonzero().squeeze(1);
        var noTwo = new ModelInput(input.Categorical.index_select(0, rows), input.Numeric!.index_select(0, rows), input.Scenario.index_select(0, rows));
        var y = labels.index_select(0, rows);
        float Grad(M3oeModel m, string prefix) => m.named_parameters().Where(p => p.name.StartsWith(prefix))
            .Sum(p => p.parameter.grad is null ? 0f : p.parameter.grad.abs().sum().item<float>());

        var model = Build(Small);
        model.Loss(noTwo, y).Total.backward();
        Assert.Equal(0f, Grad(model, "towers.2."));
        Assert.True(Grad(model, "towers.0.") > 0 && Grad(model, "towers.1.") > 0);
        Assert.True(Grad(model, "domain_experts.2.") > 0, "the balance shares domain expert 2 with scenarios 0 and 1");

        var own = Build(Small);
        using (no_grad()) Parameters(own)["balance_domain"].fill_(100f);   // a = 1: each scenario its own domain expert
        own.Loss(noTwo, y).Total.backward();
        Assert.Equal(0f, Grad(own, "domain_experts.2."));
        Assert.True(Grad(own, "domain_experts.0.") > 0);
    }
}
