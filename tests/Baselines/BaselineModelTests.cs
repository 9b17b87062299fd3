using MiDpg.Research.Models;
using MiDpg.Research.Models.Baselines;
using TorchSharp;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Baselines;

/// <summary>The checks every model of the registry must pass (issue 5, item 4).</summary>
public class BaselineModelTests
{
    [Theory]
    [MemberData(nameof(BaselineTestData.Names), MemberType = typeof(BaselineTestData))]
    public void ForwardGivesOneLogitPerSampleAndAFiniteLoss(string name)
    {
        using var scope = NewDisposeScope();
        var spec = BaselineTestData.Spec();
        var model = BaselineTestData.Create(name, spec);
        var (input, labels) = BaselineTestData.Batch(spec, 7, 1);
        Assert.Equal([7L], model.Forward(input).shape);
        var p = model.Predict(input);
        Assert.True(p.gt(0).all().item<bool>() && p.lt(1).all().item<bool>());
        var output = model.Loss(input, labels);
        Assert.Empty(output.Total.shape);
        Assert.True(float.IsFinite(output.Total.item<float>()));
        Assert.Contains("bce", output.Terms.Keys);
    }

    [Theory]
    [MemberData(nameof(BaselineTestData.Names), MemberType = typeof(BaselineTestData))]
    public void NumericInputMayBeAbsent(string name)
    {
        using var scope = NewDisposeScope();
        var spec = BaselineTestData.Spec(numeric: 0);
        var model = BaselineTestData.Create(name, spec);
        model.eval();
        var (input, _) = BaselineTestData.Batch(spec, 6, 2);
        Assert.Equal(0f, BaselineTestData.MaxAbsDiff(model.Predict(input), model.Predict(input with { Numeric = null })));
    }

    /// <summary>Per-scenario parts kept in plain .NET lists are not registered and never trained: every registered
    /// parameter must receive a non-zero gradient from one backward on a batch covering every scenario. (No gate here
    /// is exactly zero-gradient at initialisation: STAR's W_p = 1 and b_p = 0 still get h-dependent gradients.)</summary>
    [Theory]
    [MemberData(nameof(BaselineTestData.Names), MemberType = typeof(BaselineTestData))]
    public void AfterOneBackwardEveryParameterHasANonZeroGradient(string name)
    {
        using var scope = NewDisposeScope();
        var spec = BaselineTestData.Spec();
        var model = BaselineTestData.Create(name, spec);
        model.train();
        var (input, labels) = BaselineTestData.Batch(spec, 48, 3);
        model.Loss(input, labels).Total.backward();
        var missing = model.named_parameters()
            .Where(p => p.parameter.grad is null || p.parameter.grad.abs().sum().item<float>() == 0)
            .Select(p => p.name).ToArray();
        Assert.True(missing.Length == 0, $"{name}: no gradient for {string.Join(", ", missing)}");
        Assert.NotEmpty(model.named_parameters());
    }

    /// <summary>Data where the label is decided by the scenario (scenario 0 converts, scenario 1 does not): after a few
    /// Adam steps, identical non-scenario inputs with different scenarios get clearly different predictions.</summary>
    [Theory]
    [MemberData(nameof(BaselineTestData.Names), MemberType = typeof(BaselineTestData))]
    public void AfterTrainingOnScenarioDependentLabelsScenariosGetDifferentOutputs(string name)
    {
        using var scope = NewDisposeScope();
        var spec = BaselineTestData.Spec();
        var model = BaselineTestData.Create(name, spec);
        var (input, _) = BaselineTestData.Batch(spec, 60, 4);
        var labels = input.Scenario.eq(0).to_type(ScalarType.Float32) + input.Scenario.eq(2).to_type(ScalarType.Float32) * 0.5f;
        BaselineTestData.Train(model, input, labels, steps: 40);
        model.eval();
        var (probe, _) = BaselineTestData.Batch(spec, 12, 5);
        ModelInput AsScenario(long s) => probe with
        {
            Categorical = probe.Categorical.index_put_(tensor(s + 1), TensorIndex.Colon, TensorIndex.Single(0)).clone(),
            Scenario = full(12, s, dtype: ScalarType.Int64),
        };
        var p0 = model.Predict(AsScenario(0));
        var p1 = model.Predict(AsScenario(1));
        var gap = (p0 - p1).mean().item<float>();
        Assert.True(gap > 0.3f, $"{name}: mean p(scenario 0) - p(scenario 1) = {gap} (p0 {p0.mean().item<float>()}, p1 {p1.mean().item<float>()}, loss {model.Loss(input, labels).Terms["bce"]})");
    }

    /// <summary>PLE and STAR also use the scenario index itself (towers, W_p, b_p, PN): with the scenario field held
    /// constant, only their scenario-specific parts can tell scenarios apart.</summary>
    [Theory]
    [InlineData("ple")]
    [InlineData("star")]
    [InlineData("sharedbottom")]
    [InlineData("mmoe")]
    [InlineData("sarnet")]
    [InlineData("hamur")]
    public void ScenarioSpecificPartsAloneSeparateScenarios(string name)
    {
        using var scope = NewDisposeScope();
        var spec = BaselineTestData.Spec();
        var model = BaselineTestData.Create(name, spec);
        var (input, _) = BaselineTestData.Batch(spec, 60, 6);
        input = input with { Categorical = input.Categorical.index_put_(tensor(1L), TensorIndex.Colon, TensorIndex.Single(0)) };
        var labels = input.Scenario.eq(0).to_type(ScalarType.Float32);
        BaselineTestData.Train(model, input, labels, steps: 40);
        model.eval();
        var (probe, _) = BaselineTestData.Batch(spec, 12, 7);
        probe = probe with { Categorical = probe.Categorical.index_put_(tensor(1L), TensorIndex.Colon, TensorIndex.Single(0)) };
        var p0 = model.Predict(probe with { Scenario = zeros(12, dtype: ScalarType.Int64) });
        var p1 = model.Predict(probe with { Scenario = ones(12, dtype: ScalarType.Int64) });
        var gap = (p0 - p1).mean().item<float>();
        Assert.True(gap > 0.3f, $"{name}: mean p(scenario 0) - p(scenario 1) = {gap} (p0 {p0.mean().item<float>()}, p1 {p1.mean().item<float>()}, loss {model.Loss(input, labels).Terms["bce"]})");
    }

    [Theory]
    [MemberData(nameof(BaselineTestData.Names), MemberType = typeof(BaselineTestData))]
    public void ParameterCountsByComponentEqualTheirFormula(string name)
    {
        using var scope = NewDisposeScope();
        var spec = BaselineTestData.Spec();
        var model = BaselineTestData.Create(name, spec);
        var counted = ModelRegistry.ParameterCounts(model);
        var formula = ModelRegistry.ParameterFormula(model.Config, spec);
        Assert.Equal(formula.OrderBy(kv => kv.Key), counted.Where(kv => formula.ContainsKey(kv.Key) || kv.Value != 0).OrderBy(kv => kv.Key));
        Assert.Equal(model.parameters().Sum(p => p.numel()), counted["total"]);
    }

    public static TheoryData<ModelConfig> ConfigVariants() => new()
    {
        new DnnConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4] },
        new PleConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], ScenarioExperts = 1, SharedExperts = 0, ExpertSizes = [6, 5, 4], TowerSizes = [] },
        new PleConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, ExpertSizes = [6], TowerSizes = [6, 4], SharedExperts = 2 },
        new StarConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], PnPlacement = PnPlacement.InputAndHidden, StarOutputLayer = false, ScenarioWeightInitStd = 0.1 },
        new StarConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], PnPlacement = PnPlacement.None, UseAuxiliaryNetwork = false },
        new StarConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], AuxiliaryHiddenSizes = [4, 3], Flavour = StarFlavour.ScenarioWiseRec },
        new PepNetConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], GateHidden = 3, EpNetTarget = EpNetTarget.All, PpNetPrior = PpNetPrior.All, PpNetContext = PpNetContext.EpNetOutput },
        new PepNetConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], GateHidden = 3, UseEpNet = false, PpNetPrior = PpNetPrior.Agnostic },
        new EpNetConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], GateHidden = 3, Target = EpNetTarget.All, StopGradient = false },
        new PpNetConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], GateHidden = 3, Prior = PpNetPrior.All, Context = PpNetContext.EpNetOutput },
        new SharedBottomConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], BottomSizes = [6], TowerSizes = [] },
        new SharedBottomConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, BottomSizes = [12, 8], TowerSizes = [8, 6] },
        new MmoeConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], Experts = 1 },
        new MmoeConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, Experts = 3, GateBias = true, ExpertSizes = [6], TowerSizes = [] },
        new SarNetConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], Attention = SarNetAttention.None, Transform = SarNetTransform.ScenarioEmbedding, GateInput = SarNetGateInput.Aware, SharedExperts = 1, ScenarioExperts = 2 },
        new SarNetConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, AttentionDim = 3, SharedExperts = 0, ScenarioExperts = 1, ExpertSizes = [6], TowerSizes = [] },
        new SarNetConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], SharedExperts = 3, ScenarioExperts = 0 },
        new M2mConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], Encoder = M2mEncoder.None, TaskInput = M2mTaskInput.Aware, TaskDim = 5, MetaTowerLayers = 2, ScenarioDim = 6, MetaAttentionHidden = 3, Experts = 3 },
        new M2mConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, ExpertSizes = [6], TowerSizes = [], EncoderLayers = 1, EncoderHeads = 1, EncoderFeedForward = 5, ScenarioDim = 3, Experts = 1 },
        new HamurConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], RankK = 3, AdapterBottleneck = 2, HyperHiddenSizes = [5, 4], AdapterLayers = [1], HyperInput = HamurHyperInput.Aware, AdapterNorm = HamurNorm.None, ScenarioSpecificFactors = false, SeparateCores = true, AdapterActivation = HamurActivation.Relu },
        new HamurConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], RankK = 2, AdapterBottleneck = 3, HyperHiddenSizes = [], AdapterNorm = HamurNorm.WholeBatch },
        new AdaSparseConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], PrunerHiddenSizes = [3], Variant = AdaSparseVariant.Scaling },
        new ApgConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], RankK = 3, CoreHidden = 5, OverParameterize = true, OverParameterizationSize = 6 },
        new OptMsmConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], SharedDim = 3, HyperHidden = 8, SpecificDim = 5, SharedCount = 2, SharedHidden = 6, Combination = SharedCombination.Attention, HyperRank = 2, GeneratedLayers = 2, HyperSharedBase = true },
        new OptMsmConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], SharedDim = 3, HyperHidden = 8, SharedCount = 4, Combination = SharedCombination.ConcatAll, SpecificFields = ["scenario"], Orthogonality = OrthogonalityMode.Weights },
        new OptMsmConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], SharedDim = 3, HyperHidden = 8, Combination = SharedCombination.Sum, Orthogonality = OrthogonalityMode.GramIdentity, GeneratedLayers = 1 },
        new AdaptDhmConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], Clusters = 2, Routing = AdaptDhmRouting.Soft, Structure = AdaptDhmStructure.SharedBottom, BottomSizes = [6], TowerSizes = [5, 3] },
        new AdaptDhmConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], Clusters = 1, CentroidUpdate = AdaptDhmCentroidUpdate.RoutingMean, CentroidMomentum = 0.5, RoutingIterations = 1 },
        new AdaptDhmConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], Clusters = 2, Routing = AdaptDhmRouting.Soft, Initialisation = AdaptDhmInitialisation.Xavier, Biases = false },
        new M3oeConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], Experts = 1, TaskExpert = false, DetachGateInput = true },
        new M3oeConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, Experts = 3, GateBias = true, ExpertSizes = [6], TowerSizes = [], InitialBalanceLogit = -0.5 },
    };

    /// <summary>Non-default options: counts still equal the formulas, and every parameter still gets a gradient.</summary>
    [Theory]
    [MemberData(nameof(ConfigVariants))]
    public void NonDefaultOptionsKeepCountsAndGradients(ModelConfig config)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var spec = BaselineTestData.Spec();
        var model = ModelRegistry.Create(config, spec);
        Assert.Equal(ModelRegistry.ParameterFormula(config, spec).OrderBy(kv => kv.Key),
                     ModelRegistry.ParameterCounts(model).OrderBy(kv => kv.Key));
        var (input, labels) = BaselineTestData.Batch(spec, 48, 8);
        model.train();
        model.Loss(input, labels).Total.backward();
        var missing = model.named_parameters().Where(p => p.parameter.grad is null || p.parameter.grad.abs().sum().item<float>() == 0).Select(p => p.name).ToArray();
        Assert.True(missing.Length == 0, $"{config.GetType().Name}: no gradient for {string.Join(", ", missing)}");
    }

    /// <summary>Hand-computed counts for the tiny spec (vocabularies 4 + 5 + 20 + 12 = 41 rows, emb_dim 4, d_in = 18).</summary>
    [Fact]
    public void FormulasMatchHandCountedExamples()
    {
        var spec = BaselineTestData.Spec();
        // DNN 18-8-4-1: 18*8+8 + 8*4+4 + 4+1 = 152 + 36 + 5.
        var dnn = DnnModel.Formula(spec, new DnnConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4] });
        Assert.Equal(164, dnn[ModelComponent.Embeddings]);
        Assert.Equal(193, dnn[ModelComponent.Backbone]);
        // STAR, 3 scenarios, PN on the input only, aux net 8 -> 4 -> 1: backbone 193, specific 3 * 193,
        // normalisation 2 * 18 * (1 + 3), auxiliary 8*4+4 + 4+1.
        var star = StarModel.Formula(spec, new StarConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], AuxiliaryHiddenSizes = [4] });
        Assert.Equal(193, star[ModelComponent.Backbone]);
        Assert.Equal(579, star[BaselineComponent.ScenarioSpecific]);
        Assert.Equal(144, star[BaselineComponent.Normalisation]);
        Assert.Equal(41, star[BaselineComponent.Auxiliary]);
        // APG k = 2: layers 18x8 and 8x4: (18*2 + 2*8 + 8) + (8*2 + 2*4 + 4) + (4 + 1); generators 2 * (8*3+3 + 3*4+4).
        var apg = ApgModel.Formula(spec, new ApgConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], RankK = 2, CoreHidden = 3 });
        Assert.Equal(60 + 28 + 5, apg[ModelComponent.Backbone]);
        Assert.Equal(2 * 43, apg[ModelComponent.Generators]);
        // Shared-Bottom 18 -> 8 | 3 towers 8 -> 4 -> 1: bottom 18*8+8, towers 3 * (8*4+4 + 4+1).
        var sb = SharedBottomModel.Formula(spec, new SharedBottomConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4] });
        Assert.Equal(152, sb[ModelComponent.Backbone]);
        Assert.Equal(3 * 41, sb[BaselineComponent.Towers]);
        // MMoE, n = S = 3 experts 18 -> 8, 3 bias-free gates 18 -> 3, 3 towers 8 -> 4 -> 1.
        var mmoe = MmoeModel.Formula(spec, new MmoeConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4] });
        Assert.Equal(3 * 152, mmoe[BaselineComponent.Experts]);
        Assert.Equal(3 * 54, mmoe[BaselineComponent.Gates]);
        Assert.Equal(3 * 41, mmoe[BaselineComponent.Towers]);
        // EPNet: backbone 193, gate [e_aw 8, e_ag 8] -> 3 -> 8: 16*3+3 + 3*8+8. PPNet (prior e_aw 8): gates
        // (8+18) -> 3 -> 8 and (8+8) -> 3 -> 4: 26*3+3 + 3*8+8 + 16*3+3 + 3*4+4.
        var ep = EpNetModel.Formula(spec, new EpNetConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], GateHidden = 3 });
        Assert.Equal((193L, 83L), (ep[ModelComponent.Backbone], ep[ModelComponent.Generators]));
        var pp = PpNetModel.Formula(spec, new PpNetConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], GateHidden = 3 });
        Assert.Equal((193L, 113L + 67L), (pp[ModelComponent.Backbone], pp[ModelComponent.Generators]));
        // SAR-Net, attention width 4 (W_Q 8x4, W_K and W_V 4x4), d_x = 18 + 4 = 22, per-scenario scale and shift 2 * 3 * 22,
        // K = 2 shared and L = 1 expert per scenario 22 -> 8 (22*8+8 each), one gate 22 -> 3 with bias, tower 8 -> 4 -> 1.
        var sar = SarNetModel.Formula(spec, new SarNetConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], SharedExperts = 2, ScenarioExperts = 1 });
        Assert.Equal(32 + 16 + 16, sar[BaselineComponent.Attention]);
        Assert.Equal(132, sar[BaselineComponent.ScenarioSpecific]);
        Assert.Equal(5 * 184, sar[BaselineComponent.Experts]);
        Assert.Equal(22 * 3 + 3, sar[BaselineComponent.Gates]);
        Assert.Equal(41, sar[BaselineComponent.Towers]);
        // M2M, one encoder layer D = 4, f = 5: in_proj 3*16+12, out_proj 16+4, linear1 4*5+5, linear2 5*4+4, norms 16;
        // K = 2 experts 18 -> 8; S: 8 -> 3; task: t (4) + 4 -> 8; meta attention (3+1)((8+8)*2+2) + v 2;
        // meta tower (3+1)(8*8+8); tower 8 -> 4 -> 1.
        var m2m = M2mModel.Formula(spec, new M2mConfig { EmbeddingDim = 4, EmbeddingInitStd = 0.3, HiddenSizes = [8, 4], EncoderLayers = 1, EncoderHeads = 2, EncoderFeedForward = 5, Experts = 2, ScenarioDim = 3, MetaAttentionHidden = 2 });
        Assert.Equal(60 + 20 + 25 + 24 + 16, m2m[BaselineComponent.Encoder]);
        Assert.Equal(2 * 152, m2m[BaselineComponent.Experts]);
        Assert.Equal(27 + 4 + 40, m2m[BaselineComponent.Representations]);
        Assert.Equal(4 * 34 + 2 + 4 * 72, m2m[ModelComponent.Generators]);
        Assert.Equal(41, m2m[BaselineComponent.Towers]);
    }
}
