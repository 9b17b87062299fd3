using MiDpg.Research.Plotting;

namespace MiDpg.Research.Tests.Plotting;

public class FigureExportTests
{
    static Plotly.NET.GenericChart SampleChart()
    {
        var x = Enumerable.Range(0, 50).Select(i => i / 5.0).ToArray();
        return Charts.Lines("Gewichtungsmatrix − σ(x) ⊙ W", "x", "y", x,
            ("sin", x.Select(Math.Sin).ToArray()), ("cos", x.Select(Math.Cos).ToArray()));
    }

    [Fact]
    public void HtmlIsSelfContainedAndDeclaresUtf8First()
    {
        var dir = Directory.CreateTempSubdirectory("midpg-fig-").FullName;
        var path = FigureExport.SaveHtml(SampleChart(), Path.Combine(dir, "chart.html"));
        var html = File.ReadAllText(path, System.Text.Encoding.UTF8);
        Assert.Matches(@"^<!DOCTYPE html>\s*<html><head><meta charset=""UTF-8"">", html);
        Assert.Contains("plotly.js v", html);                 // the library itself is inlined ...
        Assert.DoesNotContain("src=\"https://cdn.plot.ly", html); // ... not fetched from a CDN
        Assert.Contains("Gewichtungsmatrix − σ(x) ⊙ W", html);  // non-ASCII text survives
        var bytes = File.ReadAllBytes(path);
        Assert.False(bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF, "no BOM before <!DOCTYPE>");
    }

    [Fact]
    public void SvgIsAVectorFigureWithTheChartsTextAndNoToolbar()
    {
        Assert.True(FigureExport.FindChromium() is not null, "Chromium is not installed: run `bash environment/setup.sh`.");
        var dir = Directory.CreateTempSubdirectory("midpg-fig-").FullName;
        var svg = FigureExport.SaveSvg(SampleChart(), Path.Combine(dir, "chart.svg"), width: 640, height: 400);
        Assert.NotNull(svg);
        var text = File.ReadAllText(svg!, System.Text.Encoding.UTF8);
        Assert.StartsWith("<svg", text);
        Assert.Matches(@"width=""640""", text);
        Assert.Contains("Gewichtungsmatrix − σ(x) ⊙ W", text);          // the title, as text (vector, searchable)
        Assert.Contains("class=\"scatterlayer", text);                 // the traces are drawn ...
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(text, "class=\"trace scatter").Count);   // ... both of them
        Assert.DoesNotContain("modebar", text);
        var doc = System.Xml.Linq.XDocument.Parse(text);                // well-formed XML
        Assert.Equal("svg", doc.Root!.Name.LocalName);
    }

    [Fact]
    public void PngIsARealRenderedImage()
    {
        Assert.True(FigureExport.FindChromium() is not null, "Chromium is not installed: run `bash environment/setup.sh`.");
        var dir = Directory.CreateTempSubdirectory("midpg-fig-").FullName;
        var png = FigureExport.SavePng(SampleChart(), Path.Combine(dir, "chart.png"), width: 640, height: 400);
        Assert.NotNull(png);
        var image = PngImage.Read(png!);
        Assert.Equal(640 * FigureExport.DefaultScale, image.Width);    // print resolution: layout pixels x scale
        Assert.Equal(400 * FigureExport.DefaultScale, image.Height);
        Assert.True(new FileInfo(png!).Length > 5_000, "a blank PNG compresses to almost nothing");
        // Two coloured lines, axes, labels, anti-aliasing: many colours and a visible share of ink.
        Assert.True(image.DistinctColours() > 50, $"only {image.DistinctColours()} colours");
        Assert.InRange(image.InkFraction(), 0.02, 0.95);
    }

    [Fact]
    public void PngKeepsTheWholeFigureDownToTheXAxisTitle()
    {
        // A headless window's viewport is shorter than the window; a screenshot lost the bottom of tall figures (the x axis
        // and its title, the last bars). The export must contain them: ink in the bottom tenth, where the axis title sits.
        Assert.True(FigureExport.FindChromium() is not null, "Chromium is not installed: run `bash environment/setup.sh`.");
        var dir = Directory.CreateTempSubdirectory("midpg-fig-").FullName;
        var chart = Charts.Bars("tall", "a long x-axis title that must be visible", Enumerable.Range(0, 12).Select(i => $"model {i}").ToArray(),
            Enumerable.Range(0, 12).Select(i => 0.7 + i / 100.0).ToArray());
        var png = PngImage.Read(FigureExport.SavePng(chart, Path.Combine(dir, "tall.png"), width: 800, height: 640, scale: 1)!);
        Assert.Equal(640, png.Height);
        Assert.True(png.InkFraction(0, 576, 800, 64) > 0.002, $"the bottom tenth is empty (ink {png.InkFraction(0, 576, 800, 64)})");
    }

    [Fact]
    public void ExportedPngsHaveNoToolbarWhileTheInteractiveHtmlKeepsIt()
    {
        Assert.True(FigureExport.FindChromium() is not null, "Chromium is not installed: run `bash environment/setup.sh`.");
        var dir = Directory.CreateTempSubdirectory("midpg-fig-").FullName;
        var chart = Charts.Lines("t", "x", "y", [0.0, 1.0], ("a", [0.0, 1.0]));   // short title: the top right is Plotly's toolbar only
        var png = PngImage.Read(FigureExport.SavePng(chart, Path.Combine(dir, "chart.png"), width: 640, height: 400, scale: 1)!);
        // The toolbar sits in the top-right corner: empty in the exported figure ...
        Assert.Equal(0.0, png.InkFraction(400, 0, 240, 40));
        // ... and present in a screenshot of the interactive HTML written next to it (the check can see a toolbar).
        var interactive = PngImage.Read(FigureExport.RenderPng(Path.Combine(dir, "chart.html"), Path.Combine(dir, "interactive.png"), 640, 400)!);
        Assert.True(interactive.InkFraction(400, 0, 240, 40) > 0.005, $"toolbar ink {interactive.InkFraction(400, 0, 240, 40)}");
        Assert.Throws<ArgumentOutOfRangeException>(() => FigureExport.SavePng(chart, Path.Combine(dir, "bad.png"), scale: 0));
    }

    [Fact]
    public void PngReaderRejectsNonPng()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "not a png");
        var error = Assert.Throws<InvalidDataException>(() => PngImage.Read(path));
        Assert.Contains(path, error.Message);
    }
}
