using MiDpg.Research.Models;
using static TorchSharp.torch;

namespace MiDpg.Research.Training.Experiments;

/// <summary>Size settings applied to every model of an experiment (null keeps each model's default), and config edits
/// applied to the configs of their type (a tuned candidate's hyperparameters, see <see cref="SearchSpace"/>).</summary>
public sealed record ModelSettings(int? EmbeddingDim = null, IReadOnlyList<int>? HiddenSizes = null, IReadOnlyList<ConfigEdit>? Edits = null);

/// <summary>Builds a model by registry name (see <c>ModelRegistry</c>) for the given features.</summary>
public delegate ScenarioModel ModelFactory(string name, FeatureSpec features, ModelSettings settings, Device? device);

/// <summary>
/// Models x datasets x trials. Trial k uses seed <c>Seeds[k]</c> for the model's initialisation, the
/// training shuffles and torch's generator; the data split is fixed, so trials are paired across models. With
/// <see cref="Tuning"/>, each model's hyperparameters are first selected on the validation part (<see cref="HyperparameterSearch"/>)
/// and its trials run at the chosen configuration.
/// </summary>
public sealed record ExperimentSpec
{
    public required string Name { get; init; }
    public required IReadOnlyList<string> Models { get; init; }
    public required IReadOnlyList<DatasetSource> Datasets { get; init; }
    public IReadOnlyList<int> Seeds { get; init; } = [1, 2, 3];
    public TrainerConfig Trainer { get; init; } = new();
    public ModelSettings Settings { get; init; } = new();
    public Device? Device { get; init; }
    /// <summary>Tune each model on validation before its trials (null: every model at its default configuration).</summary>
    public TuningSpec? Tuning { get; init; }
    /// <summary>The full config each model name is built with for given settings, for the results store's fingerprints; needed with a
    /// factory that does not build the registry's models (a sweep's points). Null: the registry's config for registry names.</summary>
    public Func<string, ModelSettings, object?>? ModelConfig { get; init; }

    /// <summary>The config <paramref name="model"/> is built with (see <see cref="ModelConfig"/>); null when unknown.</summary>
    public object? ConfigOf(string model, ModelSettings settings) => ModelConfig?.Invoke(model, settings) ?? RunFingerprint.RegistryConfig(model, settings);

    public ExperimentSpec Validated()
    {
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("An experiment needs a name.", nameof(Name));
        if (Models.Count == 0) throw new ArgumentException("An experiment needs at least one model.", nameof(Models));
        if (Datasets.Count == 0) throw new ArgumentException("An experiment needs at least one dataset.", nameof(Datasets));
        if (Seeds.Count == 0) throw new ArgumentException("An experiment needs at least one trial seed.", nameof(Seeds));
        var dupModels = Models.GroupBy(m => m).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (dupModels.Count > 0) throw new ArgumentException($"Models listed twice: {string.Join(", ", dupModels)}.", nameof(Models));
        if (Seeds.Distinct().Count() != Seeds.Count) throw new ArgumentException("Trial seeds must be distinct.", nameof(Seeds));
        Trainer.Validated();
        Tuning?.Validated();
        return this;
    }
}
