using MiDpg.Research.Data;
using MiDpg.Research.Models;
using static TorchSharp.torch;

namespace MiDpg.Research.Training.Experiments;

/// <summary>
/// Runs an <see cref="ExperimentSpec"/>: for every dataset, tunes each model on validation when the spec asks for it
/// (<see cref="HyperparameterSearch"/>), then for every trial and model trains with the <see cref="Trainer"/> at the chosen
/// configuration, evaluates on the test split (overall and per scenario) and records the numbers in the
/// <see cref="ResultsStore"/>. Trials and tuning candidates already recorded are skipped, so an interrupted run resumes.
/// </summary>
public sealed class ExperimentRunner(ResultsStore store, ModelFactory factory, TextWriter? log = null)
{
    /// <summary>Builds a progress reporter per (dataset, model, trial); null = none.</summary>
    public Func<string, string, int, ITrainingReporter?>? Reporter { get; init; }

    /// <summary>Builds a progress reporter per tuning candidate (dataset, model, candidate); null = none.</summary>
    public Func<string, string, Candidate, ITrainingReporter?>? TuningReporter { get; init; }

    /// <summary>Called after every training of the run — tuning candidate or trial, trained or read back from the store — with
    /// how far the run is and an estimate of the time left; null = none.</summary>
    public Action<ExperimentProgress>? Progress { get; init; }

    /// <param name="Tuned">Tuning candidates trained by this run (not read back from the store).</param>
    /// <param name="Choices">The chosen configuration per (dataset, model) when the spec tunes.</param>
    /// <param name="Legacy">Recorded trials reused that were written before checksums and fingerprints (checked structurally,
    /// matched by seed and hyperparameters only); <paramref name="LegacyCandidates"/> the same for tuning candidates.</param>
    /// <param name="Retrained">Damaged records (trials and tuning candidates) set aside and trained again.</param>
    public sealed record Outcome(int Trained, int Skipped, int Tuned = 0, IReadOnlyList<TuningOutcome>? Choices = null,
        int Legacy = 0, int LegacyCandidates = 0, int Retrained = 0);

    /// <summary>Runs the spec. When <paramref name="cancellationToken"/> is cancelled the current training stops within one step and
    /// <see cref="OperationCanceledException"/> propagates; everything finished before is in the store, so running the same spec
    /// again resumes.</summary>
    public Outcome Run(ExperimentSpec spec, CancellationToken cancellationToken = default)
    {
        spec = spec.Validated();
        int trained = 0, skipped = 0;
        // Progress: every planned training (tuning candidates and trials) counts; the estimate of the time left divides the
        // elapsed time by the trainings actually run, so recorded ones (read back in milliseconds) do not distort it.
        int total = spec.Datasets.Count * spec.Models.Sum(m => spec.Seeds.Count + (spec.Tuning is null ? 0 : Math.Min(spec.Tuning.Budget, SearchSpaces.For(m).Size)));
        int done = 0, ran = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Step(string what, bool trainedNow)
        {
            done++;
            if (trainedNow) ran++;
            var elapsed = clock.Elapsed;
            TimeSpan? left = ran == 0 ? null : TimeSpan.FromTicks(elapsed.Ticks / ran * (total - done));
            var progress = new ExperimentProgress(done, total, elapsed, left, what);
            log?.WriteLine($"[{spec.Name}] {progress}");
            Progress?.Invoke(progress);
        }
        var search = new HyperparameterSearch(store, factory, log)
        {
            Reporter = TuningReporter,
            CandidateDone = (dataset, model, candidate, trainedNow) => Step($"{dataset} / {model} / tuning {candidate.Key}", trainedNow),
        };
        var choices = new List<TuningOutcome>();
        int legacy = 0, retrained = 0;
        foreach (var source in spec.Datasets)
        {
            ExperimentData? data = null;
            ExperimentData Load() => (data ??= source.Load()).RequireRows();
            // What the data is (generator settings, or files' sizes and hashes, and the split): part of every fingerprint.
            var identity = source.Identify();
            // Selection first, on (train, valid) only: the test part is not handed to the search.
            var chosen = new Dictionary<string, (ModelSettings Settings, TrainerConfig Trainer, string Key)>();
            foreach (var name in spec.Models)
            {
                if (spec.Tuning is null) { chosen[name] = (spec.Settings, spec.Trainer, ""); continue; }
                Load();
                var outcome = search.Tune(spec.Name, data!.Name, name, data.Train, data.Valid, spec.Tuning, spec.Trainer, spec.Settings, spec.Device, cancellationToken,
                    identity, spec.ConfigOf);
                choices.Add(outcome);
                var (settings, trainer) = outcome.Space.Apply(outcome.Chosen, spec.Settings, spec.Trainer);
                chosen[name] = (settings, trainer, outcome.Chosen.Key);
                log?.WriteLine($"[{spec.Name}] {data.Name} / {name}: chosen {outcome.Chosen.Key} (valid AUC {outcome.ChosenTrial.ValidAuc:F4})");
            }
            var datasetName = data?.Name ?? source.Name;
            for (int trial = 0; trial < spec.Seeds.Count; trial++)
            {
                int seed = spec.Seeds[trial];
                foreach (var name in spec.Models)
                {
                    var fingerprint = RunFingerprint.For("trial", identity, name, chosen[name].Settings, spec.ConfigOf(name, chosen[name].Settings),
                        chosen[name].Trainer, seed, chosen[name].Key);
                    var where = $"[{spec.Name}] {datasetName} / {name} / trial {trial}";
                    var record = store.Find(spec.Name, datasetName, name, trial);
                    if (record is { State: TrialState.Damaged })
                    {
                        // Never used: set aside (not overwritten) and trained again.
                        var aside = ResultsStore.SetAside(record);
                        retrained++;
                        log?.WriteLine($"{where}: damaged, {record.Problem} Set aside as {Path.GetFileName(aside)}; training it again.");
                    }
                    else if (record is not null)
                    {
                        // A trial is resumed only if it is the same trial: same index, same seed, same hyperparameters, and (for records
                        // with a fingerprint) the same data, model configuration and trainer settings.
                        if (record.Seed != seed)
                            throw new ResumeConflictException(
                                $"{where} is recorded with seed {record.Seed}, but this run asks for seed {seed} " +
                                $"as trial {trial}. List the seeds in the recorded order (after the recorded ones), or give the experiment another name.");
                        if (record.Hyperparameters != chosen[name].Key)
                            throw new ResumeConflictException(
                                $"{where} is recorded with hyperparameters '{record.Hyperparameters}', but this run " +
                                $"trains '{chosen[name].Key}'{(spec.Tuning is null ? " (no tuning)" : " (tuned)")}. Give the experiment another name.");
                        if (record.Fingerprint is { } recorded)
                        {
                            if (recorded.Hash != fingerprint.Hash)
                                throw new ResumeConflictException(
                                    $"{where} was recorded with other data or settings, so it cannot be reused: {string.Join("; ", fingerprint.DifferencesFrom(recorded))}. " +
                                    $"Give the experiment another name (--name), or use another results folder (--runs); {Path.GetFileName(record.JsonFile)} holds the recorded settings.");
                        }
                        else
                        {
                            LegacyCheck(where, record, chosen[name].Trainer, fingerprint);
                            legacy++;
                        }
                        skipped++;
                        log?.WriteLine($"{where}: recorded{(record.State == TrialState.Legacy ? " (legacy record)" : "")}, skipped");
                        Step($"{datasetName} / {name} / trial {trial + 1}", false);
                        continue;
                    }
                    Load();
                    var rows = RunTrial(spec, data!, name, trial, seed, chosen[name], cancellationToken, out var configuration);
                    store.Write(rows, configuration, fingerprint);
                    trained++;
                    var auc = rows.First(r => r.Scenario == "all" && r.Metric == "auc").Value;
                    log?.WriteLine($"[{spec.Name}] {data!.Name} / {name} / trial {trial + 1} of {spec.Seeds.Count} (seed {seed}): test AUC {auc:F4}");
                    Step($"{data.Name} / {name} / trial {trial + 1}", true);
                }
            }
        }
        return new Outcome(trained, skipped, search.Trained, spec.Tuning is null ? null : choices, legacy, search.Legacy, retrained + search.Retrained);
    }

    /// <summary>
    /// A legacy record (no fingerprint) is matched by seed and hyperparameters, as before fingerprints; what its JSON does record
    /// of the settings the command line sets (learning rate, batch size, epochs, patience, hidden sizes, embedding size) must
    /// agree too, so another --lr or --hidden is refused rather than silently reused.
    /// </summary>
    static void LegacyCheck(string where, TrialRecord record, TrainerConfig trainer, RunFingerprint fingerprint)
    {
        var differences = new List<string>();
        void Compare(string what, System.Text.Json.Nodes.JsonNode? recorded, string? now)
        {
            if (recorded is null || now is null) return;
            var before = recorded is System.Text.Json.Nodes.JsonArray a ? string.Join(",", a.Select(x => x?.ToJsonString())) : recorded.ToJsonString().Trim('"');
            if (before != now) differences.Add($"{what}: recorded {before}, now {now}");
        }
        var t = record.Configuration?["trainer"];
        string Num(double x) => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        Compare("lr (--lr)", t?["LearningRate"], Num(trainer.LearningRate));
        Compare("batch size (--batch-size)", t?["BatchSize"], trainer.BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Compare("epochs (--epochs)", t?["MaxEpochs"], trainer.MaxEpochs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Compare("patience (--patience)", t?["Patience"], trainer.Patience.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var m = record.Configuration?["modelConfig"];
        Compare("hidden sizes (--hidden)", m?["HiddenSizes"], fingerprint.Description.GetValueOrDefault("model.config.HiddenSizes")?.Trim('[', ']'));
        Compare("embedding size (--embedding-dim)", m?["EmbeddingDim"], fingerprint.Description.GetValueOrDefault("model.config.EmbeddingDim"));
        if (differences.Count > 0)
            throw new ResumeConflictException($"{where} is a legacy record trained with other settings, so it cannot be reused: {string.Join("; ", differences)}. " +
                                              "Give the experiment another name (--name), or use another results folder (--runs).");
    }

    /// <summary>Test rows whose generated cores are compared (N x N cosine similarities) in every DPG / MI-DPG trial.</summary>
    public const int SeparationRows = 2000;

    /// <summary>
    /// The scenario separation of a trained DPG / MI-DPG model's generated cores (WeightingMatrixInspection.ScenarioSeparation):
    /// on the first <paramref name="rows"/> test rows, the centred cosine similarity of the flattened cores averaged over pairs of
    /// samples of the same scenario (within) and of different scenarios (between), per modulated layer ("core_within_l1", ...,
    /// "core_gap_l1" = within − between) and the gap averaged over the layers ("core_gap").
    /// </summary>
    public static IEnumerable<(string Metric, double Value)> CoreSeparation(DpgModel model, EncodedDataset test, int rows)
    {
        var sample = test.Select(Enumerable.Range(0, Math.Min(rows, test.Rows)).ToArray());
        if (sample.Rows < 2) return [];
        using var scope = NewDisposeScope();
        var batch = new BatchIterator(sample, new BatchOptions { BatchSize = sample.Rows, Shuffle = false }).Epoch(0).First();
        using var inspection = WeightingMatrixInspector.Inspect(model, ModelData.Input(batch), batch.Label);
        var separations = inspection.Layers.Select(l => inspection.ScenarioSeparation(l.Layer)).ToList();
        var result = new List<(string, double)>();
        foreach (var s in separations)
        {
            result.Add(($"core_within_l{s.Layer}", s.Within));
            result.Add(($"core_between_l{s.Layer}", s.Between));
            result.Add(($"core_gap_l{s.Layer}", s.Gap));
        }
        result.Add(("core_gap", separations.Count == 0 ? double.NaN : separations.Average(s => s.Gap)));
        return result;
    }

    List<ResultRow> RunTrial(ExperimentSpec spec, ExperimentData data, string name, int trial, int seed,
        (ModelSettings Settings, TrainerConfig Trainer, string Key) chosen, CancellationToken cancellationToken, out object configuration)
    {
        manual_seed(seed);
        var features = ModelData.Features(data.Train);
        using var model = factory(name, features, chosen.Settings, spec.Device);
        // Data-parallel shards (TrainerConfig.Shards) for every model whose loss allows them; the others (STAR) train unsharded.
        var shards = model.ShardingObstacle is null ? chosen.Trainer.Shards : 1;
        var trainer = new Trainer(chosen.Trainer with { Seed = seed, Device = spec.Device ?? chosen.Trainer.Device, Shards = shards });
        var result = trainer.Fit(model, data.Train, data.Valid, Reporter?.Invoke(data.Name, name, trial), cancellationToken);
        var test = Evaluation.Evaluate(model, data.Test, chosen.Trainer.EvaluationBatchSize);

        var rows = new List<ResultRow>();
        void Add(string scenario, string metric, double value) =>
            rows.Add(new ResultRow(spec.Name, name, data.Name, trial, seed, scenario, metric, value));
        Add("all", "auc", test.Auc);
        Add("all", "logloss", test.LogLoss);
        foreach (var s in test.Scenarios)
        {
            // A scenario whose test part holds one class has no AUC: recorded as NaN with its counts, never a made-up 0.5.
            Add(s.Scenario, "auc", s.Auc);
            Add(s.Scenario, "logloss", s.LogLoss);
            Add(s.Scenario, "n", s.N);
            Add(s.Scenario, "positives", s.Positives);
        }
        // DPG / MI-DPG: how far the generated cores separate the scenarios (notebook 03's measure), on the first test rows.
        if (model is DpgModel dpg)
            foreach (var (metric, value) in CoreSeparation(dpg, data.Test, SeparationRows)) Add("all", metric, value);
        var parameters = ModelRegistry.ParameterCounts(model);
        Add("all", "params", parameters.TryGetValue("total", out var total) ? total : parameters.Values.Sum());
        foreach (var (component, count) in parameters.Where(p => p.Key != "total")) Add("all", "params_" + component, count);
        Add("all", "best_epoch", result.BestEpoch);
        Add("all", "epochs", result.History.Epochs.Count);
        Add("all", "valid_auc", result.BestValidAuc);
        Add("all", "train_seconds", result.Seconds);
        configuration = new
        {
            experiment = spec.Name, model = name, kind = model.Kind, dataset = data.Name, data = data.Description,
            trial, seed, hyperparameters = chosen.Key, tuning = spec.Tuning?.ToString(),
            trainer = chosen.Trainer with { Seed = seed, Device = null, Shards = shards }, modelConfig = (object)model.Config,
            stop = result.StopReason, test_rows = data.Test.Rows,
        };
        return rows;
    }
}

/// <summary>How far an experiment run is: <see cref="Done"/> of <see cref="Total"/> trainings (tuning candidates and trials,
/// including those read back from the store), the time since it started and an estimate of the time left (null before the
/// first training has run).</summary>
public sealed record ExperimentProgress(int Done, int Total, TimeSpan Elapsed, TimeSpan? Left, string Last)
{
    static string Clock(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t:mm\\:ss}" : $"{t:mm\\:ss}";

    public override string ToString() =>
        $"training {Done} of {Total} done ({Last}); {Clock(Elapsed)} elapsed" + (Left is { } left ? $", about {Clock(left)} left" : "");
}
