using MiDpg.Research.Models;
using MiDpg.Research.Models.Baselines;
using static TorchSharp.torch;

namespace MiDpg.Research.Tests.Baselines;

public sealed class ModelRegistryTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "midpg-baselines-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public void NamesAreThoseOfTheStudyInOrder()
    {
        Assert.Equal(["dnn", "ple", "star", "pepnet", "adasparse", "apg", "optmsm", "sharedbottom", "mmoe", "epnet", "ppnet",
                      "sarnet", "m2m", "adaptdhm", "hamur", "m3oe",
                      "dpg-non", "dpg-rc", "dpg-r", "dpg-c", "midpg-non", "midpg-rc", "midpg-r", "midpg-c"], ModelRegistry.Names);
    }

    [Theory]
    [InlineData("dpg-rc k1 r2 c4", "DPG (RC) k1 r2 c4")]
    [InlineData("midpg-r k4 r8 c1", "MI-DPG (R) k4 r8 c1")]
    [InlineData("apg k19", "APG k19")]
    [InlineData("dpg-non", "DPG (Non)")]
    public void ASweepPointIsDisplayedAsItsModelWithTheSuffix(string name, string display)
    {
        Assert.Equal(display, ModelRegistry.DisplayName(name));
        Assert.Throws<ArgumentException>(() => ModelRegistry.DisplayName("nope k1"));
    }

    /// <summary>A results store may hold run names that are not registry names (the Scenario-Wise-Rec comparison's
    /// "star-swr", "ple-wide"): reports label them as recorded, registry names by their display name.</summary>
    [Theory]
    [InlineData("ppnet", "PPNet")]
    [InlineData("hamur", "HAMUR")]
    [InlineData("epnet", "EPNet")]
    [InlineData("apg k19", "APG k19")]
    [InlineData("star-swr", "star-swr")]
    [InlineData("ple-wide", "ple-wide")]
    public void ReportLabelsAcceptAnyRecordedRunName(string name, string label) => Assert.Equal(label, ModelRegistry.Label(name));

    [Theory]
    [InlineData("dnn", typeof(DnnModel), "DNN")]
    [InlineData("ple", typeof(PleModel), "PLE")]
    [InlineData("star", typeof(StarModel), "STAR")]
    [InlineData("pepnet", typeof(PepNetModel), "PEPNet")]
    [InlineData("adasparse", typeof(AdaSparseModel), "AdaSparse")]
    [InlineData("apg", typeof(ApgModel), "APG")]
    [InlineData("optmsm", typeof(OptMsmModel), "OptMSM (reconstructed from the abstract)")]
    [InlineData("sharedbottom", typeof(SharedBottomModel), "Shared-Bottom")]
    [InlineData("mmoe", typeof(MmoeModel), "MMoE")]
    [InlineData("epnet", typeof(EpNetModel), "EPNet")]
    [InlineData("ppnet", typeof(PpNetModel), "PPNet")]
    [InlineData("sarnet", typeof(SarNetModel), "SAR-Net")]
    [InlineData("m2m", typeof(M2mModel), "M2M")]
    [InlineData("hamur", typeof(HamurModel), "HAMUR")]
    [InlineData("adaptdhm", typeof(AdaptDhmModel), "AdaptDHM")]
    [InlineData("m3oe", typeof(M3oeModel), "M3oE")]
    [InlineData("dpg-non", typeof(DpgModel), "DPG")]
    [InlineData("dpg-rc", typeof(DpgModel), "DPG")]
    [InlineData("dpg-r", typeof(DpgModel), "DPG")]
    [InlineData("DPG-C", typeof(DpgModel), "DPG")]
    [InlineData("midpg-non", typeof(DpgModel), "MI-DPG")]
    [InlineData("midpg-rc", typeof(DpgModel), "MI-DPG")]
    [InlineData("midpg-r", typeof(DpgModel), "MI-DPG")]
    [InlineData("midpg-c", typeof(DpgModel), "MI-DPG")]
    public void CreatesEveryName(string name, Type type, string kind)
    {
        using var scope = NewDisposeScope();
        var model = BaselineTestData.Create(name);
        Assert.IsType(type, model);
        Assert.Equal(kind, model.Kind);
        Assert.Equal(4, model.Config.EmbeddingDim);
        Assert.Equal([16, 8, 8], model.Config.HiddenSizes);
        if (model is DpgModel dpg)
        {
            var variant = name.ToLowerInvariant().Split('-')[1] switch { "non" => DwmVariant.Non, "rc" => DwmVariant.RC, "r" => DwmVariant.R, _ => DwmVariant.C };
            Assert.Equal(variant, dpg.DpgConfig.Variant);
            Assert.Equal(name.StartsWith("midpg"), dpg.DpgConfig.MirActive);
        }
    }

    [Fact]
    public void UnknownNameErrorListsTheValidNames()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelRegistry.Create("no-such-model", BaselineTestData.Spec()));
        Assert.Contains("'no-such-model'", error.Message);
        foreach (var name in ModelRegistry.Names) Assert.Contains(name, error.Message);
        Assert.Throws<ArgumentException>(() => ModelRegistry.DefaultConfig("dpg-x"));
        Assert.False(ModelRegistry.Contains("dpg-x"));
        Assert.True(ModelRegistry.Contains(" APG "));
    }

    [Fact]
    public void DefaultConfigsFollowThePaper()
    {
        foreach (var name in ModelRegistry.Names)
        {
            var config = ModelRegistry.DefaultConfig(name);
            Assert.Equal(16, config.EmbeddingDim);
            Assert.Equal([128, 64, 32], config.HiddenSizes);
        }
        Assert.Equal(2.0, ((PepNetConfig)ModelRegistry.DefaultConfig("pepnet")).Gamma);
        var ada = (AdaSparseConfig)ModelRegistry.DefaultConfig("adasparse");
        Assert.Equal((1e-2, 2.0), (ada.Epsilon, ada.Beta));
        Assert.False(((DpgConfig)ModelRegistry.DefaultConfig("dpg-r")).UseMir);
        Assert.True(((DpgConfig)ModelRegistry.DefaultConfig("midpg-r")).MirActive);
    }

    [Fact]
    public void OptionEditsApplyOnlyToTheirConfigType()
    {
        var options = new ModelOptions { EmbeddingDim = 8 }.With<ApgConfig>(c => c with { RankK = 3 });
        var apg = (ApgConfig)options.Apply(ModelRegistry.DefaultConfig("apg"));
        Assert.Equal((8, 3), (apg.EmbeddingDim, apg.RankK));
        var dnn = options.Apply(ModelRegistry.DefaultConfig("dnn"));
        Assert.IsType<DnnConfig>(dnn);
        Assert.Equal(8, dnn.EmbeddingDim);
    }

    [Fact]
    public void CreatesFromAnExplicitConfigAndRejectsInvalidOnes()
    {
        using var scope = NewDisposeScope();
        var model = ModelRegistry.Create(new StarConfig { EmbeddingDim = 4, HiddenSizes = [4], PnMomentum = 0.3 }, BaselineTestData.Spec());
        Assert.IsType<StarModel>(model);
        var error = Assert.Throws<ArgumentException>(() => ModelRegistry.Create(new PleConfig { ScenarioExperts = 0, ExpertSizes = [0] }, BaselineTestData.Spec()));
        Assert.Contains("ScenarioExperts", error.Message);
        Assert.Contains("ExpertSizes[0]", error.Message);
    }

    /// <summary>Baseline kinds are registered with ModelStore: a trained baseline saved and loaded back predicts the same
    /// (STAR's running statistics and AdaSparse's alpha included).</summary>
    [Theory]
    [MemberData(nameof(BaselineTestData.BaselineNames), MemberType = typeof(BaselineTestData))]
    public void SavedBaselinesLoadBack(string name)
    {
        using var scope = NewDisposeScope();
        var model = BaselineTestData.Create(name);
        var (input, labels) = BaselineTestData.Batch(model.Features, 24, 1);
        BaselineTestData.Train(model, input, labels, steps: 2);
        if (model is ITrainingStepAware aware) aware.OnEpoch(2);
        model.eval();
        var path = Path.Combine(directory, name);
        ModelStore.Save(model, path);
        var loaded = ModelStore.Load(path).Model;
        loaded.eval();
        Assert.Equal(model.GetType(), loaded.GetType());
        Assert.Equal(0f, BaselineTestData.MaxAbsDiff(model.Predict(input), loaded.Predict(input)));
    }
}
