using MiDpg.Research.Notebooks;
using MiDpg.Research.Platform;
using Xunit.Abstractions;

namespace MiDpg.Research.Tests.Notebooks;

/// <summary>
/// The two supported ways of opening the notebooks, each started exactly as the front end starts it: VS Code's Polyglot
/// Notebooks extension from the committed .vscode/settings.json (placeholders replaced as the extension replaces them,
/// stdio transport), and Jupyter through jupyter_client with the `.net-csharp` kernelspec. Each runs notebook 00's
/// preflight and loading cells and a Plotly chart cell; a chart must come back with no error and no warning.
/// </summary>
[Collection("notebooks")]
public class KernelRouteTests(ITestOutputHelper output)
{
    static void Show(ITestOutputHelper output, KernelCheckReport report)
    {
        output.WriteLine(report.Launch);
        foreach (var (cell, result) in report.Cells)
            output.WriteLine($"{cell.Name}: {(result.Succeeded ? "ok" : "failed: " + result.Error)}; " +
                             string.Join(", ", result.Outputs.Select(o => $"{o.Kind} {o.MimeType}")));
        foreach (var problem in report.Problems) output.WriteLine($"problem: {problem}");
    }

    [Fact]
    public void VsCodeStartsTheProjectKernelFromTheCommittedSettingsAndDrawsAChart()
    {
        var report = KernelRouteCheck.VsCode();
        Show(output, report);
        Assert.Contains("environment/dotnet-interactive", report.Launch);
        Assert.True(report.Passed, string.Join("\n", report.Problems));
    }

    [Fact]
    public void VsCodeSettingsWorkForANotebookOutsideTheNotebooksFolder()
    {
        // Executed copies (output/notebooks, docs/notebooks) are one folder deeper than the repository root too, but in
        // another folder: the launch must still find this clone's kernel. Only the launch is checked here (KernelReady).
        var settings = VsCodeKernelLaunch.FromSettings(Path.Combine(RepositoryPaths.Root(), ".vscode", "settings.json"));
        var elsewhere = Path.Combine(RepositoryPaths.Root(), "docs", "notebooks", "00-setup.ipynb");
        var start = settings.Resolve(elsewhere, "dotnet", Path.GetTempPath());
        Assert.Equal(Path.Combine(RepositoryPaths.Root(), "docs", "notebooks"), start.WorkingDirectory);
        using var client = StdioKernelClient.Start(start, TimeSpan.FromMinutes(3));
        var result = client.Submit("System.IO.Directory.GetCurrentDirectory()", TimeSpan.FromMinutes(3));
        Assert.True(result.Succeeded, result.Error);
        Assert.Contains(Path.Combine("docs", "notebooks"), string.Concat(result.Outputs.Select(o => o.Text)));
    }

    [Fact]
    public void TheExtensionsDefaultLaunchIsNotTheProjectKernel()
    {
        // Why the settings file exists: the extension's default command runs `dotnet tool run dotnet-interactive` in its
        // storage folder, which is not this project's kernel (there it finds no tool manifest at all).
        var defaults = new VsCodeKernelLaunch(VsCodeKernelLaunch.DefaultArguments, VsCodeKernelLaunch.DefaultWorkingDirectory);
        var start = defaults.Resolve(Path.Combine(RepositoryPaths.Notebooks, "00-setup.ipynb"), "dotnet", "/storage");
        Assert.Equal("dotnet", start.FileName);
        Assert.Equal(["tool", "run", "dotnet-interactive", "--", "[vscode]", "stdio", "--working-dir", RepositoryPaths.Notebooks], start.ArgumentList);
        Assert.Equal("/storage", start.WorkingDirectory);
    }

    [Fact]
    public void SettingsAreReadWithCommentsAndPlaceholdersReplacedOnceEachAsTheExtensionDoes()
    {
        var dir = Directory.CreateTempSubdirectory("midpg-settings-").FullName;
        var path = Path.Combine(dir, "settings.json");
        File.WriteAllText(path, """
            {
              // a comment, as VS Code allows
              "dotnet-interactive.kernelTransportArgs": ["{dotnet_path}", "{working_dir}/a", "{working_dir}{working_dir}", "x{global_storage_path}"],
            }
            """);
        var start = VsCodeKernelLaunch.FromSettings(path).Resolve("/repo/notebooks/n.ipynb", "/usr/bin/dotnet", "/store");
        Assert.Equal("/usr/bin/dotnet", start.FileName);
        Assert.Equal(["/repo/notebooks/a", "/repo/notebooks{working_dir}", "x/store"], start.ArgumentList);
        Assert.Equal("/store", start.WorkingDirectory);   // the setting is absent: the extension's default

        File.WriteAllText(path, """{ "dotnet-interactive.kernelTransportArgs": "not an array" }""");
        var e = Assert.Throws<InvalidDataException>(() => VsCodeKernelLaunch.FromSettings(path));
        Assert.Contains(path, e.Message);
        File.WriteAllText(path, "{\n  \"a\": [1,\n}");
        e = Assert.Throws<InvalidDataException>(() => VsCodeKernelLaunch.FromSettings(path));
        Assert.Contains($"{path}: line 3", e.Message);
    }

    [Fact]
    public void JupyterStartsTheNetCsharpKernelspecAndDrawsAChart()
    {
        var report = KernelRouteCheck.Jupyter();
        Show(output, report);
        Assert.Contains(Path.Combine(RepositoryPaths.EnvironmentFolder, ".kernel"), report.Launch);
        Assert.True(report.Passed, string.Join("\n", report.Problems));
    }

    [Fact]
    public void TheCheckReportsAWarningOrAMissingChartAsAProblem()
    {
        var cells = KernelRouteCheck.Cells();
        var chart = new KernelOutput("result", "text/html", "<div></div><script>Plotly.newPlot(...)</script>");
        var ok = new KernelCellResult(true, null, [], []);
        var clean = new KernelCheckReport(KernelRoute.VsCode, "", [(cells[0], ok), (cells[1], ok), (cells[2], ok with { Outputs = [chart] })]);
        Assert.True(clean.Passed);
        var warned = clean with { Cells = [(cells[0], ok), (cells[1], ok with { Diagnostics = ["(1,1): warning CS1702: Assuming ..."] }), (cells[2], ok with { Outputs = [chart] })] };
        Assert.Contains(warned.Problems, p => p.Contains("loading cell: warning"));
        var noChart = clean with { Cells = [(cells[0], ok), (cells[1], ok), (cells[2], ok)] };
        Assert.Contains(noChart.Problems, p => p.Contains("no Plotly chart"));
        var stopped = clean with { Cells = [(cells[0], ok with { Succeeded = false, Error = "boom" })] };
        Assert.Contains(stopped.Problems, p => p.Contains("preflight: failed: boom"));
        Assert.Contains(stopped.Problems, p => p.Contains("only 1 of 3 cells ran"));
    }
}
