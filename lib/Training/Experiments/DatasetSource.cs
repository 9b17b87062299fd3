using System.Globalization;
using MiDpg.Research.Data;

namespace MiDpg.Research.Training.Experiments;

/// <summary>The three parts of a dataset an experiment trains, early-stops and tests on.</summary>
/// <param name="Description">How the data was made (generator config or files, split rule), for the results store.</param>
/// <param name="Encoder">The fitted vocabularies and numeric statistics (saved with a model).</param>
/// <param name="Synthetic">For the synthetic default: the generator's truth (true scenario similarity, groups).</param>
/// <param name="Report">For data read from files: rows read, kept and skipped, and every counted handling (missing values, out-of-vocabulary, skipped rows).</param>
public sealed record ExperimentData(string Name, EncodedDataset Train, EncodedDataset Valid, EncodedDataset Test, string Description,
    FieldEncoder Encoder, SyntheticDataset? Synthetic = null, ReadReport? Report = null)
{
    /// <summary>This data, when each part has rows; otherwise <see cref="EmptySplitException"/> naming the empty part(s), before
    /// any training (an empty test part would give an AUC of NaN, an empty validation part no early stopping).</summary>
    public ExperimentData RequireRows()
    {
        var empty = new[] { ("train", Train.Rows), ("valid", Valid.Rows), ("test", Test.Rows) }.Where(p => p.Item2 == 0).Select(p => p.Item1).ToList();
        if (empty.Count > 0)
            throw new EmptySplitException($"The {string.Join(" and ", empty)} part(s) of dataset '{Name}' are empty (train {Train.Rows}, valid {Valid.Rows}, test {Test.Rows} rows; {Description}). " +
                                          "Use more rows or another split.");
        return this;
    }
}

/// <summary>A dataset's train, validation or test part has no rows: nothing could be trained or measured on it.</summary>
public sealed class EmptySplitException(string message) : InvalidOperationException(message);

/// <summary>
/// A dataset an experiment can name: "synthetic" (the embedded default; options rows=, scenarios=,
/// groups=, users=, items=, interaction= (scale of the user-item term), shared= (share of
/// the weights common to all groups), item-effect=, numeric-effect=, segment-effect= (scales of the per-group item,
/// numeric-slope and user-segment effects), seed=), "douban" (the shipped real sample), "amazon[:path]" (marketBias Electronics),
/// "ijcai[:path]" (IJCAI-18 ad conversion; both take unknown-scenario=skip|error for rows whose scenario is missing or
/// unseen), the Scenario-Wise-Rec benchmark's preprocessed files "movielens[:path]", "kuairand[:path]", "ali-ccp[:path]",
/// "amazon5[:path]", "douban:path", "mind[:path]" (<see cref="ScenarioWiseRec"/>; without a path its committed sample or
/// fixture, with a <see cref="Notice"/> saying so), "file:SCHEMA.json" (any dataset declared by a schema file,
/// <see cref="SchemaFile"/>). The split is fixed per dataset (seed 0) so that the trials
/// of an experiment differ only in the model's initialisation and the shuffles, as paired t-tests need.
/// </summary>
/// <param name="Notice">Something the user should read before training on it (e.g. that a sample stands in for the full file); null when none.</param>
public sealed record DatasetSource(string Name, Func<ExperimentData> Load, string? Notice = null)
{
    /// <summary>The names <see cref="Parse"/> knows, for error and help texts.</summary>
    public const string KnownNames =
        "synthetic, douban, amazon[:path], ijcai[:path], movielens[:path], kuairand[:path], ali-ccp[:path], amazon5[:path], douban:path, mind[:path], " +
        "file:SCHEMA.json (a schema file, see data/README.md; `data describe FILE` writes one)";

    /// <summary>What the data is, for the results store's fingerprints (<see cref="DataIdentity"/>): the generator's settings or
    /// the files' sizes and content hashes, the loader's options and the split. Null for sources made in code from loaded data:
    /// then only the name identifies them (<see cref="Identify"/>).</summary>
    public Func<DataIdentity>? Identity { get; init; }

    /// <summary>The data's identity (computed once per call of <see cref="Identity"/>; callers keep it).</summary>
    public DataIdentity Identify() => Identity?.Invoke() ?? DataIdentity.NameOnly(Name);

    /// <summary>A lazily computed, cached identity (hashing a large file once per process).</summary>
    static Func<DataIdentity> Once(Func<DataIdentity> compute)
    {
        var lazy = new Lazy<DataIdentity>(compute);
        return () => lazy.Value;
    }

    /// <summary>"skip" or "error" for the dataset option unknown-scenario=.</summary>
    static UnknownScenarioPolicy Policy(string? value, string text) => value?.ToLowerInvariant() switch
    {
        null or "error" => UnknownScenarioPolicy.Error,
        "skip" => UnknownScenarioPolicy.Skip,
        _ => throw new ArgumentException($"Dataset option unknown-scenario={value} in '{text}' must be skip or error."),
    };

    /// <summary>Parses "name[:argument][,key=value...]", e.g. "synthetic,rows=20000" or "amazon:/data/df_electronics.csv".</summary>
    public static DatasetSource Parse(string text, bool quick = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        if (text.TrimStart().StartsWith("file:", StringComparison.OrdinalIgnoreCase))
            return FromSchemaFile(text.TrimStart()["file:".Length..].Trim());
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var head = parts[0].Split(':', 2);
        var name = head[0].ToLowerInvariant();
        var argument = head.Length > 1 ? head[1] : null;
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in parts.Skip(1))
        {
            var kv = p.Split('=', 2);
            if (kv.Length != 2) throw new ArgumentException($"Dataset option '{p}' in '{text}' must look like key=value.");
            options[kv[0]] = kv[1];
        }
        int Int(string key, int fallback)
        {
            if (!options.Remove(key, out var v)) return fallback;
            return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
                : throw new ArgumentException($"Dataset option {key}={v} in '{text}' is not an integer.");
        }
        double Double(string key, double fallback)
        {
            if (!options.Remove(key, out var v)) return fallback;
            return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x
                : throw new ArgumentException($"Dataset option {key}={v} in '{text}' is not a number.");
        }
        // Rows whose scenario is missing or unseen in training (e.g. an IJCAI item listing only the first category level): an error
        // naming the line by default, skipped and counted with unknown-scenario=skip (the file loaders only).
        options.Remove("unknown-scenario", out var policyText);
        if (policyText is not null && name is not ("amazon" or "ijcai"))
            throw new ArgumentException($"Dataset option unknown-scenario applies to amazon and ijcai (a schema file sets it under \"encoding\"), not to '{name}'.");
        var policy = Policy(policyText, text);
        // The benchmark's datasets; `douban` without a path stays the shipped sample below.
        DatasetSource source = ScenarioWiseRec.Find(name) is { } benchmark && (argument is not null || benchmark != ScenarioWiseRec.Douban)
            ? Benchmark(benchmark, string.IsNullOrWhiteSpace(argument) ? null : argument.Trim())
            : name switch
        {
            "synthetic" => Synthetic(new SyntheticConfig
            {
                Rows = Int("rows", quick ? 20_000 : 100_000),
                Scenarios = Int("scenarios", 10),
                Groups = Int("groups", 3),
                Users = Int("users", new SyntheticConfig().Users),
                Items = Int("items", new SyntheticConfig().Items),
                InteractionScale = Double("interaction", new SyntheticConfig().InteractionScale),
                SharedFraction = Double("shared", new SyntheticConfig().SharedFraction),
                ItemEffectScale = Double("item-effect", new SyntheticConfig().ItemEffectScale),
                NumericEffectScale = Double("numeric-effect", new SyntheticConfig().NumericEffectScale),
                SegmentEffectScale = Double("segment-effect", new SyntheticConfig().SegmentEffectScale),
                ScenarioNoise = Double("scenario-noise", new SyntheticConfig().ScenarioNoise),
                Seed = Int("seed", 0),
            }),
            "douban" => Douban(),
            "amazon" => Amazon(argument ?? AmazonElectronics.DefaultPath, new AmazonOptions { Encoding = new EncodingOptions { UnknownScenario = policy } }),
            "ijcai" => Ijcai(argument ?? IjcaiAdConversion.DefaultPath, new IjcaiOptions { Encoding = new EncodingOptions { UnknownScenario = policy } }),
            _ => throw new ArgumentException($"Unknown dataset '{name}' in '{text}'; known: {KnownNames}."),
        };
        if (options.Count > 0)
            throw new ArgumentException($"Unknown option(s) {string.Join(", ", options.Keys)} for dataset '{name}'.");
        return source;
    }

    /// <summary>The synthetic default, split 80/10/10 at random per scenario.</summary>
    public static DatasetSource Synthetic(SyntheticConfig config)
    {
        var defaults = new SyntheticConfig();
        var name = $"synthetic-{config.Rows / 1000}k"
                   + (config.Scenarios != defaults.Scenarios ? $"-s{config.Scenarios}" : "")
                   + (config.Groups != defaults.Groups ? $"-g{config.Groups}" : "")
                   + (config.Users != defaults.Users || config.Items != defaults.Items ? $"-u{config.Users}-i{config.Items}" : "")
                   + (config.InteractionScale != defaults.InteractionScale ? $"-x{config.InteractionScale:0.##}" : "")
                   + (config.SharedFraction != defaults.SharedFraction ? $"-sh{config.SharedFraction:0.##}" : "")
                   + (config.ItemEffectScale != defaults.ItemEffectScale ? $"-ie{config.ItemEffectScale:0.##}" : "")
                   + (config.NumericEffectScale != defaults.NumericEffectScale ? $"-ne{config.NumericEffectScale:0.##}" : "")
                   + (config.SegmentEffectScale != defaults.SegmentEffectScale ? $"-se{config.SegmentEffectScale:0.##}" : "")
                   + (config.ScenarioNoise != defaults.ScenarioNoise ? $"-sn{config.ScenarioNoise:0.##}" : "")
                   + (config.Seed != defaults.Seed ? $"-seed{config.Seed}" : "");
        var split = SplitRule.Random(0.8, 0.1, seed: 0, stratifyByScenario: true);
        return new DatasetSource(name, () =>
        {
            var generated = SyntheticScenarios.Generate(config);
            var loaded = generated.Load(split);
            return new ExperimentData(name, loaded.Train, loaded.Valid, loaded.Test,
                $"synthetic rows={config.Rows} scenarios={config.Scenarios} groups={config.Groups} seed={config.Seed}; split {loaded.Split}",
                loaded.Encoder, generated);
        }) { Identity = () => DataIdentity.Synthetic(config, split) };
    }

    /// <summary>The shipped Douban sample, split 80/10/10 at random per scenario.</summary>
    public static DatasetSource Douban()
    {
        var split = SplitRule.Random(0.8, 0.1, seed: 0, stratifyByScenario: true);
        var file = new DataFile(Path.Combine(RealSamples.Folder, "scenario-wise-rec", "douban_sample.csv"));
        return new DatasetSource("douban", () => FromLoaded("douban", RealSamples.Douban(split)))
        {
            Identity = Once(() => DataIdentity.Files("douban", DataIdentity.Options(split, EncodingOptions.Default), [file])),
        };
    }

    /// <summary>Amazon Electronics (marketBias df_electronics.csv, or a file in its format) at <paramref name="path"/>.</summary>
    public static DatasetSource Amazon(string path, AmazonOptions options) =>
        new("amazon", () => FromLoaded("amazon", AmazonElectronics.Load(path, options)))
        {
            Identity = Once(() => DataIdentity.Files("amazon", DataIdentity.Options(options.Split, options.Encoding, label: options.Label.ToString()), [new DataFile(path, ',')])),
        };

    /// <summary>IJCAI-18 ad conversion (or a file in its format) at <paramref name="path"/>.</summary>
    public static DatasetSource Ijcai(string path, IjcaiOptions options) =>
        new("ijcai", () => FromLoaded("ijcai", IjcaiAdConversion.Load(path, options)))
        {
            Identity = Once(() => DataIdentity.Files("ijcai", DataIdentity.Options(options.Split, options.Encoding, scenario: options.Scenario.ToString()), [new DataFile(path, ' ')])),
        };

    /// <summary>
    /// A dataset declared by a schema file (<see cref="SchemaFile"/>): read and checked now, so that a broken schema
    /// stops the command before any training; the data files are read when the data is loaded. Named by the schema's name.
    /// </summary>
    public static DatasetSource FromSchemaFile(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException("'file:' needs the path of a schema file, e.g. file:data/schemas/douban.json (see data/README.md, \"Schema files\").");
        SchemaFile schema;
        try { schema = SchemaFile.Read(path); }
        catch (Exception e) when (e is SchemaFileException or FileNotFoundException) { throw new ArgumentException(e.Message, e); }
        var name = schema.Schema.Name;
        return new DatasetSource(name, () =>
        {
            var loaded = schema.Load();
            return new ExperimentData(name, loaded.Train, loaded.Valid, loaded.Test,
                $"{loaded.All}; schema {Path.GetFullPath(path)}; split {loaded.Split}", loaded.Encoder, Report: loaded.Report);
        }) { Identity = Once(() => DataIdentity.Schema(schema)) };
    }

    /// <summary>
    /// A dataset of the Scenario-Wise-Rec benchmark (<see cref="ScenarioWiseRec"/>): its preprocessed file at
    /// <paramref name="path"/> (found and checked now, so that a wrong path stops the command before any training), or
    /// without a path its committed sample or fixture, with a <see cref="Notice"/> saying that it is one.
    /// </summary>
    public static DatasetSource Benchmark(BenchmarkDataset dataset, string? path)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        SchemaFile schema;
        try { schema = path is null ? ScenarioWiseRec.Sample(dataset) : ScenarioWiseRec.Schema(dataset, path); }
        catch (Exception e) when (e is SchemaFileException or FileNotFoundException) { throw new ArgumentException(e.Message, e); }
        var files = string.Join(", ", schema.Files.Select(f => Path.GetRelativePath(Environment.CurrentDirectory, f.Path)));
        string? notice = path is null
            ? $"{dataset.CliName}: no path given, so {(dataset.SampleIsReal ? "the shipped real sample" : "the hand-written fixture in the benchmark's format (not real data)")} " +
              $"{files} is loaded: a sample for trying the pipeline, not the benchmark. `{dataset.CliName}:PATH` loads the full {string.Join(" / ", dataset.FileNames.Take(1))} (data/README.md, \"Benchmark datasets\")."
            : null;
        var name = schema.Schema.Name;
        return new DatasetSource(name, () =>
        {
            var loaded = schema.Load();
            return new ExperimentData(name, loaded.Train, loaded.Valid, loaded.Test,
                $"{loaded.All}; {dataset.Title} (Scenario-Wise-Rec) from {string.Join(", ", schema.Files.Select(f => f.Path))}" +
                $"{(path is null ? (dataset.SampleIsReal ? " (shipped sample)" : " (hand-written fixture, not real data)") : "")}; split {loaded.Split}",
                loaded.Encoder, Report: loaded.Report);
        }, notice) { Identity = Once(() => DataIdentity.Schema(schema)) };
    }

    static ExperimentData FromLoaded(string name, LoadedDataset loaded) =>
        new(name, loaded.Train, loaded.Valid, loaded.Test, $"{loaded.All}; split {loaded.Split}", loaded.Encoder, Report: loaded.Report);
}
