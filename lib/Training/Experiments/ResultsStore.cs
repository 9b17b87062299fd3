using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Analysis;

namespace MiDpg.Research.Training.Experiments;

/// <summary>One measured number: (model, dataset, trial, scenario, metric) -> value. Scenario "all" is the whole test set.</summary>
public sealed record ResultRow(string Experiment, string Model, string Dataset, int Trial, int Seed, string Scenario, string Metric, double Value);

/// <summary>
/// The results of experiments, kept under <c>runs/</c> (ignored by git): one CSV file per finished trial,
/// <c>runs/&lt;experiment&gt;/&lt;dataset&gt;/&lt;model&gt;/trial-&lt;k&gt;.csv</c>, written to a temporary file
/// and renamed, so a trial is either completely recorded or absent, and next to it a JSON file with
/// the configuration that produced it (model config, trainer config, data description, seed).
/// Why files and not a database: a sweep interrupted at any moment resumes by skipping the trials whose
/// file exists; files are diffable, greppable and open in any tool (Microsoft.Data.Analysis reads them);
/// and no server or native dependency is needed on a laptop.
/// </summary>
public sealed class ResultsStore(string root)
{
    public const string Header = "experiment,model,dataset,trial,seed,scenario,metric,value";
    public string Root { get; } = Path.GetFullPath(root);

    string TrialPath(string experiment, string dataset, string model, int trial) =>
        Path.Combine(Root, Safe(experiment), Safe(dataset), Safe(model), $"trial-{trial}.csv");

    /// <summary>True when this trial's results are recorded.</summary>
    public bool Has(string experiment, string dataset, string model, int trial) => File.Exists(TrialPath(experiment, dataset, model, trial));

    /// <summary>The seed a recorded trial was trained with (from its first row).</summary>
    public int RecordedSeed(string experiment, string dataset, string model, int trial)
    {
        var file = TrialPath(experiment, dataset, model, trial);
        var line = File.ReadLines(file).Skip(1).FirstOrDefault()
                   ?? throw new InvalidDataException($"{file}, line 2: the trial has no rows.");
        var f = SplitCsv(line);
        if (f.Count != 8 || !int.TryParse(f[4], NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed))
            throw new InvalidDataException($"{file}, line 2, column 5 (seed): '{(f.Count > 4 ? f[4] : "")}' is not an integer.");
        return seed;
    }

    /// <summary>The hyperparameters a recorded trial was trained with (the tuned candidate's key; "" when the experiment did
    /// not tune, or for trials recorded before tuning existed).</summary>
    public string RecordedHyperparameters(string experiment, string dataset, string model, int trial)
    {
        var file = Path.ChangeExtension(TrialPath(experiment, dataset, model, trial), ".json");
        if (!File.Exists(file)) return "";
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
            return document.RootElement.TryGetProperty("hyperparameters", out var key) && key.ValueKind == System.Text.Json.JsonValueKind.String ? key.GetString()! : "";
        }
        catch (System.Text.Json.JsonException e) { throw new InvalidDataException($"{file}: not a trial configuration ({e.Message})."); }
    }

    /// <summary>Records one trial atomically, with its configuration.</summary>
    public void Write(IReadOnlyList<ResultRow> rows, object configuration)
    {
        if (rows.Count == 0) throw new ArgumentException("A trial must record at least one result.", nameof(rows));
        var first = rows[0];
        if (rows.Any(r => r.Experiment != first.Experiment || r.Model != first.Model || r.Dataset != first.Dataset || r.Trial != first.Trial))
            throw new ArgumentException("All rows of one write must belong to one (experiment, dataset, model, trial).", nameof(rows));
        var path = TrialPath(first.Experiment, first.Dataset, first.Model, first.Trial);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var csv = new StringBuilder(Header).Append('\n');
        foreach (var r in rows)
            csv.Append(Quote(r.Experiment)).Append(',').Append(Quote(r.Model)).Append(',').Append(Quote(r.Dataset)).Append(',')
               .Append(r.Trial).Append(',').Append(r.Seed).Append(',').Append(Quote(r.Scenario)).Append(',').Append(Quote(r.Metric)).Append(',')
               .Append(r.Value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        File.WriteAllText(Path.ChangeExtension(path, ".json"), JsonSerializer.Serialize(configuration, new JsonSerializerOptions { WriteIndented = true }));
        var temporary = path + ".partial";
        File.WriteAllText(temporary, csv.ToString());
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Every recorded row of an experiment (or of all experiments when null).</summary>
    public IReadOnlyList<ResultRow> Read(string? experiment = null)
    {
        var folder = experiment is null ? Root : Path.Combine(Root, Safe(experiment));
        if (!Directory.Exists(folder)) return [];
        var rows = new List<ResultRow>();
        foreach (var file in Directory.GetFiles(folder, "trial-*.csv", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            int lineNumber = 0;
            foreach (var line in File.ReadLines(file))
            {
                lineNumber++;
                if (lineNumber == 1)
                {
                    if (line != Header) throw new InvalidDataException($"{file}, line 1: expected the header '{Header}'.");
                    continue;
                }
                var f = SplitCsv(line);
                if (f.Count != 8) throw new InvalidDataException($"{file}, line {lineNumber}: expected 8 fields, found {f.Count}.");
                if (!double.TryParse(f[7], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                    throw new InvalidDataException($"{file}, line {lineNumber}, column 8 (value): '{f[7]}' is not a number.");
                rows.Add(new ResultRow(f[0], f[1], f[2], int.Parse(f[3], CultureInfo.InvariantCulture), int.Parse(f[4], CultureInfo.InvariantCulture), f[5], f[6], value));
            }
        }
        return rows;
    }

    /// <summary>Rows as a DataFrame with the store's columns.</summary>
    public static DataFrame ToDataFrame(IReadOnlyList<ResultRow> rows) => new(
        new StringDataFrameColumn("experiment", rows.Select(r => r.Experiment)),
        new StringDataFrameColumn("model", rows.Select(r => r.Model)),
        new StringDataFrameColumn("dataset", rows.Select(r => r.Dataset)),
        new Int32DataFrameColumn("trial", rows.Select(r => r.Trial)),
        new Int32DataFrameColumn("seed", rows.Select(r => r.Seed)),
        new StringDataFrameColumn("scenario", rows.Select(r => r.Scenario)),
        new StringDataFrameColumn("metric", rows.Select(r => r.Metric)),
        new DoubleDataFrameColumn("value", rows.Select(r => r.Value)));

    internal static string Safe(string name)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var s = new string(name.Select(c => invalid.Contains(c) || c == ':' ? '_' : c).ToArray());
        return s.Length == 0 ? "_" : s;
    }

    static string Quote(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else current.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        fields.Add(current.ToString());
        return fields;
    }
}
