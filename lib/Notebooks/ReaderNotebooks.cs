using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiDpg.Research.Plotting;

namespace MiDpg.Research.Notebooks;

/// <summary>What <see cref="ReaderNotebooks.Write"/> wrote: the copy and how many charts got a PNG beside them.</summary>
public sealed record ReaderCopy(string Path, int Charts, int Images);

/// <summary>
/// Executed notebooks made readable where JavaScript does not run (GitHub's notebook view strips it, so an interactive
/// Plotly chart shows as nothing): after every chart output the copy gets a static PNG output of the same figure
/// (rendered at twice its layout size and shown at its layout width), and absolute paths of this machine in the outputs
/// become paths relative to the repository. The interactive outputs stay, for readers who open the copy in a notebook.
/// </summary>
public static class ReaderNotebooks
{
    /// <summary>Writes the reader copy of <paramref name="executedNotebook"/> to <paramref name="outPath"/>.</summary>
    /// <exception cref="InvalidOperationException">Chromium is not installed, so no PNG can be rendered.</exception>
    public static ReaderCopy Write(string executedNotebook, string outPath, string repositoryRoot, int scale = FigureExport.DefaultScale)
    {
        if (FigureExport.FindChromium() is null)
            throw new InvalidOperationException("Rendering reader copies needs Chromium (bash environment/setup.sh installs it).");
        var root = JsonNode.Parse(File.ReadAllText(executedNotebook)) as JsonObject
                   ?? throw new InvalidDataException($"{executedNotebook}: not a notebook.");
        var cells = root["cells"] as JsonArray ?? throw new InvalidDataException($"{executedNotebook}: no cells.");
        int charts = 0, images = 0;
        var scratch = Directory.CreateTempSubdirectory("midpg-reader-").FullName;
        try
        {
            foreach (var cell in cells.OfType<JsonObject>())
            {
                if (cell["outputs"] is not JsonArray outputs) continue;
                for (int i = 0; i < outputs.Count; i++)
                {
                    if (outputs[i]?["data"]?["text/html"] is not { } html) continue;
                    var figure = PlotlyFigureJson.FromHtml(Text(html));
                    if (figure is null) continue;
                    charts++;
                    var png = figure.SavePng(Path.Combine(scratch, $"figure-{charts}.png"), scale);
                    if (png is null) continue;
                    var (width, _) = figure.Size();
                    var title = (string?)figure.Layout["title"]?["text"] ?? "figure";
                    outputs.Insert(++i, new JsonObject
                    {
                        ["output_type"] = "display_data",
                        ["data"] = new JsonObject
                        {
                            ["image/png"] = Convert.ToBase64String(File.ReadAllBytes(png)),
                            ["text/plain"] = $"<static image of the chart: {title}>",
                        },
                        ["metadata"] = new JsonObject { ["image/png"] = new JsonObject { ["width"] = width } },
                    });
                    images++;
                }
                foreach (var output in outputs.OfType<JsonObject>()) Relativise(output, repositoryRoot);
            }
        }
        finally
        {
            try { Directory.Delete(scratch, recursive: true); } catch (IOException) { }
        }
        var full = Path.GetFullPath(outPath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n",
            new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return new ReaderCopy(full, charts, images);
    }

    /// <summary>A notebook's multi-line string: one string, or an array of lines.</summary>
    static string Text(JsonNode node) => node is JsonArray lines ? string.Concat(lines.Select(l => (string?)l)) : (string?)node ?? "";

    /// <summary>Replaces this machine's repository path in every string of an output by the path relative to it, and the
    /// user's home folder (e.g. in the kernel's "loading extensions from ~/.nuget/..." lines) by <c>~</c>.</summary>
    static void Relativise(JsonNode node, string repositoryRoot)
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile).TrimEnd('/');
        string Clean(string s)
        {
            s = s.Replace(repositoryRoot.TrimEnd('/') + "/", "", StringComparison.Ordinal).Replace(repositoryRoot, ".", StringComparison.Ordinal);
            return home.Length > 1 ? s.Replace(home + "/", "~/", StringComparison.Ordinal) : s;
        }
        JsonNode? Fixed(JsonNode? child)
        {
            if (child is JsonValue v && v.TryGetValue<string>(out var s))
                return Clean(s) is var cleaned && cleaned != s ? JsonValue.Create(cleaned) : null;
            if (child is not null) Relativise(child, repositoryRoot);
            return null;
        }
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                    if (Fixed(o[key]) is { } replaced) o[key] = replaced;
                break;
            case JsonArray a:
                for (int i = 0; i < a.Count; i++)
                    if (Fixed(a[i]) is { } replaced) a[i] = replaced;
                break;
        }
    }
}
