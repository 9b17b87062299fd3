// The key a recorded training is resumed by. A trial (or tuning candidate) in the results store is reused only when the
// run asking for it would train exactly the same thing: the same data (DataIdentity), the same model with the same full
// configuration, the same trainer settings that change results, the same seed. The canonical description of all that is
// stored next to the numbers (readable, so a refusal can say what differs) with a short stable hash of it.
// Not part of it: threads, the device, the progress interval and the evaluation batch size, which change speed, not results.
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MiDpg.Research.Models;

namespace MiDpg.Research.Training.Experiments;

/// <summary>A training's canonical description (sorted key -> value) and its hash (the first 16 hex digits of the SHA-256 of
/// the "key=value" lines).</summary>
public sealed record RunFingerprint
{
    /// <summary>Bumped when the description's rules change; part of the description, so old and new never compare equal by accident.</summary>
    public const string Version = "1";

    public IReadOnlyDictionary<string, string> Description { get; }
    public string Hash { get; }

    public RunFingerprint(IReadOnlyDictionary<string, string> description)
    {
        Description = new SortedDictionary<string, string>(description.ToDictionary(kv => kv.Key, kv => kv.Value), StringComparer.Ordinal);
        var canonical = string.Concat(Description.Select(kv => kv.Key + "=" + kv.Value + "\n"));
        Hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..16];
    }

    static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Trainer settings that do not change what is learned.</summary>
    static readonly HashSet<string> SpeedOnly = [nameof(TrainerConfig.Threads), nameof(TrainerConfig.Device), nameof(TrainerConfig.ReportEverySteps), nameof(TrainerConfig.EvaluationBatchSize)];

    /// <summary>The fingerprint of one training.</summary>
    /// <param name="role">"trial" or "tuning".</param>
    /// <param name="modelConfig">The full config the model is built with (null: only the name and the size settings are known).</param>
    /// <param name="hyperparameters">The tuned candidate's key ("" untuned).</param>
    public static RunFingerprint For(string role, DataIdentity data, string model, ModelSettings settings, object? modelConfig, TrainerConfig trainer, int seed, string hyperparameters)
    {
        var d = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["fingerprint.version"] = Version,
            ["role"] = role,
            ["model"] = model,
            ["hyperparameters"] = hyperparameters,
            ["seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in data.Entries) d[key] = value;
        if (modelConfig is not null)
        {
            d["model.config.type"] = modelConfig.GetType().Name;
            DataIdentity.Flatten("model.config", JsonSerializer.SerializeToNode(modelConfig, modelConfig.GetType(), Json), d);
        }
        else
        {
            d["model.settings.embedding-dim"] = settings.EmbeddingDim?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "default";
            d["model.settings.hidden"] = settings.HiddenSizes is null ? "default" : string.Join(",", settings.HiddenSizes);
            d["model.settings.edits"] = (settings.Edits?.Count ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        var trainerNode = JsonSerializer.SerializeToNode(trainer with { Seed = seed, Device = null }, Json)!.AsObject();
        foreach (var key in SpeedOnly) trainerNode.Remove(key);
        DataIdentity.Flatten("trainer", trainerNode, d);
        return new RunFingerprint(d);
    }

    /// <summary>The config a registry model is built with for these settings; null for names the registry does not know.</summary>
    public static object? RegistryConfig(string model, ModelSettings settings) =>
        ModelRegistry.Contains(model) ? ModelFactories.Options(settings).Apply(ModelRegistry.DefaultConfig(model)) : null;

    /// <summary>Where a recorded fingerprint differs from this one: "trainer.LearningRate (--lr): recorded 0.001, now 0.003", ...</summary>
    public IReadOnlyList<string> DifferencesFrom(RunFingerprint recorded)
    {
        var differences = new List<string>();
        foreach (var key in recorded.Description.Keys.Union(Description.Keys).Order(StringComparer.Ordinal))
        {
            var before = recorded.Description.GetValueOrDefault(key);
            var now = Description.GetValueOrDefault(key);
            if (before == now) continue;
            differences.Add($"{key}{Option(key)}: recorded {before ?? "(absent)"}, now {now ?? "(absent)"}");
        }
        if (differences.Count == 0 && recorded.Hash != Hash) differences.Add($"fingerprint: recorded {recorded.Hash}, now {Hash}");
        return differences;
    }

    static string Option(string key) => key switch
    {
        "trainer.LearningRate" => " (--lr)",
        "trainer.BatchSize" => " (--batch-size)",
        "trainer.MaxEpochs" => " (--epochs)",
        "trainer.Patience" => " (--patience)",
        "trainer.Shards" => " (--shards)",
        "model.config.HiddenSizes" or "model.settings.hidden" => " (--hidden)",
        "model.config.EmbeddingDim" or "model.settings.embedding-dim" => " (--embedding-dim)",
        _ when key.StartsWith("data.", StringComparison.Ordinal) => " (--data)",
        _ => "",
    };

    /// <summary>As stored in a record: {"hash": ..., "description": {...}}.</summary>
    public JsonObject ToJson() => new()
    {
        ["hash"] = Hash,
        ["description"] = new JsonObject(Description.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
    };

    /// <summary>Reads a stored fingerprint; null when the record has none (a legacy record). Throws <see cref="InvalidDataException"/> when it is malformed.</summary>
    public static RunFingerprint? FromJson(JsonNode? node, string file)
    {
        if (node is null) return null;
        if (node is not JsonObject o || o["description"] is not JsonObject description || o["hash"] is not JsonValue hash)
            throw new InvalidDataException($"{file}: the fingerprint is malformed.");
        var entries = new Dictionary<string, string>();
        foreach (var (key, value) in description)
            entries[key] = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>()
                : throw new InvalidDataException($"{file}: fingerprint entry '{key}' is not a string.");
        var fingerprint = new RunFingerprint(entries);
        if (fingerprint.Hash != hash.ToString())
            throw new InvalidDataException($"{file}: the fingerprint's hash {hash} does not match its description (hash {fingerprint.Hash}).");
        return fingerprint;
    }
}
