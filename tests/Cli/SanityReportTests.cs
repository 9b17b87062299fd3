using MiDpg.Research.Cli;
using MiDpg.Research.Training.Experiments;

namespace MiDpg.Research.Tests.Cli;

public class SanityReportTests
{
    static SummaryRow Row(string model, double auc, double p = double.NaN) =>
        new("synthetic-100k-g10", model, 3, auc, 0.001, 0.4, 0.01, 0, 1000, "dnn", 0.85, 0.4, p, double.NaN);

    [Fact]
    public void SanityTableComparesEachDpgModelWithDnn()
    {
        var md = MainJobCommand.Sanity([Row("dnn", 0.8500), Row("dpg-r", 0.8520, 0.04), Row("midpg-r", 0.8490, 0.3), Row("pepnet", 0.86)], "Question?");
        Assert.Contains("Question?", md);
        Assert.Contains("DNN has mean test AUC 0.8500", md);
        Assert.Contains("| DPG (R) | 0.8520 ± 0.0010 | +0.0020 | 0.040 | yes |", md);
        Assert.Contains("| MI-DPG (R) | 0.8490 ± 0.0010 | -0.0010 | 0.300 | **no** |", md);
        Assert.DoesNotContain("PEPNet", md);
    }
}
