using MiDpg.Research.Plotting;

namespace MiDpg.Research.Tests.Plotting;

public class ChartsTests
{
    static string Json(Plotly.NET.GenericChart chart) => Plotly.NET.GenericChart.toFigureJson(chart);

    [Fact]
    public void HeatmapCarriesTheMatrixLabelsAndColourRange()
    {
        var z = new double[,] { { 1, 0.5, 0 }, { 0.5, 1, 0.25 } };
        var chart = Charts.Heatmap("similarity", z, ["a", "b", "c"], ["r1", "r2"], zMin: -1, zMax: 1);
        var json = Json(chart);
        Assert.Contains("\"type\":\"heatmap\"", json);
        Assert.Contains("[[1.0,0.5,0.0],[0.5,1.0,0.25]]", json);
        Assert.Contains("\"r2\"", json);
        Assert.Contains("\"zmin\":-1", json);
        Assert.Contains("\"zmax\":1", json);
        Assert.Contains("similarity", json);
    }

    [Fact]
    public void HeatmapRejectsWrongLabelCounts()
    {
        Assert.Throws<ArgumentException>(() => Charts.Heatmap("t", new double[2, 2], ["a"], ["x", "y"]));
        Assert.Throws<ArgumentException>(() => Charts.Heatmap("t", new double[0, 0]));
    }

    [Fact]
    public void ColumnsGroupOrStackTheSeries()
    {
        string[] cats = ["dnn", "apg"];
        var grouped = Json(Charts.Columns("params", "count", cats, false, ("emb", [1.0, 2.0]), ("mlp", [3.0, 4.0])));
        Assert.Contains("\"type\":\"bar\"", grouped);
        Assert.Contains("\"barmode\":\"group\"", grouped);
        var stacked = Json(Charts.Columns("params", "count", cats, true, ("emb", [1.0, 2.0])));
        Assert.Contains("\"barmode\":\"stack\"", stacked);
        Assert.Throws<ArgumentException>(() => Charts.Columns("p", "c", cats, false, ("emb", [1.0])));
    }
}
