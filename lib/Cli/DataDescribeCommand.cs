using System.ComponentModel;
using System.Globalization;
using MiDpg.Research.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MiDpg.Research.Cli;

/// <summary>
/// `data describe FILE`: what a delimited or Parquet file holds (per column type guess, distinct values, missing share,
/// top values; the label balance per candidate scenario column), and a starter schema file the loader accepts unchanged
/// (<see cref="DataInspector"/>, <see cref="SchemaFile"/>). An existing schema file is never replaced without --force.
/// </summary>
public sealed class DataDescribeCommand : Command<DataDescribeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("A delimited text file with a header (comma, tab, semicolon, pipe or space; detected) or a .parquet file.")]
        public string File { get; init; } = "";

        [CommandOption("--sample <N>")]
        [Description("Rows kept for the statistics: a uniform random sample when the file has more (default 100000).")]
        public int Sample { get; init; } = 100_000;

        [CommandOption("--schema-out <PATH>")]
        [Description("Where to write the starter schema (default: next to FILE, FILE without extension + .schema.json).")]
        public string? SchemaOut { get; init; }

        [CommandOption("--no-schema")]
        [Description("Only describe; write no schema file.")]
        public bool NoSchema { get; init; }

        [CommandOption("--force")]
        [Description("Overwrite an existing schema file.")]
        public bool Force { get; init; }

        [CommandOption("--label <COLUMN>")]
        [Description("The label column (default: the first binary column, names like label, click, conversion first).")]
        public string? Label { get; init; }

        [CommandOption("--scenario <COLUMN>")]
        [Description("The scenario column (default: chosen among the candidates: names like scenario, domain, category first, then the most balanced).")]
        public string? Scenario { get; init; }

        [CommandOption("--separator <CHAR>")]
        [Description("Separator of a delimited file: one character, or tab, space, comma, semicolon, pipe (default: detected).")]
        public string? Separator { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(File)) return ValidationResult.Error("name the data file: data describe FILE.");
            if (Sample < 1) return ValidationResult.Error("--sample must be at least 1.");
            if (Separator is not null && ParseSeparator(Separator) is null)
                return ValidationResult.Error($"--separator '{Separator}' must be one character (not a quote or a line break), or tab, space, comma, semicolon, pipe.");
            if (NoSchema && (SchemaOut is not null || Force)) return ValidationResult.Error("--no-schema writes no schema; drop --schema-out and --force.");
            return ValidationResult.Success();
        }

        internal static char? ParseSeparator(string text) => text switch
        {
            "tab" or "\\t" => '\t',
            "space" => ' ',
            "comma" => ',',
            "semicolon" => ';',
            "pipe" => '|',
            _ when text.Length == 1 && text[0] is not ('"' or '\r' or '\n') => text[0],
            _ => null,
        };

        /// <summary>The schema path: --schema-out, or FILE without extension + .schema.json.</summary>
        internal string SchemaPath => SchemaOut ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(File))!, Path.GetFileNameWithoutExtension(File) + ".schema.json");
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var schemaPath = settings.NoSchema ? null : settings.SchemaPath;
        if (schemaPath is not null && System.IO.File.Exists(schemaPath) && !settings.Force)
            throw new CliError($"the schema file {schemaPath} exists already; pass --force to overwrite it, or --schema-out PATH to write elsewhere.");
        if (schemaPath is not null && Directory.Exists(schemaPath))
            throw new CliError($"--schema-out {schemaPath} is a directory; name a file, e.g. {Path.Combine(schemaPath, "schema.json")}.");
        if (Directory.Exists(settings.File)) throw new CliError($"{settings.File} is a directory, not a data file; name a file inside it.");
        if (!System.IO.File.Exists(settings.File)) throw new CliError($"data file {settings.File} does not exist.");

        var started = DateTime.UtcNow;
        var lastPrint = started;
        var options = new InspectorOptions
        {
            SampleSize = settings.Sample,
            LabelColumn = settings.Label,
            ScenarioColumn = settings.Scenario,
            Separator = settings.Separator is null ? null : Settings.ParseSeparator(settings.Separator),
            Progress = rows =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                var now = DateTime.UtcNow;
                if ((now - lastPrint).TotalSeconds < 2) return;
                lastPrint = now;
                Console.Error.WriteLine($"reading {settings.File}: {rows:N0} rows ({(now - started).TotalSeconds:F0} s)");
            },
        };
        DataInspection inspection;
        try { inspection = DataInspector.Inspect(settings.File, options); }
        catch (OperationCanceledException) { throw new Interrupted("interrupted: nothing was written."); }
        Print(inspection);

        if (schemaPath is null) return 0;
        SchemaFile starter;
        try { starter = inspection.StarterSchema(); }
        catch (InvalidOperationException e) { throw new CliError($"no starter schema written: {e.Message}"); }
        try { starter.Write(schemaPath, overwrite: settings.Force); }
        catch (IOException e) { throw new CliError($"the schema file {schemaPath} was not written: {e.Message}"); }
        AnsiConsole.MarkupLine($"[bold]wrote[/] the starter schema {Markup.Escape(schemaPath)}: check the roles above and edit it (format: data/README.md, \"Schema files\").");
        AnsiConsole.WriteLine($"train on it: dotnet run -c Release -- train --data file:{schemaPath}");
        return 0;
    }

    static void Print(DataInspection d)
    {
        string sep = d.IsParquet ? "Parquet" : d.Separator switch { '\t' => "tab-separated", ' ' => "space-separated", _ => $"separator '{d.Separator}'" };
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(d.File)}[/]: {sep}, {d.Columns.Count} columns, {d.RowsRead:N0} rows; " +
                               (d.Sampled ? $"statistics from a random sample of {d.SampleRows:N0} rows (seed {d.Seed})" : "statistics from all rows"));
        var columns = new Table().AddColumns("column", "type", "distinct", "missing", "top values (count)", "starter schema");
        foreach (var c in d.Columns)
            columns.AddRow(Markup.Escape(c.Name), c.Kind.ToString().ToLowerInvariant(), c.Distinct.ToString("N0"), c.MissingShare.ToString("P1", CultureInfo.InvariantCulture),
                Markup.Escape(string.Join(", ", c.Top.Select(t => $"{Shorten(t.Value)} ({t.Count:N0})"))),
                Markup.Escape($"{Role(c.Role)}: {c.RoleReason}"));
        AnsiConsole.Write(columns);

        if (d.LabelColumn is not null)
        {
            AnsiConsole.MarkupLine($"[bold]label[/] {Markup.Escape(d.LabelColumn)} ({Markup.Escape(d.Label?.ToString() ?? "no rule")}); label balance per candidate scenario column:");
            foreach (var k in d.ScenarioCandidates)
            {
                var table = new Table().Title(Markup.Escape($"{k.Column}{(k.Column == d.ScenarioColumn ? " (chosen)" : "")}: {k.Values.Count} values{(k.Missing > 0 ? $", {k.Missing:N0} missing" : "")}"))
                    .AddColumns("value", "rows", "positives", "positive rate");
                foreach (var v in k.Values)
                    table.AddRow(Markup.Escape(Shorten(v.Value)), v.Rows.ToString("N0"), v.Positives.ToString("N0"), v.PositiveRate.ToString("F4", CultureInfo.InvariantCulture));
                AnsiConsole.Write(table);
            }
        }
        foreach (var note in d.Notes) AnsiConsole.WriteLine("- " + note);
    }

    static string Role(ColumnRole role) => role switch
    {
        ColumnRole.ScenarioAware => "scenario-aware",
        ColumnRole.ScenarioAgnostic => "scenario-agnostic",
        _ => role.ToString().ToLowerInvariant(),
    };

    static string Shorten(string value) => value.Length <= 24 ? value : value[..21] + "...";
}
