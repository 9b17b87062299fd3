// Persistence of trained models: the state dict (TorchSharp's own format) next to a JSON manifest
// holding the model kind, the FeatureSpec and the full config, plus an opaque vocabulary payload
// supplied by the caller (the data layer's encoders), so a saved model is reproducible from its
// folder alone (STYLE.md: every result reproducible from a config plus a seed).
// Layout of a model folder:  model.json (manifest), weights.bin (state dict), vocabularies.json (optional).
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace MiDpg.Research.Models;

/// <summary>A model read back from disk, with the caller's vocabulary payload (null when none was saved).</summary>
public sealed record StoredModel(ScenarioModel Model, string? Vocabularies);

/// <summary>Thrown when saved weights are loaded into a model whose config or features differ.</summary>
public sealed class ModelMismatchException(string message, IReadOnlyList<string> differences) : Exception(message)
{
    public IReadOnlyList<string> Differences { get; } = differences;
}

/// <summary>Saves and loads models with their config and vocabularies.</summary>
public static class ModelStore
{
    public const string ManifestFile = "model.json";
    public const string WeightsFile = "weights.bin";
    public const string VocabulariesFile = "vocabularies.json";
    public const int FormatVersion = 1;

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    private sealed record Factory(Type ConfigType, Func<FeatureSpec, ModelConfig, Device?, ScenarioModel> Create);

    private static readonly Dictionary<string, Factory> Factories = new(StringComparer.Ordinal);

    static ModelStore()
    {
        Register<DpgConfig>(DpgModel.MiDpgKind, (f, c, d) => new DpgModel(f, c, d));
        Register<DpgConfig>(DpgModel.DpgKind, (f, c, d) => new DpgModel(f, c, d));
    }

    /// <summary>Makes a model kind loadable by <see cref="Load"/> (baselines register theirs once, e.g. in a static constructor).</summary>
    public static void Register<TConfig>(string kind, Func<FeatureSpec, TConfig, Device?, ScenarioModel> create) where TConfig : ModelConfig
    {
        lock (Factories) Factories[kind] = new Factory(typeof(TConfig), (f, c, d) => create(f, (TConfig)c, d));
    }

    /// <summary>Writes the manifest, the weights and (when given) the vocabulary payload into <paramref name="directory"/>.</summary>
    public static void Save(ScenarioModel model, string directory, string? vocabularies = null)
    {
        Directory.CreateDirectory(directory);
        var manifest = new JsonObject
        {
            ["format"] = FormatVersion,
            ["kind"] = model.Kind,
            ["modelType"] = model.GetType().Name,
            ["savedAtUtc"] = DateTime.UtcNow.ToString("O"),
            ["features"] = FeaturesJson(model.Features),
            ["config"] = ConfigJson(model.Config),
        };
        File.WriteAllText(Path.Combine(directory, ManifestFile), manifest.ToJsonString(JsonOptions));
        model.save(Path.Combine(directory, WeightsFile));
        var vocabularyPath = Path.Combine(directory, VocabulariesFile);
        if (vocabularies is not null) File.WriteAllText(vocabularyPath, vocabularies);
        else if (File.Exists(vocabularyPath)) File.Delete(vocabularyPath);
    }

    /// <summary>Rebuilds the model from its manifest (on <paramref name="device"/>) and loads its weights.</summary>
    public static StoredModel Load(string directory, Device? device = null)
    {
        var manifest = ReadManifest(directory);
        var kind = manifest["kind"]?.GetValue<string>() ?? throw new InvalidDataException($"{ManifestFile} in '{directory}' has no 'kind'");
        Factory? factory;
        lock (Factories) Factories.TryGetValue(kind, out factory);
        if (factory is null)
            throw new InvalidOperationException($"no model kind '{kind}' is registered with ModelStore (known: {string.Join(", ", Factories.Keys)})");
        var features = manifest["features"].Deserialize<FeatureSpec>(JsonOptions) ?? throw new InvalidDataException($"{ManifestFile} has no 'features'");
        var config = (ModelConfig?)manifest["config"].Deserialize(factory.ConfigType, JsonOptions) ?? throw new InvalidDataException($"{ManifestFile} has no 'config'");
        var model = factory.Create(features, config, device);
        return new StoredModel(model, LoadInto(model, directory));
    }

    /// <summary>Loads saved weights into an existing model after checking that its kind, features and config equal the
    /// saved ones; otherwise throws <see cref="ModelMismatchException"/> listing every difference. Returns the
    /// vocabulary payload (null when none was saved).</summary>
    public static string? LoadInto(ScenarioModel model, string directory)
    {
        var manifest = ReadManifest(directory);
        var differences = new List<string>();
        var storedKind = manifest["kind"]?.GetValue<string>();
        if (storedKind != model.Kind) differences.Add($"kind: saved {storedKind}, model {model.Kind}");
        Compare("features", manifest["features"], FeaturesJson(model.Features), differences);
        Compare("config", manifest["config"], ConfigJson(model.Config), differences);
        if (differences.Count > 0)
            throw new ModelMismatchException(
                $"The model saved in '{directory}' does not match the model it is loaded into " +
                $"({differences.Count} difference{(differences.Count == 1 ? "" : "s")}):{Environment.NewLine}  - " +
                string.Join(Environment.NewLine + "  - ", differences), differences);
        var weights = Path.Combine(directory, WeightsFile);
        if (!File.Exists(weights)) throw new FileNotFoundException($"no saved weights in '{directory}': {WeightsFile} is missing", weights);
        try { model.load(weights, strict: true); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // TorchSharp's own message names no file (a cut file reads as "unexpected end of stream" or a bad tensor size).
            throw new InvalidDataException($"{weights}: the saved weights cannot be read ({new FileInfo(weights).Length} bytes; cut or damaged?): {e.Message}", e);
        }
        var vocabularyPath = Path.Combine(directory, VocabulariesFile);
        return File.Exists(vocabularyPath) ? File.ReadAllText(vocabularyPath) : null;
    }

    /// <summary>The config as saved in a manifest (enums as names).</summary>
    public static JsonNode ConfigJson(ModelConfig config) =>
        JsonSerializer.SerializeToNode(config, config.GetType(), JsonOptions)!;

    public static JsonNode FeaturesJson(FeatureSpec features) => JsonSerializer.SerializeToNode(features, JsonOptions)!;

    private static JsonObject ReadManifest(string directory)
    {
        var path = Path.Combine(directory, ManifestFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"no saved model in '{directory}': {ManifestFile} is missing", path);
        JsonObject manifest;
        try { manifest = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path} is not a JSON object"); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a model manifest, cut or damaged? ({e.Message})", e); }
        var format = manifest["format"]?.GetValue<int>();
        if (format != FormatVersion) throw new InvalidDataException($"{path} has format {format}; this library reads format {FormatVersion}");
        return manifest;
    }

    /// <summary>Every leaf where two JSON trees differ, as "path: saved X, model Y".</summary>
    private static void Compare(string path, JsonNode? saved, JsonNode? current, List<string> differences)
    {
        if (saved is JsonObject so && current is JsonObject co)
        {
            foreach (var key in so.Select(kv => kv.Key).Union(co.Select(kv => kv.Key)))
                Compare($"{path}.{key}", so[key], co[key], differences);
        }
        else if (saved is JsonArray sa && current is JsonArray ca && sa.Count == ca.Count)
        {
            for (var i = 0; i < sa.Count; i++) Compare($"{path}[{i}]", sa[i], ca[i], differences);
        }
        else if (!JsonNode.DeepEquals(saved, current))
            differences.Add($"{path}: saved {Show(saved)}, model {Show(current)}");
    }

    private static string Show(JsonNode? node) => node is null ? "(absent)" : node.ToJsonString();
}
