// A recorded trial, checked before anything uses it. A trial is two files: trial-k.csv (the numbers) and trial-k.json (the
// configuration). Since the fingerprint format, the JSON also holds the CSV's size and SHA-256 ("integrity") and the trial's
// fingerprint (RunFingerprint), and the CSV is renamed into place last, so a present, matching pair is a complete trial.
// Records written before that ("legacy") are checked structurally: the CSV parses completely and ends with its last line,
// every row has all columns and belongs to this trial, the metrics every trial records are present, values are finite
// (NaN only where a metric can be undefined: an AUC of one class, a scenario without test rows), and the JSON parses and agrees on the trial and seed. A record failing any
// check is damaged: reported with the file and reason, set aside and trained again; it is never used.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiDpg.Research.Training.Experiments;

/// <summary>How far a recorded trial can be trusted.</summary>
public enum TrialState
{
    /// <summary>Checksum verified; carries its fingerprint.</summary>
    Intact,
    /// <summary>Written before checksums and fingerprints: structurally verified, matched by seed and hyperparameters only.</summary>
    Legacy,
    /// <summary>Cut, emptied, edited or without its configuration: never used.</summary>
    Damaged,
}

/// <summary>A recorded trial after its checks: its rows (empty when damaged), seed, hyperparameters, fingerprint and configuration.</summary>
public sealed record TrialRecord(string CsvFile, TrialState State, string? Problem, IReadOnlyList<ResultRow> Rows, int Seed,
    string Hyperparameters, RunFingerprint? Fingerprint, JsonObject? Configuration)
{
    public string JsonFile => Path.ChangeExtension(CsvFile, ".json");

    /// <summary>The metrics every trial records on the whole test set.</summary>
    public static readonly IReadOnlyList<string> RequiredMetrics = ["auc", "logloss", "params", "best_epoch", "epochs", "valid_auc", "train_seconds"];

    /// <summary>Metrics that are NaN when undefined (one class, no pair of samples); every other value must be finite.</summary>
    static bool MayBeNaN(string scenario, string metric) =>
        metric is "auc" or "valid_auc" || metric.StartsWith("core_", StringComparison.Ordinal) || (metric == "logloss" && scenario != "all");   // a scenario without test rows

    /// <summary>Reads and checks the trial whose CSV is <paramref name="csvFile"/> (which must exist).</summary>
    public static TrialRecord Check(string csvFile)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(csvFile); }
        catch (IOException e) { return Damaged(csvFile, $"{csvFile}: cannot be read ({e.Message})."); }
        var (rows, csvProblem) = ParseCsv(csvFile, bytes);
        if (csvProblem is not null) return Damaged(csvFile, csvProblem);

        var jsonFile = Path.ChangeExtension(csvFile, ".json");
        if (!File.Exists(jsonFile)) return Damaged(csvFile, $"{jsonFile}: the trial's configuration file is missing.");
        JsonObject configuration;
        try { configuration = JsonNode.Parse(File.ReadAllText(jsonFile)) as JsonObject ?? throw new JsonException("not a JSON object"); }
        catch (Exception e) when (e is JsonException or IOException) { return Damaged(csvFile, $"{jsonFile}: not a trial configuration ({e.Message})."); }

        int seed = rows[0].Seed;
        if (Int(configuration["seed"]) is int jsonSeed && jsonSeed != seed)
            return Damaged(csvFile, $"{jsonFile}: records seed {jsonSeed}, but {Path.GetFileName(csvFile)} has seed {seed}.");
        if (Int(configuration["trial"]) is int jsonTrial && jsonTrial != rows[0].Trial)
            return Damaged(csvFile, $"{jsonFile}: records trial {jsonTrial}, but {Path.GetFileName(csvFile)} has trial {rows[0].Trial}.");
        var hyperparameters = configuration["hyperparameters"] is JsonValue h && h.GetValueKind() == JsonValueKind.String ? h.GetValue<string>() : "";

        if (configuration["integrity"] is not JsonObject integrity)
            return new TrialRecord(csvFile, TrialState.Legacy, null, rows, seed, hyperparameters, null, configuration);
        var expected = integrity["csv_sha256"]?.ToString();
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (expected != actual || Int(integrity["csv_bytes"]) != bytes.Length)
            return Damaged(csvFile, $"{csvFile}: does not match the checksum recorded in {Path.GetFileName(jsonFile)} ({bytes.Length} bytes, recorded {integrity["csv_bytes"]}): cut or edited after it was written.");
        RunFingerprint? fingerprint;
        try { fingerprint = RunFingerprint.FromJson(configuration["fingerprint"], jsonFile); }
        catch (InvalidDataException e) { return Damaged(csvFile, e.Message); }
        return new TrialRecord(csvFile, fingerprint is null ? TrialState.Legacy : TrialState.Intact, null, rows, seed, hyperparameters, fingerprint, configuration);
    }

    static int? Int(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var n) ? n : null;

    static TrialRecord Damaged(string csvFile, string problem) => new(csvFile, TrialState.Damaged, problem, [], 0, "", null, null);

    /// <summary>Parses the CSV completely; the first problem found names the file, line and column.</summary>
    internal static (List<ResultRow> Rows, string? Problem) ParseCsv(string file, byte[] bytes)
    {
        var rows = new List<ResultRow>();
        string text;
        try { text = new UTF8Encoding(false, true).GetString(bytes); }
        catch (DecoderFallbackException) { return (rows, $"{file}: not UTF-8 text."); }
        if (text.Length == 0) return (rows, $"{file}: the file is empty.");
        var lines = text.Split('\n');
        if (lines[0] != ResultsStore.Header) return (rows, $"{file}, line 1: expected the header '{ResultsStore.Header}'.");
        if (!text.EndsWith('\n')) return (rows, $"{file}, line {lines.Length}: the last line is cut (no line end).");
        for (int i = 1; i < lines.Length - 1; i++)
        {
            int line = i + 1;
            var f = ResultsStore.SplitCsv(lines[i]);
            if (f.Count != 8) return (rows, $"{file}, line {line}: expected 8 fields, found {f.Count}.");
            if (!int.TryParse(f[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var trial))
                return (rows, $"{file}, line {line}, column 4 (trial): '{f[3]}' is not an integer.");
            if (!int.TryParse(f[4], NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed))
                return (rows, $"{file}, line {line}, column 5 (seed): '{f[4]}' is not an integer.");
            if (!double.TryParse(f[7], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                return (rows, $"{file}, line {line}, column 8 (value): '{f[7]}' is not a number.");
            var metric = f[6];
            if (double.IsInfinity(value) || (double.IsNaN(value) && !MayBeNaN(f[5], metric)))
                return (rows, $"{file}, line {line}, column 8 (value): {metric} = {f[7]} is not a finite number.");
            if (metric == "auc" && !double.IsNaN(value) && value is < 0 or > 1)
                return (rows, $"{file}, line {line}, column 8 (value): an AUC of {f[7]} is outside [0, 1].");
            var row = new ResultRow(f[0], f[1], f[2], trial, seed, f[5], metric, value);
            if (rows.Count > 0 && (row.Experiment, row.Model, row.Dataset, row.Trial, row.Seed) != (rows[0].Experiment, rows[0].Model, rows[0].Dataset, rows[0].Trial, rows[0].Seed))
                return (rows, $"{file}, line {line}: belongs to another trial ({row.Model} / {row.Dataset} / trial {row.Trial} / seed {row.Seed}) than line 2.");
            rows.Add(row);
        }
        if (rows.Count == 0) return (rows, $"{file}, line 2: the trial has no rows.");
        var expectedName = $"trial-{rows[0].Trial}.csv";
        if (Path.GetFileName(file) != expectedName) return (rows, $"{file}: holds trial {rows[0].Trial}, so its name should be {expectedName}.");
        var missing = RequiredMetrics.Where(m => !rows.Any(r => r.Scenario == "all" && r.Metric == m)).ToList();
        if (missing.Count > 0) return (rows, $"{file}: incomplete, the metric(s) {string.Join(", ", missing)} of scenario 'all' are missing.");
        return (rows, null);
    }
}
