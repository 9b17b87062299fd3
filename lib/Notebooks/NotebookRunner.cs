using System.Diagnostics;
using MiDpg.Research.Platform;

namespace MiDpg.Research.Notebooks;

/// <summary>
/// Executes notebooks top to bottom through the real .NET Interactive Jupyter kernel, with
/// Jupyter's own nbclient (environment/run_notebooks.py), as "Run all" in Jupyter would.
/// </summary>
public static class NotebookRunner
{
    /// <summary>Environment variable the notebooks read: "1" selects quick mode (small data, few epochs).</summary>
    public const string QuickVariable = "MIDPG_QUICK";
    /// <summary>Environment variable the notebooks read: the folder figures are saved to.</summary>
    public const string OutputVariable = "MIDPG_OUTPUT";

    /// <summary>Default limit on one cell in quick mode, in seconds (full mode has none by default).</summary>
    public const int QuickCellTimeoutSeconds = 900;

    public sealed record Outcome(int ExitCode, string Output);

    /// <summary>The per-cell limit handed to the runner, in seconds (0 = no limit): the requested one, else 900 s in quick
    /// mode and no limit in full mode.</summary>
    public static int CellTimeout(bool quick, int? requested) => requested switch
    {
        null => quick ? QuickCellTimeoutSeconds : 0,
        < 0 => throw new ArgumentException($"the cell timeout must be >= 0 seconds (0 = no limit); got {requested}"),
        { } seconds => seconds,
    };

    /// <summary>All notebooks, in their numbered order.</summary>
    public static IReadOnlyList<string> All() =>
        Directory.GetFiles(RepositoryPaths.Notebooks, "*.ipynb").Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Runs the given notebooks; executed copies go to <paramref name="executedDir"/>, figures to
    /// <paramref name="figuresDir"/>. Each line of the runner's output is passed to <paramref name="onLine"/>.
    /// </summary>
    /// <param name="cellTimeoutSeconds">Longest time one cell may run, in seconds; 0 = no limit. null = 900 s in quick mode (a
    /// stuck cell fails the run) and no limit in full mode, whose training cells run for tens of minutes.</param>
    /// <param name="parameters">Overrides "NAME=EXPRESSION" of variables of the notebooks' parameters cells, injected as a
    /// cell after it (<see cref="NotebookParameters"/>); an <see cref="ArgumentException"/> names an unknown one before anything runs.</param>
    public static Outcome Run(IEnumerable<string> notebooks, string executedDir, string figuresDir, bool quick,
        Action<string>? onLine = null, int? cellTimeoutSeconds = null, IReadOnlyList<string>? parameters = null)
    {
        var timeout = CellTimeout(quick, cellTimeoutSeconds);
        var list = notebooks.Select(Path.GetFullPath).ToList();
        string? injectFile = null;
        if (parameters is { Count: > 0 })
        {
            var map = list.ToDictionary(n => n, n => NotebookParameters.Injection(n, parameters));
            injectFile = Path.Combine(Path.GetTempPath(), $"midpg-inject-{Guid.NewGuid():N}.json");
            File.WriteAllText(injectFile, System.Text.Json.JsonSerializer.Serialize(map));
        }
        var script = Path.Combine(RepositoryPaths.EnvironmentFolder, "run_notebooks.py");
        var info = new ProcessStartInfo(Python())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root(),
        };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add("--out");
        info.ArgumentList.Add(Path.GetFullPath(executedDir));
        info.ArgumentList.Add("--timeout");
        info.ArgumentList.Add(timeout.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (injectFile is not null) { info.ArgumentList.Add("--inject"); info.ArgumentList.Add(injectFile); }
        foreach (var notebook in list) info.ArgumentList.Add(notebook);
        info.Environment[QuickVariable] = quick ? "1" : "0";
        info.Environment[OutputVariable] = Path.GetFullPath(figuresDir);
        Directory.CreateDirectory(figuresDir);

        var output = new System.Text.StringBuilder();
        using var process = new Process { StartInfo = info };
        void Collect(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            onLine?.Invoke(e.Data);
        }
        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        if (injectFile is not null) File.Delete(injectFile);
        return new Outcome(process.ExitCode, output.ToString());
    }

    /// <summary>The Python that has nbclient: Debian's /usr/bin/python3 (installed by setup.sh), else python3 on PATH.</summary>
    public static string Python() =>
        Environment.GetEnvironmentVariable("MIDPG_PYTHON") is { Length: > 0 } p ? p
        : File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}
