using Microsoft.Data.Analysis;

namespace MiDpg.Research.Data;

/// <summary>One scenario at a glance.</summary>
public sealed record ScenarioSummary(int Index, string Scenario, int Rows, double Share, int Positives, double PositiveRate, int DistinctUsers, int DistinctItems);

/// <summary>One categorical field at a glance: vocabulary size and how many rows fall on the reserved ids.</summary>
public sealed record FieldSummary(string Field, string Role, int VocabularySize, int DistinctIdsUsed, int OutOfVocabularyRows, int MissingRows);

/// <summary>
/// Exploration views of a dataset for notebooks: per-scenario rows, positive rate and distinct users and
/// items, and per-field vocabulary sizes, as plain records, as Microsoft.Data.Analysis DataFrames and as
/// Deedle frames (both display as tables in .NET Interactive).
/// </summary>
public static class DatasetSummary
{
    /// <summary>
    /// Rows, share, positives, positive rate, distinct users and items per scenario. The user and item
    /// fields default to fields named like "user"/"item" (first match); without one the count is 0.
    /// </summary>
    public static IReadOnlyList<ScenarioSummary> Scenarios(EncodedDataset data, string? userField = null, string? itemField = null)
    {
        int Find(string? name, string hint) =>
            name is not null ? data.FieldIndex(name)
            : data.Fields.Select((f, i) => (f, i)).Where(x => x.f.Name.Contains(hint, StringComparison.OrdinalIgnoreCase)).Select(x => x.i).DefaultIfEmpty(-1).First();
        int user = Find(userField, "user"), item = Find(itemField, "item");
        int S = data.ScenarioCount;
        var rows = new int[S]; var pos = new int[S];
        var users = Enumerable.Range(0, S).Select(_ => new HashSet<long>()).ToArray();
        var items = Enumerable.Range(0, S).Select(_ => new HashSet<long>()).ToArray();
        for (int r = 0; r < data.Rows; r++)
        {
            int s = data.Scenario[r];
            rows[s]++;
            if (data.Labels[r] == 1f) pos[s]++;
            if (user >= 0) users[s].Add(data.Id(r, user));
            if (item >= 0) items[s].Add(data.Id(r, item));
        }
        return Enumerable.Range(0, S).Select(s => new ScenarioSummary(s, data.ScenarioNames[s], rows[s],
            data.Rows == 0 ? 0 : (double)rows[s] / data.Rows, pos[s], rows[s] == 0 ? double.NaN : (double)pos[s] / rows[s],
            users[s].Count, items[s].Count)).ToList();
    }

    /// <summary>Vocabulary size, ids actually used, and rows on the out-of-vocabulary and missing ids, per field.</summary>
    public static IReadOnlyList<FieldSummary> Fields(EncodedDataset data)
    {
        var list = new List<FieldSummary>();
        for (int f = 0; f < data.FieldCount; f++)
        {
            var used = new HashSet<long>();
            int oov = 0, missing = 0;
            for (int r = 0; r < data.Rows; r++)
            {
                long id = data.Id(r, f);
                used.Add(id);
                if (id == Vocabulary.OutOfVocabularyId) oov++;
                else if (id == Vocabulary.MissingId) missing++;
            }
            list.Add(new FieldSummary(data.Fields[f].Name, data.Fields[f].Role.ToString(), data.Fields[f].VocabularySize, used.Count, oov, missing));
        }
        return list;
    }

    /// <summary>The per-scenario view plus a final "all" row, as a Microsoft.Data.Analysis DataFrame.</summary>
    public static DataFrame ScenarioFrame(EncodedDataset data, string? userField = null, string? itemField = null)
    {
        var s = Scenarios(data, userField, itemField);
        return new DataFrame(
            new StringDataFrameColumn("scenario", s.Select(x => x.Scenario)),
            new Int32DataFrameColumn("rows", s.Select(x => x.Rows)),
            new DoubleDataFrameColumn("share", s.Select(x => x.Share)),
            new Int32DataFrameColumn("positives", s.Select(x => x.Positives)),
            new DoubleDataFrameColumn("positive_rate", s.Select(x => x.PositiveRate)),
            new Int32DataFrameColumn("distinct_users", s.Select(x => x.DistinctUsers)),
            new Int32DataFrameColumn("distinct_items", s.Select(x => x.DistinctItems)));
    }

    /// <summary>The per-scenario view of a loaded dataset (all rows), with the user and item fields its schema names.</summary>
    public static DataFrame ScenarioFrame(LoadedDataset loaded) => ScenarioFrame(loaded.All, loaded.Schema.UserField, loaded.Schema.ItemField);

    /// <summary>The per-field view as a Microsoft.Data.Analysis DataFrame.</summary>
    public static DataFrame FieldFrame(EncodedDataset data)
    {
        var f = Fields(data);
        return new DataFrame(
            new StringDataFrameColumn("field", f.Select(x => x.Field)),
            new StringDataFrameColumn("role", f.Select(x => x.Role)),
            new Int32DataFrameColumn("vocabulary_size", f.Select(x => x.VocabularySize)),
            new Int32DataFrameColumn("distinct_ids_used", f.Select(x => x.DistinctIdsUsed)),
            new Int32DataFrameColumn("oov_rows", f.Select(x => x.OutOfVocabularyRows)),
            new Int32DataFrameColumn("missing_rows", f.Select(x => x.MissingRows)));
    }

    /// <summary>
    /// The sample view (x_aw, x_ag, scenario, y) of the first <paramref name="count"/> rows: one column per
    /// categorical field named "aw:field" (scenario-aware) or "ag:field" (scenario-agnostic) holding
    /// "id token" (the token from <paramref name="encoder"/> when given, e.g. "7 user_123", "0 &lt;oov&gt;"),
    /// then the numeric fields as encoded, the scenario name and the label.
    /// </summary>
    public static DataFrame SampleFrame(EncodedDataset data, int count = 8, FieldEncoder? encoder = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int n = Math.Min(count, data.Rows);
        var columns = new List<DataFrameColumn> { new Int32DataFrameColumn("row", Enumerable.Range(0, n)) };
        var order = data.FieldIndices(FieldRole.ScenarioAware).Concat(data.FieldIndices(FieldRole.ScenarioAgnostic));
        foreach (int f in order)
        {
            var info = data.Fields[f];
            var prefix = info.Role == FieldRole.ScenarioAware ? "aw:" : "ag:";
            columns.Add(new StringDataFrameColumn(prefix + info.Name, Enumerable.Range(0, n).Select(r =>
            {
                long id = data.Id(r, f);
                return encoder is null ? id.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : $"{id} {encoder.Vocabularies[f].TokenOf(id)}";
            })));
        }
        for (int k = 0; k < data.NumericCount; k++)
        {
            int kk = k;
            columns.Add(new SingleDataFrameColumn("num:" + data.NumericFields[k], Enumerable.Range(0, n).Select(r => data.Numeric[(long)r * data.NumericCount + kk])));
        }
        columns.Add(new StringDataFrameColumn("scenario", Enumerable.Range(0, n).Select(r => data.ScenarioNames[data.Scenario[r]])));
        columns.Add(new SingleDataFrameColumn("y", Enumerable.Range(0, n).Select(r => data.Labels[r])));
        return new DataFrame(columns);
    }

    /// <summary>The per-scenario view as a Deedle frame (rows keyed 0..S-1, columns named as the record's properties).</summary>
    public static Deedle.Frame<int, string> ScenarioDeedle(EncodedDataset data, string? userField = null, string? itemField = null) =>
        Deedle.Frame.FromRecords(Scenarios(data, userField, itemField));

    /// <summary>The per-field view as a Deedle frame.</summary>
    public static Deedle.Frame<int, string> FieldDeedle(EncodedDataset data) => Deedle.Frame.FromRecords(Fields(data));

    /// <summary>The read report's counted handlings (file, field, reason, count) as a DataFrame.</summary>
    public static DataFrame ReportFrame(ReadReport report)
    {
        var e = report.Entries;
        return new DataFrame(
            new StringDataFrameColumn("file", e.Select(x => Path.GetFileName(x.File))),
            new StringDataFrameColumn("field", e.Select(x => x.Field)),
            new StringDataFrameColumn("reason", e.Select(x => x.Reason.ToString())),
            new Int64DataFrameColumn("count", e.Select(x => x.Count)));
    }

    /// <summary>Rows, positive rate, scenario count and the read report in a few lines.</summary>
    public static string Describe(LoadedDataset loaded) =>
        $"{loaded.All}{Environment.NewLine}split: {loaded.Split}{Environment.NewLine}{loaded.Report}";
}
