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

    /// <summary>Renders the figure to <paramref name="pngPath"/> at <paramref name="scale"/>; null when Chromium is absent.</summary>
    public string? SavePng(string pngPath, int scale = FigureExport.DefaultScale, TimeSpan? timeout = null)
    {
        var (width, height) = Size();
        var html = Path.Combine(Path.GetTempPath(), $"midpg-figure-{Guid.NewGuid():N}.html");
        File.WriteAllText(html, ToStaticHtml(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        try { return FigureExport.RenderPng(html, pngPath, width, height, timeout, scale); }
        finally { File.Delete(html); }
    }

    /// <summary>
    /// Writes the figure as SVG (vector, for papers) to <paramref name="svgPath"/>: plotly.js's own SVG export
    /// (<c>Plotly.toImage</c>, format svg) run in headless Chromium, read back from the page. Null when Chromium is absent.
    /// </summary>
    public string? SaveSvg(string svgPath, TimeSpan? timeout = null)
    {
        var chromium = FigureExport.FindChromium();
        if (chromium is null) return null;
        var (width, height) = Size();
        var page = ToStaticHtml().Replace(");</script></body></html>",
            $").then(function (gd) {{ return Plotly.toImage(gd, {{format: 'svg', width: {width}, height: {height}}}); }})" +
            ".then(function (url) { var out = document.createElement('pre'); out.id = 'svg-out';" +
            " out.textContent = decodeURIComponent(url.substring(url.indexOf(',') + 1)); document.body.appendChild(out); });" +
            "</script></body></html>");
        var html = Path.Combine(Path.GetTempPath(), $"midpg-svg-{Guid.NewGuid():N}.html");
        File.WriteAllText(html, page, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        try
        {
            var dom = FigureExport.DumpDom(chromium, html, width, height, timeout);
            const string open = "<pre id=\"svg-out\">";
            var start = dom.IndexOf(open, StringComparison.Ordinal);
            var end = start < 0 ? -1 : dom.IndexOf("</pre>", start, StringComparison.Ordinal);
            if (end < 0) throw new InvalidOperationException($"plotly.js wrote no SVG for {svgPath} (the page did not finish in time?).");
            var svg = System.Net.WebUtility.HtmlDecode(dom[(start + open.Length)..end]);
            if (!svg.StartsWith("<svg", StringComparison.Ordinal)) throw new InvalidOperationException($"plotly.js returned no SVG for {svgPath}.");
            var full = Path.GetFullPath(svgPath);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, svg, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            return full;
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
