using System.Diagnostics;
using MiDpg.Research.Data;
using MiDpg.Research.Models;
using MiDpg.Research.Platform;
using TorchSharp;
using static TorchSharp.torch;

namespace MiDpg.Research.Training;

/// <summary>What a training run produced: the history, the best epoch and why training stopped.</summary>
public sealed record TrainingResult(string Model, TrainingHistory History, int BestEpoch, double BestValidAuc,
    string StopReason, double Seconds, long Steps);

/// <summary>
/// The one training loop of the library (STYLE.md: models define structure and forward; the trainer
/// owns optimiser, early stopping, metrics and reporting). Paper section 3.3: Adam (lr 1e-3), mini-batch
/// 512, early stopping on validation AUC with patience; the best epoch's weights (parameters and buffers,
/// e.g. STAR's running statistics) are restored at the end. The optimiser is <see cref="LazyAdam"/>:
/// torch.optim.Adam for dense gradients, lazy (SparseAdam-style) updates of the embedding rows a batch used
/// unless <see cref="TrainerConfig.EmbeddingUpdate"/> asks for dense Adam. Each step runs in its own
/// dispose scope, so no tensor outlives its batch; the C allocator is told to keep freed blocks for reuse
/// (<see cref="NativeAllocator"/>), so the step's large intermediates do not cost page faults every step.
/// With <see cref="TrainerConfig.Shards"/> &gt; 1 each step runs data-parallel (<see cref="DataParallelStep"/>): the
/// batch's row shards go forward and backward on their own threads and the optimiser's dense and sparse updates run
/// side by side.
/// </summary>
public sealed class Trainer(TrainerConfig config)
{
    public TrainerConfig Config { get; } = config.Validated();

    /// <summary>Trains <paramref name="model"/> on <paramref name="train"/>, early-stopping on <paramref name="valid"/>.
    /// <paramref name="cancellationToken"/> is checked before every step: a cancelled training stops within one step with
    /// <see cref="OperationCanceledException"/> (the model keeps its last weights).</summary>
    public TrainingResult Fit(ScenarioModel model, EncodedDataset train, EncodedDataset valid, ITrainingReporter? reporter = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (train.Rows == 0) throw new ArgumentException("The training split is empty.", nameof(train));
        if (valid.Rows == 0) throw new ArgumentException("The validation split is empty: early stopping needs one.", nameof(valid));
        if (Config.Shards > 1 && model.ShardingObstacle is { } obstacle)
            throw new ArgumentException($"TrainerConfig.Shards = {Config.Shards}, but {model.Kind} cannot be trained in shards: {obstacle}. Use Shards = 1.", nameof(model));
        var totalThreads = Config.Threads ?? get_num_threads();
        var stepThreads = Config.Shards > 1 ? Math.Max(1, totalThreads / Config.Shards) : totalThreads;
        if (Config.Threads is not null || Config.Shards > 1) set_num_threads(stepThreads);
        NativeAllocator.KeepFreedMemoryForReuse();
        var device = Config.Device ?? model.Device;
        model.to(device);
        manual_seed(Config.Seed);

        var iterator = new BatchIterator(train, new BatchOptions { BatchSize = Config.BatchSize, Shuffle = true, Seed = Config.Seed, Device = device });
        using var optimizer = new LazyAdam(model.parameters(), Config.LearningRate, weightDecay: Config.WeightDecay, sparseUpdate: Config.EmbeddingUpdate);
        using var parallel = Config.Shards > 1 ? new DataParallelStep(Config.Shards, stepThreads) : null;
        var trainable = model.parameters().Where(p => p.requires_grad).ToArray();
        var history = new TrainingHistory();
        var total = Stopwatch.StartNew();
        reporter?.OnStart(model.Kind, Config.MaxEpochs, iterator.BatchesPerEpoch);

        Dictionary<string, Tensor>? best = null;
        double bestAuc = double.NegativeInfinity;
        int bestEpoch = 0, sinceBest = 0;
        long globalStep = 0;
        string stopReason = $"reached MaxEpochs = {Config.MaxEpochs}";
        try
        {
            for (int epoch = 1; epoch <= Config.MaxEpochs; epoch++)
            {
                model.train();
                TrainingHooks.BeforeEpoch(model, epoch - 1);
                var sums = new Dictionary<string, double>();
                int steps = 0, seen = 0;
                var clock = Stopwatch.StartNew();
                foreach (var batch in iterator.Epoch(epoch - 1))
                {
                    if (cancellationToken.IsCancellationRequested) { batch.Dispose(); cancellationToken.ThrowIfCancellationRequested(); }
                    using var scope = NewDisposeScope();
                    using (batch)
                    {
                        optimizer.zero_grad();
                        ModelOutput? output = null;
                        IReadOnlyDictionary<string, float> terms;
                        if (parallel is null)
                        {
                            output = model.Loss(ModelData.Input(batch), batch.Label);
                            terms = output.Terms;
                        }
                        else terms = parallel.Run(model, ModelData.Input(batch), batch.Label, trainable);   // gradients already in .grad
                        globalStep++;
                        steps++;
                        seen += batch.Size;
                        foreach (var (term, value) in terms)
                        {
                            if (!float.IsFinite(value))
                                throw new TrainingDivergedException(
                                    $"{model.Kind}: loss term '{term}' became {value} at epoch {epoch}, step {steps} (global step {globalStep}); " +
                                    $"terms: {string.Join(", ", terms.Select(t => $"{t.Key} = {t.Value}"))}. " +
                                    "Lower the learning rate or check the input data.",
                                    epoch, globalStep, terms);
                            sums[term] = sums.GetValueOrDefault(term) + value;
                        }
                        output?.Total.backward();
                        optimizer.step(parallel is null ? null : parallel.RunConcurrently);
                        TrainingHooks.AfterStep(model, globalStep);
                        if (reporter is not null && (steps % Config.ReportEverySteps == 0 || steps == iterator.BatchesPerEpoch))
                            reporter.OnStep(new StepProgress(epoch, steps, iterator.BatchesPerEpoch, terms));
                    }
                }
                clock.Stop();

                if (stepThreads != totalThreads) set_num_threads(totalThreads);     // evaluation: one pass, every thread
                var evaluation = Evaluation.Evaluate(model, valid, Config.EvaluationBatchSize, device);
                if (stepThreads != totalThreads) set_num_threads(stepThreads);
                var means = sums.ToDictionary(kv => kv.Key, kv => kv.Value / Math.Max(1, steps));
                var record = new EpochRecord(epoch, means.GetValueOrDefault("total"), means, evaluation.Auc, evaluation.LogLoss,
                    clock.Elapsed.TotalSeconds, seen / Math.Max(1e-9, clock.Elapsed.TotalSeconds));
                history.Add(record);
                bool improved = evaluation.Auc > bestAuc + Config.MinDelta || best is null;
                if (improved)
                {
                    bestAuc = evaluation.Auc;
                    bestEpoch = epoch;
                    sinceBest = 0;
                    Replace(ref best, Snapshot(model));
                }
                else sinceBest++;
                reporter?.OnEpoch(record, improved);
                if (sinceBest >= Config.Patience)
                {
                    stopReason = $"early stop: no validation-AUC gain for {Config.Patience} epoch(s) after epoch {bestEpoch}";
                    break;
                }
            }
            if (best is not null) Restore(model, best);
        }
        finally
        {
            if (best is not null) foreach (var t in best.Values) t.Dispose();
            if (stepThreads != totalThreads) set_num_threads(totalThreads);     // what comes after training gets every thread
        }
        var result = new TrainingResult(model.Kind, history, bestEpoch, bestAuc, stopReason, total.Elapsed.TotalSeconds, globalStep);
        reporter?.OnEnd(result);
        return result;
    }

    static void Replace(ref Dictionary<string, Tensor>? slot, Dictionary<string, Tensor> value)
    {
        if (slot is not null) foreach (var t in slot.Values) t.Dispose();
        slot = value;
    }

    /// <summary>A detached copy of every parameter and buffer.</summary>
    static Dictionary<string, Tensor> Snapshot(nn.Module model)
    {
        using var _ = no_grad();
        return model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().MoveToOuterDisposeScope());
    }

    static void Restore(nn.Module model, Dictionary<string, Tensor> state)
    {
        using var _ = no_grad();
        var current = model.state_dict();
        foreach (var (name, value) in state) current[name].copy_(value);
    }
}
