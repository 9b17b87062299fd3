using System.Globalization;
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

    /// <summary>Bars, one per label, each annotated with its value (and ± error when given, e.g. mean AUC ± std per model).</summary>
    public static GenericChart Bars(string title, string valueTitle, string[] labels, double[] values, double[]? errors = null)
    {
        if (labels.Length != values.Length || (errors is not null && errors.Length != values.Length))
            throw new ArgumentException($"{labels.Length} labels, {values.Length} values and {errors?.Length} errors do not match.");
        var text = values.Select((v, i) => errors is null ? v.ToString("G4", CultureInfo.InvariantCulture)
            : $"{v.ToString("F4", CultureInfo.InvariantCulture)} ± {errors[i].ToString("F4", CultureInfo.InvariantCulture)}").ToArray();
        var bars = CSharpChart.Bar<double, string, string>(values: values, Keys: labels, MultiText: text);
        return WithTitle(bars, title).WithXAxisStyle<double, double, string>(TitleText: valueTitle);
    }

    /// <summary>A scatter plot, one marker trace per named group, with hover text per point.</summary>
    public static GenericChart Scatter(string title, string xTitle, string yTitle,
        params (string Name, double[] X, double[] Y, string[] Text)[] groups)
    {
        if (groups.Length == 0) throw new ArgumentException("At least one group is needed.", nameof(groups));
        foreach (var g in groups)
            if (g.X.Length != g.Y.Length || g.Text.Length != g.X.Length)
                throw new ArgumentException($"Group '{g.Name}' has {g.X.Length} x, {g.Y.Length} y and {g.Text.Length} labels.", nameof(groups));
        var traces = groups.Select(g => CSharpChart.Point<double, double, string>(x: g.X, y: g.Y, Name: g.Name, MultiText: g.Text));
        return WithTitle(CSharpChart.Combine(traces), title)
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
