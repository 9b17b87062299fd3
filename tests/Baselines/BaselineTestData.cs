using MiDpg.Research.Training;
using MiDpg.Research.Models;
using MiDpg.Research.Models.Baselines;
using TorchSharp;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Baselines;

/// <summary>Tiny feature specs, configs and batches so the baseline suite stays fast.</summary>
internal static class BaselineTestData
{
    public const int Scenarios = 3;

    /// <summary>4 fields (scenario and page scenario-aware; user and item agnostic), 2 numeric, 3 scenarios.
    /// With emb_dim 4 the backbone input is 4 * 4 + 2 = 18 wide.</summary>
    public static FeatureSpec Spec(int numeric = 2) => new(
        [new FieldSpec("scenario", Scenarios + 1, true), new FieldSpec("page", 5, true), new FieldSpec("user", 20, false), new FieldSpec("item", 12, false)],
        numeric, Scenarios);

    /// <summary>emb_dim 4, hidden 8-6-4 and small model-specific sizes for every registry name.</summary>
    public static ModelOptions Options => new ModelOptions { EmbeddingDim = 4, HiddenSizes = [16, 8, 8], EmbeddingInitStd = 0.3 }
        .With<PleConfig>(c => c with { ScenarioExperts = 2, SharedExperts = 1 })
        .With<StarConfig>(c => c with { AuxiliaryHiddenSizes = [4] })
        .With<PepNetConfig>(c => c with { GateHidden = 8 })
        .With<EpNetConfig>(c => c with { GateHidden = 8 })
        .With<PpNetConfig>(c => c with { GateHidden = 8 })
        .With<MmoeConfig>(c => c with { Experts = 2 })
        .With<SarNetConfig>(c => c with { SharedExperts = 2, ScenarioExperts = 1 })
        .With<M2mConfig>(c => c with { Experts = 2, ScenarioDim = 8, MetaAttentionHidden = 4, EncoderHeads = 2, EncoderFeedForward = 8 })
        .With<HamurConfig>(c => c with { RankK = 2, AdapterBottleneck = 3, HyperHiddenSizes = [8] })
        .With<ApgConfig>(c => c with { RankK = 2, CoreHidden = 8 })
        .With<OptMsmConfig>(c => c with { SharedDim = 4, HyperHidden = 8 })
        .With<DpgConfig>(c => c with { RowDivisor = 2, ColumnDivisor = 2, RankK = 1, GeneratorHidden = 8, DiscriminatorHidden = 8 });

    public static ScenarioModel Create(string name, FeatureSpec? spec = null)
    {
        manual_seed(7);
        return ModelRegistry.Create(name, spec ?? Spec(), Options);
    }

    /// <summary>A random batch whose scenario field holds scenario + 1 and whose scenario index covers every scenario.</summary>
    public static (ModelInput Input, Tensor Labels) Batch(FeatureSpec spec, int batch, long seed)
    {
        var g = new Generator((ulong)seed);
        var scenario = arange(batch, dtype: ScalarType.Int64).remainder(spec.ScenarioCount);
        var columns = spec.Fields.Select((f, i) => i == 0
            ? (scenario + 1).unsqueeze(1)
            : randint(0, f.VocabularySize, [batch, 1], dtype: ScalarType.Int64, generator: g)).ToArray();
        var numeric = randn([batch, spec.NumericCount], generator: g);
        var labels = randint(0, 2, [batch], generator: g).to_type(ScalarType.Float32);
        return (new ModelInput(cat(columns, 1), numeric, scenario), labels);
    }

    /// <summary>A few Adam steps on one batch (calls the ITrainingStepAware hook like the trainer).</summary>
    public static void Train(ScenarioModel model, ModelInput input, Tensor labels, int steps, double lr = 0.02)
    {
        model.train();
        var optimizer = new LazyAdam(model.parameters(), lr);
        for (var step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            model.Loss(input, labels).Total.backward();
            optimizer.step();
            if (model is ITrainingStepAware aware) aware.OnStep(step + 1);
        }
    }

    public static float MaxAbsDiff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    /// <summary>Every registry name, for theories.</summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var n in ModelRegistry.Names) data.Add(n);
        return data;
    }

    /// <summary>The baseline names (no DPG / MI-DPG).</summary>
    public static TheoryData<string> BaselineNames()
    {
        var data = new TheoryData<string>();
        foreach (var n in ModelRegistry.Names.Where(n => !n.Contains("dpg"))) data.Add(n);
        return data;
    }
}
