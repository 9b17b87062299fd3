using MiDpg.Research.Platform;
using MiDpg.Research.Plotting;
using Plotly.NET;

namespace MiDpg.Research.Notebooks;

/// <summary>
/// What every notebook reads from its surroundings: quick mode and the figure folder, both set by the
/// notebook runner (environment variables <c>MIDPG_QUICK</c> and <c>MIDPG_OUTPUT</c>) and defaulting to
/// full mode and <c>output/figures</c> when a person runs the notebook.
/// </summary>
public static class NotebookEnvironment
{
    /// <summary>True when the runner asks for quick mode (small data, few epochs).</summary>
    public static bool Quick => Environment.GetEnvironmentVariable(NotebookRunner.QuickVariable) is "1" or "true";

    /// <summary>The folder figures are saved to.</summary>
    public static string FigureFolder =>
        Environment.GetEnvironmentVariable(NotebookRunner.OutputVariable) is { Length: > 0 } folder
            ? folder
            : Path.Combine(RepositoryPaths.Root(), "output", "figures");

    /// <summary>Loads TorchSharp (with the platform fixes) and returns what was done; call from the loading cell.</summary>
    public static TorchSharpNative.NativeReport Start() => TorchSharpNative.EnsureLoaded();

    /// <summary>
    /// Saves a chart as self-contained HTML and, where Chromium exists, PNG, under <see cref="FigureFolder"/>.
    /// Returns the PNG path, or the HTML path when no PNG could be made.
    /// </summary>
    public static string SaveFigure(GenericChart chart, string name, int width = 900, int height = 600, bool svg = false) =>
        SaveFigureTo(chart, FigureFolder, name, width, height, svg);

    /// <summary>Saves a chart as HTML and (where Chromium exists) PNG in <paramref name="folder"/>, and with
    /// <paramref name="svg"/> also as SVG (vector, for papers); returns the PNG or HTML path.</summary>
    public static string SaveFigureTo(GenericChart chart, string folder, string name, int width = 900, int height = 600, bool svg = false)
    {
        var png = Path.Combine(folder, name + ".png");
        if (svg) FigureExport.SaveSvg(chart, Path.ChangeExtension(png, ".svg"), width, height);
        return FigureExport.SavePng(chart, png, width, height) ?? Path.ChangeExtension(png, ".html");
    }
}
