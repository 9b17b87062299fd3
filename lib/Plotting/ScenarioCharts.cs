using Plotly.NET;
using MiDpg.Research.Training.Experiments;
using Plotly.NET.CSharp;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace MiDpg.Research.Plotting;

/// <summary>Charts of per-scenario results (<see cref="ExperimentSummary.SummariseScenarios"/>).</summary>
public static class ScenarioCharts
{
    /// <summary>
    /// Per-scenario gain over DNN: a heatmap of models (rows) x scenarios (columns) of mean test AUC minus DNN's mean test
    /// AUC in that scenario, on a diverging scale symmetric around 0 (blue: better than DNN, red: worse), each cell labelled
    /// with its value; "no AUC" (blank colour) where the scenario's test part holds one class. DNN itself is left out (its row would be 0).
    /// </summary>
    public static GenericChart GainsOverDnn(string title, IReadOnlyList<ScenarioSummaryRow> rows, Func<string, string>? displayName = null,
        IReadOnlyList<string>? modelOrder = null)
    {
        displayName ??= m => m;
        var scenarios = rows.Select(r => r.Scenario).Distinct().ToArray();
        var models = rows.Select(r => r.Model).Distinct().Where(m => m != ExperimentSummary.BaseModel)
            .OrderBy(m => modelOrder is null ? 0 : ExperimentSummary.IndexOr(modelOrder, m)).ToArray();
        if (scenarios.Length == 0 || models.Length == 0)
            throw new ArgumentException("No per-scenario rows besides DNN's: nothing to compare with DNN.", nameof(rows));
        var z = new double?[models.Length][];
        for (int i = 0; i < models.Length; i++)
        {
            z[i] = new double?[scenarios.Length];
            for (int j = 0; j < scenarios.Length; j++)
            {
                var cell = rows.FirstOrDefault(r => r.Model == models[i] && r.Scenario == scenarios[j]);
                z[i][j] = cell is null || double.IsNaN(cell.GainOverDnn) ? null : cell.GainOverDnn;
            }
        }
        var finite = z.SelectMany(r => r).Where(v => v is not null).Select(v => Math.Abs(v!.Value)).DefaultIfEmpty(0).Max();
        var range = finite > 0 ? finite : 1e-3;
        // Built on zeros, then z is set with nulls where a scenario has no AUC (Plotly leaves those cells blank).
        var zeros = z.Select(r => r.Select(_ => 0.0).ToArray()).ToArray();
        var chart = CSharpChart.Heatmap<double, string, string, string>(zData: zeros, X: scenarios, Y: models.Select(displayName).ToArray(),
            ColorScale: StyleParam.Colorscale.RdBu, ReverseScale: true, ReverseYAxis: true);
        var text = z.Select(r => r.Select(v => v is null ? "" : v.Value.ToString("+0.0000;-0.0000;0.0000", System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToArray();
        // "no AUC" as dark annotations: in-cell text is coloured for contrast with the cell's colour, and a blank cell has none.
        var noAuc = Enumerable.Range(0, models.Length).SelectMany(i => Enumerable.Range(0, scenarios.Length).Where(j => z[i][j] is null)
            .Select(j => new { x = scenarios[j], y = displayName(models[i]), text = "no AUC", showarrow = false, font = new { color = "#444444", size = 11 } })).ToArray();
        chart = GenericChart.mapTrace(Microsoft.FSharp.Core.FuncConvert.FromFunc<Trace, Trace>(t =>
        {
            t.SetProperty("z", z.Select(r => r.Select(v => (object?)v).ToArray()).ToArray());
            t.SetProperty("zmin", -range);
            t.SetProperty("zmax", range);
            t.SetProperty("zmid", 0.0);
            t.SetProperty("text", text);
            t.SetProperty("texttemplate", "%{text}");
            t.SetProperty("hovertemplate", "%{y}<br>scenario %{x}<br>test AUC minus DNN's: %{text}<extra></extra>");
            t.SetProperty("colorbar", new { title = new { text = "test AUC<br>minus DNN's", side = "right" } });
            return t;
        }), chart);
        if (noAuc.Length > 0)
            chart = GenericChart.mapLayout(Microsoft.FSharp.Core.FuncConvert.FromFunc<Layout, Layout>(l =>
            {
                l.SetProperty("annotations", noAuc);
                return l;
            }), chart);
        return Charts.WithTitle(chart, title)
            .WithXAxisStyle<double, double, string>(TitleText: "scenario", ShowGrid: false)
            .WithYAxisStyle<double, double, string>(TitleText: "model", ShowGrid: false);
    }
}
