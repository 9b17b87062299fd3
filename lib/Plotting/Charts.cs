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

    /// <summary>Bars, one per label, each annotated with its value (and ± error when given, e.g. mean AUC ± std per model,
    /// drawn as error bars too). With <paramref name="zoom"/> the value axis spans the bars' range (with the errors and a
    /// margin) instead of starting at 0, so small differences between models are visible.</summary>
    public static GenericChart Bars(string title, string valueTitle, string[] labels, double[] values, double[]? errors = null, bool zoom = false)
    {
        if (labels.Length != values.Length || (errors is not null && errors.Length != values.Length))
            throw new ArgumentException($"{labels.Length} labels, {values.Length} values and {errors?.Length} errors do not match.");
        var text = values.Select((v, i) => errors is null ? v.ToString("G4", CultureInfo.InvariantCulture)
            : $"{v.ToString("F4", CultureInfo.InvariantCulture)} ± {errors[i].ToString("F4", CultureInfo.InvariantCulture)}").ToArray();
        // Zoomed, the bars' bases lie left of the axis, so their values go into the category labels instead.
        var keys = zoom ? labels.Select((l, i) => $"{l}  {text[i]}").ToArray() : labels;
        var bars = CSharpChart.Bar<double, string, string>(values: values, Keys: keys, MultiText: text);
        if (errors is not null)
            bars = Plotly.NET.GenericChart.mapTrace(Microsoft.FSharp.Core.FuncConvert.FromFunc<Trace, Trace>(t =>
            {
                t.SetProperty("error_x", new { type = "data", array = errors, visible = true, thickness = 1.5, width = 4 });
                t.SetProperty("textposition", zoom ? "none" : "inside");
                return t;
            }), bars);
        var chart = WithTitle(bars, title).WithXAxisStyle<double, double, string>(TitleText: valueTitle);
        if (zoom && values.Length > 0)
        {
            var finite = values.Select((v, i) => (v, e: errors?[i] ?? 0)).Where(p => double.IsFinite(p.v)).ToArray();
            if (finite.Length > 0)
            {
                double lo = finite.Min(p => p.v - (double.IsFinite(p.e) ? p.e : 0)), hi = finite.Max(p => p.v + (double.IsFinite(p.e) ? p.e : 0));
                double pad = Math.Max((hi - lo) * 0.15, 1e-3);
                chart = Plotly.NET.GenericChart.mapLayout(Microsoft.FSharp.Core.FuncConvert.FromFunc<Layout, Layout>(l =>
                {
                    l.SetProperty("xaxis", new { title = new { text = valueTitle }, range = new[] { lo - pad, hi + pad } });
                    return l;
                }), chart);
            }
        }
        return chart;
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

    /// <summary>Plotly's default ten colours, then ten more (D3's category20 light tones), cycled.</summary>
    public static readonly string[] Palette =
    [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
        "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
    ];

    /// <summary>
    /// Side-by-side scatter panels (e.g. t-SNE of DPG and MI-DPG matrices), each with one marker trace per named group and
    /// hover text per point. A group keeps its colour in every panel and appears once in the legend.
    /// </summary>
    public static GenericChart ScatterGrid(string title, int columns,
        params (string Title, (string Name, double[] X, double[] Y, string[] Text)[] Groups)[] panels) =>
        ScatterGrid(title, columns, symbolOf: null, equalAspect: false, panels);

    /// <summary>Marker symbols for a second grouping beside colour (e.g. the scenario's group in the generator), cycled.</summary>
    public static readonly StyleParam.MarkerSymbol[] Symbols =
    [
        StyleParam.MarkerSymbol.Circle, StyleParam.MarkerSymbol.Square, StyleParam.MarkerSymbol.Diamond,
        StyleParam.MarkerSymbol.TriangleUp, StyleParam.MarkerSymbol.Cross, StyleParam.MarkerSymbol.X,
        StyleParam.MarkerSymbol.TriangleDown, StyleParam.MarkerSymbol.Pentagon,
    ];

    /// <summary>
    /// <see cref="ScatterGrid(string,int,ValueTuple{string,ValueTuple{string,double[],double[],string[]}[]}[])"/> with a marker
    /// symbol per group name (<paramref name="symbolOf"/>: index into <see cref="Symbols"/>, e.g. the scenario's group) and,
    /// with <paramref name="equalAspect"/>, one unit the same length on both axes of every panel (an embedding such as
    /// t-SNE has no preferred direction, so stretching one axis would misstate distances).
    /// </summary>
    public static GenericChart ScatterGrid(string title, int columns, Func<string, int>? symbolOf, bool equalAspect,
        params (string Title, (string Name, double[] X, double[] Y, string[] Text)[] Groups)[] panels) =>
        ScatterGrid(title, columns, symbolOf, equalAspect, null, null, panels);

    /// <summary>As above, with the same axis titles on every panel (e.g. "t-SNE 1 (arbitrary units)").</summary>
    public static GenericChart ScatterGrid(string title, int columns, Func<string, int>? symbolOf, bool equalAspect, string? xTitle, string? yTitle,
        params (string Title, (string Name, double[] X, double[] Y, string[] Text)[] Groups)[] panels)
    {
        if (panels.Length == 0) throw new ArgumentException("At least one panel is needed.", nameof(panels));
        if (columns < 1) throw new ArgumentOutOfRangeException(nameof(columns), columns, "columns must be >= 1");
        var names = panels.SelectMany(p => p.Groups.Select(g => g.Name)).Distinct().ToList();
        var charts = panels.Select((p, index) =>
        {
            foreach (var g in p.Groups)
                if (g.X.Length != g.Y.Length || g.Text.Length != g.X.Length)
                    throw new ArgumentException($"Panel '{p.Title}', group '{g.Name}' has {g.X.Length} x, {g.Y.Length} y and {g.Text.Length} labels.", nameof(panels));
            var traces = p.Groups.Select(g => CSharpChart.Point<double, double, string>(x: g.X, y: g.Y, Name: g.Name,
                    MultiText: g.Text, ShowLegend: index == 0,
                    MarkerColor: Color.fromString(Palette[names.IndexOf(g.Name) % Palette.Length]),
                    MarkerSymbol: symbolOf is null ? StyleParam.MarkerSymbol.Circle : Symbols[symbolOf(g.Name) % Symbols.Length])
                .WithTraceInfo(LegendGroup: g.Name));
            return CSharpChart.Combine(traces);
        }).ToList();
        var rows = (panels.Length + columns - 1) / columns;
        var grid = CSharpChart.Grid(charts, rows, Math.Min(columns, panels.Length), SubPlotTitles: panels.Select(p => p.Title).ToArray());
        if (equalAspect || xTitle is not null || yTitle is not null)
            grid = Plotly.NET.GenericChart.mapLayout(Microsoft.FSharp.Core.FuncConvert.FromFunc<Layout, Layout>(l =>
            {
                DynamicObj.DynamicObj Axis(string name)
                {
                    var axis = l.TryGetPropertyValue(name) is { } found && Microsoft.FSharp.Core.FSharpOption<object>.get_IsSome(found) && found.Value is DynamicObj.DynamicObj existing
                        ? existing : new Plotly.NET.LayoutObjects.LinearAxis();
                    l.SetProperty(name, axis);
                    return axis;
                }
                for (int i = 1; i <= panels.Length; i++)
                {
                    string suffix = i == 1 ? "" : i.ToString(CultureInfo.InvariantCulture);
                    var (x, y) = (Axis("xaxis" + suffix), Axis("yaxis" + suffix));
                    if (equalAspect) { y.SetProperty("scaleanchor", "x" + suffix); y.SetProperty("scaleratio", 1); }
                    if (xTitle is not null) x.SetProperty("title", new { text = xTitle });
                    if (yTitle is not null) y.SetProperty("title", new { text = yTitle });
                }
                return l;
            }), grid);
        return WithTitle(grid, title);
    }

    /// <summary>
    /// A similarity heatmap over <paramref name="labels"/> (rows and columns), optionally reordered by
    /// <paramref name="order"/> (e.g. a clustering's leaf order); hover shows the pair and the value.
    /// </summary>
    public static GenericChart SimilarityHeatmap(string title, IReadOnlyList<string> labels, double[,] values, int[]? order = null)
    {
        var n = labels.Count;
        if (values.GetLength(0) != n || values.GetLength(1) != n)
            throw new ArgumentException($"{n} labels for a {values.GetLength(0)} x {values.GetLength(1)} matrix.", nameof(values));
        order ??= Enumerable.Range(0, n).ToArray();
        if (order.Length != n || order.Distinct().Count() != n || order.Any(i => i < 0 || i >= n))
            throw new ArgumentException("order must be a permutation of 0..n-1.", nameof(order));
        var reordered = new double[n, n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++) reordered[i, j] = values[order[i], order[j]];
        var names = order.Select(i => labels[i]).ToArray();
        // Cosine similarities: the same fixed scale [-1, 1] in every figure, so colours compare across notebooks.
        return MatrixHeatmap(title, names, names, reordered, diverging: true, colourBarTitle: "cosine<br>similarity", zRange: (-1, 1));
    }

    /// <summary>A heatmap of a rows x columns matrix (first row at the top); <paramref name="diverging"/> uses a red-blue scale.
    /// <paramref name="colourBarTitle"/> names the colour bar's quantity (and unit); <paramref name="zRange"/> fixes the colour scale.</summary>
    public static GenericChart MatrixHeatmap(string title, IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels, double[,] values, bool diverging = false,
        string? colourBarTitle = null, (double Min, double Max)? zRange = null)
    {
        if (values.GetLength(0) != rowLabels.Count || values.GetLength(1) != columnLabels.Count)
            throw new ArgumentException($"{rowLabels.Count} row and {columnLabels.Count} column labels for a {values.GetLength(0)} x {values.GetLength(1)} matrix.", nameof(values));
        var z = Enumerable.Range(0, rowLabels.Count).Select(i => Enumerable.Range(0, columnLabels.Count).Select(j => values[i, j]).ToArray()).ToArray();
        var heatmap = CSharpChart.Heatmap<double, string, string, string>(zData: z, X: columnLabels.ToArray(), Y: rowLabels.ToArray(),
            ColorScale: diverging ? StyleParam.Colorscale.RdBu : StyleParam.Colorscale.Viridis, ReverseScale: diverging, ReverseYAxis: true);
        if (colourBarTitle is not null || zRange is not null)
            heatmap = Plotly.NET.GenericChart.mapTrace(Microsoft.FSharp.Core.FuncConvert.FromFunc<Trace, Trace>(t =>
            {
                if (colourBarTitle is not null) t.SetProperty("colorbar", new { title = new { text = colourBarTitle, side = "right" } });
                if (zRange is { } r) { t.SetProperty("zmin", r.Min); t.SetProperty("zmax", r.Max); }
                return t;
            }), heatmap);
        return WithTitle(heatmap, title);
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

    /// <summary>
    /// A heatmap of a matrix: <paramref name="z"/>[row, column], row labels on the y axis (first row at the top),
    /// column labels on the x axis. Optional colour range <paramref name="zMin"/>..<paramref name="zMax"/>.
    /// </summary>
    public static GenericChart Heatmap(string title, double[,] z, string[]? columnLabels = null, string[]? rowLabels = null,
        double? zMin = null, double? zMax = null)
    {
        int rows = z.GetLength(0), cols = z.GetLength(1);
        columnLabels ??= Enumerable.Range(0, cols).Select(j => j.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        rowLabels ??= Enumerable.Range(0, rows).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        if (columnLabels.Length != cols || rowLabels.Length != rows)
            throw new ArgumentException($"A {rows} x {cols} matrix needs {rows} row labels and {cols} column labels; got {rowLabels.Length} and {columnLabels.Length}.");
        if (rows == 0 || cols == 0) throw new ArgumentException("The matrix is empty.", nameof(z));
        var data = Enumerable.Range(0, rows).Select(i => Enumerable.Range(0, cols).Select(j => z[i, j]).ToArray()).ToArray();
        var chart = CSharpChart.Heatmap<double, string, string, string>(zData: data, X: columnLabels, Y: rowLabels, ReverseYAxis: true);
        if (zMin is not null || zMax is not null)
        {
            double lo = zMin ?? data.SelectMany(r => r).Min(), hi = zMax ?? data.SelectMany(r => r).Max();
            chart = Plotly.NET.GenericChart.mapTrace(Microsoft.FSharp.Core.FuncConvert.FromFunc<Trace, Trace>(t =>
            {
                t.SetProperty("zmin", lo);
                t.SetProperty("zmax", hi);
                return t;
            }), chart);
        }
        return WithTitle(chart, title);
    }

    /// <summary>Vertical bars: one trace per named series over shared categories (grouped, or stacked when <paramref name="stacked"/>).</summary>
    public static GenericChart Columns(string title, string yTitle, string[] categories, bool stacked = false,
        params (string Name, double[] Values)[] series)
    {
        if (series.Length == 0) throw new ArgumentException("At least one series is needed.", nameof(series));
        foreach (var (name, v) in series)
            if (v.Length != categories.Length)
                throw new ArgumentException($"Series '{name}' has {v.Length} values but there are {categories.Length} categories.", nameof(series));
        var bars = series.Select(s => CSharpChart.Column<double, string, string>(values: s.Values, Keys: categories, Name: s.Name));
        var chart = Plotly.NET.GenericChart.mapLayout(Microsoft.FSharp.Core.FuncConvert.FromFunc<Layout, Layout>(l =>
            {
                l.SetProperty("barmode", stacked ? "stack" : "group");
                return l;
            }), CSharpChart.Combine(bars))
            .WithYAxisStyle<double, double, string>(TitleText: yTitle);
        return WithTitle(chart, title);
    }

    /// <summary>Sets the chart's title (Plotly.NET's F# <c>Chart.withTitle</c>).</summary>
    public static GenericChart WithTitle(GenericChart chart, string title) =>
        Plotly.NET.Chart.withTitle(title, null).Invoke(chart);
}
