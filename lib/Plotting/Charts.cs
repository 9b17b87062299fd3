using Plotly.NET;
using CSharpChart = Plotly.NET.CSharp.Chart;
using Plotly.NET.CSharp;

namespace MiDpg.Research.Plotting;

/// <summary>The chart shapes the notebooks use, built with Plotly.NET's C# API.</summary>
public static class Charts
{
    /// <summary>One line per named series over a shared x axis.</summary>
    public static GenericChart Lines(string title, string xTitle, string yTitle, double[] x,
        params (string Name, double[] Y)[] series)
    {
        if (series.Length == 0) throw new ArgumentException("At least one series is needed.", nameof(series));
        foreach (var (name, y) in series)
            if (y.Length != x.Length)
                throw new ArgumentException($"Series '{name}' has {y.Length} values but x has {x.Length}.", nameof(series));
        var lines = series.Select(s => CSharpChart.Line<double, double, string>(x: x, y: s.Y, Name: s.Name));
        return WithTitle(CSharpChart.Combine(lines), title)
            .WithXAxisStyle<double, double, string>(TitleText: xTitle)
            .WithYAxisStyle<double, double, string>(TitleText: yTitle);
    }

    /// <summary>One small line chart per series, stacked vertically over a shared x axis (e.g. loss above AUC).</summary>
    public static GenericChart Stacked(string title, string xTitle, double[] x, params (string Name, double[] Y)[] series)
    {
        if (series.Length == 0) throw new ArgumentException("At least one series is needed.", nameof(series));
        var panels = series.Select(s => CSharpChart.Line<double, double, string>(x: x, y: s.Y, Name: s.Name, ShowMarkers: true)
            .WithXAxisStyle<double, double, string>(TitleText: xTitle)
            .WithYAxisStyle<double, double, string>(TitleText: s.Name));
        return WithTitle(CSharpChart.Grid(panels, series.Length, 1), title);
    }

    /// <summary>Sets the chart's title (Plotly.NET's F# <c>Chart.withTitle</c>).</summary>
    public static GenericChart WithTitle(GenericChart chart, string title) =>
        Plotly.NET.Chart.withTitle(title, null).Invoke(chart);
}
