using MiDpg.Research.Models;
using static TorchSharp.torch;

namespace MiDpg.Research.Training.Experiments;

/// <summary>
/// Runs an <see cref="ExperimentSpec"/>: for every dataset, trial and model, trains with the
/// <see cref="Trainer"/>, evaluates on the test split (overall and per scenario) and records the numbers in
/// the <see cref="ResultsStore"/>. Trials already recorded are skipped, so an interrupted sweep resumes.
/// </summary>
public sealed class ExperimentRunner(ResultsStore store, ModelFactory factory, TextWriter? log = null)
{
    /// <summary>Builds a progress reporter per (dataset, model, trial); null = none.</summary>
    public Func<string, string, int, ITrainingReporter?>? Reporter { get; init; }

    public sealed record Outcome(int Trained, int Skipped);

    public Outcome Run(ExperimentSpec spec)
    {
        spec = spec.Validated();
        int trained = 0, skipped = 0;
        foreach (var source in spec.Datasets)
        {
            ExperimentData? data = null;
            for (int trial = 0; trial < spec.Seeds.Count; trial++)
            {
                int seed = spec.Seeds[trial];
                foreach (var name in spec.Models)
                {
                    if (store.Has(spec.Name, source.Name, name, trial))
                    {
                        // A trial is resumed only if it is the same trial: same index and same seed.
                        var recorded = store.RecordedSeed(spec.Name, source.Name, name, trial);
                        if (recorded != seed)
                            throw new InvalidOperationException(
                                $"[{spec.Name}] {source.Name} / {name} / trial {trial} is recorded with seed {recorded}, but this run asks for seed {seed} " +
                                $"as trial {trial}. List the seeds in the recorded order (after the recorded ones), or give the experiment another name.");
                        skipped++;
                        log?.WriteLine($"[{spec.Name}] {source.Name} / {name} / trial {trial}: recorded, skipped");
                        continue;
                    }
                    data ??= source.Load();
                    var rows = RunTrial(spec, data, name, trial, seed, out var configuration);
                    store.Write(rows, configuration);
                    trained++;
                    var auc = rows.First(r => r.Scenario == "all" && r.Metric == "auc").Value;
                    log?.WriteLine($"[{spec.Name}] {source.Name} / {name} / trial {trial} (seed {seed}): test AUC {auc:F4}");
                }
            }
        }
        return new Outcome(trained, skipped);
    }

    List<ResultRow> RunTrial(ExperimentSpec spec, ExperimentData data, string name, int trial, int seed, out object configuration)
    {
        manual_seed(seed);
        var features = ModelData.Features(data.Train);
        using var model = factory(name, features, spec.Settings, spec.Device);
        // Data-parallel shards (TrainerConfig.Shards) for every model whose loss allows them; the others (STAR) train unsharded.
        var shards = model.ShardingObstacle is null ? spec.Trainer.Shards : 1;
        var trainer = new Trainer(spec.Trainer with { Seed = seed, Device = spec.Device ?? spec.Trainer.Device, Shards = shards });
        var result = trainer.Fit(model, data.Train, data.Valid, Reporter?.Invoke(data.Name, name, trial));
        var test = Evaluation.Evaluate(model, data.Test, spec.Trainer.EvaluationBatchSize);

        var rows = new List<ResultRow>();
        void Add(string scenario, string metric, double value) =>
            rows.Add(new ResultRow(spec.Name, name, data.Name, trial, seed, scenario, metric, value));
        Add("all", "auc", test.Auc);
        Add("all", "logloss", test.LogLoss);
        foreach (var s in test.Scenarios)
        {
            Add(s.Scenario, "auc", s.Auc);
            Add(s.Scenario, "logloss", s.LogLoss);
        }
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
            trial, seed, trainer = spec.Trainer with { Seed = seed, Device = null, Shards = shards }, modelConfig = (object)model.Config,
            stop = result.StopReason,
        };
        return rows;
    }
}
