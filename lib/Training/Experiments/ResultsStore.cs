using System.Globalization;
using System.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Analysis;

namespace MiDpg.Research.Training.Experiments;

/// <summary>One measured number: (model, dataset, trial, scenario, metric) -> value. Scenario "all" is the whole test set.</summary>
public sealed record ResultRow(string Experiment, string Model, string Dataset, int Trial, int Seed, string Scenario, string Metric, double Value);

/// <summary>A store's recorded trials of one experiment after their checks (<see cref="TrialRecord"/>): the rows of the usable
/// ones, how many of those are legacy records (no checksum or fingerprint), and the damaged ones, which are never used.</summary>
public sealed record StoreContents(IReadOnlyList<ResultRow> Rows, int Trials, int Legacy, IReadOnlyList<TrialRecord> Damaged)
{
    /// <summary>One line on the legacy records used ("" when none).</summary>
    public string LegacyLine => Legacy == 0 ? "" :
        $"{Legacy} of {Trials} trial(s) are legacy records (written before checksums and fingerprints): checked structurally and matched by seed and hyperparameters only.";

    /// <summary>One line per damaged trial.</summary>
    public IEnumerable<string> DamagedLines => Damaged.Select(d => $"damaged trial, not used: {d.Problem}");
}

/// <summary>
/// The results of experiments, kept under <c>runs/</c> (ignored by git): one CSV file per finished trial,
/// <c>runs/&lt;experiment&gt;/&lt;dataset&gt;/&lt;model&gt;/trial-&lt;k&gt;.csv</c>, and next to it a JSON file with the configuration that
/// produced it (model config, trainer config, data description, seed), the CSV's size and SHA-256 and the trial's
/// <see cref="RunFingerprint"/>. Both are written to temporary files and renamed, the CSV last, so a trial is either completely
/// recorded or absent; on reading, every trial is checked (<see cref="TrialRecord.Check"/>) and a damaged one is never used.
/// Why files and not a database: a sweep interrupted at any moment resumes by skipping the trials whose
/// file exists; files are diffable, greppable and open in any tool (Microsoft.Data.Analysis reads them);
/// and no server or native dependency is needed on a laptop.
/// </summary>
public sealed class ResultsStore(string root)
{
    public const string Header = "experiment,model,dataset,trial,seed,scenario,metric,value";
    /// <summary>The record format written now: 2 adds "integrity" and "fingerprint" to the trial JSON (legacy records have no "format").</summary>
    public const int Format = 2;
    public string Root { get; } = Path.GetFullPath(root);

    string TrialPath(string experiment, string dataset, string model, int trial) =>
        Path.Combine(Root, Safe(experiment), Safe(dataset), Safe(model), $"trial-{trial}.csv");

    /// <summary>True when this trial's CSV exists (it may still be damaged: see <see cref="Find"/>).</summary>
    public bool Has(string experiment, string dataset, string model, int trial) => File.Exists(TrialPath(experiment, dataset, model, trial));

    /// <summary>The recorded trial after its checks; null when none is recorded.</summary>
    public TrialRecord? Find(string experiment, string dataset, string model, int trial)
    {
        var file = TrialPath(experiment, dataset, model, trial);
        return File.Exists(file) ? TrialRecord.Check(file) : null;
    }

    TrialRecord Usable(string experiment, string dataset, string model, int trial)
    {
        var record = Find(experiment, dataset, model, trial) ?? throw new FileNotFoundException($"No trial {trial} of {experiment} / {dataset} / {model} is recorded in {Root}.");
        return record.State == TrialState.Damaged ? throw new InvalidDataException(record.Problem) : record;
    }

    /// <summary>The seed a recorded trial was trained with.</summary>
    public int RecordedSeed(string experiment, string dataset, string model, int trial) => Usable(experiment, dataset, model, trial).Seed;

    /// <summary>The hyperparameters a recorded trial was trained with (the tuned candidate's key; "" when the experiment did
    /// not tune, or for trials recorded before tuning existed).</summary>
    public string RecordedHyperparameters(string experiment, string dataset, string model, int trial) => Usable(experiment, dataset, model, trial).Hyperparameters;

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Records one trial atomically, with its configuration, the CSV's checksum and (when given) its fingerprint.</summary>
    public void Write(IReadOnlyList<ResultRow> rows, object configuration, RunFingerprint? fingerprint = null)
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
        var bytes = new UTF8Encoding(false).GetBytes(csv.ToString());
        var json = JsonSerializer.SerializeToNode(configuration, configuration.GetType(), Indented) as JsonObject
                   ?? throw new ArgumentException("A trial's configuration must serialise to a JSON object.", nameof(configuration));
        json["format"] = Format;
        json["integrity"] = new JsonObject { ["csv_sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes)), ["csv_bytes"] = bytes.Length, ["rows"] = rows.Count };
        if (fingerprint is not null) json["fingerprint"] = fingerprint.ToJson();
        var jsonPath = Path.ChangeExtension(path, ".json");
        File.WriteAllText(jsonPath + ".partial", json.ToJsonString(Indented));
        File.WriteAllBytes(path + ".partial", bytes);
        File.Move(jsonPath + ".partial", jsonPath, overwrite: true);
        File.Move(path + ".partial", path, overwrite: true);   // last: the CSV's presence means the trial is complete
    }

    /// <summary>Moves a damaged trial's files aside (<c>trial-k.csv.damaged</c>, numbered when taken) so that nothing is overwritten;
    /// returns the new name of the CSV.</summary>
    public static string SetAside(TrialRecord record)
    {
        string Free(string file)
        {
            var target = file + ".damaged";
            for (int k = 2; File.Exists(target); k++) target = $"{file}.damaged-{k}";
            return target;
        }
        var csv = Free(record.CsvFile);
        if (File.Exists(record.JsonFile)) File.Move(record.JsonFile, Free(record.JsonFile));
        File.Move(record.CsvFile, csv);
        return csv;
    }

    /// <summary>Every recorded trial of an experiment (or of all experiments when null), checked: the usable rows, the legacy
    /// count and the damaged trials.</summary>
    public StoreContents Scan(string? experiment = null)
    {
        var folder = experiment is null ? Root : Path.Combine(Root, Safe(experiment));
        if (!Directory.Exists(folder)) return new StoreContents([], 0, 0, []);
        var rows = new List<ResultRow>();
        var damaged = new List<TrialRecord>();
        int trials = 0, legacy = 0;
        foreach (var file in Directory.GetFiles(folder, "trial-*.csv", SearchOption.AllDirectories).Where(f => f.EndsWith(".csv", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var record = TrialRecord.Check(file);
            if (record.State == TrialState.Damaged) { damaged.Add(record); continue; }
            trials++;
            if (record.State == TrialState.Legacy) legacy++;
            rows.AddRange(record.Rows);
        }
        return new StoreContents(rows, trials, legacy, damaged);
    }

    /// <summary>Every recorded row of an experiment (or of all experiments when null). Throws <see cref="InvalidDataException"/>
    /// naming every damaged trial (file, line, column or reason) rather than leaving one out; <see cref="Scan"/> reports them instead.</summary>
    public IReadOnlyList<ResultRow> Read(string? experiment = null)
    {
        var contents = Scan(experiment);
        if (contents.Damaged.Count > 0)
            throw new InvalidDataException(string.Join(" ", contents.Damaged.Select(d => d.Problem)) +
                                           " Run the experiment again to set the damaged trial(s) aside and train them again.");
        return contents.Rows;
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
        var s = new string(name.Select(c => invalid.Contains(c) || c is ':' or '/' or '\\' ? '_' : c).ToArray());
        // "." and ".." would name the folder itself or its parent: a name never leaves the store.
        return s.Length == 0 || s.All(c => c == '.') ? new string('_', Math.Max(1, s.Length)) : s;
    }

    static string Quote(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    internal static List<string> SplitCsv(string line)
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
