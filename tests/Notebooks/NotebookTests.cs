using MiDpg.Research.Notebooks;
using MiDpg.Research.Platform;
using Xunit.Abstractions;

namespace MiDpg.Research.Tests.Notebooks;

/// <summary>
/// Every notebook runs top to bottom in quick mode through the real .NET Interactive Jupyter
/// kernel (nbclient + the `.net-csharp` kernelspec written by environment/setup.sh).
/// </summary>
[Collection("notebooks")]
public class NotebookTests(ITestOutputHelper output)
{
    static string OutputRoot => Path.Combine(RepositoryPaths.Root(), "output", "test-notebooks");

    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var path in NotebookRunner.All()) data.Add(Path.GetFileName(path));
        return data;
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void RunsTopToBottomInQuickMode(string notebook)
    {
        var outcome = NotebookRunner.Run([Path.Combine(RepositoryPaths.Notebooks, notebook)],
            Path.Combine(OutputRoot, "executed"), Path.Combine(OutputRoot, "figures"), quick: true, onLine: output.WriteLine);
        Assert.True(outcome.ExitCode == 0, outcome.Output);
        // Clean outputs: no compiler warnings printed into any cell (the preflight quiets the kernel's CS1701/CS1702).
        var executed = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(OutputRoot, "executed", notebook)))!["cells"]!.AsArray();
        var warned = executed.Select((cell, i) => (i, text: cell!["outputs"]?.ToJsonString() ?? ""))
            .Where(c => c.text.Contains("warning CS", StringComparison.Ordinal)).Select(c => $"cell {c.i + 1}").ToList();
        Assert.True(warned.Count == 0, $"{notebook}: compiler warnings in {string.Join(", ", warned)}");
    }

    [Fact]
    public void ANotebookRunsOnADatasetDeclaredByASchemaFile()
    {
        // The parameters cell takes any --data name, so a schema file of the user's own dataset goes straight in.
        var dir = Directory.CreateTempSubdirectory("midpg-schema-notebook-").FullName;
        var outcome = NotebookRunner.Run([Path.Combine(RepositoryPaths.Notebooks, "08-weighting-matrix-analysis.ipynb")],
            Path.Combine(dir, "executed"), Path.Combine(dir, "figures"), quick: true, onLine: output.WriteLine,
            parameters: ["dataset=\"file:../data/schemas/douban.json\""]);
        Assert.True(outcome.ExitCode == 0, outcome.Output);
        var executed = File.ReadAllText(Path.Combine(dir, "executed", "08-weighting-matrix-analysis.ipynb"));
        Assert.Contains("scenario book:", executed);   // the Douban sample's scenarios (book, movie, music), not the synthetic default's
    }

    [Fact]
    public void ABrokenCellFailsNamingTheNotebookAndTheCell()
    {
        var dir = Directory.CreateTempSubdirectory("midpg-broken-").FullName;
        var notebook = Path.Combine(dir, "broken-on-purpose.ipynb");
        WriteNotebook(notebook,
            """{"cell_type": "markdown", "metadata": {}, "source": ["# A notebook with a broken cell"]}""",
            Code("var answer = 6 * 7;"),
            Code("throw new InvalidOperationException($\\\"broken on purpose: {answer}\\\");"),
            Code("var never = 1;"));
        var outcome = NotebookRunner.Run([notebook], Path.Combine(dir, "executed"), Path.Combine(dir, "figures"), quick: true);
        output.WriteLine(outcome.Output);
        Assert.NotEqual(0, outcome.ExitCode);
        Assert.Contains("broken-on-purpose.ipynb: cell 3 failed", outcome.Output);
        Assert.Contains("broken on purpose: 42", outcome.Output);
        Assert.True(File.Exists(Path.Combine(dir, "executed", "broken-on-purpose.ipynb")), "the executed copy is kept for inspection");
    }

    /// <summary>Full mode has no per-cell limit by default (its training cells run for tens of minutes; a 900 s limit once
    /// failed notebook 04's full sweep), quick mode keeps 900 s, and a requested limit is honoured by the runner.</summary>
    [Fact]
    public void CellTimeoutIsNoneInFullModeAndHonouredWhenRequested()
    {
        Assert.Equal(0, NotebookRunner.CellTimeout(quick: false, requested: null));
        Assert.Equal(NotebookRunner.QuickCellTimeoutSeconds, NotebookRunner.CellTimeout(quick: true, requested: null));
        Assert.Equal(5, NotebookRunner.CellTimeout(quick: false, requested: 5));
        Assert.Contains("got -1", Assert.Throws<ArgumentException>(() => NotebookRunner.CellTimeout(true, -1)).Message);

        var dir = Directory.CreateTempSubdirectory("midpg-timeout-").FullName;
        var notebook = Path.Combine(dir, "slow-cell.ipynb");
        WriteNotebook(notebook, Code("System.Threading.Thread.Sleep(20_000);"));
        var outcome = NotebookRunner.Run([notebook], Path.Combine(dir, "executed"), Path.Combine(dir, "figures"), quick: true, cellTimeoutSeconds: 2);
        output.WriteLine(outcome.Output);
        Assert.NotEqual(0, outcome.ExitCode);
        Assert.Contains("slow-cell.ipynb: cell 1 failed", outcome.Output);
        Assert.Contains("timed out", outcome.Output);
    }

    [Fact]
    public void ParametersAreInjectedAfterTheParametersCell()
    {
        var dir = Directory.CreateTempSubdirectory("midpg-params-").FullName;
        var notebook = Path.Combine(dir, "with-parameters.ipynb");
        WriteNotebook(notebook,
            Code("// Parameters\\n\", \"int n = 1;", """{"tags": ["parameters"]}"""),
            Code("display($\\\"n times ten = {n * 10}\\\");"));
        var outcome = NotebookRunner.Run([notebook], Path.Combine(dir, "executed"), Path.Combine(dir, "figures"), quick: true, parameters: ["n=4"]);
        output.WriteLine(outcome.Output);
        Assert.True(outcome.ExitCode == 0, outcome.Output);
        var executed = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "executed", "with-parameters.ipynb")))!["cells"]!.AsArray();
        Assert.Equal(3, executed.Count);
        Assert.Equal(NotebookParameters.InjectedTag, executed[1]!["metadata"]!["tags"]![0]!.GetValue<string>());
        Assert.Contains("n = 4;", executed[1]!["source"]!.ToJsonString());
        Assert.Contains("n times ten = 40", executed[2]!["outputs"]!.ToJsonString());
        Assert.Throws<ArgumentException>(() => NotebookRunner.Run([notebook], Path.Combine(dir, "executed"), Path.Combine(dir, "figures"), quick: true, parameters: ["m=4"]));
    }

    [Fact]
    public void PreflightSaysWhatToRunWhenTheLibraryIsMissingOrOlderThanItsSources()
    {
        // A copy of the repository's layout: notebooks/ with the preflight script, lib/ with a source, bin/ with (or without) the DLL.
        var root = Directory.CreateTempSubdirectory("midpg-preflight-").FullName;
        var notebooks = Directory.CreateDirectory(Path.Combine(root, "notebooks")).FullName;
        File.Copy(Path.Combine(RepositoryPaths.Notebooks, "preflight.csx"), Path.Combine(notebooks, "preflight.csx"));
        var source = Path.Combine(Directory.CreateDirectory(Path.Combine(root, "lib")).FullName, "Model.cs");
        File.WriteAllText(source, "// a source");
        var dll = Path.Combine(Directory.CreateDirectory(Path.Combine(root, "bin", "Release", "net10.0")).FullName, "MiDpg.Research.dll");
        var notebook = Path.Combine(notebooks, "preflight-check.ipynb");
        WriteNotebook(notebook, Code("#load \\\"preflight.csx\\\""));
        NotebookRunner.Outcome Run() => NotebookRunner.Run([notebook], Path.Combine(root, "executed"), Path.Combine(root, "figures"), quick: true);

        var missing = Run();
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("The library is not built", missing.Output);
        Assert.Contains("bash environment/setup.sh", missing.Output);

        File.WriteAllText(dll, "not really a library");
        File.SetLastWriteTimeUtc(dll, DateTime.UtcNow.AddHours(-1));
        File.SetLastWriteTimeUtc(source, DateTime.UtcNow);
        var stale = Run();
        Assert.NotEqual(0, stale.ExitCode);
        Assert.Contains("The library is older than its sources: lib/Model.cs changed", stale.Output);
        Assert.Contains("dotnet build -c Release", stale.Output);

        File.SetLastWriteTimeUtc(dll, DateTime.UtcNow.AddMinutes(1));
        var current = Run();
        Assert.True(current.ExitCode == 0, current.Output);
    }

    /// <summary>A code cell's JSON; <paramref name="source"/> is JSON string content (escaped), <paramref name="metadata"/> a JSON object.</summary>
    static string Code(string source, string metadata = "{}") =>
        $$"""{"cell_type": "code", "execution_count": null, "metadata": {{metadata}}, "outputs": [], "source": ["{{source}}"]}""";

    /// <summary>Writes a C# notebook for the `.net-csharp` kernel with the given cells (JSON).</summary>
    static void WriteNotebook(string path, params string[] cells) => File.WriteAllText(path,
        $$$"""{"cells": [{{{string.Join(",\n", cells)}}}], "metadata": {"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"}}, "nbformat": 4, "nbformat_minor": 5}""");
}
