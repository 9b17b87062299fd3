using System.Diagnostics;
using MiDpg.Research.Data;
using MiDpg.Research.Models;
using static TorchSharp.torch;

namespace MiDpg.Research.Training.Benchmarks;

/// <summary>Median milliseconds per training step of one part of the work (forward and backward where both apply).</summary>
/// <param name="CpuMs">Process CPU milliseconds of forward and backward (all threads; with one thread it
/// shows the work itself, less disturbed than wall time by other processes on the machine).</param>
public sealed record ProfileLine(string Part, double ForwardMs, double BackwardMs, double CpuMs = double.NaN)
{
    public double TotalMs => ForwardMs + BackwardMs;
}

/// <summary>Where one training step's time goes: the phases of the trainer's step, then each component of the
/// model timed alone on the same batch.</summary>
public sealed record StepProfileResult(string Model, int Threads, int Steps, int BatchSize, IReadOnlyList<ProfileLine> Phases, IReadOnlyList<ProfileLine> Components)
{
    public string ToText()
    {
        var lines = new List<string> { $"profile {Model}, {Threads} thread(s), median of {Steps} steps (ms per step of {BatchSize} rows)" };
        lines.Add("  step phases:");
        lines.AddRange(Phases.Select(p => $"    {p.Part,-36} {p.TotalMs,8:F2}"));
        lines.Add($"    {"sum",-36} {Phases.Sum(p => p.TotalMs),8:F2}");
        if (Components.Count > 0)
        {
            lines.Add("  components alone (wall forward / backward / both, process CPU both):");
            lines.AddRange(Components.Select(p => $"    {p.Part,-36} {p.ForwardMs,8:F2} {p.BackwardMs,8:F2} {p.TotalMs,8:F2} {p.CpuMs,8:F2}"));
        }
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>
/// A step profile of the throughput-v1 workload: the trainer's step cut into batch assembly, forward and loss,
/// backward, optimiser step (timed after warm-up steps, CPU work is synchronous so wall times are exact);
/// for DPG / MI-DPG also each component alone (embedding lookup, each DWM layer, the MIR, the head),
/// forward and backward, on inputs captured from a real step. Components overlap a little with autograd
/// bookkeeping, so their sum is close to, not equal to, forward + backward. A small batch size shows the fixed
/// cost per step (kernel launches, autograd bookkeeping, interop), independent of the rows.
/// </summary>
public static class StepProfile
{
    public static StepProfileResult Run(string model, EncodedDataset data, int threads, int steps = 60, int warmup = 10,
        AdamUpdate embeddingUpdate = AdamUpdate.Lazy, int batchSize = 512, bool fusedKernel = true)
    {
        set_num_threads(threads);
        Platform.NativeAllocator.KeepFreedMemoryForReuse();
        manual_seed(0);
        using var net = ModelRegistry.Create(ThroughputWorkload.Config(model), ModelData.Features(data));
        ThroughputWorkload.UseFusedKernel(net, fusedKernel);
        net.train();
        using var optimizer = new LazyAdam(net.parameters(), 1e-3, sparseUpdate: embeddingUpdate);
        var iterator = new BatchIterator(data, new BatchOptions { BatchSize = batchSize, Shuffle = true, Seed = 0 });
        List<double> batchMs = [], forwardMs = [], backwardMs = [], optimiserMs = [];
        int timed = 0;
        var clock = new Stopwatch();
        using var batches = iterator.Epoch(0).GetEnumerator();
        for (int s = 0; s < warmup + steps; s++)
        {
            using var scope = NewDisposeScope();
            clock.Restart();
            if (!batches.MoveNext()) break;
            using var batch = batches.Current;
            var t0 = clock.Elapsed.TotalMilliseconds;
            optimizer.zero_grad();
            var output = net.Loss(ModelData.Input(batch), batch.Label);
            var t1 = clock.Elapsed.TotalMilliseconds;
            output.Total.backward();
            var t2 = clock.Elapsed.TotalMilliseconds;
            optimizer.step();
            var t3 = clock.Elapsed.TotalMilliseconds;
            if (s < warmup) continue;
            batchMs.Add(t0); forwardMs.Add(t1 - t0); backwardMs.Add(t2 - t1); optimiserMs.Add(t3 - t2);
            timed++;
        }
        var phases = new List<ProfileLine>
        {
            new("batch assembly", Median(batchMs), 0), new("forward + loss", Median(forwardMs), 0),
            new("backward", Median(backwardMs), 0), new("optimiser step", Median(optimiserMs), 0),
        };
        var components = net is DpgModel dpg ? Components(dpg, iterator, steps) : [];
        return new StepProfileResult(model, threads, timed, batchSize, phases, components);
    }

    /// <summary>Each DPG component alone: forward, then backward of sum(output * random upstream gradient).</summary>
    static IReadOnlyList<ProfileLine> Components(DpgModel model, BatchIterator iterator, int repeats)
    {
        using var scope = NewDisposeScope();
        using var batch = iterator.Epoch(1).First();
        var input = ModelData.Input(batch);
        // Inputs of each component, captured from one forward pass and detached into leaves.
        var run = model.Run(input);
        var eAw = run.Embeddings.Aware.detach().requires_grad_();
        var hs = new List<Tensor>();
        {
            var h = run.Embeddings.BackboneInput(input.Numeric).detach();
            foreach (var layer in model.WeightingLayers)
            {
                hs.Add(h.requires_grad_());
                h = nn.functional.relu(layer.Compute(h, eAw).Output).detach();
            }
        }
        var cores = run.Cores.Select(c => c.detach().requires_grad_()).ToList();
        var lines = new List<ProfileLine>
        {
            Time("embedding lookup", repeats, () => model.Embedding.call(input.Categorical).Fields),
        };
        for (int l = 0; l < hs.Count; l++)
        {
            var layer = model.WeightingLayers[l];
            var h = hs[l];
            var g = layer.Geometry;
            lines.Add(Time($"DWM layer {g.Layer} ({g.Dm}->{g.Dn}) generate", repeats, () => layer.Generate(h, eAw)));
            lines.Add(Time($"DWM layer {g.Layer} ({g.Dm}->{g.Dn}) apply", repeats, () => layer.Apply(h, cores[l])));
        }
        if (model.Mir is { } mir) lines.Add(Time("MIR (all layers)", repeats, () => mir.call(eAw, cores).Loss));
        return lines;
    }

    static ProfileLine Time(string part, int repeats, Func<Tensor> forward)
    {
        List<double> f = [], b = [];
        var clock = new Stopwatch();
        using var process = Process.GetCurrentProcess();
        double cpu = 0;
        for (int r = 0; r < repeats + 3; r++)
        {
            if (r == 3) { process.Refresh(); cpu = process.TotalProcessorTime.TotalMilliseconds; }
            using var scope = NewDisposeScope();
            clock.Restart();
            var y = forward();
            var t0 = clock.Elapsed.TotalMilliseconds;
            var upstream = randn_like(y);
            var t1 = clock.Elapsed.TotalMilliseconds;
            y.backward([upstream]);
            var t2 = clock.Elapsed.TotalMilliseconds;
            if (r < 3) continue;
            f.Add(t0); b.Add(t2 - t1);
        }
        process.Refresh();
        return new ProfileLine(part, Median(f), Median(b), (process.TotalProcessorTime.TotalMilliseconds - cpu) / repeats);
    }

    /// <summary>Medians, not means: on a shared machine a few slow steps would dominate a mean.</summary>
    static double Median(List<double> values)
    {
        if (values.Count == 0) return 0;
        values.Sort();
        var m = values.Count / 2;
        return values.Count % 2 == 1 ? values[m] : (values[m - 1] + values[m]) / 2;
    }
}
