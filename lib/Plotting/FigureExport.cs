using System.Diagnostics;
using System.Text;
using Plotly.NET;

namespace MiDpg.Research.Plotting;

/// <summary>
/// Saves Plotly.NET charts for offline use: a self-contained HTML file (plotly.js inlined with
/// <see cref="PlotlyJSReference.Full"/>, UTF-8 charset declared) and, where Chromium is installed,
/// a PNG rendered by <c>chromium --headless --screenshot</c>.
/// </summary>
public static class FigureExport
{
    /// <summary>Writes <paramref name="chart"/> as one HTML file that needs no network.</summary>
    public static string SaveHtml(GenericChart chart, string path)
    {
        var options = DisplayOptions.setDocumentCharset("UTF-8").Invoke(
            DisplayOptions.setPlotlyReference(PlotlyJSReference.Full).Invoke(GenericChart.getDisplayOptions(chart)));
        var html = GenericChart.toEmbeddedHTML(GenericChart.setDisplayOptions(options, chart));
        // The charset must be declared before the inlined plotly.js, whose text (e.g. the minus sign
        // U+2212 on axes) is not ASCII; otherwise a browser opening the file decodes it as Latin-1.
        int head = html.IndexOf("<head>", StringComparison.OrdinalIgnoreCase);
        if (head < 0) throw new InvalidOperationException("Plotly.NET produced HTML without a <head>.");
        if (!html.AsSpan(head + 6).TrimStart().StartsWith("<meta charset", StringComparison.OrdinalIgnoreCase))
            html = html.Insert(head + 6, "<meta charset=\"UTF-8\">");
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, html, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return full;
    }

    /// <summary>The Chromium executable, or null where none is installed.</summary>
    public static string? FindChromium()
    {
        if (Environment.GetEnvironmentVariable("MIDPG_CHROMIUM") is { Length: > 0 } configured && File.Exists(configured))
            return configured;
        foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome", "google-chrome-stable" })
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    /// <summary>Device pixels per layout pixel of exported PNGs: 2 gives print-quality images (a 1000-pixel-wide
    /// layout becomes a 2000-pixel PNG) with fonts and lines at the sizes the layout sets.</summary>
    public const int DefaultScale = 2;

    /// <summary>
    /// Saves the chart as interactive HTML next to <paramref name="pngPath"/> and renders a static copy of it (no Plotly
    /// toolbar: a figure for a paper) to PNG with headless Chromium at <paramref name="scale"/> device pixels per layout
    /// pixel. Returns the PNG path, or null (with the HTML saved) when Chromium is not installed.
    /// </summary>
    public static string? SavePng(GenericChart chart, string pngPath, int width = 900, int height = 600, TimeSpan? timeout = null, int scale = DefaultScale)
    {
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be at least 1.");
        var png = Path.GetFullPath(pngPath);
        var sized = Plotly.NET.CSharp.GenericChartExtensions.WithSize(chart, width, height);
        SaveHtml(sized, Path.ChangeExtension(png, ".html"));
        return Figure(sized).SavePng(png, scale, timeout);
    }

    /// <summary>The chart's figure JSON (data and layout), as plotly.js receives it.</summary>
    static PlotlyFigureJson Figure(GenericChart chart) =>
        PlotlyFigureJson.FromHtml(GenericChart.toChartHTML(chart))
        ?? throw new InvalidOperationException("Plotly.NET produced no figure JSON for the chart.");

    /// <summary>The chart as a figure for print: no mode bar (Plotly's toolbar).</summary>
    public static GenericChart Static(GenericChart chart)
    {
        var config = new Config();
        config.SetProperty("displayModeBar", false);
        return Plotly.NET.Chart.withConfig(config).Invoke(chart);
    }

    /// <summary>Saves the chart as SVG (vector) at the given layout size, without the toolbar; null when Chromium is absent.</summary>
    public static string? SaveSvg(GenericChart chart, string svgPath, int width = 900, int height = 600, TimeSpan? timeout = null)
    {
        return Figure(Plotly.NET.CSharp.GenericChartExtensions.WithSize(chart, width, height)).SaveSvg(svgPath, timeout);
    }

    /// <summary>The DOM of an HTML file after its scripts ran, from headless Chromium (<c>--dump-dom</c>).</summary>
    internal static string DumpDom(string chromium, string htmlPath, int width, int height, TimeSpan? timeout = null)
    {
        var profile = Directory.CreateTempSubdirectory("midpg-chromium-");
        try
        {
            var info = new ProcessStartInfo(chromium) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in new[]
                     {
                         "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--disable-quic", $"--user-data-dir={profile.FullName}",
                         $"--window-size={width},{height}", "--virtual-time-budget=10000", "--dump-dom",
                         new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri,
                     })
                info.ArgumentList.Add(arg);
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(90)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"Chromium did not finish {htmlPath} within the time limit.");
            }
            return stdout.Result;
        }
        finally
        {
            try { profile.Delete(recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Renders an HTML file to PNG with headless Chromium (<paramref name="width"/> x <paramref name="height"/> layout
    /// pixels, times <paramref name="scale"/> in the image); null when Chromium is absent.</summary>
    public static string? RenderPng(string htmlPath, string pngPath, int width = 900, int height = 600, TimeSpan? timeout = null, int scale = 1)
    {
        var chromium = FindChromium();
        if (chromium is null) return null;
        var png = Path.GetFullPath(pngPath);
        Directory.CreateDirectory(Path.GetDirectoryName(png)!);
        var profile = Directory.CreateTempSubdirectory("midpg-chromium-");
        try
        {
            var info = new ProcessStartInfo(chromium)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[]
                     {
                         "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-quic", $"--force-device-scale-factor={scale}", $"--user-data-dir={profile.FullName}",
                         $"--window-size={width},{height}", "--virtual-time-budget=10000", $"--screenshot={png}",
                         new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri,
                     })
                info.ArgumentList.Add(arg);
            if (File.Exists(png)) File.Delete(png);
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(90)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"Chromium did not render {htmlPath} within the time limit.");
            }
            if (!File.Exists(png))
                throw new InvalidOperationException(
                    $"Chromium exited with {process.ExitCode} and wrote no screenshot of {htmlPath}: {stderr.Result}");
            return png;
        }
        finally
        {
            try { profile.Delete(recursive: true); } catch (IOException) { }
        }
    }
}
