// The three parts of an encoded dataset written as plain files, so that another implementation (the PyTorch reference
// Scenario-Wise-Rec, driven by environment/reproduce/swr_driver.py) trains and tests on exactly the rows, ids and
// scenario indices the library uses. The format (environment/reproduce/README.md):
//   meta.json   {"name", "fields": [{"name", "vocab", "aware"}...], "numeric": [...], "scenarios": [...],
//                "domain": "domain_indicator", "label": "label", "rows": {"train", "valid", "test"}}
//   train.csv, valid.csv, test.csv: a header, then per row every field's id (0..vocab-1, already encoded, row 0 of a field
//   being its out-of-vocabulary id), every numeric value (as standardised by the encoder), the scenario index
//   (0..S-1) as "domain_indicator", and the label (0/1) as "label".
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiDpg.Research.Data;

/// <summary>Writes and reads the train / valid / test exchange files of an encoded dataset.</summary>
public static class SplitExport
{
    public const string DomainColumn = "domain_indicator";
    public const string LabelColumn = "label";
    public static readonly IReadOnlyList<string> Parts = ["train", "valid", "test"];

    /// <summary>Writes meta.json and the three CSV files into <paramref name="dir"/> (created; existing export files are
    /// replaced only when they are an export of the same name, otherwise this refuses).</summary>
    public static void Write(string dir, string name, EncodedDataset train, EncodedDataset valid, EncodedDataset test)
    {
        foreach (var part in new[] { valid, test })
            if (!part.Fields.Select(f => (f.Name, f.VocabularySize, f.Role)).SequenceEqual(train.Fields.Select(f => (f.Name, f.VocabularySize, f.Role)))
                || !part.NumericFields.SequenceEqual(train.NumericFields) || !part.ScenarioNames.SequenceEqual(train.ScenarioNames))
                throw new ArgumentException($"the parts of '{name}' must share fields, vocabularies, numeric fields and scenarios");
        var columns = train.Fields.Select(f => f.Name).Concat(train.NumericFields).ToList();
        if (columns.Contains(DomainColumn) || columns.Contains(LabelColumn) || columns.Distinct().Count() != columns.Count)
            throw new ArgumentException($"the column names of '{name}' must be unique and differ from '{DomainColumn}' and '{LabelColumn}'");
        var metaPath = Path.Combine(dir, "meta.json");
        if (File.Exists(metaPath) && JsonNode.Parse(File.ReadAllText(metaPath))?["name"]?.GetValue<string>() != name)
            throw new IOException($"{metaPath} holds another export; refusing to overwrite it");
        Directory.CreateDirectory(dir);
        var meta = new JsonObject
        {
            ["name"] = name,
            ["fields"] = new JsonArray(train.Fields.Select(f => (JsonNode)new JsonObject
            {
                ["name"] = f.Name, ["vocab"] = f.VocabularySize, ["aware"] = f.Role == FieldRole.ScenarioAware,
            }).ToArray()),
            ["numeric"] = new JsonArray(train.NumericFields.Select(n => (JsonNode)n).ToArray()),
            ["scenarios"] = new JsonArray(train.ScenarioNames.Select(n => (JsonNode)n).ToArray()),
            ["domain"] = DomainColumn,
            ["label"] = LabelColumn,
            ["rows"] = new JsonObject { ["train"] = train.Rows, ["valid"] = valid.Rows, ["test"] = test.Rows },
        };
        foreach (var (part, data) in Parts.Zip([train, valid, test]))
            WriteCsv(Path.Combine(dir, part + ".csv"), columns, data);
        File.WriteAllText(metaPath, meta.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static void WriteCsv(string path, IReadOnlyList<string> columns, EncodedDataset data)
    {
        var temporary = path + ".partial";
        using (var writer = new StreamWriter(temporary, false, new UTF8Encoding(false), 1 << 16))
        {
            writer.Write(string.Join(",", columns));
            writer.Write($",{DomainColumn},{LabelColumn}\n");
            var f = data.FieldCount;
            var n = data.NumericCount;
            Span<char> buffer = stackalloc char[32];
            for (var r = 0; r < data.Rows; r++)
            {
                for (var j = 0; j < f; j++)
                {
                    data.Categorical[(long)r * f + j].TryFormat(buffer, out var written, default, CultureInfo.InvariantCulture);
                    writer.Write(buffer[..written]);
                    writer.Write(',');
                }
                for (var j = 0; j < n; j++)
                {
                    data.Numeric[(long)r * n + j].TryFormat(buffer, out var written, "R", CultureInfo.InvariantCulture);
                    writer.Write(buffer[..written]);
                    writer.Write(',');
                }
                data.Scenario[r].TryFormat(buffer, out var s, default, CultureInfo.InvariantCulture);
                writer.Write(buffer[..s]);
                writer.Write(data.Labels[r] > 0.5f ? ",1\n" : ",0\n");
            }
        }
        File.Move(temporary, path, overwrite: true);
    }
}
