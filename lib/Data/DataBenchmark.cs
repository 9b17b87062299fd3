using System.Diagnostics;

namespace MiDpg.Research.Data;

/// <summary>Result of <see cref="DataBenchmark.Run"/>.</summary>
public sealed record DataBenchmarkResult(
    int Rows, long FileBytes, double GenerateSeconds, double WriteSeconds, double ReadEncodeSeconds,
    double RowsPerSecond, double PeakWorkingSetMB, double ManagedHeapAfterMB, double TotalAllocatedMB, int Gen2Collections, string File, LoadTimings? Steps)
{
    public override string ToString() =>
        $"rows {Rows:N0}, file {FileBytes / 1e6:F1} MB: generate {GenerateSeconds:F2} s, write CSV {WriteSeconds:F2} s, " +
        $"read+encode {ReadEncodeSeconds:F2} s ({RowsPerSecond:N0} rows/s); peak working set {PeakWorkingSetMB:F0} MB, " +
        $"managed heap after {ManagedHeapAfterMB:F0} MB, allocated during read {TotalAllocatedMB:F0} MB, gen2 GCs {Gen2Collections} [{Steps}]";
}

/// <summary>
/// The data-layer benchmark (not a timed test): generate a synthetic CSV of <c>rows</c> rows (Amazon
/// size by default), then read, split and encode it with the streaming loader, reporting rows/s and
/// memory. Target on the 2-core development machine: under 10 s and under 1 GB for 1.3 M rows.
/// </summary>
public static class DataBenchmark
{
    public static DataBenchmarkResult Run(int rows = AmazonElectronics.PublishedRows, string? folder = null, bool keepFile = false)
    {
        folder ??= Directory.CreateTempSubdirectory("midpg-bench-").FullName;
        string path = Path.Combine(folder, $"synthetic_{rows}.csv");
        var sw = Stopwatch.StartNew();
        var synthetic = SyntheticScenarios.Generate(new SyntheticConfig { Rows = rows, Seed = 1 });
        double generate = sw.Elapsed.TotalSeconds;
        sw.Restart();
        synthetic.WriteCsv(path);
        double write = sw.Elapsed.TotalSeconds;
        synthetic = null;
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();

        long allocatedBefore = GC.GetTotalAllocatedBytes(true);
        int gen2Before = GC.CollectionCount(2);
        sw.Restart();
        var loaded = DatasetLoader.Load(SyntheticScenarios.Schema, SplitRule.Random(0.8, 0.1, seed: 0), new DataFile(path));
        double read = sw.Elapsed.TotalSeconds;
        if (loaded.All.Rows != rows) throw new InvalidOperationException($"Benchmark read {loaded.All.Rows} rows, expected {rows}.");
        long allocated = GC.GetTotalAllocatedBytes(true) - allocatedBefore;
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var result = new DataBenchmarkResult(rows, new FileInfo(path).Length, generate, write, read, rows / read,
            process.PeakWorkingSet64 / 1e6, GC.GetTotalMemory(false) / 1e6, allocated / 1e6, GC.CollectionCount(2) - gen2Before, path, loaded.Timings);
        GC.KeepAlive(loaded);
        if (!keepFile) File.Delete(path);
        return result;
    }
}
