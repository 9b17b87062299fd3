using Microsoft.Data.Analysis;

namespace MiDpg.Research.Training;

/// <summary>
/// One row of a per-scenario evaluation: sample count, positives, exact AUC (NaN when the scenario has a single class)
/// and clipped LogLoss. See <see cref="Metrics.PerScenario"/>.
/// </summary>
public sealed record ScenarioMetrics(string Scenario, int N, int Positives, double Auc, double LogLoss)
{
    /// <summary>Negatives in the scenario (N − Positives).</summary>
    public int Negatives => N - Positives;

    /// <summary>Rows as a <see cref="DataFrame"/> with columns Scenario, N, Positives, AUC, LogLoss.</summary>
    public static DataFrame ToDataFrame(IEnumerable<ScenarioMetrics> rows)
    {
        var list = rows.ToList();
        return new DataFrame(
            new StringDataFrameColumn("Scenario", list.Select(r => r.Scenario)),
            new Int32DataFrameColumn("N", list.Select(r => r.N)),
            new Int32DataFrameColumn("Positives", list.Select(r => r.Positives)),
            new DoubleDataFrameColumn("AUC", list.Select(r => r.Auc)),
            new DoubleDataFrameColumn("LogLoss", list.Select(r => r.LogLoss)));
    }
}
