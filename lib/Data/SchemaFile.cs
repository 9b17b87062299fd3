using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MiDpg.Research.Data;

/// <summary>
/// A dataset declared in a small JSON file (format in data/README.md, "Schema files"): the data files and their
/// separator, and one-to-one the <see cref="DatasetSchema"/> (label column and <see cref="LabelRule"/>, scenario,
/// scenario-aware, scenario-agnostic and numeric fields, timestamp and split columns, missing tokens), the
/// <see cref="SplitRule"/> and the <see cref="EncodingOptions"/>. There is no second schema model: reading builds
/// those records, writing prints them. Relative file paths resolve against the schema file's folder; an unknown
/// key is an error (a misspelled key is never ignored); every error names the schema file, line, column and JSON
/// path (<see cref="SchemaFileException"/>). <see cref="Load"/> also checks the declaration against the data
/// files' headers and that the data can train a conversion model (positives and negatives, two or more scenarios).
/// </summary>
public sealed class SchemaFile
{
    public DatasetSchema Schema { get; }
    /// <summary>The data files, with absolute paths.</summary>
    public IReadOnlyList<DataFile> Files { get; }
    public SplitRule Split { get; }
    public EncodingOptions Encoding { get; }
    /// <summary>The schema file this was read from; null when made in code.</summary>
    public string? Source { get; }
    readonly JsonPositions? _positions;

    /// <summary>
    /// A schema file in code. Without <paramref name="split"/>: the files' own assignment when the schema has a split
    /// column or the files name their parts, else random 0.8/0.1/0.1, seed 0, per scenario (<see cref="DefaultSplit"/>).
    /// </summary>
    public SchemaFile(DatasetSchema schema, IReadOnlyList<DataFile> files, SplitRule? split = null, EncodingOptions? encoding = null)
        : this(schema, files, split, encoding, null, null) { }

    SchemaFile(DatasetSchema schema, IReadOnlyList<DataFile> files, SplitRule? split, EncodingOptions? encoding, string? source, JsonPositions? positions)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(files);
        schema.Validate();
        if (!IsSafeName(schema.Name))
            throw new ArgumentException($"The dataset name '{schema.Name}' may hold only letters, digits, '.', '-' and '_' (it names a folder of the results store).", nameof(DatasetSchema.Name));
        if (files.Count == 0) throw new ArgumentException("A schema file needs at least one data file.", nameof(Files));
        if (files.Count > 255) throw new ArgumentException("At most 255 data files can be loaded together.", nameof(Files));
        bool parts = files.Any(f => f.Part is not null);
        if (parts && files.Any(f => f.Part is null))
            throw new ArgumentException("Either every file names its split part or none does.", nameof(Files));
        split ??= DefaultSplit(schema, files);
        if (split.Kind == SplitKind.Predefined && schema.SplitColumn is null && !parts)
            throw new ArgumentException("The predefined split needs a split column (splitColumn) or a part for every file.", nameof(Split));
        if (split.Kind != SplitKind.Predefined && parts)
            throw new ArgumentException($"The files name their split parts, so the split rule must be predefined; got '{split}'.", nameof(Split));
        if (split.Kind == SplitKind.ByTime && schema.TimestampColumn is null)
            throw new ArgumentException("A split by time needs a timestamp column (timestampColumn).", nameof(Split));
        encoding ??= EncodingOptions.Default;
        var categorical = schema.CategoricalFields.Select(f => f.Field.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var field in encoding.HashBuckets.Keys)
        {
            if (field == schema.Scenario.Name)
                throw new ArgumentException($"The scenario field '{field}' cannot be hashed: scenarios must stay distinct.", nameof(EncodingOptions.HashBuckets));
            if (!categorical.Contains(field))
                throw new ArgumentException($"Hashing names '{field}', which is not a categorical field of this schema ({string.Join(", ", categorical)}).", nameof(EncodingOptions.HashBuckets));
        }
        Schema = schema;
        Files = files.ToArray();
        Split = split;
        Encoding = encoding;
        Source = source;
        _positions = positions;
    }

    /// <summary>
    /// The same declaration over other data files, under another dataset name: how a named dataset whose schema file
    /// declares a committed sample loads the full file the user names (<see cref="ScenarioWiseRec"/>). Errors still
    /// point at the declarations in the schema file.
    /// </summary>
    public SchemaFile WithFiles(string name, IReadOnlyList<DataFile> files) =>
        new(Schema with { Name = name }, files, Split, Encoding, Source, _positions);

    /// <summary>The split used when none is declared: predefined when the data carries one, else random 0.8/0.1/0.1, seed 0, per scenario.</summary>
    public static SplitRule DefaultSplit(DatasetSchema schema, IReadOnlyList<DataFile> files) =>
        schema.SplitColumn is not null || files.Any(f => f.Part is not null)
            ? SplitRule.Predefined()
            : SplitRule.Random(0.8, 0.1, seed: 0, stratifyByScenario: true);

    /// <summary>Letters, digits, '.', '-', '_': a dataset name that is safe as a folder name.</summary>
    public static bool IsSafeName(string name) =>
        name.Length > 0 && name.Length <= 100 && name is not ("." or "..") && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');

    // ------------------------------------------------------------------ reading

    /// <summary>Reads and validates the schema file at <paramref name="path"/>; relative data paths resolve against its folder.</summary>
    public static SchemaFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path)) throw new SchemaFileException(path, 0, 0, "", "is a directory, not a schema file.");
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"Schema file '{path}' does not exist.", path);
        return Parse(System.IO.File.ReadAllBytes(path), path, Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Parses schema JSON; <paramref name="name"/> names it in errors, relative data paths resolve against <paramref name="baseFolder"/>.</summary>
    public static SchemaFile Parse(string json, string name, string baseFolder) =>
        Parse(System.Text.Encoding.UTF8.GetBytes(json), name, baseFolder);

    static SchemaFile Parse(byte[] bytes, string name, string baseFolder)
    {
        ReadOnlyMemory<byte> utf8 = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes.AsMemory(3) : bytes;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            long line = (e.LineNumber ?? -1) + 1, column = 0;
            if (e.LineNumber is long l && e.BytePositionInLine is long b) column = CharColumn(utf8.Span, l, b);
            var message = e.Message;
            int cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0) message = message[..cut];
            throw new SchemaFileException(name, line, column, "", $"not valid JSON: {message}", e);
        }
        using (document)
        {
            var reader = new Reader(name, new JsonPositions(utf8.Span), baseFolder);
            return reader.File(document.RootElement);
        }
    }

    /// <summary>1-based character column of byte <paramref name="bytePosition"/> (0-based) in 0-based line <paramref name="line"/>.</summary>
    static long CharColumn(ReadOnlySpan<byte> utf8, long line, long bytePosition)
    {
        int start = 0;
        for (long l = 0; l < line; l++)
        {
            int next = utf8[start..].IndexOf((byte)'\n');
            if (next < 0) return bytePosition + 1;
            start += next + 1;
        }
        int end = (int)Math.Min(utf8.Length, start + bytePosition);
        return System.Text.Encoding.UTF8.GetCharCount(utf8[start..end]) + 1;
    }

    /// <summary>Turns the JSON tree into the records, naming the place of every problem.</summary>
    sealed class Reader(string file, JsonPositions positions, string baseFolder)
    {
        static readonly string[] RootKeys =
            ["name", "files", "separator", "label", "scenario", "scenarioAware", "scenarioAgnostic", "numeric",
             "timestampColumn", "splitColumn", "userField", "itemField", "missingTokens", "split", "encoding"];

        public SchemaFileException Error(string path, string problem, Exception? inner = null)
        {
            var (line, column) = positions.Of(path);
            return new SchemaFileException(file, line, column, path, problem, inner);
        }

        public SchemaFile File(JsonElement root)
        {
            Keys(root, "", RootKeys);
            var name = String(Required(root, "", "name"), "name");
            char separator = Optional(root, "separator") is { } sep ? Separator(sep, "separator") : ',';
            var files = Files(Required(root, "", "files"), separator);
            var (labelColumn, rule) = Label(Required(root, "", "label"));
            var (scenario, scenarioValues) = Scenario(Required(root, "", "scenario"));
            var schema = new DatasetSchema
            {
                Name = name,
                LabelColumn = labelColumn,
                Label = rule,
                Scenario = scenario,
                ScenarioValues = scenarioValues,
                ScenarioAware = List(root, "scenarioAware", Categorical),
                ScenarioAgnostic = List(root, "scenarioAgnostic", Categorical),
                Numeric = List(root, "numeric", Numeric),
                TimestampColumn = OptionalString(root, "timestampColumn"),
                SplitColumn = OptionalString(root, "splitColumn"),
                UserField = OptionalString(root, "userField"),
                ItemField = OptionalString(root, "itemField"),
                MissingTokens = Optional(root, "missingTokens") is { } tokens
                    ? Array(tokens, "missingTokens").Select((t, i) => String(t, $"missingTokens[{i}]", allowEmpty: true)).ToArray()
                    : DatasetSchema.DefaultMissingTokens,
            };
            var split = Optional(root, "split") is { } s ? Split(s) : null;
            var encoding = Optional(root, "encoding") is { } e ? Encoding(e) : null;
            try
            {
                return new SchemaFile(schema, files, split, encoding, file, positions);
            }
            catch (ArgumentException x)
            {
                throw Error(PathOf(x.ParamName), x.Message, x);
            }
        }

        /// <summary>Where a record's validation complaint lives in the JSON.</summary>
        static string PathOf(string? parameter) => parameter switch
        {
            nameof(DatasetSchema.Name) => "name",
            nameof(DatasetSchema.LabelColumn) or "Label" => "label",
            nameof(DatasetSchema.ScenarioAware) => "scenarioAware",
            nameof(DatasetSchema.ScenarioAgnostic) => "scenarioAgnostic",
            nameof(DatasetSchema.UserField) => "userField",
            nameof(DatasetSchema.ItemField) => "itemField",
            nameof(DatasetSchema.MissingTokens) => "missingTokens",
            nameof(Files) => "files",
            nameof(Split) => "split",
            nameof(EncodingOptions.HashBuckets) => "encoding.hashBuckets",
            _ => "",
        };

        IReadOnlyList<DataFile> Files(JsonElement e, char separator)
        {
            var items = Array(e, "files");
            if (items.Count == 0) throw Error("files", "the list of data files is empty; name at least one file.");
            var files = new List<DataFile>();
            for (int i = 0; i < items.Count; i++)
            {
                string at = $"files[{i}]";
                string path;
                char sep = separator;
                SplitPart? part = null;
                if (items[i].ValueKind == JsonValueKind.String) path = String(items[i], at);
                else if (items[i].ValueKind == JsonValueKind.Object)
                {
                    Keys(items[i], at, "path", "separator", "part");
                    path = String(Required(items[i], at, "path"), at + ".path");
                    if (Optional(items[i], "separator") is { } s) sep = Separator(s, at + ".separator");
                    if (Optional(items[i], "part") is { } p)
                    {
                        var text = String(p, at + ".part");
                        if (!RawTable.TryParsePart(text, out byte b))
                            throw Error(at + ".part", $"'{text}' is not a split part; use train, valid or test.");
                        part = (SplitPart)b;
                    }
                }
                else throw Error(at, $"a data file is a path (string) or an object {{\"path\", \"separator\", \"part\"}}; got {Kind(items[i])}.");
                var full = Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(baseFolder, path));
                try { files.Add(new DataFile(full, sep, part)); }
                catch (ArgumentException x) { throw Error(at, x.Message, x); }
            }
            return files;
        }

        (string Column, LabelRule Rule) Label(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.String) return (String(e, "label"), LabelRule.Binary);
            if (e.ValueKind != JsonValueKind.Object)
                throw Error("label", $"the label is a column name (string) or an object {{\"column\", \"rule\", ...}}; got {Kind(e)}.");
            Keys(e, "label", "column", "rule", "threshold", "range", "positiveValues");
            var column = String(Required(e, "label", "column"), "label.column");
            var rule = Optional(e, "rule") is { } r ? String(r, "label.rule") : "binary";
            var threshold = Optional(e, "threshold");
            var positives = Optional(e, "positiveValues");
            if (rule is not ("atLeast" or "above") && threshold is not null)
                throw Error("label.threshold", $"a threshold belongs to the rules atLeast and above, not to '{rule}'.");
            var range = Optional(e, "range");
            if (rule is not ("atLeast" or "above") && range is not null)
                throw Error("label.range", $"a range belongs to the rules atLeast and above, not to '{rule}'.");
            if (rule != "positiveValues" && positives is not null)
                throw Error("label.positiveValues", $"positive values belong to the rule positiveValues, not to '{rule}'.");
            try
            {
                var (labelColumn, labelRule) = Rule();
                if (range is { } given)
                {
                    var bounds = Array(given, "label.range");
                    if (bounds.Count != 2) throw Error("label.range", $"a range is two numbers [minimum, maximum]; got {bounds.Count}.");
                    labelRule = labelRule.WithRange(Number(bounds[0], "label.range[0]"), Number(bounds[1], "label.range[1]"));
                }
                return (labelColumn, labelRule);
            }
            catch (ArgumentException x) { throw Error(x.ParamName == "minimum" ? "label.range" : "label", x.Message, x); }

            (string, LabelRule) Rule()
            {
                return rule switch
                {
                    "binary" => (column, LabelRule.Binary),
                    "atLeast" => (column, LabelRule.AtLeast(Number(threshold ?? throw Error("label", "the rule atLeast needs a \"threshold\"."), "label.threshold"))),
                    "above" => (column, LabelRule.Above(Number(threshold ?? throw Error("label", "the rule above needs a \"threshold\"."), "label.threshold"))),
                    "positiveValues" => (column, LabelRule.OneOf(Array(positives ?? throw Error("label", "the rule positiveValues needs \"positiveValues\", a list of the values meaning y = 1."), "label.positiveValues")
                        .Select((p, i) => String(p, $"label.positiveValues[{i}]")).ToArray())),
                    _ => throw Error("label.rule", $"unknown label rule '{rule}'; use binary, atLeast, above or positiveValues."),
                };
            }
        }

        static readonly string[] CategoricalKeys = ["column", "name", "listSeparator", "listIndex", "missingIsValue"];

        /// <summary>The scenario: a categorical field, plus optionally its declared values ("values", "otherValues").</summary>
        (CategoricalField Field, ScenarioValues? Values) Scenario(JsonElement e)
        {
            if (e.ValueKind != JsonValueKind.Object) return (Categorical(e, "scenario"), null);
            Keys(e, "scenario", [.. CategoricalKeys, "values", "otherValues"]);
            var field = Categorical(e, "scenario", checkKeys: false);
            var values = Optional(e, "values");
            var other = Optional(e, "otherValues");
            if (values is null)
            {
                if (other is not null) throw Error("scenario.otherValues", "otherValues belongs to declared scenario values: add \"values\" (the list of scenario values, or an object mapping values to scenario names).");
                return (field, null);
            }
            var policy = OtherScenarioValues.Error;
            if (other is { } o)
            {
                var text = String(o, "scenario.otherValues");
                policy = text switch
                {
                    "error" => OtherScenarioValues.Error,
                    "skip" => OtherScenarioValues.Skip,
                    _ => throw Error("scenario.otherValues", $"'{text}' is not a policy for undeclared scenario values; use error or skip."),
                };
            }
            var map = new List<KeyValuePair<string, string>>();
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            void Add(string value, string name, string at)
            {
                if (value.Trim().Length == 0) throw Error(at, "a scenario value cannot be empty (an empty value is missing).");
                if (name.Trim().Length == 0) throw Error(at, $"the scenario name of value '{value}' cannot be empty.");
                if (!seen.TryAdd(value.Trim(), at)) throw Error(at, $"the scenario value '{value}' is declared twice (first at {seen[value.Trim()]}).");
                map.Add(KeyValuePair.Create(value, name));
            }
            if (values.Value.ValueKind == JsonValueKind.Array)
            {
                var items = Array(values.Value, "scenario.values");
                if (items.Count == 0) throw Error("scenario.values", "the list of scenario values is empty; declare at least one, or leave \"values\" out to take every value.");
                for (int i = 0; i < items.Count; i++)
                {
                    var value = ValueText(items[i], $"scenario.values[{i}]");
                    Add(value, value, $"scenario.values[{i}]");
                }
            }
            else if (values.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in values.Value.EnumerateObject())
                    Add(p.Name, String(p.Value, $"scenario.values.{p.Name}"), $"scenario.values.{p.Name}");
                if (map.Count == 0) throw Error("scenario.values", "the map of scenario values is empty; declare at least one, or leave \"values\" out to take every value.");
            }
            else throw Error("scenario.values", $"scenario values are a list of the values [\"a\", \"b\"] or an object mapping each value to its scenario name {{\"1\": \"young\", \"18\": \"young\"}}; got {Kind(values.Value)}.");
            try { return (field, new ScenarioValues(map, policy)); }
            catch (ArgumentException x) { throw Error("scenario.values", x.Message, x); }
        }

        /// <summary>A value as written in a data file: a string, or a JSON number taken as its literal text (1 means "1").</summary>
        string ValueText(JsonElement e, string at) => e.ValueKind switch
        {
            JsonValueKind.String => String(e, at, allowEmpty: true),
            JsonValueKind.Number => e.GetRawText(),
            _ => throw Error(at, $"a scenario value is a string (or a number, taken as written); got {Kind(e)}."),
        };

        CategoricalField Categorical(JsonElement e, string at) => Categorical(e, at, checkKeys: true);

        CategoricalField Categorical(JsonElement e, string at, bool checkKeys)
        {
            if (e.ValueKind == JsonValueKind.String) return new CategoricalField(String(e, at));
            if (e.ValueKind != JsonValueKind.Object)
                throw Error(at, $"a categorical field is a column name (string) or an object {{\"column\", \"name\", \"listSeparator\", \"listIndex\", \"missingIsValue\"}}; got {Kind(e)}.");
            if (checkKeys) Keys(e, at, CategoricalKeys);
            var column = String(Required(e, at, "column"), at + ".column");
            var name = Optional(e, "name") is { } n ? String(n, at + ".name") : column;
            ListPart? part = null;
            var listSeparator = Optional(e, "listSeparator");
            var listIndex = Optional(e, "listIndex");
            if (listIndex is not null && listSeparator is null)
                throw Error(at + ".listIndex", "listIndex needs a listSeparator (the character between the list's elements).");
            if (listSeparator is { } ls)
            {
                int index = listIndex is { } li ? Int(li, at + ".listIndex") : 0;
                if (index < -1) throw Error(at + ".listIndex", $"listIndex must be >= 0, or -1 for the last element; got {index}.");
                part = new ListPart(Separator(ls, at + ".listSeparator"), index);
            }
            bool missingIsValue = Optional(e, "missingIsValue") is { } m && Bool(m, at + ".missingIsValue");
            return new CategoricalField(name, column, part, missingIsValue);
        }

        NumericField Numeric(JsonElement e, string at)
        {
            if (e.ValueKind == JsonValueKind.String) return new NumericField(String(e, at));
            if (e.ValueKind != JsonValueKind.Object)
                throw Error(at, $"a numeric field is a column name (string) or an object {{\"column\", \"name\", \"countSeparator\"}}; got {Kind(e)}.");
            Keys(e, at, "column", "name", "countSeparator");
            var column = String(Required(e, at, "column"), at + ".column");
            var name = Optional(e, "name") is { } n ? String(n, at + ".name") : column;
            char? count = Optional(e, "countSeparator") is { } c ? Separator(c, at + ".countSeparator") : null;
            return new NumericField(name, column, count);
        }

        SplitRule Split(JsonElement e)
        {
            Object(e, "split");
            Keys(e, "split", "rule", "train", "valid", "seed", "stratifyByScenario");
            var rule = String(Required(e, "split", "rule"), "split.rule");
            if (rule is not ("random" or "byTime" or "predefined"))
                throw Error("split.rule", $"unknown split rule '{rule}'; use random, byTime or predefined.");
            if (rule == "predefined")
            {
                var extra = new[] { "train", "valid", "seed", "stratifyByScenario" }.FirstOrDefault(k => Optional(e, k) is not null);
                if (extra is not null) throw Error("split." + extra, $"'{extra}' does not apply to the predefined split (the data assigns the parts).");
                return SplitRule.Predefined();
            }
            if (rule == "byTime" && Optional(e, "seed") is not null) throw Error("split.seed", "a split by time has no seed.");
            double train = Optional(e, "train") is { } t ? Number(t, "split.train") : 0.8;
            double valid = Optional(e, "valid") is { } v ? Number(v, "split.valid") : 0.1;
            int seed = Optional(e, "seed") is { } s ? Int(s, "split.seed") : 0;
            bool stratify = Optional(e, "stratifyByScenario") is not { } st || Bool(st, "split.stratifyByScenario");
            try
            {
                return rule == "random" ? SplitRule.Random(train, valid, seed, stratify) : SplitRule.ByTime(train, valid, stratify);
            }
            catch (ArgumentException x)
            {
                throw Error(x.ParamName == "validFraction" ? "split.valid" : "split.train", x.Message, x);
            }
        }

        EncodingOptions Encoding(JsonElement e)
        {
            Object(e, "encoding");
            Keys(e, "encoding", "minCount", "hashBuckets", "unknownScenario", "standardiseNumeric");
            var options = new EncodingOptions();
            if (Optional(e, "minCount") is { } mc)
            {
                int minCount = Int(mc, "encoding.minCount");
                if (minCount < 1) throw Error("encoding.minCount", $"minCount must be >= 1; got {minCount}.");
                options = options with { MinCount = minCount };
            }
            if (Optional(e, "hashBuckets") is { } hb)
            {
                Object(hb, "encoding.hashBuckets");
                var buckets = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var p in hb.EnumerateObject())
                {
                    int b = Int(p.Value, $"encoding.hashBuckets.{p.Name}");
                    if (b < 1) throw Error($"encoding.hashBuckets.{p.Name}", $"a bucket count must be positive; got {b}.");
                    buckets[p.Name] = b;
                }
                options = options with { HashBuckets = buckets };
            }
            if (Optional(e, "unknownScenario") is { } us)
            {
                var text = String(us, "encoding.unknownScenario");
                options = options with
                {
                    UnknownScenario = text switch
                    {
                        "error" => UnknownScenarioPolicy.Error,
                        "skip" => UnknownScenarioPolicy.Skip,
                        _ => throw Error("encoding.unknownScenario", $"'{text}' is not a policy; use error or skip."),
                    },
                };
            }
            if (Optional(e, "standardiseNumeric") is { } sn) options = options with { StandardiseNumeric = Bool(sn, "encoding.standardiseNumeric") };
            return options;
        }

        // ---- JSON helpers: each names the path of a wrong value

        void Keys(JsonElement e, string at, params string[] known)
        {
            Object(e, at);
            foreach (var p in e.EnumerateObject())
            {
                if (known.Contains(p.Name, StringComparer.Ordinal)) continue;
                var path = at.Length == 0 ? p.Name : $"{at}.{p.Name}";
                var near = known.FirstOrDefault(k => string.Equals(k, p.Name, StringComparison.OrdinalIgnoreCase))
                           ?? known.Where(k => EditDistance.Between(k, p.Name, ignoreCase: true) <= 2).OrderBy(k => EditDistance.Between(k, p.Name, ignoreCase: true)).FirstOrDefault();
                throw Error(path, $"unknown key '{p.Name}'{(near is null ? "" : $" (did you mean '{near}'?)")}; the keys here are: {string.Join(", ", known)}.");
            }
        }

        void Object(JsonElement e, string at)
        {
            if (e.ValueKind != JsonValueKind.Object) throw Error(at, $"expected an object {{...}}; got {Kind(e)}.");
        }

        JsonElement Required(JsonElement e, string at, string key) =>
            Optional(e, key) ?? throw Error(at, $"the key \"{key}\" is required{(at.Length == 0 ? "" : $" in {at}")}.");

        static JsonElement? Optional(JsonElement e, string key) =>
            e.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

        string? OptionalString(JsonElement e, string key) => Optional(e, key) is { } v ? String(v, key) : null;

        IReadOnlyList<T> List<T>(JsonElement root, string key, Func<JsonElement, string, T> item) =>
            Optional(root, key) is { } v ? Array(v, key).Select((x, i) => item(x, $"{key}[{i}]")).ToArray() : [];

        List<JsonElement> Array(JsonElement e, string at) =>
            e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().ToList() : throw Error(at, $"expected a list [...]; got {Kind(e)}.");

        string String(JsonElement e, string at, bool allowEmpty = false)
        {
            if (e.ValueKind != JsonValueKind.String) throw Error(at, $"expected a string; got {Kind(e)}.");
            var s = e.GetString()!;
            if (!allowEmpty && string.IsNullOrWhiteSpace(s)) throw Error(at, "expected a non-empty string.");
            return s;
        }

        double Number(JsonElement e, string at) =>
            e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var d) && double.IsFinite(d) ? d : throw Error(at, $"expected a finite number; got {Kind(e)}.");

        int Int(JsonElement e, string at) =>
            e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var i) ? i : throw Error(at, $"expected a whole number; got {Kind(e)}.");

        bool Bool(JsonElement e, string at) =>
            e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean() : throw Error(at, $"expected true or false; got {Kind(e)}.");

        /// <summary>A single character, or one of the words tab, space, comma, semicolon, pipe.</summary>
        char Separator(JsonElement e, string at)
        {
            var s = String(e, at, allowEmpty: true);
            return s switch
            {
                "tab" => '\t',
                "space" => ' ',
                "comma" => ',',
                "semicolon" => ';',
                "pipe" => '|',
                _ when s.Length == 1 && s[0] is not ('"' or '\r' or '\n') => s[0],
                _ => throw Error(at, $"a separator is one character (not a quote or a line break), or tab, space, comma, semicolon, pipe; got \"{s}\"."),
            };
        }

        static string Kind(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.String => $"the string \"{e.GetString()}\"",
            JsonValueKind.Number => $"the number {e.GetRawText()}",
            JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
            JsonValueKind.Array => "a list",
            JsonValueKind.Object => "an object",
            _ => e.ValueKind.ToString().ToLowerInvariant(),
        };
    }

    // ------------------------------------------------------------------ writing

    /// <summary>
    /// The schema as JSON in the documented format, every key written out (a starter file shows every knob).
    /// Data paths are written relative to <paramref name="relativeTo"/> (a folder) when given, else as stored.
    /// </summary>
    public string ToJson(string? relativeTo = null)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("name", Schema.Name);
            char separator = Files[0].Separator;
            if (separator != ',') w.WriteString("separator", SeparatorText(separator));
            w.WriteStartArray("files");
            foreach (var f in Files)
            {
                var path = relativeTo is null ? f.Path : Path.GetRelativePath(relativeTo, f.Path);
                if (f.Part is null && f.Separator == separator) { w.WriteStringValue(path); continue; }
                w.WriteStartObject();
                w.WriteString("path", path);
                if (f.Separator != separator) w.WriteString("separator", SeparatorText(f.Separator));
                if (f.Part is SplitPart p) w.WriteString("part", p.ToString().ToLowerInvariant());
                w.WriteEndObject();
            }
            w.WriteEndArray();

            w.WriteStartObject("label");
            w.WriteString("column", Schema.LabelColumn);
            switch (Schema.Label.Kind)
            {
                case LabelRule.RuleKind.Binary: w.WriteString("rule", "binary"); break;
                case LabelRule.RuleKind.AtLeast: w.WriteString("rule", "atLeast"); w.WriteNumber("threshold", Schema.Label.Threshold); break;
                case LabelRule.RuleKind.Above: w.WriteString("rule", "above"); w.WriteNumber("threshold", Schema.Label.Threshold); break;
                case LabelRule.RuleKind.PositiveValues:
                    w.WriteString("rule", "positiveValues");
                    w.WriteStartArray("positiveValues");
                    foreach (var p in Schema.Label.Positives) w.WriteStringValue(p);
                    w.WriteEndArray();
                    break;
            }
            if (Schema.Label.Minimum is double lo && Schema.Label.Maximum is double hi)
            {
                w.WriteStartArray("range");
                w.WriteNumberValue(lo);
                w.WriteNumberValue(hi);
                w.WriteEndArray();
            }
            w.WriteEndObject();

            w.WritePropertyName("scenario");
            WriteField(w, Schema.Scenario, Schema.ScenarioValues);
            w.WriteStartArray("scenarioAware");
            foreach (var f in Schema.ScenarioAware) WriteField(w, f);
            w.WriteEndArray();
            w.WriteStartArray("scenarioAgnostic");
            foreach (var f in Schema.ScenarioAgnostic) WriteField(w, f);
            w.WriteEndArray();
            w.WriteStartArray("numeric");
            foreach (var n in Schema.Numeric)
            {
                if (n.Name == n.Column && n.CountSeparator is null) { w.WriteStringValue(n.Column); continue; }
                w.WriteStartObject();
                w.WriteString("column", n.Column);
                if (n.Name != n.Column) w.WriteString("name", n.Name);
                if (n.CountSeparator is char c) w.WriteString("countSeparator", SeparatorText(c));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            WriteOptional(w, "timestampColumn", Schema.TimestampColumn);
            WriteOptional(w, "splitColumn", Schema.SplitColumn);
            WriteOptional(w, "userField", Schema.UserField);
            WriteOptional(w, "itemField", Schema.ItemField);
            w.WriteStartArray("missingTokens");
            foreach (var t in Schema.MissingTokens) w.WriteStringValue(t);
            w.WriteEndArray();

            w.WriteStartObject("split");
            switch (Split.Kind)
            {
                case SplitKind.Predefined: w.WriteString("rule", "predefined"); break;
                default:
                    w.WriteString("rule", Split.Kind == SplitKind.Random ? "random" : "byTime");
                    w.WriteNumber("train", Split.TrainFraction);
                    w.WriteNumber("valid", Split.ValidFraction);
                    if (Split.Kind == SplitKind.Random) w.WriteNumber("seed", Split.Seed);
                    w.WriteBoolean("stratifyByScenario", Split.StratifyByScenario);
                    break;
            }
            w.WriteEndObject();

            w.WriteStartObject("encoding");
            w.WriteNumber("minCount", Encoding.MinCount);
            w.WriteStartObject("hashBuckets");
            foreach (var (field, buckets) in Encoding.HashBuckets.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteNumber(field, buckets);
            w.WriteEndObject();
            w.WriteString("unknownScenario", Encoding.UnknownScenario == UnknownScenarioPolicy.Skip ? "skip" : "error");
            w.WriteBoolean("standardiseNumeric", Encoding.StandardiseNumeric);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>
    /// Writes <see cref="ToJson"/> to <paramref name="path"/>, data paths relative to its folder. An existing file is
    /// an <see cref="IOException"/> unless <paramref name="overwrite"/>: a schema someone edited is never replaced silently.
    /// </summary>
    public void Write(string path, bool overwrite = false)
    {
        var full = Path.GetFullPath(path);
        var json = ToJson(Path.GetDirectoryName(full));
        if (!overwrite && System.IO.File.Exists(full))
            throw new IOException($"Schema file '{path}' exists already; it is not overwritten.");
        using var stream = new FileStream(full, overwrite ? FileMode.Create : FileMode.CreateNew, FileAccess.Write);
        stream.Write(new UTF8Encoding(false).GetBytes(json));
    }

    static void WriteField(Utf8JsonWriter w, CategoricalField f, ScenarioValues? values = null)
    {
        if (f.Name == f.Column && f.Part is null && !f.MissingIsValue && values is null) { w.WriteStringValue(f.Column); return; }
        w.WriteStartObject();
        w.WriteString("column", f.Column);
        if (f.Name != f.Column) w.WriteString("name", f.Name);
        if (f.Part is { } part)
        {
            w.WriteString("listSeparator", SeparatorText(part.Separator));
            w.WriteNumber("listIndex", part.Index);
        }
        if (f.MissingIsValue) w.WriteBoolean("missingIsValue", true);
        if (values is not null)
        {
            if (values.Renames)
            {
                w.WriteStartObject("values");
                foreach (var (value, name) in values.Map) w.WriteString(value, name);
                w.WriteEndObject();
            }
            else
            {
                w.WriteStartArray("values");
                foreach (var (value, _) in values.Map) w.WriteStringValue(value);
                w.WriteEndArray();
            }
            w.WriteString("otherValues", values.Other == OtherScenarioValues.Skip ? "skip" : "error");
        }
        w.WriteEndObject();
    }

    static void WriteOptional(Utf8JsonWriter w, string key, string? value)
    {
        if (value is null) w.WriteNull(key);
        else w.WriteString(key, value);
    }

    static string SeparatorText(char c) => c switch { '\t' => "tab", ' ' => "space", _ => c.ToString() };

    // ------------------------------------------------------------------ loading

    /// <summary>
    /// Reads, splits and encodes the data files (<see cref="DatasetLoader"/>), after checking that every declared
    /// column is in each file's header (an error names the schema file and where the column is declared), and
    /// then that the data can train a conversion model: some positive and some negative labels, at least two
    /// scenarios. Data errors are <see cref="DataFormatException"/>s naming the data file, line and column.
    /// </summary>
    public LoadedDataset Load()
    {
        for (int i = 0; i < Files.Count; i++)
        {
            var f = Files[i];
            if (Directory.Exists(f.Path)) throw Error($"files[{i}]", $"the data file '{f.Path}' is a directory, not a file.");
            if (!System.IO.File.Exists(f.Path))
                throw Error($"files[{i}]", $"the data file '{f.Path}' does not exist{(Source is null ? "" : " (relative paths resolve against the schema file's folder)")}.");
            CheckHeader(i);
        }
        var loaded = DatasetLoader.Load(Schema, Split, Encoding, Files.ToArray());
        CheckTrainable(loaded);
        return loaded;
    }

    /// <summary>Every declared column, with the JSON path of its declaration.</summary>
    IEnumerable<(string Column, string JsonPath)> DeclaredColumns()
    {
        yield return (Schema.LabelColumn, "label.column");
        yield return (Schema.Scenario.Column, "scenario.column");
        for (int i = 0; i < Schema.ScenarioAware.Count; i++) yield return (Schema.ScenarioAware[i].Column, $"scenarioAware[{i}].column");
        for (int i = 0; i < Schema.ScenarioAgnostic.Count; i++) yield return (Schema.ScenarioAgnostic[i].Column, $"scenarioAgnostic[{i}].column");
        for (int i = 0; i < Schema.Numeric.Count; i++) yield return (Schema.Numeric[i].Column, $"numeric[{i}].column");
        if (Schema.TimestampColumn is not null) yield return (Schema.TimestampColumn, "timestampColumn");
        if (Schema.SplitColumn is not null) yield return (Schema.SplitColumn, "splitColumn");
    }

    void CheckHeader(int i)
    {
        var f = Files[i];
        IReadOnlyList<string> header;
        using (var reader = RecordReaders.Open(f.Path, f.Separator)) header = reader.Header;
        var present = header.ToHashSet(StringComparer.Ordinal);
        foreach (var (column, at) in DeclaredColumns())
        {
            if (present.Contains(column)) continue;
            var near = header.FirstOrDefault(h => string.Equals(h, column, StringComparison.OrdinalIgnoreCase));
            var hint = near is not null ? $" Did you mean '{near}'?" : "";
            if (!RecordReaders.IsParquet(f.Path) && header.Count == 1)
            {
                var other = new[] { ',', '\t', ';', '|', ' ' }.FirstOrDefault(c => c != f.Separator && header[0].Contains(c));
                if (other != default)
                    hint += $" The header reads as one column: is the separator right? The schema says '{SeparatorText(f.Separator)}', the header contains '{SeparatorText(other)}'.";
            }
            throw Error(at, $"column '{column}' is not in the header of {f.Path}, which has {header.Count} column(s): {string.Join(", ", header)}.{hint}");
        }
    }

    void CheckTrainable(LoadedDataset loaded)
    {
        var files = string.Join(", ", Files.Select(f => f.Path));
        var all = loaded.All;
        long positives = 0;
        foreach (var y in all.Labels) if (y > 0.5f) positives++;
        string where(string jsonPath)
        {
            var (line, column) = _positions?.Of(jsonPath) ?? (0, 0);
            return Source is null ? "" : $" (declared in {Source}{(line > 0 ? $", line {line}, column {column}" : "")})";
        }
        if (positives == 0 || positives == all.Rows)
            throw new DataFormatException(files, 0, Schema.LabelColumn, 0,
                $"the label has no {(positives == 0 ? "positives" : "negatives")}: all {all.Rows} rows kept are {(positives == 0 ? 0 : 1)} under the rule {Schema.Label}. " +
                $"A conversion model needs both; check the label column and its rule{where("label")}.");
        if (all.ScenarioCount < 2)
            throw new DataFormatException(files, 0, Schema.Scenario.Column, 0,
                $"the scenario column has one value ('{all.ScenarioNames.FirstOrDefault()}') in all {all.Rows} rows kept; a multi-scenario dataset needs at least two scenarios. " +
                $"Choose another scenario column{where("scenario")}.");
    }

    SchemaFileException Error(string jsonPath, string problem)
    {
        var (line, column) = _positions?.Of(jsonPath) ?? (0, 0);
        return new SchemaFileException(Source ?? $"'{Schema.Name}' (made in code)", line, column, jsonPath, problem);
    }
}
