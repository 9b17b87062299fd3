using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiDpg.Research.Data;
using MiDpg.Research.Models;
using static TorchSharp.torch;

namespace MiDpg.Research.Training.Experiments;

/// <summary>
/// How an experiment tunes each model before its trials: <see cref="Budget"/> configurations per model (the same for every
/// model, see <see cref="SearchSpaces.MinimumSize"/>), picked by <see cref="Strategy"/> with <see cref="Seed"/>, each
/// trained once with seed <see cref="Seed"/> and scored by its best validation AUC.
/// </summary>
public sealed record TuningSpec
{
    /// <summary>Configurations trained per model (default 6).</summary>
    public int Budget { get; init; } = 6;
    public SearchStrategy Strategy { get; init; } = SearchStrategy.Random;
    /// <summary>Seed of the candidates' draw and of their trainings; 0 by default, apart from the trial seeds 1..N.</summary>
    public int Seed { get; init; }

    public TuningSpec Validated()
    {
        if (Budget < 1) throw new ArgumentException($"TuningSpec.Budget must be at least 1; got {Budget}.", nameof(Budget));
        if (!Enum.IsDefined(Strategy)) throw new ArgumentException($"TuningSpec.Strategy must be Random or Grid; got {Strategy}.", nameof(Strategy));
        return this;
    }

    public override string ToString() => $"{Budget} configuration(s) per model, {Strategy.ToString().ToLowerInvariant()} search, seed {Seed}";
}

/// <summary>One tuning training: a candidate and its validation score (NaN when the training diverged).</summary>
public sealed record TuningTrial(string Dataset, string Model, Candidate Candidate, int Seed, double ValidAuc, int BestEpoch, int Epochs,
    double Seconds, string StopReason);

/// <summary>The tuning of one model on one dataset: every candidate trained and the chosen one (highest validation AUC).</summary>
public sealed record TuningOutcome(string Dataset, string Model, SearchSpace Space, TuningSpec Spec, IReadOnlyList<TuningTrial> Trials, Candidate Chosen)
{
    public TuningTrial ChosenTrial => Trials.First(t => t.Candidate.Index == Chosen.Index);
}

/// <summary>
/// Hyperparameter selection on validation data only. <see cref="Tune"/> receives the training and validation parts and
/// nothing else — the test part never reaches it, so no test number can influence the choice. Each candidate of the
/// model's <see cref="SearchSpace"/> is trained once (early stopping on validation AUC, as every training) and the one with
/// the highest best validation AUC is chosen; ties go to the earlier candidate (the default comes first). Every training is
/// recorded under <c>&lt;store&gt;/&lt;experiment&gt;/&lt;dataset&gt;/&lt;model&gt;/tuning/candidate-&lt;grid index&gt;.json</c> (written atomically), so an
/// interrupted tuning run resumes with the candidates it has not trained yet; <c>chosen.json</c> next to them names the choice.
/// </summary>
public sealed class HyperparameterSearch(ResultsStore store, ModelFactory factory, TextWriter? log = null)
{
    /// <summary>Builds a progress reporter per (dataset, model, candidate); null = none.</summary>
    public Func<string, string, Candidate, ITrainingReporter?>? Reporter { get; init; }

    /// <summary>Number of candidates trained (not read back from the store) by this instance.</summary>
    public int Trained { get; private set; }

    /// <summary>Recorded candidates reused that were written before fingerprints (matched by candidate and seed only).</summary>
    public int Legacy { get; private set; }

    /// <summary>Damaged candidate records set aside and trained again.</summary>
    public int Retrained { get; private set; }

    /// <summary>Called after each candidate, with whether it was trained (true) or read back from the store (false).</summary>
    public Action<string, string, Candidate, bool>? CandidateDone { get; init; }

    /// <summary>Tunes <paramref name="model"/> on (train, valid) of dataset <paramref name="dataset"/> and returns the choice.</summary>
    public TuningOutcome Tune(string experiment, string dataset, string model, EncodedDataset train, EncodedDataset valid,
        TuningSpec tuning, TrainerConfig trainer, ModelSettings settings, Device? device = null, CancellationToken cancellationToken = default,
        DataIdentity? data = null, Func<string, ModelSettings, object?>? modelConfig = null)
    {
        tuning = tuning.Validated();
        data ??= DataIdentity.NameOnly(dataset);
        var space = SearchSpaces.For(model);
        var candidates = space.Candidates(tuning.Budget, tuning.Strategy, tuning.Seed);
        var trials = new List<TuningTrial>();
        for (int k = 0; k < candidates.Count; k++)
        {
            var candidate = candidates[k];
            var file = CandidatePath(experiment, dataset, model, candidate);
            var (candidateSettings, candidateTrainer) = space.Apply(candidate, settings, trainer);
            var fingerprint = RunFingerprint.For("tuning", data, model, candidateSettings,
                modelConfig?.Invoke(model, candidateSettings) ?? RunFingerprint.RegistryConfig(model, candidateSettings), candidateTrainer, tuning.Seed, candidate.Key);
            if (File.Exists(file))
            {
                var where = $"[{experiment}] {dataset} / {model} / tuning {k + 1} of {candidates.Count} ({candidate.Key})";
                var (recorded, problem, recordedFingerprint) = Read(file, dataset, model, candidate, tuning.Seed);
                if (recorded is not null)
                {
                    if (recordedFingerprint is null) Legacy++;
                    else if (recordedFingerprint.Hash != fingerprint.Hash)
                        throw new ResumeConflictException(
                            $"{where} was recorded with other data or settings, so it cannot be reused: {string.Join("; ", fingerprint.DifferencesFrom(recordedFingerprint))}. " +
                            $"Give the experiment another name (--name), or use another results folder (--runs); {file} holds the recorded settings.");
                    trials.Add(recorded);
                    log?.WriteLine($"{where}: recorded{(recordedFingerprint is null ? " (legacy record)" : "")}, valid AUC {recorded.ValidAuc:F4}");
                    CandidateDone?.Invoke(dataset, model, candidate, false);
                    continue;
                }
                // Damaged: never used; set aside (not overwritten) and trained again.
                var aside = file + ".damaged";
                for (int n = 2; File.Exists(aside); n++) aside = $"{file}.damaged-{n}";
                File.Move(file, aside);
                Retrained++;
                log?.WriteLine($"{where}: damaged, {problem} Set aside as {Path.GetFileName(aside)}; training it again.");
            }
            var (trial, configuration) = Train(dataset, model, candidate, space, train, valid, tuning.Seed, trainer, settings, device, cancellationToken);
            Write(file, trial, configuration, fingerprint);
            Trained++;
            trials.Add(trial);
            log?.WriteLine($"[{experiment}] {dataset} / {model} / tuning {k + 1} of {candidates.Count} ({candidate.Key}): valid AUC {trial.ValidAuc:F4} ({trial.StopReason})");
            CandidateDone?.Invoke(dataset, model, candidate, true);
        }
        var usable = trials.Where(t => double.IsFinite(t.ValidAuc)).ToList();
        if (usable.Count == 0)
            throw new InvalidOperationException($"[{experiment}] {dataset} / {model}: every tuning candidate diverged ({string.Join("; ", trials.Select(t => $"{t.Candidate.Key}: {t.StopReason}"))}).");
        // Highest validation AUC; the first in candidate order on ties (MaxBy keeps the first maximum).
        var chosen = usable.MaxBy(t => t.ValidAuc)!.Candidate;
        var outcome = new TuningOutcome(dataset, model, space, tuning, trials, chosen);
        WriteChosen(experiment, outcome);
        return outcome;
    }

    (TuningTrial Trial, object Configuration) Train(string dataset, string model, Candidate candidate, SearchSpace space, EncodedDataset train, EncodedDataset valid,
        int seed, TrainerConfig trainer, ModelSettings settings, Device? device, CancellationToken cancellationToken)
    {
        var (candidateSettings, candidateTrainer) = space.Apply(candidate, settings, trainer);
        manual_seed(seed);
        using var built = factory(model, ModelData.Features(train), candidateSettings, device);
        var shards = built.ShardingObstacle is null ? candidateTrainer.Shards : 1;
        var config = candidateTrainer with { Seed = seed, Device = device ?? candidateTrainer.Device, Shards = shards };
        TuningTrial trial;
        try
        {
            var result = new Trainer(config).Fit(built, train, valid, Reporter?.Invoke(dataset, model, candidate), cancellationToken);
            trial = new TuningTrial(dataset, model, candidate, seed, result.BestValidAuc, result.BestEpoch, result.History.Epochs.Count, result.Seconds, result.StopReason);
        }
        catch (TrainingDivergedException e)
        {
            // A candidate whose training diverges (e.g. too large a learning rate) is recorded and never chosen.
            trial = new TuningTrial(dataset, model, candidate, seed, double.NaN, 0, e.Epoch, 0, "diverged: " + e.Message);
        }
        var configuration = new { trainer = config with { Device = null }, modelConfig = (object)built.Config };
        return (trial, configuration);
    }

    string ModelFolder(string experiment, string dataset, string model) =>
        Path.Combine(store.Root, ResultsStore.Safe(experiment), ResultsStore.Safe(dataset), ResultsStore.Safe(model), "tuning");

    string CandidatePath(string experiment, string dataset, string model, Candidate candidate) =>
        Path.Combine(ModelFolder(experiment, dataset, model), $"candidate-{candidate.Index}.json");

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    static void Write(string file, TuningTrial trial, object configuration, RunFingerprint fingerprint)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var json = new JsonObject
        {
            ["dataset"] = trial.Dataset,
            ["model"] = trial.Model,
            ["candidate"] = trial.Candidate.Key,
            ["index"] = trial.Candidate.Index,
            ["values"] = new JsonObject(trial.Candidate.Values.Select(v => KeyValuePair.Create(v.Key, (JsonNode?)JsonValue.Create(v.Value)))),
            ["seed"] = trial.Seed,
            // NaN is not JSON: a diverged candidate has valid_auc null.
            ["valid_auc"] = double.IsFinite(trial.ValidAuc) ? JsonValue.Create(trial.ValidAuc) : null,
            ["best_epoch"] = trial.BestEpoch,
            ["epochs"] = trial.Epochs,
            ["seconds"] = trial.Seconds,
            ["stop"] = trial.StopReason,
            ["configuration"] = JsonSerializer.SerializeToNode(configuration, Indented),
            ["format"] = ResultsStore.Format,
            ["fingerprint"] = fingerprint.ToJson(),
        };
        var temporary = file + ".partial";
        File.WriteAllText(temporary, json.ToJsonString(Indented));
        File.Move(temporary, file, overwrite: true);
    }

    /// <summary>Reads a recorded candidate, checking that it is complete and the same candidate and seed as this run asks for.
    /// A damaged record (not JSON, or missing a field every record has) gives null and the problem; it is never used.</summary>
    static (TuningTrial? Trial, string? Problem, RunFingerprint? Fingerprint) Read(string file, string dataset, string model, Candidate candidate, int seed)
    {
        JsonObject node;
        string? key;
        int? recordedSeed;
        double auc;
        RunFingerprint? fingerprint;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(file)) as JsonObject ?? throw new JsonException("not a JSON object");
            key = node["candidate"]?.GetValue<string>() ?? throw new JsonException("no 'candidate'");
            recordedSeed = node["seed"]?.GetValue<int>() ?? throw new JsonException("no 'seed'");
            if (node["stop"] is null || node["epochs"] is null || !node.ContainsKey("valid_auc")) throw new JsonException("incomplete record");
            auc = node["valid_auc"] is JsonValue v ? v.GetValue<double>() : double.NaN;
            if (!double.IsNaN(auc) && auc is < 0 or > 1) throw new JsonException($"valid_auc {auc} is outside [0, 1]");
            fingerprint = RunFingerprint.FromJson(node["fingerprint"], file);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or InvalidDataException or IOException)
        {
            return (null, $"{file}: not a complete tuning record ({e.Message}).", null);
        }
        if (key != candidate.Key)
            throw new ResumeConflictException($"{file} records candidate '{key}', but this run's search space gives '{candidate.Key}' at grid index {candidate.Index}: " +
                                              "the space changed since it was recorded. Give the experiment another name.");
        if (recordedSeed != seed)
            throw new ResumeConflictException($"{file} was trained with tuning seed {recordedSeed}, but this run asks for seed {seed}. Give the experiment another name.");
        return (new TuningTrial(dataset, model, candidate, seed, auc, node["best_epoch"]?.GetValue<int>() ?? 0, node["epochs"]?.GetValue<int>() ?? 0,
            node["seconds"]?.GetValue<double>() ?? 0, node["stop"]?.GetValue<string>() ?? ""), null, fingerprint);
    }

    void WriteChosen(string experiment, TuningOutcome outcome)
    {
        var folder = ModelFolder(experiment, outcome.Dataset, outcome.Model);
        Directory.CreateDirectory(folder);
        var json = new JsonObject
        {
            ["dataset"] = outcome.Dataset,
            ["model"] = outcome.Model,
            ["chosen"] = outcome.Chosen.Key,
            ["chosen_index"] = outcome.Chosen.Index,
            ["valid_auc"] = outcome.ChosenTrial.ValidAuc,
            ["budget"] = outcome.Spec.Budget,
            ["strategy"] = outcome.Spec.Strategy.ToString(),
            ["seed"] = outcome.Spec.Seed,
            ["space_size"] = outcome.Space.Size,
            ["space"] = new JsonObject(outcome.Space.Parameters.Select(p => KeyValuePair.Create(p.Name, (JsonNode?)new JsonArray(p.Values.Select(x => (JsonNode?)JsonValue.Create(x)).ToArray())))),
            ["candidates"] = new JsonArray(outcome.Trials.Select(t => (JsonNode?)new JsonObject
            {
                ["candidate"] = t.Candidate.Key,
                ["valid_auc"] = double.IsFinite(t.ValidAuc) ? JsonValue.Create(t.ValidAuc) : null,
            }).ToArray()),
        };
        var file = Path.Combine(folder, "chosen.json");
        File.WriteAllText(file + ".partial", json.ToJsonString(Indented));
        File.Move(file + ".partial", file, overwrite: true);
    }

    /// <summary>Every tuning record of an experiment in the store: (dataset, model) -> its candidates and the chosen key.</summary>
    public static IReadOnlyList<TuningRecord> ReadRecords(ResultsStore store, string experiment)
    {
        var folder = Path.Combine(store.Root, ResultsStore.Safe(experiment));
        if (!Directory.Exists(folder)) return [];
        var records = new List<TuningRecord>();
        foreach (var chosenFile in Directory.GetFiles(folder, "chosen.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            try { records.Add(ReadChosen(chosenFile)); }
            catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException)
            {
                throw new InvalidDataException($"{chosenFile}: not a complete record of a tuning choice ({e.Message}). Run the experiment again to rewrite it.", e);
            }
        }
        return records;
    }

    static TuningRecord ReadChosen(string chosenFile)
    {
        {
            var node = JsonNode.Parse(File.ReadAllText(chosenFile))!;
            var candidates = node["candidates"]!.AsArray().Select(c => (Key: c!["candidate"]!.GetValue<string>(),
                ValidAuc: c["valid_auc"] is JsonValue v ? v.GetValue<double>() : double.NaN)).ToArray();
            return new TuningRecord(node["dataset"]!.GetValue<string>(), node["model"]!.GetValue<string>(), node["chosen"]!.GetValue<string>(),
                node["valid_auc"]!.GetValue<double>(), node["budget"]!.GetValue<int>(), node["strategy"]!.GetValue<string>(), node["seed"]!.GetValue<int>(),
                node["space_size"]!.GetValue<int>(), candidates);
        }
    }
}

/// <summary>A model's tuning as recorded in the store (for reports).</summary>
public sealed record TuningRecord(string Dataset, string Model, string Chosen, double ChosenValidAuc, int Budget, string Strategy, int Seed, int SpaceSize,
    IReadOnlyList<(string Key, double ValidAuc)> Candidates)
{
    /// <summary>The chosen value of one hyperparameter ("lambda" -> "0.1"), null when the model has none of that name.</summary>
    public string? Value(string name) => Chosen.Split(", ").Select(p => p.Split('=', 2)).Where(p => p[0] == name).Select(p => p[1]).FirstOrDefault();
}
