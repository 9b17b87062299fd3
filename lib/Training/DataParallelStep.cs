// Data-parallel training steps on the cores of one machine (TrainerConfig.Shards > 1).
// A mini-batch of B rows is cut into K shards of consecutive rows. Every model's loss is a mean over rows plus
// row-independent terms, so L(batch) = sum_k (n_k / B) L(shard k) (ScenarioModel.ShardLoss; MI-DPG's negative pairs
// reach across shards through the batch permutation drawn once beforehand), and the batch gradient is the sum of the
// shards' gradients. Each shard runs forward and backward on its own thread with few intra-op threads; the gradients
// are taken with autograd.grad (nothing accumulates concurrently into .grad) and summed in shard order on the calling
// thread, so a seeded run is reproducible and equals the unsharded step up to floating-point summation order.
// Why: on a small CPU, one libtorch op on a 512-row batch is too small to split well across threads (two intra-op
// threads are often slower than one), while two halves of the batch on two threads keep both cores busy.
using System.Runtime.ExceptionServices;
using MiDpg.Research.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MiDpg.Research.Training;

/// <summary>Runs one training step's forward and backward in <see cref="Shards"/> row shards on as many threads and
/// leaves the summed gradient in every parameter's <c>.grad</c>.</summary>
public sealed class DataParallelStep : IDisposable
{
    private readonly Worker[] workers;                  // shard k >= 1 runs on workers[k - 1]; shard 0 on the caller
    private readonly CountdownEvent done;
    private readonly ShardResult[] results;
    private readonly int intraOpThreads;
    private Action<int>? work;
    private volatile bool stopping;

    /// <summary>Shards per step (threads used, the caller's included).</summary>
    public int Shards { get; }

    private sealed class ShardResult
    {
        public IReadOnlyDictionary<string, float>? Terms;
        public Tensor?[]? Gradients;
        public ExceptionDispatchInfo? Error;
    }

    // One worker thread and the semaphore the caller releases to hand it a task.
    private sealed class Worker
    {
        public Thread? Thread;
        public readonly SemaphoreSlim Go = new(0);
    }

    /// <param name="shards">Shards per step (>= 2).</param>
    /// <param name="intraOpThreads">torch intra-op threads of each shard thread.</param>
    public DataParallelStep(int shards, int intraOpThreads = 1)
    {
        if (shards < 2) throw new ArgumentOutOfRangeException(nameof(shards), shards, "a data-parallel step needs at least 2 shards");
        if (intraOpThreads < 1) throw new ArgumentOutOfRangeException(nameof(intraOpThreads), intraOpThreads, "must be >= 1");
        Shards = shards;
        this.intraOpThreads = intraOpThreads;
        results = Enumerable.Range(0, shards).Select(_ => new ShardResult()).ToArray();
        done = new CountdownEvent(shards - 1);
        workers = Enumerable.Range(1, shards - 1).Select(_ => new Worker()).ToArray();
        for (var k = 1; k < shards; k++)
        {
            var index = k;
            workers[k - 1].Thread = new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = $"{nameof(DataParallelStep)} shard {k}" };
            workers[k - 1].Thread!.Start();
        }
    }

    private void WorkerLoop(int shard)
    {
        set_num_threads(intraOpThreads);
        var me = workers[shard - 1];
        while (true)
        {
            me.Go.Wait();
            if (stopping) return;
            try { work!(shard); }
            finally { done.Signal(); }
        }
    }

    private void Post()
    {
        done.Reset(Shards - 1);
        foreach (var w in workers) w.Go.Release();
    }

    /// <summary>Runs <paramref name="here"/> on the calling thread and <paramref name="there"/> on the first worker at
    /// the same time (no_grad in both, each in its own dispose scope); returns when both are done. The optimiser uses it
    /// to update dense and sparse parameters side by side.</summary>
    public void RunConcurrently(Action here, Action there)
    {
        ExceptionDispatchInfo? error = null;
        work = k =>
        {
            if (k != 1) return;
            try
            {
                using var _ = no_grad();
                using var scope = NewDisposeScope();
                there();
            }
            catch (Exception e) { error = ExceptionDispatchInfo.Capture(e); }
        };
        Post();
        try
        {
            using var scope = NewDisposeScope();
            here();
        }
        finally
        {
            done.Wait();
            work = null;
        }
        error?.Throw();
    }

    /// <summary>
    /// Forward and backward of <paramref name="input"/> in shards; afterwards each parameter's <c>.grad</c> holds the sum
    /// of the shards' gradients (the batch gradient; none for a parameter no shard reached). Returns the batch's logged
    /// loss terms (the shards' weighted terms added up).
    /// </summary>
    public IReadOnlyDictionary<string, float> Run(ScenarioModel model, ModelInput input, Tensor labels, IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.ShardingObstacle is { } why)
            throw new InvalidOperationException($"{model.Kind} cannot be trained in shards (TrainerConfig.Shards = {Shards}): {why}. Use Shards = 1.");
        var batch = input.BatchSize;
        var shards = (int)Math.Min(Shards, batch);
        var bounds = Enumerable.Range(0, shards + 1).Select(k => k * batch / shards).ToArray();
        var batchState = model.PrepareBatch(input);
        var inputs = parameters.Select(p => (Tensor)p).ToArray();
        work = k =>
        {
            var slot = results[k];
            try
            {
                if (k >= shards) return;
                using var scope = NewDisposeScope();
                var output = model.ShardLoss(input, labels, bounds[k], bounds[k + 1] - bounds[k], batchState);
                slot.Terms = output.Terms;
                var grads = torch.autograd.grad([output.Total], inputs, allow_unused: true);
                slot.Gradients = grads.Select(g => g is null || g.IsInvalid ? null : g.DetachFromDisposeScope()).ToArray();
            }
            catch (Exception e) { slot.Error = ExceptionDispatchInfo.Capture(e); }
        };
        Post();
        work(0);
        done.Wait();
        work = null;

        try
        {
            foreach (var r in results) r.Error?.Throw();
            var terms = new Dictionary<string, float>();
            for (var k = 0; k < shards; k++)
                foreach (var (name, value) in results[k].Terms!)
                    terms[name] = terms.GetValueOrDefault(name) + value;
            using var _ = no_grad();
            for (var i = 0; i < inputs.Length; i++)
            {
                Tensor? sum = null;
                for (var k = 0; k < shards; k++)
                {
                    var g = results[k].Gradients![i];
                    if (g is null) continue;
                    if (sum is null) sum = g;
                    else if (sum.is_sparse || g.is_sparse) { var next = sum.add(g); sum.Dispose(); g.Dispose(); sum = next; }
                    else { sum.add_(g); g.Dispose(); }
                    results[k].Gradients![i] = null;
                }
                if (sum is null) continue;
                parameters[i].grad = sum;
                sum.Dispose();
            }
            return terms;
        }
        finally
        {
            foreach (var r in results)
            {
                if (r.Gradients is not null) foreach (var g in r.Gradients) g?.Dispose();
                r.Gradients = null;
                r.Terms = null;
                r.Error = null;
            }
        }
    }

    public void Dispose()
    {
        stopping = true;
        work = null;
        Post();
        foreach (var w in workers) w.Thread!.Join();
        foreach (var w in workers) w.Go.Dispose();
        done.Dispose();
    }
}
