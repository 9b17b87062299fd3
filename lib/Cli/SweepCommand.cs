using System.ComponentModel;
using MiDpg.Research.Models;
using MiDpg.Research.Models.Baselines;
using MiDpg.Research.Notebooks;
using MiDpg.Research.Plotting;
using MiDpg.Research.Training;
using MiDpg.Research.Training.Experiments;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MiDpg.Research.Cli;

/// <summary>`sweep`: the low-rank sweep (d_k, d_r, d_c per DWM variant) with APG at matched parameter budgets.</summary>
public sealed class SweepCommand : Command<SweepCommand.Settings>
{
    public sealed class Settings : TrainingSettings
    {
        [CommandOption("--variants <LIST>")]
        [Description("DWM variants to sweep: rc, r, c (default all three).")]
        public string Variants { get; init; } = "rc,r,c";

        [CommandOption("--ranks <LIST>")]
        [Description("d_k values (default 1,2,4).")]
        public string Ranks { get; init; } = "1,2,4";

        [CommandOption("--row-divisors <LIST>")]
        [Description("r_div values, d_r = d_m / r_div (default 1,2,4,8).")]
        public string RowDivisors { get; init; } = "1,2,4,8";

        [CommandOption("--column-divisors <LIST>")]
        [Description("c_div values, d_c = d_n / c_div (default 1,2,4,8).")]
        public string ColumnDivisors { get; init; } = "1,2,4,8";

        [CommandOption("--mir")]
        [Description("Sweep MI-DPG instead of DPG (the paper's sweep, section 3.5.1, is of DPG without the MIR).")]
        public bool Mir { get; init; }

        [CommandOption("--no-non")]
        [Description("Leave out variant Non, the whole-matrix reference point.")]
        public bool NoNon { get; init; }

        [CommandOption("--no-apg")]
        [Description("Leave out APG at matched parameter budgets.")]
        public bool NoApg { get; init; }

        [CommandOption("--trials <N>")]
        [Description("Trials per point (seeds 1..N; default 1).")]
        public int Trials { get; init; } = 1;

        [CommandOption("--name <NAME>")]
        [Description("Experiment name in the results store (default: sweep, or sweep-quick).")]
        public string? Name { get; init; }

        [CommandOption("--runs <DIR>")]
        [Description("Results store folder (default: runs).")]
        public string Runs { get; init; } = "runs";

        [CommandOption("--out <DIR>")]
        [Description("Output folder: report/<name>.md|csv and figures/<name>.png|html (default: output).")]
        public string Out { get; init; } = "output";

        public override ValidationResult Validate()
        {
            var b = base.Validate();
            if (!b.Successful) return b;
            if (Trials < 1) return ValidationResult.Error("--trials must be at least 1.");
            if (OutputChecks.NameProblem("--name", Name) is { } nameProblem) return ValidationResult.Error(nameProblem);
            foreach (var (option, value) in new[] { ("--ranks", Ranks), ("--row-divisors", RowDivisors), ("--column-divisors", ColumnDivisors) })
                if (ParseList(value) is null) return ValidationResult.Error($"{option} '{value}' must be a comma-separated list of positive integers.");
            foreach (var v in Variants.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                if (!Enum.TryParse<DwmVariant>(v, true, out var parsed) || parsed == DwmVariant.Non)
                    return ValidationResult.Error($"--variants: '{v}' is not one of rc, r, c.");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var sources = s.Datasets();
        if (sources.Count != 1) throw new CliError("sweep takes one dataset.");
        var name = s.Name ?? (s.Quick ? "sweep-quick" : "sweep");
        OutputChecks.RequireWritableFolder("--runs", s.Runs);
        OutputChecks.RequireWritableFolder("--out", s.Out);
        var data = sources[0].Load().RequireRows();
        var features = ModelData.Features(data.Train);
        var options = ModelFactories.Options(s.ModelSettings());
        var sweep = new LowRankSweep
        {
            Variants = s.Variants.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(v => Enum.Parse<DwmVariant>(v, true)).ToList(),
            RankKs = TrainingSettings.ParseList(s.Ranks)!,
            RowDivisors = TrainingSettings.ParseList(s.RowDivisors)!,
            ColumnDivisors = TrainingSettings.ParseList(s.ColumnDivisors)!,
            WithMir = s.Mir,
            Template = (DpgConfig)options.Apply(new DpgConfig()),
        };
        var (points, skipped) = sweep.Grid(features);
        foreach (var skip in skipped) AnsiConsole.MarkupLine($"[grey]skipped {Markup.Escape(skip.Name)}: {Markup.Escape(skip.Reason)}[/]");
        var configs = points.ToDictionary(p => p.Name, p => (ModelConfig)p.Config);
        var apg = s.NoApg ? [] : LowRankSweep.ApgMatches(features, points, (ApgConfig)options.Apply(new ApgConfig()));
        foreach (var a in apg) configs[a.Name] = a.Config;
        var reference = s.NoNon ? null : sweep.NonReference(features);
        if (reference is not null) configs[reference.Name] = reference.Config;
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(name)}[/]: {points.Count} DWM point(s), {apg.Count} APG match(es), " +
                               $"{(reference is null ? "no" : "a")} whole-matrix reference, {skipped.Count} skipped");

        var spec = new ExperimentSpec
        {
            Name = name,
            Models = configs.Keys.ToList(),
            Datasets = [new DatasetSource(data.Name, () => data) { Identity = sources[0].Identity }],
            Seeds = Enumerable.Range(1, s.Trials).ToArray(),
            Trainer = s.Trainer(),
            ModelConfig = (model, _) => configs[model],   // the sweep's points are not registry models: their configs key the records
        };
        var store = new ResultsStore(s.Runs);
        new ExperimentRunner(store, (model, f, _, device) => ModelRegistry.Create(configs[model], f, device), Console.Out)
        {
            Reporter = (dataset, model, trial) => new ConsoleReporter(null, $"  {model} / trial {trial}: "),
        }.Run(spec);

        var summary = ReportCommand.Write(store, name, Path.Combine(s.Out, "report"));
        var chart = SweepCharts.AucAgainstParameters(name, summary, points, apg.Select(a => (a.Name, a.Parameters)).ToList(), reference);
        var figure = NotebookEnvironment.SaveFigureTo(chart, Path.Combine(s.Out, "figures"), name);
        AnsiConsole.WriteLine($"figure: {figure}");
        return 0;
    }
}
