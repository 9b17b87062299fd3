using System.Diagnostics;
using System.Text.Json.Nodes;
using MiDpg.Research.Platform;

namespace MiDpg.Research.Notebooks;

/// <summary>The two ways a user opens the notebooks that we support and test.</summary>
public enum KernelRoute
{
    /// <summary>VS Code's Polyglot Notebooks extension: the kernel it starts from the committed .vscode/settings.json, over stdio.</summary>
    VsCode,
    /// <summary>Jupyter (JupyterLab, VS Code's Jupyter extension): the <c>.net-csharp</c> kernelspec, over jupyter_client.</summary>
    Jupyter,
}

/// <summary>A cell the check submits, named for the report.</summary>
public sealed record KernelCheckCell(string Name, string Code);

/// <summary>What one route did with the check's cells: how the kernel was started and each cell's result.</summary>
public sealed record KernelCheckReport(KernelRoute Route, string Launch, IReadOnlyList<(KernelCheckCell Cell, KernelCellResult Result)> Cells)
{
    /// <summary>Everything that keeps a user from seeing the chart cleanly: failed or missing cells, no chart, warnings.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            var problems = new List<string>();
            foreach (var (cell, result) in Cells)
            {
                if (!result.Succeeded) problems.Add($"{cell.Name}: failed: {result.Error}");
                problems.AddRange(result.Warnings.Select(w => $"{cell.Name}: warning shown in the cell: {w.Trim()}"));
            }
            if (Cells.Count < KernelRouteCheck.CellNames.Count)
                problems.Add($"only {Cells.Count} of {KernelRouteCheck.CellNames.Count} cells ran");
            else if (!Cells[^1].Result.Outputs.Any(KernelRouteCheck.IsPlotlyChart))
                problems.Add($"{Cells[^1].Cell.Name}: no Plotly chart (text/html with plotly.js) came back; outputs: " +
                             string.Join(", ", Cells[^1].Result.Outputs.Select(o => $"{o.Kind} {o.MimeType}")));
            return problems;
        }
    }

    public bool Passed => Problems.Count == 0;
}

/// <summary>
/// Starts the kernel exactly as a supported route does, runs a notebook's preflight and loading cells and one chart
/// cell, and reports whether a chart came back without errors or warnings. Used by the tests and by
/// <c>dotnet run -c Release -- kernel-check</c>, so users can check their own machine.
/// </summary>
public static class KernelRouteCheck
{
    public static readonly IReadOnlyList<string> CellNames = ["preflight", "loading cell", "chart cell"];

    /// <summary>The cells: notebook 00's preflight and loading cells, verbatim, then a Plotly chart from the library.</summary>
    public static IReadOnlyList<KernelCheckCell> Cells()
    {
        var notebook = Path.Combine(RepositoryPaths.Notebooks, "00-setup.ipynb");
        var sources = JsonNode.Parse(File.ReadAllText(notebook))!["cells"]!.AsArray()
            .Where(c => (string?)c!["cell_type"] == "code")
            .Select(c => string.Concat(c!["source"]!.AsArray().Select(l => (string?)l)))
            .ToList();
        string Find(string marker) => sources.FirstOrDefault(s => s.Contains(marker, StringComparison.Ordinal))
            ?? throw new InvalidDataException($"{notebook}: no code cell contains {marker}.");
        return
        [
            new(CellNames[0], Find("#load \"preflight.csx\"")),
            new(CellNames[1], Find("#load \"midpg.csx\"")),
            new(CellNames[2], "MiDpg.Research.Plotting.Charts.Lines(\"Kernel check\", \"x\", \"y\", new double[] { 0, 1, 2 }, (\"x squared\", new double[] { 0, 1, 4 }))"),
        ];
    }

    /// <summary>A rendered Plotly chart: HTML that draws with plotly.js.</summary>
    public static bool IsPlotlyChart(KernelOutput output) =>
        output.MimeType == "text/html" && output.Text.Contains("Plotly.newPlot", StringComparison.Ordinal);

    /// <summary>
    /// The VS Code route: the kernel command line and folder from <c>.vscode/settings.json</c> with the placeholders
    /// replaced as the extension replaces them for <paramref name="notebook"/> (default notebooks/00-setup.ipynb),
    /// <c>{dotnet_path}</c> the <c>dotnet</c> on PATH and <c>{global_storage_path}</c> a fresh folder.
    /// </summary>
    public static KernelCheckReport VsCode(string? notebook = null, TimeSpan? cellTimeout = null, CancellationToken cancellationToken = default)
    {
        var settings = Path.Combine(RepositoryPaths.Root(), ".vscode", "settings.json");
        if (!File.Exists(settings)) throw new FileNotFoundException($"{settings} is missing: VS Code would start its own kernel.", settings);
        return VsCode(VsCodeKernelLaunch.FromSettings(settings), notebook, cellTimeout, cancellationToken);
    }

    /// <summary>The VS Code route with the given launch settings (e.g. the extension's defaults, to see what they do).</summary>
    public static KernelCheckReport VsCode(VsCodeKernelLaunch settings, string? notebook = null, TimeSpan? cellTimeout = null, CancellationToken cancellationToken = default)
    {
        notebook ??= Path.Combine(RepositoryPaths.Notebooks, "00-setup.ipynb");
        var storage = Directory.CreateTempSubdirectory("midpg-vscode-storage-").FullName;
        try
        {
            var start = settings.Resolve(notebook, "dotnet", storage);
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            var launch = $"{start.FileName} {string.Join(' ', start.ArgumentList.Select(Quote))} (in {start.WorkingDirectory})";
            var timeout = cellTimeout ?? TimeSpan.FromMinutes(5);
            using var client = StdioKernelClient.Start(start, timeout, cancellationToken);
            var results = new List<(KernelCheckCell, KernelCellResult)>();
            foreach (var cell in Cells())
            {
                var result = client.Submit(cell.Code, timeout, cancellationToken);
                results.Add((cell, result));
                if (!result.Succeeded) break;
            }
            return new KernelCheckReport(KernelRoute.VsCode, launch, results);
        }
        finally
        {
            try { Directory.Delete(storage, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// The Jupyter route: jupyter_client starts the <c>.net-csharp</c> kernelspec in notebooks/, with this project's
    /// kernelspec folder first on JUPYTER_PATH (what setup registers for the user, and what it tells users to put first
    /// when another kernel of that name was registered before).
    /// </summary>
    public static KernelCheckReport Jupyter(TimeSpan? cellTimeout = null, CancellationToken cancellationToken = default)
    {
        var environment = Path.Combine(RepositoryPaths.Root(), "environment");
        var specs = Path.Combine(environment, ".jupyter");
        if (!File.Exists(Path.Combine(specs, "kernels", ".net-csharp", "kernel.json")))
            throw new FileNotFoundException("The .net-csharp kernelspec is missing: run `bash environment/setup.sh` first.");
        var timeout = cellTimeout ?? TimeSpan.FromMinutes(5);
        var cells = Cells();
        var request = Path.Combine(Directory.CreateTempSubdirectory("midpg-jupyter-check-").FullName, "request.json");
        File.WriteAllText(request, new JsonObject
        {
            ["cwd"] = RepositoryPaths.Notebooks,
            ["cells"] = new JsonArray(cells.Select(c => (JsonNode)JsonValue.Create(c.Code)!).ToArray()),
            ["timeout"] = (int)timeout.TotalSeconds,
        }.ToJsonString());
        var start = new ProcessStartInfo(NotebookRunner.Python())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(environment, "check_jupyter_kernel.py"));
        start.ArgumentList.Add(request);
        start.Environment["JUPYTER_PATH"] = specs + Path.PathSeparator + Environment.GetEnvironmentVariable("JUPYTER_PATH");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        using var registration = cancellationToken.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } });
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        cancellationToken.ThrowIfCancellationRequested();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"check_jupyter_kernel.py exited with {process.ExitCode}:\n{stderr.Result}");
        var answer = JsonNode.Parse(stdout)!;
        var launch = $"kernelspec {(string?)answer["kernelspec"]!["resource_dir"]}: " +
                     string.Join(' ', answer["kernelspec"]!["argv"]!.AsArray().Select(a => (string?)a));
        var results = answer["cells"]!.AsArray().Select((c, i) =>
        {
            var outputs = c!["outputs"]!.AsArray()
                .Select(o => new KernelOutput((string)o!["kind"]!, (string)o["mime"]!, (string)o["text"]!)).ToList();
            return (cells[i], new KernelCellResult((bool)c["succeeded"]!, (string?)c["error"], outputs, []));
        }).ToList();
        return new KernelCheckReport(KernelRoute.Jupyter, launch, results);
    }

    /// <summary>An argument as a POSIX shell would need it quoted, for the report.</summary>
    static string Quote(string argument) =>
        argument.All(c => char.IsLetterOrDigit(c) || "/._-[]{}=:,".Contains(c)) ? argument : "'" + argument.Replace("'", "'\\''") + "'";
}
