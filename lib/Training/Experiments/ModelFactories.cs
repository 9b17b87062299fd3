using MiDpg.Research.Models;
using static TorchSharp.torch;

namespace MiDpg.Research.Training.Experiments;

/// <summary>Model factories for experiments.</summary>
public static class ModelFactories
{
    /// <summary>
    /// DPG and MI-DPG by registry name: "dpg-&lt;variant&gt;" (MIR off) and "midpg-&lt;variant&gt;" (MIR on), variant
    /// non, rc, r or c, with the <see cref="DpgConfig"/> defaults and the experiment's size settings.
    /// </summary>
    public static ScenarioModel Dpg(string name, FeatureSpec features, ModelSettings settings, Device? device) =>
        new DpgModel(features, DpgConfigFor(name, settings), device);

    public static DpgConfig DpgConfigFor(string name, ModelSettings settings)
    {
        var parts = name.Split('-', 2);
        if (parts.Length != 2 || parts[0] is not ("dpg" or "midpg") || !Enum.TryParse<DwmVariant>(parts[1], ignoreCase: true, out var variant))
            throw new ArgumentException($"'{name}' is not a DPG model name (dpg-non, dpg-rc, dpg-r, dpg-c, midpg-non, midpg-rc, midpg-r, midpg-c).", nameof(name));
        return Apply(new DpgConfig { Variant = variant, UseMir = parts[0] == "midpg" }, settings);
    }

    /// <summary>The experiment's size settings applied to a config.</summary>
    public static T Apply<T>(T config, ModelSettings settings) where T : ModelConfig => config with
    {
        EmbeddingDim = settings.EmbeddingDim ?? config.EmbeddingDim,
        HiddenSizes = settings.HiddenSizes ?? config.HiddenSizes,
    };
}
