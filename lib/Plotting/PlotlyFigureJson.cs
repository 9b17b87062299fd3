using System.Text;
using System.Text.Json.Nodes;
using Plotly.NET;

namespace MiDpg.Research.Plotting;

/// <summary>
/// A Plotly figure as JSON (data, layout), rendered to PNG without Plotly.NET's chart object: what is left of a chart in
/// an executed notebook, whose HTML output holds <c>var data = …; var layout = …;</c>. The page inlines the plotly.js
/// Plotly.NET ships (no network), fixes the layout size, hides the toolbar, and Chromium takes the screenshot.
/// </summary>
public sealed record PlotlyFigureJson(JsonArray Data, JsonObject Layout)
{
    /// <summary>The figure inside a Plotly.NET HTML fragment (a notebook's chart output), or null if it holds none.</summary>
    public static PlotlyFigureJson? FromHtml(string html)
    {
        if (!html.Contains("Plotly.newPlot", StringComparison.Ordinal)) return null;
        JsonNode? Declared(string name)
        {
            var marker = $"var {name} = ";
            var at = html.IndexOf(marker, StringComparison.Ordinal);
            if (at < 0) return null;
            var end = html.IndexOf(";\n", at, StringComparison.Ordinal);
            if (end < 0) end = html.IndexOf(";\r\n", at, StringComparison.Ordinal);
            return end < 0 ? null : JsonNode.Parse(html[(at + marker.Length)..end]);
        }
        return Declared("data") is JsonArray data && Declared("layout") is JsonObject layout ? new PlotlyFigureJson(data, layout) : null;
    }

    /// <summary>The layout's size where it sets one, else the given default.</summary>
    public (int Width, int Height) Size(int defaultWidth = 900, int defaultHeight = 550) =>
        ((int?)Layout["width"]?.GetValue<double>() ?? defaultWidth, (int?)Layout["height"]?.GetValue<double>() ?? defaultHeight);

    /// <summary>A self-contained page drawing the figure at its size, without the toolbar.</summary>
    public string ToStaticHtml()
    {
        var (width, height) = Size();
        var layout = (JsonObject)Layout.DeepClone();
        layout["width"] = width;
        layout["height"] = height;
        var page = new StringBuilder();
        page.Append("<!DOCTYPE html><html><head><meta charset=\"UTF-8\"><script type=\"text/javascript\">")
            .Append(PlotlyJs.Value)
            .Append("</script></head><body style=\"margin:0\"><div id=\"figure\"></div><script type=\"text/javascript\">")
            .Append("Plotly.newPlot('figure', ").Append(Data.ToJsonString()).Append(", ").Append(layout.ToJsonString())
            .Append(", {\"displayModeBar\": false, \"responsive\": false});</script></body></html>");
        return page.ToString();
    }

    /// <summary>
    /// Renders the figure to <paramref name="pngPath"/> at its layout size times <paramref name="scale"/>, without the
    /// toolbar; null when Chromium is absent. The image is plotly.js's own export (<c>Plotly.toImage</c>, which draws the
    /// figure's SVG onto a canvas of exactly that size), not a screenshot: a headless window's viewport is smaller than the
    /// window (by the height of its hidden frame), so a screenshot loses the bottom of a figure.
    /// </summary>
    public string? SavePng(string pngPath, int scale = FigureExport.DefaultScale, TimeSpan? timeout = null)
    {
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be at least 1.");
        var base64 = Export("png", scale, pngPath, timeout);
        if (base64 is null) return null;
        var bytes = Convert.FromBase64String(base64);
        if (bytes.Length < 8 || bytes[1] != (byte)'P' || bytes[2] != (byte)'N' || bytes[3] != (byte)'G')
            throw new InvalidOperationException($"plotly.js returned no PNG for {pngPath}.");
        return Write(pngPath, bytes);
    }

    /// <summary>
    /// Writes the figure as SVG (vector, for papers) to <paramref name="svgPath"/>: plotly.js's own SVG export, without the
    /// toolbar. Null when Chromium is absent.
    /// </summary>
    public string? SaveSvg(string svgPath, TimeSpan? timeout = null)
    {
        var encoded = Export("svg", 1, svgPath, timeout);
        if (encoded is null) return null;
        var svg = Uri.UnescapeDataString(encoded);
        if (!svg.StartsWith("<svg", StringComparison.Ordinal)) throw new InvalidOperationException($"plotly.js returned no SVG for {svgPath}.");
        return Write(svgPath, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(svg));
    }

    static string Write(string path, byte[] bytes)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, bytes);
        return full;
    }

    /// <summary>
    /// Runs <c>Plotly.toImage</c> on the figure in headless Chromium and returns the payload of the data URL it gives
    /// (base64 for PNG, percent-encoded text for SVG), read back from the page's DOM; null when Chromium is absent.
    /// </summary>
    string? Export(string format, int scale, string target, TimeSpan? timeout)
    {
        var chromium = FigureExport.FindChromium();
        if (chromium is null) return null;
        var (width, height) = Size();
        var page = ToStaticHtml().Replace(");</script></body></html>",
            $").then(function (gd) {{ return Plotly.toImage(gd, {{format: '{format}', width: {width}, height: {height}, scale: {scale}}}); }})" +
            ".then(function (url) { var out = document.createElement('pre'); out.id = 'image-out';" +
            " out.textContent = url.substring(url.indexOf(',') + 1); document.body.appendChild(out); });" +
            "</script></body></html>");
        var html = Path.Combine(Path.GetTempPath(), $"midpg-{format}-{Guid.NewGuid():N}.html");
        File.WriteAllText(html, page, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        try
        {
            var dom = FigureExport.DumpDom(chromium, html, width, height, timeout);
            const string open = "<pre id=\"image-out\">";
            var start = dom.IndexOf(open, StringComparison.Ordinal);
            var end = start < 0 ? -1 : dom.IndexOf("</pre>", start, StringComparison.Ordinal);
            if (end < 0) throw new InvalidOperationException($"plotly.js wrote no {format} image for {target} (the page did not finish in time?).");
            return System.Net.WebUtility.HtmlDecode(dom[(start + open.Length)..end]);
        }
        finally { File.Delete(html); }
    }

    /// <summary>The plotly.js that Plotly.NET embeds (the version its charts are written for).</summary>
    static readonly Lazy<string> PlotlyJs = new(() =>
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames().FirstOrDefault(n => n.EndsWith(".min.js", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("Plotly.NET carries no plotly.js resource.");
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!, Encoding.UTF8);
        return reader.ReadToEnd();
    });
}
