// Model registry (issue 5): experiments list models by name and get a ScenarioModel built from a config.
// Names, in Table 1 order: the baselines (the paper's, then the multi-task and PEPNet-part models of
// Scenario-Wise-Rec: Shared-Bottom, MMoE, EPNet, PPNet, SAR-Net, M2M, AdaptDHM, HAMUR, M3oE), then DPG (MIR off) and
// MI-DPG (MIR on) in the four DWM variants.
// Also registers the baseline kinds with ModelStore so saved baselines load back (module initialiser).
using System.Runtime.CompilerServices;
using MiDpg.Research.Models.Baselines;
using TorchSharp;
using static TorchSharp.torch;

namespace MiDpg.Research.Models;

/// <summary>A model-specific edit of a config, applied only when the config is of <see cref="ConfigType"/>.</summary>
public sealed record ConfigEdit(Type ConfigType, Func<ModelConfig, ModelConfig> Apply);

/// <summary>
/// Overrides applied to a registry default config: the shared settings (emb_dim, hidden sizes, embedding
/// init, OOV clamping) apply to every model; <see cref="Edits"/> apply to the configs of their type only, so
/// one options object can serve a list of names (e.g. <c>new ModelOptions { HiddenSizes = [8, 4] }
/// .With&lt;ApgConfig&gt;(c =&gt; c with { RankK = 2 })</c>).
/// </summary>
public sealed record ModelOptions
{
    public int? EmbeddingDim { get; init; }
    public IReadOnlyList<int>? HiddenSizes { get; init; }
    public double? EmbeddingInitStd { get; init; }
    public bool? ClampUnknownIdsToOov { get; init; }
    public IReadOnlyList<ConfigEdit> Edits { get; init; } = [];

    /// <summary>These options plus an edit of <typeparamref name="TConfig"/> configs.</summary>
    public ModelOptions With<TConfig>(Func<TConfig, TConfig> edit) where TConfig : ModelConfig =>
        this with { Edits = [.. Edits, new ConfigEdit(typeof(TConfig), c => edit((TConfig)c))] };

    /// <summary>The config with these overrides (its runtime type is kept).</summary>
    public ModelConfig Apply(ModelConfig config)
    {
        var result = config with
        {
            EmbeddingDim = EmbeddingDim ?? config.EmbeddingDim,
            HiddenSizes = HiddenSizes ?? config.HiddenSizes,
            EmbeddingInitStd = EmbeddingInitStd ?? config.EmbeddingInitStd,
            ClampUnknownIdsToOov = ClampUnknownIdsToOov ?? config.ClampUnknownIdsToOov,
        };
        foreach (var edit in Edits)
            if (edit.ConfigType.IsInstanceOfType(result)) result = edit.Apply(result);
        return result;
    }
}

/// <summary>Name -&gt; model from config.</summary>
public static class ModelRegistry
{
    /// <summary>Every registered name, in Table 1 order.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "dnn", "ple", "star", "pepnet", "adasparse", "apg", "optmsm", "sharedbottom", "mmoe", "epnet", "ppnet",
        "sarnet", "m2m", "adaptdhm", "hamur", "m3oe",
        "dpg-non", "dpg-rc", "dpg-r", "dpg-c", "midpg-non", "midpg-rc", "midpg-r", "midpg-c",
    ];

    [ModuleInitializer]
    internal static void RegisterWithModelStore()
    {
        ModelStore.Register<DnnConfig>(DnnModel.KindName, (f, c, d) => new DnnModel(f, c, d));
        ModelStore.Register<PleConfig>(PleModel.KindName, (f, c, d) => new PleModel(f, c, d));
        ModelStore.Register<StarConfig>(StarModel.KindName, (f, c, d) => new StarModel(f, c, d));
        ModelStore.Register<PepNetConfig>(PepNetModel.KindName, (f, c, d) => new PepNetModel(f, c, d));
        ModelStore.Register<AdaSparseConfig>(AdaSparseModel.KindName, (f, c, d) => new AdaSparseModel(f, c, d));
        ModelStore.Register<ApgConfig>(ApgModel.KindName, (f, c, d) => new ApgModel(f, c, d));
        ModelStore.Register<OptMsmConfig>(OptMsmModel.KindName, (f, c, d) => new OptMsmModel(f, c, d));
        ModelStore.Register<SharedBottomConfig>(SharedBottomModel.KindName, (f, c, d) => new SharedBottomModel(f, c, d));
        ModelStore.Register<MmoeConfig>(MmoeModel.KindName, (f, c, d) => new MmoeModel(f, c, d));
        ModelStore.Register<EpNetConfig>(EpNetModel.KindName, (f, c, d) => new EpNetModel(f, c, d));
        ModelStore.Register<PpNetConfig>(PpNetModel.KindName, (f, c, d) => new PpNetModel(f, c, d));
        ModelStore.Register<SarNetConfig>(SarNetModel.KindName, (f, c, d) => new SarNetModel(f, c, d));
        ModelStore.Register<M2mConfig>(M2mModel.KindName, (f, c, d) => new M2mModel(f, c, d));
        ModelStore.Register<HamurConfig>(HamurModel.KindName, (f, c, d) => new HamurModel(f, c, d));
        ModelStore.Register<AdaptDhmConfig>(AdaptDhmModel.KindName, (f, c, d) => new AdaptDhmModel(f, c, d));
        ModelStore.Register<M3oeConfig>(M3oeModel.KindName, (f, c, d) => new M3oeModel(f, c, d));
    }

    /// <summary>True when <paramref name="name"/> is registered (case-insensitive).</summary>
    public static bool Contains(string name) => Names.Contains(Normalise(name));

    /// <summary>The default config of a name (the paper's settings where it gives them; documented decisions otherwise).</summary>
    public static ModelConfig DefaultConfig(string name) => Normalise(name) switch
    {
        "dnn" => new DnnConfig(),
        "ple" => new PleConfig(),
        "star" => new StarConfig(),
        "pepnet" => new PepNetConfig(),
        "adasparse" => new AdaSparseConfig(),
        "apg" => new ApgConfig(),
        "optmsm" => new OptMsmConfig(),
        "sharedbottom" => new SharedBottomConfig(),
        "mmoe" => new MmoeConfig(),
        "epnet" => new EpNetConfig(),
        "ppnet" => new PpNetConfig(),
        "sarnet" => new SarNetConfig(),
        "m2m" => new M2mConfig(),
        "hamur" => new HamurConfig(),
        "adaptdhm" => new AdaptDhmConfig(),
        "m3oe" => new M3oeConfig(),
        var n when n.StartsWith("dpg-", StringComparison.Ordinal) => new DpgConfig { Variant = Variant(n), UseMir = false },
        var n when n.StartsWith("midpg-", StringComparison.Ordinal) => new DpgConfig { Variant = Variant(n), UseMir = true },
        _ => throw Unknown(name),
    };

    /// <summary>The label tables use for a name (e.g. "MI-DPG (R)", "OptMSM (reconstructed from the abstract)").</summary>
    public static string DisplayName(string name)
    {
        // A variant of a registered model ("dpg-r k2 r4 c8", "apg k19": a sweep point) keeps its suffix.
        var n = Normalise(name);
        var space = n.IndexOf(' ');
        return space < 0 ? BaseDisplayName(n) : $"{BaseDisplayName(n[..space])} {n[(space + 1)..].Trim()}";
    }

    /// <summary>The label of a name recorded in a results store: <see cref="DisplayName"/> for a registry name or sweep
    /// point, any other run name (a comparison's "star-swr", "ple-wide") as recorded.</summary>
    public static string Label(string name)
    {
        var n = Normalise(name);
        var space = n.IndexOf(' ');
        return Contains(space < 0 ? n : n[..space]) ? DisplayName(n) : (name ?? "").Trim();
    }

    private static string BaseDisplayName(string name) => name switch
    {
        "dnn" => DnnModel.KindName,
        "ple" => PleModel.KindName,
        "star" => StarModel.KindName,
        "pepnet" => PepNetModel.KindName,
        "adasparse" => AdaSparseModel.KindName,
        "apg" => ApgModel.KindName,
        "optmsm" => OptMsmModel.KindName,
        "sharedbottom" => SharedBottomModel.KindName,
        "mmoe" => MmoeModel.KindName,
        "epnet" => EpNetModel.KindName,
        "ppnet" => PpNetModel.KindName,
        "sarnet" => SarNetModel.KindName,
        "m2m" => M2mModel.KindName,
        "hamur" => HamurModel.KindName,
        "adaptdhm" => AdaptDhmModel.KindName,
        "m3oe" => M3oeModel.KindName,
        var n when n.StartsWith("dpg-", StringComparison.Ordinal) => $"{DpgModel.DpgKind} ({Variant(n)})",
        var n when n.StartsWith("midpg-", StringComparison.Ordinal) => $"{DpgModel.MiDpgKind} ({Variant(n)})",
        _ => throw Unknown(name),
    };

    /// <summary>The model of <paramref name="name"/> from its default config with <paramref name="overrides"/> applied.</summary>
    public static ScenarioModel Create(string name, FeatureSpec features, ModelOptions? overrides = null, Device? device = null)
    {
        var config = DefaultConfig(name);
        if (overrides is not null) config = overrides.Apply(config);
        return Create(config, features, device);
    }

    /// <summary>The model an explicit config describes (its type picks the model; DpgConfig gives DPG or MI-DPG by its MIR switch).</summary>
    public static ScenarioModel Create(ModelConfig config, FeatureSpec features, Device? device = null) => config switch
    {
        DnnConfig c => new DnnModel(features, c, device),
        PleConfig c => new PleModel(features, c, device),
        StarConfig c => new StarModel(features, c, device),
        PepNetConfig c => new PepNetModel(features, c, device),
        AdaSparseConfig c => new AdaSparseModel(features, c, device),
        ApgConfig c => new ApgModel(features, c, device),
        OptMsmConfig c => new OptMsmModel(features, c, device),
        SharedBottomConfig c => new SharedBottomModel(features, c, device),
        MmoeConfig c => new MmoeModel(features, c, device),
        EpNetConfig c => new EpNetModel(features, c, device),
        PpNetConfig c => new PpNetModel(features, c, device),
        SarNetConfig c => new SarNetModel(features, c, device),
        M2mConfig c => new M2mModel(features, c, device),
        AdaptDhmConfig c => new AdaptDhmModel(features, c, device),
        HamurConfig c => new HamurModel(features, c, device),
        M3oeConfig c => new M3oeModel(features, c, device),
        DpgConfig c => new DpgModel(features, c, device),
        _ => throw new ArgumentException($"no model is registered for config type {config.GetType().Name} " +
                                         "(known: DnnConfig, PleConfig, StarConfig, PepNetConfig, AdaSparseConfig, ApgConfig, OptMsmConfig, " +
                                         "SharedBottomConfig, MmoeConfig, EpNetConfig, PpNetConfig, SarNetConfig, M2mConfig, AdaptDhmConfig, HamurConfig, " +
                                         "M3oeConfig, DpgConfig)"),
    };

    /// <summary>The closed-form parameter count by component of a config, without building the model.</summary>
    public static IReadOnlyDictionary<string, long> ParameterFormula(ModelConfig config, FeatureSpec features) => config switch
    {
        DnnConfig c => DnnModel.Formula(features, c),
        PleConfig c => PleModel.Formula(features, c),
        StarConfig c => StarModel.Formula(features, c),
        PepNetConfig c => PepNetModel.Formula(features, c),
        AdaSparseConfig c => AdaSparseModel.Formula(features, c),
        ApgConfig c => ApgModel.Formula(features, c),
        OptMsmConfig c => OptMsmModel.Formula(features, c),
        SharedBottomConfig c => SharedBottomModel.Formula(features, c),
        MmoeConfig c => MmoeModel.Formula(features, c),
        EpNetConfig c => EpNetModel.Formula(features, c),
        PpNetConfig c => PpNetModel.Formula(features, c),
        SarNetConfig c => SarNetModel.Formula(features, c),
        M2mConfig c => M2mModel.Formula(features, c),
        HamurConfig c => HamurModel.Formula(features, c),
        AdaptDhmConfig c => AdaptDhmModel.Formula(features, c),
        M3oeConfig c => M3oeModel.Formula(features, c),
        DpgConfig c => ParameterCount.Formula(features, c),
        _ => throw new ArgumentException($"no parameter formula for config type {config.GetType().Name}"),
    };

    /// <summary>A built model's parameter count by component (its own classification for the baselines).</summary>
    public static IReadOnlyDictionary<string, long> ParameterCounts(ScenarioModel model) =>
        model is IComponentCounted counted ? counted.ParameterCounts() : ParameterCount.ByComponent(model);

    private static string Normalise(string name) => (name ?? "").Trim().ToLowerInvariant();

    private static DwmVariant Variant(string name) => name[(name.IndexOf('-') + 1)..] switch
    {
        "non" => DwmVariant.Non,
        "rc" => DwmVariant.RC,
        "r" => DwmVariant.R,
        "c" => DwmVariant.C,
        _ => throw Unknown(name),
    };

    private static ArgumentException Unknown(string name) =>
        new($"unknown model name '{name}'; valid names: {string.Join(", ", Names)}", nameof(name));
}
