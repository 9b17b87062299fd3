using MiDpg.Research.Plotting;
using MiDpg.Research.Training.Experiments;

namespace MiDpg.Research.Tests.Plotting;

public class Table1ChartsTests
{
    static SummaryRow Row(string model, double auc, double std, double p) =>
        new("d", model, 10, auc, std, 0.4, 0.01, 0, 1000, "dnn", 0.80, 0.4, p, double.NaN);

    [Fact]
    public void BarsAreSortedColouredByFamilyWithErrorBarsAndAStarOnlyWhereSignificantlyBetter()
    {
        var rows = new[]
        {
            Row("dnn", 0.80, 0.002, double.NaN), Row("star", 0.79, 0.003, 0.01),
            Row("dpg-r", 0.81, 0.001, 0.01), Row("midpg-r", 0.805, 0.004, 0.20),
        };
        var figure = PlotlyFigureJson.FromHtml(Plotly.NET.GenericChart.toChartHTML(Table1Charts.Auc("t", rows)))!;
        Assert.Equal(["baselines", "DPG (no MIR)", "MI-DPG"], figure.Data.Select(t => (string?)t!["name"]));
        var order = figure.Layout["yaxis"]!["categoryarray"]!.AsArray().Select(c => (string)c!).ToList();
        Assert.Equal(["star", "dnn", "midpg-r", "dpg-r"], order.Select(l => l.Split("  ")[0]));   // ascending: best at the top
        Assert.Equal("dpg-r  0.8100 ± 0.0010 *", order[3]);          // better than the best baseline at p 0.01
        Assert.DoesNotContain("*", order[2]);                         // p 0.20
        Assert.DoesNotContain("*", order[0]);                         // p 0.01, but worse than the best baseline
        var baselines = figure.Data[0]!;
        Assert.Equal([0.79, 0.80], baselines["x"]!.AsArray().Select(v => (double)v!));
        Assert.Equal([0.003, 0.002], baselines["error_x"]!["array"]!.AsArray().Select(v => (double)v!));
        var range = figure.Layout["xaxis"]!["range"]!.AsArray().Select(v => (double)v!).ToArray();
        Assert.True(range[0] > 0.7 && range[0] < 0.787 && range[1] > 0.811 && range[1] < 0.9, $"zoomed to the bars: {range[0]}..{range[1]}");
        Assert.Throws<ArgumentException>(() => Table1Charts.Auc("t", [Row("dnn", 0.8, 0, 0), Row("dnn", 0.8, 0, 0) with { Dataset = "e" }]));
    }

    [Fact]
    public void FamiliesFollowTheRegistryNames()
    {
        Assert.Equal(ModelFamily.MiDpg, Table1Charts.FamilyOf("midpg-non"));
        Assert.Equal(ModelFamily.Dpg, Table1Charts.FamilyOf("dpg-c"));
        Assert.Equal(ModelFamily.Baseline, Table1Charts.FamilyOf("optmsm"));
        Assert.Equal(ModelFamily.Baseline, Table1Charts.FamilyOf("apg"));
    }
}

public class ScenarioChartsTests
{
    static ScenarioSummaryRow Cell(string scenario, string model, double gain) =>
        new("d", scenario, model, 3, double.IsNaN(gain) ? 0 : 3, 0.8, 0.01, 0.4, 0.01, 100, double.IsNaN(gain) ? 0 : 20, gain, "dnn", 0.8, 0.5, 0.5);

    [Fact]
    public void GainsOverDnnLabelsEveryCellAndMarksScenariosWithoutAucInDarkText()
    {
        var rows = new[]
        {
            Cell("s0", "dnn", 0), Cell("s1", "dnn", double.NaN),
            Cell("s0", "dpg-r", 0.012), Cell("s1", "dpg-r", double.NaN),
        };
        var figure = PlotlyFigureJson.FromHtml(Plotly.NET.GenericChart.toChartHTML(ScenarioCharts.GainsOverDnn("g", rows)))!;
        var trace = figure.Data.Single()!;
        Assert.Equal("+0.0120", (string?)trace["text"]![0]![0]);
        Assert.Equal("", (string?)trace["text"]![0]![1]);                    // no in-cell text where there is no AUC ...
        var note = figure.Layout["annotations"]!.AsArray().Single()!;         // ... but one dark annotation
        Assert.Equal(("s1", "dpg-r", "no AUC", "#444444"), ((string?)note["x"], (string?)note["y"], (string?)note["text"], (string?)note["font"]!["color"]));
        Assert.False((bool)figure.Layout["xaxis"]!["showgrid"]!);
    }
}
