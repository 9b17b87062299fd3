// What a dataset IS, for the results store's fingerprints (RunFingerprint): the generator's settings for synthetic data, or
// each data file's path-independent identity (size and SHA-256 of its content) with the loader's options, plus the split
// rule. Two runs whose data identities are equal train on the same rows; a changed file behind the same path, another
// `rows=` or another split gives another identity, so a recorded trial is never reused for other data.
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MiDpg.Research.Data;

namespace MiDpg.Research.Training.Experiments;

/// <summary>A dataset's canonical description: sorted "data.*" entries (see the file header).</summary>
public sealed record DataIdentity(IReadOnlyDictionary<string, string> Entries)
{
    static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>For a dataset the store cannot look into (made in code): its name only. Such a source should set
    /// <see cref="DatasetSource.Identity"/> when its rows can change under the same name.</summary>
    public static DataIdentity NameOnly(string name) => new(new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["data.name"] = name,
        ["data.identity"] = "name only",
    });

    /// <summary>Synthetic data: every generator setting and the split rule.</summary>
    public static DataIdentity Synthetic(SyntheticConfig config, SplitRule split)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["data.source"] = "synthetic", ["data.split"] = split.ToString() };
        Flatten("data.synthetic", JsonSerializer.SerializeToNode(config, Json), entries);
        return new DataIdentity(entries);
    }

    /// <summary>Data read from files by a named loader: the loader, its options (label rule, scenario policy, encoding, split)
    /// and each file's size and content hash; never the path, so moving a file keeps its identity and replacing it does not.</summary>
    public static DataIdentity Files(string loader, IReadOnlyDictionary<string, string> options, IReadOnlyList<DataFile> files)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["data.source"] = loader };
        foreach (var (key, value) in options) entries["data.option." + key] = value;
        for (int i = 0; i < files.Count; i++)
        {
            var (bytes, sha256) = FileContent(files[i].Path);
            var prefix = $"data.file[{i}]";
            entries[prefix + ".bytes"] = bytes;
            entries[prefix + ".sha256"] = sha256;
            entries[prefix + ".separator"] = files[i].Separator.ToString();
            if (files[i].Part is SplitPart part) entries[prefix + ".part"] = part.ToString();
        }
        return new DataIdentity(entries);
    }

    /// <summary>A schema file's dataset: the schema as written by <see cref="SchemaFile.ToJson"/> without its paths, and each file.</summary>
    public static DataIdentity Schema(SchemaFile schema)
    {
        var node = JsonNode.Parse(schema.ToJson())!.AsObject();
        node.Remove("files");
        var options = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Flatten("schema", node, options);
        options["split"] = schema.Split.ToString();
        return Files("schema", options, schema.Files);
    }

    /// <summary>The options of the built-in loaders that change the rows or their encoding.</summary>
    public static IReadOnlyDictionary<string, string> Options(SplitRule split, EncodingOptions encoding, string? label = null, string? scenario = null)
    {
        var options = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["split"] = split.ToString(),
            ["unknown-scenario"] = encoding.UnknownScenario.ToString(),
            ["min-count"] = encoding.MinCount.ToString(CultureInfo.InvariantCulture),
            ["standardise-numeric"] = encoding.StandardiseNumeric ? "true" : "false",
            ["hash-buckets"] = string.Join(";", encoding.HashBuckets.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")),
        };
        if (label is not null) options["label"] = label;
        if (scenario is not null) options["scenario"] = scenario;
        return options;
    }

    /// <summary>Size and SHA-256 (hex) of a file's content; "absent" when it is not a readable file (the loader then says why).</summary>
    static (string Bytes, string Sha256) FileContent(string path)
    {
        if (!File.Exists(path)) return ("absent", "absent");
        try
        {
            using var stream = File.OpenRead(path);
            var hash = SHA256.HashData(stream);
            return (stream.Length.ToString(CultureInfo.InvariantCulture), Convert.ToHexStringLower(hash));
        }
        catch (IOException) { return ("unreadable", "unreadable"); }
        catch (UnauthorizedAccessException) { return ("unreadable", "unreadable"); }
    }

    /// <summary>Flattens a JSON tree into "prefix.key" = compact value entries (arrays of scalars stay one entry).</summary>
    internal static void Flatten(string prefix, JsonNode? node, IDictionary<string, string> into)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o) Flatten($"{prefix}.{key}", value, into);
                break;
            case JsonArray a when a.Any(x => x is JsonObject or JsonArray):
                for (int i = 0; i < a.Count; i++) Flatten($"{prefix}[{i}]", a[i], into);
                break;
            case null:
                into[prefix] = "null";
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                into[prefix] = v.GetValue<string>();
                break;
            default:
                into[prefix] = node.ToJsonString();
                break;
        }
    }
}
