using MiDpg.Research.Models;
using static TorchSharp.torch;

namespace MiDpg.Research.Training.Experiments;

/// <summary>Model factories for experiments.</summary>
public static class ModelFactories
{
    /// <summary>Any model of <see cref="ModelRegistry"/> by name, with the experiment's size settings.</summary>
    public static ScenarioModel Registry(string name, FeatureSpec features, ModelSettings settings, Device? device) =>
        ModelRegistry.Create(name, features, Options(settings), device);

    /// <summary>The experiment's size settings as registry overrides.</summary>
    public static ModelOptions Options(ModelSettings settings) =>
        new() { EmbeddingDim = settings.EmbeddingDim, HiddenSizes = settings.HiddenSizes, Edits = settings.Edits ?? [] };
}
