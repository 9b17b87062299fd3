using System.Text.Json.Nodes;
using MiDpg.Research.Cli;
using MiDpg.Research.Data;
using MiDpg.Research.Training;
using MiDpg.Research.Training.Experiments;

namespace MiDpg.Research.Tests.Training;

/// <summary>The side-by-side harness with Scenario-Wise-Rec: the export both sides read, the statistics of the verdict,
/// and (where the reference checkout and Debian's python3-torch are present) a smoke run of both sides.</summary>
public class ReferenceComparisonTests
{
    [Fact]
    public void WelchTTestMatchesAnIndependentIntegrationOfTheTDensity()
    {
        // x = 1..5, y = 2, 4, ..., 10: t = -3 / sqrt(2.5) = -1.8974, Welch-Satterthwaite df = 6.25 / (0.0625 + 1) = 5.8824.
        // Two-sided p = 1 - 2 * integral_0^|t| of the t density (via lgamma), by Simpson's rule with 200,000 panels
        // (a Python script independent of MathNet): 0.10753119493.
        Assert.Equal(0.10753119493, ExperimentSummary.WelchTTest([1, 2, 3, 4, 5], [2, 4, 6, 8, 10]), 8);
        Assert.Equal(1.0, ExperimentSummary.WelchTTest([1, 1], [1, 1]));
        Assert.Equal(0.0, ExperimentSummary.WelchTTest([1, 1], [2, 2]));
        Assert.True(double.IsNaN(ExperimentSummary.WelchTTest([1], [2, 3])));
    }

    [Fact]
    public void VerdictAgreesOnlyWhenNeitherMetricDiffers()
    {
        ReferenceRun Run(int seed, double auc, double logloss) => new(seed, auc, logloss, auc, 3, 1);
        ReferenceRun[] ours = [Run(1, 0.80, 0.40), Run(2, 0.81, 0.41), Run(3, 0.80, 0.40)];
        var same = new ComparisonRow("d", "m", "m", ours, ours, 1, 1, "");
        Assert.Equal("agree", same.Verdict);
        Assert.Equal("differ", (same with { LogLossP = 0.01 }).Verdict);
        Assert.Equal("n/a", (same with { AucP = double.NaN }).Verdict);
    }

    [Fact]
    public void ExportHoldsEveryRowOfEveryPartWithItsIdsScenarioAndLabel()
    {
        var data = DatasetSource.Parse("synthetic,rows=600").Load();
        var dir = Directory.CreateTempSubdirectory("midpg-export-").FullName;
        try
        {
            SplitExport.Write(dir, data.Name, data.Train, data.Valid, data.Test);
            var meta = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "meta.json")))!;
            Assert.Equal(data.Train.FieldCount, meta["fields"]!.AsArray().Count);
            Assert.Equal(data.Train.Fields[0].VocabularySize, meta["fields"]![0]!["vocab"]!.GetValue<int>());
            Assert.Equal(data.Train.NumericCount, meta["numeric"]!.AsArray().Count);
            foreach (var (part, encoded) in SplitExport.Parts.Zip([data.Train, data.Valid, data.Test]))
            {
                var lines = File.ReadAllLines(Path.Combine(dir, part + ".csv"));
                Assert.Equal(encoded.Rows + 1, lines.Length);
                Assert.EndsWith("domain_indicator,label", lines[0]);
                foreach (var r in new[] { 0, encoded.Rows / 2, encoded.Rows - 1 })
                {
                    var cells = lines[r + 1].Split(',');
                    Assert.Equal(encoded.FieldCount + encoded.NumericCount + 2, cells.Length);
                    for (var f = 0; f < encoded.FieldCount; f++) Assert.Equal(encoded.Id(r, f), long.Parse(cells[f]));
                    for (var n = 0; n < encoded.NumericCount; n++)
                        Assert.Equal(encoded.Numeric[r * encoded.NumericCount + n], float.Parse(cells[encoded.FieldCount + n], System.Globalization.CultureInfo.InvariantCulture));
                    Assert.Equal(encoded.Scenario[r], int.Parse(cells[^2]));
                    Assert.Equal(encoded.Labels[r], float.Parse(cells[^1]));
                }
            }
            // The same export again is fine; another dataset's export in the folder is never overwritten.
            SplitExport.Write(dir, data.Name, data.Train, data.Valid, data.Test);
            Assert.Throws<IOException>(() => SplitExport.Write(dir, "other", data.Train, data.Valid, data.Test));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void PairNamesAreUniqueAndCommaFree()
    {
        var names = ScenarioWiseRecPairs.All.Select(p => p.Name).ToArray();
        Assert.Equal(names.Length, names.Distinct().Count());
        Assert.DoesNotContain(names, n => n.Contains(','));
        // Pairs that share one of our runs configure the same model (ReferenceSpec.Validated refuses otherwise).
        Assert.All(ScenarioWiseRecPairs.All.GroupBy(p => p.OursRun), g => Assert.Single(g.Select(p => (p.Ours, p.OursSettings)).Distinct()));
    }

    [Fact]
    public void EveryPairPassesOnlyOptionsTheDriverDeclares()
    {
        // A misspelt diagnostic flag would make argparse fail each reference run; catch it before any run.
        var driver = File.ReadAllText(ReproduceCommand.Driver);
        var declared = System.Text.RegularExpressions.Regex.Matches(driver, @"add_argument\(""(--[a-z0-9-]+)""").Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Contains("--no-batchnorm", declared);
        Assert.All(ScenarioWiseRecPairs.All.SelectMany(p => p.ReferenceArguments), a => Assert.Contains(a, declared));
    }

    /// <summary>A one-seed run of the named pairs on a small dataset, patience 1, against the checkout found.</summary>
    static ReferenceSpec SmokeSpec(string[] pairs, string data, int epochs) => new()
    {
        Experiment = "smoke",
        Pairs = ScenarioWiseRecPairs.All.Where(p => pairs.Contains(p.Name)).ToArray(),
        Datasets = [DatasetSource.Parse(data)],
        Seeds = [1],
        Trainer = new ReferenceSpec { Pairs = [], Datasets = [], Driver = "", ReferenceRoot = "" }.Trainer with { MaxEpochs = epochs, Patience = 1 },
        Driver = ReproduceCommand.Driver,
        ReferenceRoot = ReferenceFactAttribute.Reference!,
    };

    [ReferenceFact]
    public void M2mPerSampleMakesTheReferencesPredictionsIndependentOfTheBatch()
    {
        // The reference's M2M feeds the [batch, width] embedding to nn.Transformer as one sequence (m2m.py:48): a row's
        // prediction changes with the rows beside it. --m2m-per-sample must remove exactly that coupling.
        var data = DatasetSource.Parse("synthetic,rows=600,scenarios=3").Load();
        var dir = Directory.CreateTempSubdirectory("midpg-m2m-").FullName;
        try
        {
            var export = Path.Combine(dir, "export");
            SplitExport.Write(export, data.Name, data.Train, data.Valid, data.Test);
            string Gap(bool perSample)
            {
                var flag = perSample ? "'--m2m-per-sample', " : "";
                var script = string.Join("\n",
                    "import sys, torch",
                    $"sys.path.insert(0, {Py(Path.GetDirectoryName(ReproduceCommand.Driver)!)}); sys.path.insert(0, {Py(ReferenceFactAttribute.Reference!)})",
                    "import swr_driver as d",
                    $"args = d.parse_args(['--reference', {Py(ReferenceFactAttribute.Reference!)}, '--data', {Py(export)}, '--model', 'm2m', {flag}'--out', 'unused'])",
                    "meta, parts = d.load_export(args.data)",
                    "zeros = d.m2m_padding(args, meta)",
                    "torch.manual_seed(1)",
                    "model, _, _ = d.build_model(args, meta, 0.0, zero_columns=zeros)",
                    "model.eval()",
                    "x, _ = next(iter(d.make_loader(parts['test'], meta, 40, zero_columns=zeros)))",
                    "with torch.no_grad():",
                    "    whole = model(x)",
                    "    alone = torch.cat([model({k: v[i:i + 1] for k, v in x.items()}).reshape(1) for i in range(8)])",
                    "print(float((whole[:8] - alone).abs().max()))");
                var start = new System.Diagnostics.ProcessStartInfo(Models.PeerFactAttribute.Python, ["-c", script])
                { RedirectStandardOutput = true, RedirectStandardError = true };
                using var p = System.Diagnostics.Process.Start(start)!;
                var stdout = p.StandardOutput.ReadToEndAsync();
                var stderr = p.StandardError.ReadToEnd();
                p.WaitForExit();
                Assert.True(p.ExitCode == 0, stderr);
                return stdout.Result.Trim();
            }
            static string Py(string text) => "'" + text.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
            var coupled = double.Parse(Gap(perSample: false), System.Globalization.CultureInfo.InvariantCulture);
            var perSample = double.Parse(Gap(perSample: true), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(coupled > 1e-4, $"as built, a row's prediction depends on its batch (max change {coupled})");
            Assert.True(perSample < 1e-5, $"per sample, a row's prediction is its own (max change {perSample})");
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [ReferenceFact]
    public void NoLayerNormReplacesEveryLayerNormOfTheReferencesM3oe()
    {
        // The M3oE diagnostic pair: the reference's blocks are Linear-LayerNorm-ReLU (m3oe.py:59-61,129); --no-layernorm
        // must reach every one of them (shared experts, domain experts, STAR bottom, towers), and say so in the record.
        var runs = Directory.CreateTempSubdirectory("midpg-swr-ln-").FullName;
        try
        {
            var spec = SmokeSpec(["m3oe (reference without LayerNorm)"], "synthetic,rows=2000,scenarios=3", epochs: 1);
            new ReferenceComparison(new ResultsStore(runs), new StringWriter()).Run(spec);
            var record = Directory.GetFiles(runs, "seed-1.json", SearchOption.AllDirectories).Single();
            Assert.Contains("m3oe+no-layernorm", record);
            var changed = JsonNode.Parse(File.ReadAllText(record))!["settings"]!["changed_after_construction"]!.GetValue<string>();
            Assert.StartsWith("LayerNorm replaced by the identity: ", changed);
            var replaced = changed["LayerNorm replaced by the identity: ".Length..].Split(", ");
            // 3 scenarios, 4 shared experts: STAR bottom's block and skip connection (2), 4 shared + 3 domain experts (7), 3 towers.
            Assert.Equal(2 + 4 + 3 + 3, replaced.Length);
            Assert.Contains(replaced, n => n.StartsWith("tower."));
        }
        finally { Directory.Delete(runs, recursive: true); }
    }

    [ReferenceFact]
    public void SmokeRunTrainsBothSidesOnTheSameRowsAndResumes()
    {
        var runs = Directory.CreateTempSubdirectory("midpg-swr-").FullName;
        try
        {
            var spec = SmokeSpec(["star", "ple"], "synthetic,rows=3000", epochs: 2);
            var log = new StringWriter();
            var comparison = new ReferenceComparison(new ResultsStore(runs), log);
            comparison.Run(spec);
            var rows = comparison.Summarise(spec);
            Assert.Equal(2, rows.Count);
            // 3,000 rows and 2 epochs say nothing about quality (AUCs near 0.5 either side); this checks the harness.
            Assert.All(rows, r =>
            {
                Assert.Single(r.Ours);
                Assert.Single(r.Theirs);
                Assert.InRange(r.OursAuc, 0.0, 1.0);
                Assert.InRange(r.TheirsAuc, 0.0, 1.0);
                Assert.InRange(r.Theirs[0].Epochs, 1, 2);
                Assert.Equal("n/a", r.Verdict);   // one seed: no test
            });
            // The reference tested on exactly our test rows: its per-scenario row counts are ours.
            var data = spec.Datasets[0].Load();
            var theirs = JsonNode.Parse(File.ReadAllText(Directory.GetFiles(runs, "seed-1.json", SearchOption.AllDirectories).First()))!;
            Assert.Equal(data.Test.ScenarioCounts(), theirs["per_scenario"]!.AsArray().Select(s => s!["rows"]!.GetValue<int>()).ToArray());
            Assert.Contains("reference_commit", comparison.ReferenceVersions(spec).Keys);
            // A second run trains nothing on either side.
            var again = new StringWriter();
            new ReferenceComparison(new ResultsStore(runs), again).Run(spec);
            Assert.DoesNotContain("test AUC", again.ToString());
            Assert.Contains("recorded, skipped", again.ToString());
        }
        finally { Directory.Delete(runs, recursive: true); }
    }
}

/// <summary>A fact that needs the Scenario-Wise-Rec checkout (../shared/reference/scenario-wise-rec or $MIDPG_SWR) and
/// Debian's python3-torch, pandas, scikit-learn and tqdm; reported as skipped, with the reason, where they are missing.</summary>
public sealed class ReferenceFactAttribute : FactAttribute
{
    public static string? Reference { get; } = ReproduceCommand.FindReference();

    public ReferenceFactAttribute()
    {
        if (Reference is null) Skip = "the Scenario-Wise-Rec checkout (../shared/reference/scenario-wise-rec or $MIDPG_SWR) is not on this machine";
        else if (!Models.PeerFactAttribute.PythonImports("torch", "pandas", "sklearn", "tqdm"))
            Skip = $"{Models.PeerFactAttribute.Python} cannot import torch, pandas, sklearn and tqdm (apt-get install python3-torch python3-pandas python3-sklearn python3-tqdm)";
    }
}
