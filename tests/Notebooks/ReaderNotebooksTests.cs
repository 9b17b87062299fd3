using System.Text.Json.Nodes;
using MiDpg.Research.Notebooks;
using MiDpg.Research.Plotting;

namespace MiDpg.Research.Tests.Notebooks;

/// <summary>Reader copies: every Plotly chart output gets a static PNG of the same figure beside it; paths are relative.</summary>
public class ReaderNotebooksTests
{
    [Fact]
    public void EveryChartOutputGetsAPngOfTheSameFigureAndMachinePathsBecomeRelative()
    {
        Assert.True(FigureExport.FindChromium() is not null, "Chromium is not installed: run `bash environment/setup.sh`.");
        var dir = Directory.CreateTempSubdirectory("midpg-reader-test-").FullName;
        var root = Path.Combine(dir, "repo");
        // The HTML the kernel's Plotly.NET formatter writes into a notebook (require.js + CDN; GitHub strips it).
        var chart = Plotly.NET.CSharp.GenericChartExtensions.WithSize(
            Charts.Lines("Weighting factors", "x", "factor", [0.0, 1.0, 2.0], ("σ(x)", [0.2, 0.5, 0.8])), 640, 400);
        var html = Plotly.NET.GenericChart.toChartHTML(chart);
        var notebook = new JsonObject
        {
            ["cells"] = new JsonArray(
                new JsonObject { ["cell_type"] = "markdown", ["metadata"] = new JsonObject(), ["source"] = new JsonArray("# t") },
                new JsonObject
                {
                    ["cell_type"] = "code", ["metadata"] = new JsonObject(), ["execution_count"] = 1, ["source"] = new JsonArray("chart"),
                    ["outputs"] = new JsonArray(
                        new JsonObject { ["output_type"] = "stream", ["name"] = "stdout", ["text"] = new JsonArray($"saved: {root}/output/figures/a.png\n", $"in {root}\n") },
                        new JsonObject { ["output_type"] = "execute_result", ["execution_count"] = 1, ["metadata"] = new JsonObject(),
                            ["data"] = new JsonObject { ["text/html"] = new JsonArray(html.Split('\n').Select(l => (JsonNode?)JsonValue.Create(l + "\n")).ToArray()) } },
                        new JsonObject { ["output_type"] = "display_data", ["metadata"] = new JsonObject(),
                            ["data"] = new JsonObject { ["text/html"] = "<table><tr><td>1</td></tr></table>" } }),
                }),
            ["metadata"] = new JsonObject(), ["nbformat"] = 4, ["nbformat_minor"] = 5,
        };
        var executed = Path.Combine(dir, "executed.ipynb");
        File.WriteAllText(executed, notebook.ToJsonString());

        var copy = ReaderNotebooks.Write(executed, Path.Combine(dir, "reader", "executed.ipynb"), root);
        Assert.Equal(1, copy.Charts);
        Assert.Equal(1, copy.Images);
        var outputs = JsonNode.Parse(File.ReadAllText(copy.Path))!["cells"]![1]!["outputs"]!.AsArray();
        Assert.Equal(4, outputs.Count);                                       // stdout, chart, its PNG, the table
        Assert.Contains("Plotly.newPlot", outputs[1]!["data"]!["text/html"]!.ToJsonString());   // the interactive chart stays
        var png = outputs[2]!;
        Assert.Equal("display_data", (string?)png["output_type"]);
        Assert.Equal(640, (int)png["metadata"]!["image/png"]!["width"]!);    // shown at the layout's width
        var file = Path.Combine(dir, "check.png");
        File.WriteAllBytes(file, Convert.FromBase64String((string)png["data"]!["image/png"]!));
        var image = PngImage.Read(file);
        Assert.Equal(640 * FigureExport.DefaultScale, image.Width);          // rendered at print resolution
        Assert.Equal(400 * FigureExport.DefaultScale, image.Height);
        Assert.True(image.DistinctColours() > 50, "a drawn chart, not a blank page");
        Assert.InRange(image.InkFraction(), 0.01, 0.95);
        Assert.Contains("Weighting factors", (string)png["data"]!["text/plain"]!);
        var text = outputs[0]!["text"]!.ToJsonString();
        Assert.DoesNotContain(root, text);
        Assert.Contains("saved: output/figures/a.png", text);
        Assert.Equal("<table><tr><td>1</td></tr></table>", (string?)outputs[3]!["data"]!["text/html"]);
    }

    [Fact]
    public void FigureJsonIsReadFromTheKernelsChartHtml()
    {
        var html = Plotly.NET.GenericChart.toChartHTML(Charts.Lines("T", "x", "y", [0.0, 1.0], ("a", [0.0, 1.0])));
        var figure = PlotlyFigureJson.FromHtml(html);
        Assert.NotNull(figure);
        Assert.Single(figure!.Data);
        Assert.Equal("T", (string?)figure.Layout["title"]!["text"]);
        Assert.Null(PlotlyFigureJson.FromHtml("<table></table>"));
        var page = figure.ToStaticHtml();
        Assert.Contains("plotly.js v", page);                                   // plotly.js inlined ...
        Assert.DoesNotContain("src=\"https://", page);                         // ... nothing fetched
    }
}

/// <summary>The committed notebooks: sources without outputs, and a reader copy of each with a PNG for every chart.</summary>
public class CommittedNotebooksTests
{
    static JsonArray Cells(string path) => JsonNode.Parse(File.ReadAllText(path))!["cells"]!.AsArray();

    [Fact]
    public void SourceNotebooksAreOutputFree()
    {
        foreach (var notebook in NotebookRunner.All())
        {
            var withOutput = Cells(notebook).Select((c, i) => (c, i))
                .Where(x => x.c!["outputs"] is JsonArray { Count: > 0 } || x.c!["execution_count"] is JsonValue).Select(x => x.i + 1).ToList();
            Assert.True(withOutput.Count == 0, $"{Path.GetFileName(notebook)}: outputs or execution counts in cells {string.Join(", ", withOutput)}");
        }
    }

    [Fact]
    public void EveryNotebookHasAReaderCopyInWhichEveryChartHasAPng()
    {
        var readers = Path.Combine(MiDpg.Research.Platform.RepositoryPaths.Root(), "docs", "notebooks");
        foreach (var notebook in NotebookRunner.All())
        {
            var copy = Path.Combine(readers, Path.GetFileName(notebook));
            Assert.True(File.Exists(copy), $"{copy} is missing: run `dotnet run -c Release -- notebooks --quick --readers docs/notebooks`.");
            var cells = Cells(copy);
            Assert.Equal(Cells(notebook).Count(c => (string?)c!["cell_type"] == "code"),
                cells.Count(c => (string?)c!["cell_type"] == "code" && c["metadata"]?["tags"]?.AsArray().Any(t => (string?)t == NotebookParameters.InjectedTag) != true));
            foreach (var outputs in cells.Select(c => c!["outputs"]).OfType<JsonArray>())
                for (int i = 0; i < outputs.Count; i++)
                {
                    var html = outputs[i]?["data"]?["text/html"];
                    if (html is null || PlotlyFigureJson.FromHtml(html is JsonArray a ? string.Concat(a.Select(l => (string?)l)) : (string)html!) is null) continue;
                    Assert.True(i + 1 < outputs.Count && outputs[i + 1]?["data"]?["image/png"] is not null,
                        $"{Path.GetFileName(copy)}: a chart without its PNG");
                }
        }
    }
}
