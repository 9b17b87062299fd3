using System.Globalization;
using Plotly.NET;
using Plotly.NET.CSharp;
using MiDpg.Research.Training.Experiments;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace MiDpg.Research.Plotting;

/// <summary>The model families Table 1 compares: the paper's baselines (and OptMSM), DPG without the MIR, MI-DPG.</summary>
public enum ModelFamily { Baseline, Dpg, MiDpg }

/// <summary>Table 1 as a figure for a paper: mean test AUC per model with its spread over trials.</summary>
public static class Table1Charts
{
    /// <summary>The family of a registry model name (<c>dpg-*</c>, <c>midpg-*</c>, anything else a baseline).</summary>
    public static ModelFamily FamilyOf(string model) =>
        model.StartsWith("midpg", StringComparison.Ordinal) ? ModelFamily.MiDpg
        : model.StartsWith("dpg", StringComparison.Ordinal) ? ModelFamily.Dpg
        : ModelFamily.Baseline;

    /// <summary>Legend name and colour of each family (colour-blind safe, distinct in greyscale print).</summary>
    public static (string Name, string Colour) Style(ModelFamily family) => family switch
    {
        ModelFamily.Baseline => ("baselines", "#8c8c8c"),
        ModelFamily.Dpg => ("DPG (no MIR)", "#4c9bd6"),
        _ => ("MI-DPG", "#d9622b"),
    };

    /// <summary>
    /// Horizontal bars of mean test AUC of one dataset's models, sorted, coloured by family, with ± one standard deviation
    /// over trials as error bars, on a value axis zoomed to the bars' range (a 0.07 AUC spread fills the plot instead of
    /// its last tenth). Each label carries the mean ± std and <c>*</c> where the model is significantly better than the best
    /// baseline (paired t-test, p ≤ 0.05), as in the paper's Table 1.
    /// </summary>
    public static GenericChart Auc(string title, IReadOnlyList<SummaryRow> rows, Func<string, string>? displayName = null)
    {
        if (rows.Count == 0) throw new ArgumentException("No rows: nothing to draw.", nameof(rows));
        if (rows.Select(r => r.Dataset).Distinct().Count() > 1)
            throw new ArgumentException("Rows of one dataset only: AUCs of different datasets do not share an axis.", nameof(rows));
        displayName ??= m => m;
        var sorted = rows.OrderBy(r => double.IsNaN(r.AucMean) ? double.NegativeInfinity : r.AucMean).ToList();
        string Label(SummaryRow r) =>
            $"{displayName(r.Model)}  {r.AucMean.ToString("F4", CultureInfo.InvariantCulture)} ± {r.AucStd.ToString("F4", CultureInfo.InvariantCulture)}" +
            (r.AucSignificant ? " *" : "");
        var labels = sorted.Select(Label).ToArray();
        var traces = sorted.GroupBy(r => FamilyOf(r.Model)).OrderBy(g => g.Key).Select(g =>
        {
            var (name, colour) = Style(g.Key);
            var members = g.ToList();
            var bars = CSharpChart.Bar<double, string, string>(values: members.Select(r => r.AucMean).ToArray(),
                Keys: members.Select(Label).ToArray(), Name: name, MarkerColor: Color.fromString(colour));
            return Plotly.NET.GenericChart.mapTrace(Microsoft.FSharp.Core.FuncConvert.FromFunc<Trace, Trace>(t =>
            {
                t.SetProperty("error_x", new { type = "data", array = members.Select(r => r.AucStd).ToArray(), visible = true, thickness = 1.5, width = 4, color = "#333333" });
                t.SetProperty("textposition", "none");
                t.SetProperty("hovertemplate", "%{y}<extra></extra>");
                return t;
            }), bars);
        });
        var finite = sorted.Where(r => double.IsFinite(r.AucMean)).ToList();
        double lo = finite.Count == 0 ? 0 : finite.Min(r => r.AucMean - (double.IsFinite(r.AucStd) ? r.AucStd : 0));
        double hi = finite.Count == 0 ? 1 : finite.Max(r => r.AucMean + (double.IsFinite(r.AucStd) ? r.AucStd : 0));
        double pad = Math.Max((hi - lo) * 0.15, 1e-3);
        var chart = Plotly.NET.GenericChart.mapLayout(Microsoft.FSharp.Core.FuncConvert.FromFunc<Layout, Layout>(l =>
        {
            l.SetProperty("barmode", "overlay");
            l.SetProperty("xaxis", new { title = new { text = "test AUC: mean ± std over trials (* better than the best baseline, paired t-test p ≤ 0.05)" },
                range = new[] { lo - pad, hi + pad }, zeroline = false, automargin = false });
            // A fixed left margin that fits the longest label (about 7 px a character at 12 px): with automargin, plotly.js
            // redraws after measuring the labels, and a headless screenshot can catch the first, half-finished drawing.
            l.SetProperty("yaxis", new { categoryorder = "array", categoryarray = labels, automargin = false });
            l.SetProperty("margin", new { l = 20 + 7 * labels.Max(x => x.Length), t = 90 });
            l.SetProperty("legend", new { orientation = "h", x = 0, y = 1.0, xanchor = "left", yanchor = "bottom" });
            return l;
        }), CSharpChart.Combine(traces));
        return Charts.WithTitle(chart, title);
    }
}
